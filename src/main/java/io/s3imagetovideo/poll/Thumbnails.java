package io.s3imagetovideo.poll;

import io.s3imagetovideo.api.ApiResult;
import io.s3imagetovideo.api.VideoDownloads;
import io.s3imagetovideo.api.VideoDownloads.VideoDownload;
import io.s3imagetovideo.layout.UploadName;
import io.s3imagetovideo.log.Log;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The host's preview image of a finished job, saved as {@code <name>.thumbnail.<ext>} when the host
 * serves one ({@code SAVE_THUMBNAIL}). Best effort by design: whatever goes wrong, the job completes
 * with its video, and the record says nothing of a thumbnail.
 */
final class Thumbnails {

    /** A preview is tens of kilobytes; anything this large is not one. */
    static final int MAX_BYTES = 10 * 1024 * 1024;
    /** The image types a thumbnail may have, and the extension each is saved with. */
    static final Map<String, String> EXTENSIONS = Map.of("image/webp", "webp", "image/jpeg", "jpg", "image/png", "png");

    private final VideoDownloads downloads;
    private final S3Client s3;
    private final boolean enabled;

    Thumbnails(VideoDownloads downloads, S3Client s3, boolean enabled) {
        this.downloads = downloads;
        this.s3 = s3;
        this.enabled = enabled;
    }

    /** The key the thumbnail was saved at, if the host served one. */
    Optional<String> save(String bucket, UploadName upload, String jobId, Instant deadline) {
        if (!enabled) {
            return Optional.empty();
        }
        ApiResult<VideoDownload> opened = downloads.thumbnail(jobId, deadline);
        if (!(opened instanceof ApiResult.Ok<VideoDownload> ok)) {
            Log.info("thumbnail_skipped", "bucket", bucket, "job_id", jobId, "reason", "the host serves none ("
                    + ((ApiResult.Failed<VideoDownload>) opened).error().code() + ")");
            return Optional.empty();
        }
        try (VideoDownload download = ok.value()) {
            String type = download.contentType().map(t -> t.split(";")[0].trim().toLowerCase(Locale.ROOT)).orElse("");
            String extension = EXTENSIONS.get(type);
            if (extension == null) {
                // new-api and LiteLLM ignore ?variant= and send the video again: closed unread.
                Log.info("thumbnail_skipped", "bucket", bucket, "job_id", jobId, "reason",
                        "the answer is not an image (" + (type.isEmpty() ? "no content type" : type) + ")");
                return Optional.empty();
            }
            Optional<byte[]> bytes = readAtMost(download.body(), MAX_BYTES);
            if (bytes.isEmpty()) {
                Log.info("thumbnail_skipped", "bucket", bucket, "job_id", jobId, "reason", "larger than " + MAX_BYTES
                        + " bytes");
                return Optional.empty();
            }
            String key = upload.thumbnailKey(extension);
            s3.putObject(b -> b.bucket(bucket).key(key).contentType(type), RequestBody.fromBytes(bytes.get()));
            Log.info("thumbnail_saved", "bucket", bucket, "key", key, "job_id", jobId, "bytes", bytes.get().length);
            return Optional.of(key);
        } catch (IOException | SdkException e) {
            Log.warn("thumbnail_skipped", "bucket", bucket, "job_id", jobId, "reason", e.getClass().getSimpleName()
                    + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<byte[]> readAtMost(InputStream in, int max) throws IOException {
        byte[] bytes = in.readNBytes(max + 1);
        return bytes.length > max ? Optional.empty() : Optional.of(bytes);
    }
}
