package io.s3imagetovideo.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

/**
 * The floor of the cold-start comparison: a function on the same trigger that does nothing. It pays
 * for the JVM, the runtime client and the SQS event's deserialisation, which every queue-triggered
 * Java function pays, and for nothing else.
 */
public final class EmptyHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return SQSBatchResponse.builder().withBatchItemFailures(java.util.List.of()).build();
    }
}
