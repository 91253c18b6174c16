package io.s3imagetovideo.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;

/**
 * The floor of the cold-start comparison: a function on the same trigger that does nothing. It pays
 * for the JVM, the runtime client and the S3 event's deserialisation, which every S3-triggered Java
 * function pays, and for nothing else.
 */
public final class EmptyHandler implements RequestHandler<S3Event, String> {
    @Override
    public String handleRequest(S3Event event, Context context) {
        return "ok";
    }
}
