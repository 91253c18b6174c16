package io.s3imagetovideo.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A second floor: an empty handler that takes the event as bytes, so the runtime client maps no event
 * class for it. Beside {@link EmptyHandler} it shows what the runtime's event mapping costs.
 */
public final class EmptyStreamHandler implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.transferTo(OutputStream.nullOutputStream());
        output.write("{\"batchItemFailures\":[]}".getBytes(StandardCharsets.UTF_8));
    }
}
