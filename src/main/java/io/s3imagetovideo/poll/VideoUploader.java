package io.s3imagetovideo.poll;

import io.s3imagetovideo.api.VideoDownloads.VideoDownload;
import io.s3imagetovideo.log.Log;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Streams a download into an S3 object through a multipart upload: one part of {@link #PART_SIZE}
 * in memory at a time, never the whole video. Either the object is complete and of the announced size,
 * or the upload is aborted and nothing is left behind: no partial {@code .mp4}, no orphaned parts.
 */
final class VideoUploader {

    /** 8 MiB: above S3's 5 MiB minimum part size, and small beside the function's memory. */
    static final int PART_SIZE = 8 * 1024 * 1024;

    private final S3Client s3;
    private final Clock clock;

    VideoUploader(S3Client s3, Clock clock) {
        this.s3 = s3;
        this.clock = clock;
    }

    /** What became of one upload. */
    sealed interface Upload {
        /** The video is stored: {@code bytes} in {@code parts}. */
        record Saved(long bytes, int parts) implements Upload {}

        /** The record moved on before the video was complete: the upload was aborted. */
        record Superseded() implements Upload {}

        /** The download broke, was cut off at the deadline, or did not match its announced length: aborted. */
        record DownloadFailed(String message) implements Upload {}
    }

    /**
     * Uploads everything {@code download} delivers to {@code key}. {@code stillWanted} is asked just
     * before the upload is completed: when it says no, the upload is aborted instead.
     *
     * @throws SdkException when S3 failed; the upload was aborted (as far as S3 let us)
     */
    Upload upload(String bucket, String key, String contentType, VideoDownload download, Instant deadline,
            BooleanSupplier stillWanted) {
        Watchdog watchdog = new Watchdog(download, Duration.between(clock.instant(), deadline));
        String uploadId = null;
        try {
            // CRC32 named at every step (create, each part, complete): the one checksum flow that S3
            // accepts whichever default the SDK or the service applies to parts.
            uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType)
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32)).uploadId();
            String id = uploadId;
            byte[] buffer = new byte[PART_SIZE];
            List<CompletedPart> parts = new ArrayList<>();
            long total = 0;
            while (true) {
                Chunk chunk = read(download, buffer, watchdog);
                if (chunk.failure().isPresent()) {
                    return new Upload.DownloadFailed(chunk.failure().get());
                }
                int n = chunk.bytes();
                if (n == 0) {
                    break;
                }
                int partNumber = parts.size() + 1;
                UploadPartResponse part = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id)
                        .partNumber(partNumber).contentLength((long) n).checksumAlgorithm(ChecksumAlgorithm.CRC32),
                        RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, n), n,
                                "application/octet-stream"));
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(part.eTag())
                        .checksumCRC32(part.checksumCRC32()).build());
                total += n;
                if (n < PART_SIZE) {
                    break; // readNBytes returns a short count only at the end of the stream
                }
            }
            if (total == 0) {
                return new Upload.DownloadFailed("The video download was empty (host " + download.host() + ").");
            }
            long expected = download.contentLength().orElse(total);
            if (expected != total) {
                return new Upload.DownloadFailed("The video download delivered " + total + " bytes, its"
                        + " Content-Length announced " + expected + " (host " + download.host() + ").");
            }
            if (!stillWanted.getAsBoolean()) {
                abort(bucket, key, uploadId, "superseded");
                uploadId = null;
                return new Upload.Superseded();
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id)
                    .multipartUpload(m -> m.parts(parts)));
            uploadId = null;
            return new Upload.Saved(total, parts.size());
        } finally {
            watchdog.stop();
            closeQuietly(download);
            if (uploadId != null) {
                abort(bucket, key, uploadId, "failed");
            }
        }
    }

    /** Up to one part's bytes of the download, or why the download broke. */
    private record Chunk(int bytes, Optional<String> failure) {}

    private static Chunk read(VideoDownload download, byte[] buffer, Watchdog watchdog) {
        try {
            return new Chunk(download.body().readNBytes(buffer, 0, buffer.length), Optional.empty());
        } catch (IOException e) {
            String why = watchdog.fired() ? "cut off at the invocation's deadline"
                    : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
            return new Chunk(0, Optional.of("The video download from " + download.host() + " broke: " + why + "."));
        }
    }

    private void abort(String bucket, String key, String uploadId, String reason) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            Log.info("video_upload_aborted", "bucket", bucket, "video", key, "reason", reason);
        } catch (SdkException e) {
            // The bucket's lifecycle rule removes abandoned parts after a day.
            Log.warn("video_upload_abort_failed", "bucket", bucket, "video", key, "reason", reason,
                    "error", e.getClass().getSimpleName());
        }
    }

    private static void closeQuietly(VideoDownload download) {
        try {
            download.close();
        } catch (IOException e) {
            // the bytes are counted already; an unclean close changes nothing about them
        }
    }

    /**
     * Closes the download when the time is up: a read blocked on a server that stopped sending returns
     * only then. The request timeout does not help here, it ends once the headers have arrived.
     */
    private static final class Watchdog {
        private final AtomicBoolean fired = new AtomicBoolean();
        private final Thread thread;

        Watchdog(VideoDownload download, Duration timeLeft) {
            long millis = Math.max(0, timeLeft.toMillis());
            thread = Thread.ofVirtual().name("video-download-watchdog").start(() -> {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    return; // the upload finished first
                }
                fired.set(true);
                closeQuietly(download);
            });
        }

        boolean fired() {
            return fired.get();
        }

        void stop() {
            thread.interrupt();
        }
    }
}
