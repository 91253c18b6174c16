package io.s3imagetovideo.bench.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;

/**
 * SQS on a simulated clock, for a soak run that spans hours in minutes: delays, visibility timeouts,
 * receive counts and a dead-letter queue after {@code maxReceiveCount} receives, as SQS has them. The
 * functions talk to it through the {@link SqsClient} interface (the two calls they make: SendMessage
 * and ChangeMessageVisibility); the run's event source mappings receive and delete directly. A real
 * SQS server (ElasticMQ) waits real seconds, which a day of simulated waiting cannot.
 */
public final class SimulatedQueues implements SqsClient {

    /** One queue: its messages, and the settings of the template's queue. */
    public static final class Queue {
        final String url;
        final Duration visibilityTimeout;
        final int maxReceiveCount;
        final List<Held> messages = new ArrayList<>();
        final List<Held> deadLetters = new ArrayList<>();
        final AtomicInteger received = new AtomicInteger();

        Queue(String url, Duration visibilityTimeout, int maxReceiveCount) {
            this.url = url;
            this.visibilityTimeout = visibilityTimeout;
            this.maxReceiveCount = maxReceiveCount;
        }

        public String url() {
            return url;
        }

        public int received() {
            return received.get();
        }

        public int deadLetters() {
            synchronized (this) {
                return deadLetters.size();
            }
        }

        public int size() {
            synchronized (this) {
                return messages.size();
            }
        }
    }

    static final class Held {
        final String id = UUID.randomUUID().toString();
        final String body;
        Instant visibleAt;
        int receives;
        String receipt;

        Held(String body, Instant visibleAt) {
            this.body = body;
            this.visibleAt = visibleAt;
        }
    }

    private final Clock clock;
    private final Map<String, Queue> queues = new HashMap<>();

    public SimulatedQueues(Clock clock) {
        this.clock = clock;
    }

    public synchronized Queue create(String name, Duration visibilityTimeout, int maxReceiveCount) {
        Queue queue = new Queue("https://sqs.us-east-1.amazonaws.com/000000000000/" + name, visibilityTimeout,
                maxReceiveCount);
        queues.put(queue.url, queue);
        return queue;
    }

    @Override
    public SendMessageResponse sendMessage(SendMessageRequest request) {
        Queue queue = queue(request.queueUrl());
        int delay = request.delaySeconds() == null ? 0 : request.delaySeconds();
        if (delay < 0 || delay > 900) {
            throw new IllegalArgumentException("DelaySeconds must be 0 to 900, got " + delay);
        }
        Held held = new Held(request.messageBody(), clock.instant().plusSeconds(delay));
        synchronized (queue) {
            queue.messages.add(held);
        }
        return SendMessageResponse.builder().messageId(held.id).build();
    }

    /** Sends a message as S3 or a test would, visible at {@code at}. */
    public void send(Queue queue, String body, Instant at) {
        synchronized (queue) {
            queue.messages.add(new Held(body, at));
        }
    }

    @Override
    public ChangeMessageVisibilityResponse changeMessageVisibility(ChangeMessageVisibilityRequest request) {
        Queue queue = queue(request.queueUrl());
        synchronized (queue) {
            Held held = queue.messages.stream().filter(m -> request.receiptHandle().equals(m.receipt)).findFirst()
                    .orElseThrow(() -> ReceiptHandleIsInvalidException.builder().message("no such receipt").build());
            held.visibleAt = clock.instant().plusSeconds(request.visibilityTimeout());
        }
        return ChangeMessageVisibilityResponse.builder().build();
    }

    /**
     * Receives up to {@code max} visible messages, as a ReceiveMessage call does: each becomes invisible
     * for the queue's visibility timeout, and one past its receive limit goes to the dead-letter queue.
     */
    public List<Message> receive(Queue queue, int max) {
        Instant now = clock.instant();
        List<Message> out = new ArrayList<>();
        synchronized (queue) {
            List<Held> visible = queue.messages.stream().filter(m -> !m.visibleAt.isAfter(now))
                    .sorted(Comparator.comparing(m -> m.visibleAt)).toList();
            for (Held held : visible) {
                if (out.size() == max) {
                    break;
                }
                if (held.receives >= queue.maxReceiveCount) {
                    queue.messages.remove(held);
                    queue.deadLetters.add(held);
                    continue;
                }
                held.receives++;
                held.receipt = UUID.randomUUID().toString();
                held.visibleAt = now.plus(queue.visibilityTimeout);
                queue.received.incrementAndGet();
                out.add(Message.builder().messageId(held.id).receiptHandle(held.receipt).body(held.body)
                        .attributes(Map.of(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
                                Integer.toString(held.receives)))
                        .build());
            }
        }
        return out;
    }

    public void delete(Queue queue, String receiptHandle) {
        synchronized (queue) {
            queue.messages.removeIf(m -> receiptHandle.equals(m.receipt));
        }
    }

    /** When the next message of any queue becomes visible, if any is left. */
    public synchronized Optional<Instant> nextVisible() {
        Optional<Instant> next = Optional.empty();
        for (Queue queue : queues.values()) {
            synchronized (queue) {
                for (Held held : queue.messages) {
                    if (next.isEmpty() || held.visibleAt.isBefore(next.get())) {
                        next = Optional.of(held.visibleAt);
                    }
                }
            }
        }
        return next;
    }

    private synchronized Queue queue(String url) {
        Queue queue = queues.get(url);
        if (queue == null) {
            throw new IllegalArgumentException("no such queue: " + url);
        }
        return queue;
    }

    @Override
    public String serviceName() {
        return "sqs";
    }

    @Override
    public void close() {
        // nothing to release
    }
}
