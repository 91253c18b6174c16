package io.s3imagetovideo.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * What Lambda's SQS event source mapping does for one function instance, against a real queue: receive
 * a batch, invoke the function (here: a {@link LambdaRuntimeProcess}, as Lambda runs it) with the event
 * the mapping builds, and delete the messages the function did not name in {@code batchItemFailures};
 * a failed invocation deletes nothing. Counts receives, so that a run can report them.
 */
public final class EventSourceMapping {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SqsClient sqs;
    private final String queueUrl;
    private final LambdaRuntimeProcess function;
    private final int batchSize;
    private final AtomicInteger received = new AtomicInteger();
    private final AtomicInteger failedInvocations = new AtomicInteger();

    public EventSourceMapping(SqsClient sqs, String queueUrl, LambdaRuntimeProcess function, int batchSize) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.function = function;
        this.batchSize = batchSize;
    }

    /** One poll of the queue and, when it held messages, one invocation. The number of messages received. */
    public int pollOnce(int waitSeconds) throws InterruptedException {
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(batchSize)
                .waitTimeSeconds(waitSeconds).messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
        if (messages.isEmpty()) {
            return 0;
        }
        received.addAndGet(messages.size());
        String result = function.invoke(SqsEvents.json(messages));
        Set<String> failed = failedIds(result, messages);
        for (Message m : messages) {
            if (!failed.contains(m.messageId())) {
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
        return messages.size();
    }

    public int received() {
        return received.get();
    }

    public int failedInvocations() {
        return failedInvocations.get();
    }

    private Set<String> failedIds(String result, List<Message> messages) {
        if (!result.startsWith("response:")) {
            // The invocation failed: the mapping deletes nothing, every message comes again.
            failedInvocations.incrementAndGet();
            Set<String> all = new HashSet<>();
            messages.forEach(m -> all.add(m.messageId()));
            return all;
        }
        try {
            JsonNode response = JSON.readTree(result.substring("response:".length()));
            Set<String> failed = new HashSet<>();
            response.path("batchItemFailures").forEach(f -> failed.add(f.path("itemIdentifier").asText()));
            return failed;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
