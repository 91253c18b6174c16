package io.s3imagetovideo.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.s3imagetovideo.api.VideoDownloads.VideoDownload;
import io.s3imagetovideo.support.Mp4s;
import io.s3imagetovideo.support.MutableClock;
import io.s3imagetovideo.support.S3ProxyBackend;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** The streamed multipart upload on its own: whatever goes wrong, no object and no parts are left. */
class VideoUploaderFunctionTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();

    static final String KEY = "clips/a b+c.mp4";

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
    S3Client s3;
    String bucket;
    VideoUploader uploader;

    @BeforeEach
    void start() {
        s3 = S3.newClient();
        bucket = "up-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(b -> b.bucket(bucket));
        uploader = new VideoUploader(s3, clock);
    }

    @AfterEach
    void stop() {
        s3.close();
    }

    @Test
    void savesTheWholeStreamWithItsContentType() {
        byte[] mp4 = Mp4s.ofSize(VideoUploader.PART_SIZE + 1, 11);

        VideoUploader.Upload result = uploader.upload(bucket, KEY, "video/mp4",
                download(new ByteArrayInputStream(mp4), OptionalLong.of(mp4.length)), later(), () -> true);

        assertThat(result).isEqualTo(new VideoUploader.Upload.Saved(mp4.length, 2));
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(KEY)).asByteArray()).isEqualTo(mp4);
        assertThat(s3.headObject(b -> b.bucket(bucket).key(KEY)).contentType()).isEqualTo("video/mp4");
    }

    @Test
    void aStreamShorterThanItsContentLengthIsNotSaved() {
        byte[] mp4 = Mp4s.small();

        assertThat(failure(uploader.upload(bucket, KEY, "video/mp4",
                download(new ByteArrayInputStream(mp4), OptionalLong.of(mp4.length + 10L)), later(), () -> true)))
                .contains(mp4.length + " bytes").contains("announced " + (mp4.length + 10));

        assertNothingLeft();
    }

    @Test
    void anEmptyDownloadIsNotSaved() {
        assertThat(failure(uploader.upload(bucket, KEY, "video/mp4",
                download(InputStream.nullInputStream(), OptionalLong.empty()), later(), () -> true)))
                .contains("empty");

        assertNothingLeft();
    }

    @Test
    void aStalledDownloadIsCutOffAtTheDeadline() {
        byte[] start = Mp4s.small();
        StallingStream stalling = new StallingStream(start);
        long began = System.nanoTime();

        assertThat(failure(uploader.upload(bucket, KEY, "video/mp4",
                download(stalling, OptionalLong.of(10_000_000)), clock.instant().plusMillis(300), () -> true)))
                .contains("deadline");

        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(10));
        assertNothingLeft();
    }

    @Test
    void aRecordThatMovedOnMeanwhileAbortsTheUpload() {
        byte[] mp4 = Mp4s.small();

        VideoUploader.Upload result = uploader.upload(bucket, KEY, "video/mp4",
                download(new ByteArrayInputStream(mp4), OptionalLong.of(mp4.length)), later(), () -> false);

        assertThat(result).isInstanceOf(VideoUploader.Upload.Superseded.class);
        assertNothingLeft();
    }

    /** The message of a failed download; fails the test for any other result. */
    private static String failure(VideoUploader.Upload upload) {
        assertThat(upload).isInstanceOf(VideoUploader.Upload.DownloadFailed.class);
        return ((VideoUploader.Upload.DownloadFailed) upload).message();
    }

    private Instant later() {
        return clock.instant().plus(Duration.ofMinutes(5));
    }

    private void assertNothingLeft() {
        assertThatThrownBy(() -> s3.headObject(b -> b.bucket(bucket).key(KEY))).isInstanceOf(NoSuchKeyException.class);
        assertThat(s3.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
    }

    private static VideoDownload download(InputStream body, OptionalLong length) {
        return new VideoDownload(body, length, Optional.of("video/mp4"), "cdn.example");
    }

    /** Gives its bytes, then blocks, as a server that stopped sending does, until it is closed. */
    private static final class StallingStream extends InputStream {
        private final ByteArrayInputStream start;
        private final CountDownLatch closed = new CountDownLatch(1);

        StallingStream(byte[] start) {
            this.start = new ByteArrayInputStream(start);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (start.available() > 0) {
                return start.read(b, off, len);
            }
            try {
                if (closed.await(30, TimeUnit.SECONDS)) {
                    throw new IOException("closed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("stalled for 30 s");
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }
}
