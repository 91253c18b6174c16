package io.s3imagetovideo.support;

import java.nio.ByteBuffer;
import org.gaul.shaded.org.eclipse.jetty.io.Content;
import org.gaul.shaded.org.eclipse.jetty.server.Handler;
import org.gaul.shaded.org.eclipse.jetty.server.Request;
import org.gaul.shaded.org.eclipse.jetty.server.Response;
import org.gaul.shaded.org.eclipse.jetty.util.Callback;

/**
 * Reads a request's whole body before S3Proxy sees the request, as S3 itself does (it has to: an
 * {@code aws-chunked} body ends with the checksum trailer that S3 validates).
 *
 * <p>Why: S3Proxy 4.1.1 reads an {@code aws-chunked} upload only up to {@code
 * x-amz-decoded-content-length} and answers before the final {@code 0} chunk and the
 * {@code x-amz-checksum-crc32} trailer have arrived; it also answers a failed {@code If-None-Match}
 * before reading any of the body. Jetty then closes the connection with request bytes unread, and
 * the SDK's URL-connection client, which writes the chunk framing in many small writes, has its next
 * write refused ({@code EPIPE}): "Error writing request body to server". It never reads the answer
 * already waiting for it, and every retry can lose the same race. Seen in a packet capture of the
 * test suite, where about one PUT in twenty-five needed a second attempt.
 *
 * <p>The product copes with such an early answer from real S3 as well (see {@code RecordStore});
 * this handler only stops the in-process server from causing it on every ordinary upload.
 */
final class WholeRequestBodyFirst extends Handler.Wrapper {

    WholeRequestBodyFirst(Handler s3proxy) {
        super(s3proxy);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        // Blocking is fine here: S3Proxy's servlet handler is itself blocking, so Jetty calls this on a
        // worker thread. Reading also sends "100 Continue" to a client that waits for it.
        ByteBuffer body = Content.Source.asByteBuffer(request);
        return super.handle(new Buffered(request, body), response, callback);
    }

    /** The request with its body served from memory, all of it in one last chunk. */
    private static final class Buffered extends Request.Wrapper {
        private Content.Chunk next;

        Buffered(Request request, ByteBuffer body) {
            super(request);
            this.next = Content.Chunk.from(body, true);
        }

        @Override
        public synchronized Content.Chunk read() {
            Content.Chunk chunk = next;
            next = Content.Chunk.EOF;
            return chunk;
        }

        @Override
        public void demand(Runnable demandCallback) {
            demandCallback.run();
        }
    }
}
