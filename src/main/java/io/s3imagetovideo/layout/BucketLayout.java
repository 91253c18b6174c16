package io.s3imagetovideo.layout;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Which keys the functions react to, and what each key means (docs/contract.md, "Bucket layout"). */
public final class BucketLayout {

    /** Image extensions, compared without regard to case. */
    public static final List<String> IMAGE_EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".webp");

    private BucketLayout() {}

    /** An uploaded key that is one half of a pair. */
    public enum Role { IMAGE, PROMPT }

    public record PairMember(UploadName upload, Role role, String key) {}

    /**
     * Decodes a key as S3 writes it into event notifications: form-URL-encoded UTF-8, so {@code +} is a
     * space, {@code %2B} a plus, and any byte (even {@code /}) may be percent-escaped. Empty for a
     * malformed escape.
     */
    public static Optional<String> eventKey(String encoded) {
        for (int i = encoded.indexOf('%'); i >= 0; i = encoded.indexOf('%', i + 3)) {
            // Every '%' followed by two hex digits: what URLDecoder needs to decode without failing.
            if (i + 2 >= encoded.length() || Character.digit(encoded.charAt(i + 1), 16) < 0
                    || Character.digit(encoded.charAt(i + 2), 16) < 0) {
                return Optional.empty();
            }
        }
        return Optional.of(URLDecoder.decode(encoded, StandardCharsets.UTF_8));
    }

    /** The functions' own objects (the spend-cap ledgers, fitted images for presigned URLs): never an upload. */
    public static final String INTERNAL_PREFIX = ".s3-image-to-video/";
    /** A saved thumbnail, {@code <p>/<name>.thumbnail.<ext>}: never taken for an uploaded image. */
    public static final List<String> THUMBNAIL_SUFFIXES = List.of(".thumbnail.webp", ".thumbnail.jpg", ".thumbnail.png");

    /** The ledger of one UTC day's spend cap. */
    public static String ledgerKey(LocalDate day) {
        return INTERNAL_PREFIX + "ledger/" + day + ".json";
    }

    /** Where a fitted image waits to be fetched by a host through a presigned URL. */
    public static String inputKey(String uploadId, String fileName) {
        return INTERNAL_PREFIX + "inputs/" + uploadId + "/" + fileName;
    }

    /**
     * The pair member a key is, or empty for every other key (records, videos, thumbnails, the functions'
     * own objects, anything else).
     */
    public static Optional<PairMember> classify(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        if (key.startsWith(INTERNAL_PREFIX) || THUMBNAIL_SUFFIXES.stream().anyMatch(lower::endsWith)) {
            return Optional.empty();
        }
        if (key.endsWith(UploadName.SIDECAR_SUFFIX)) {
            return member(key, key.length() - UploadName.SIDECAR_SUFFIX.length(), Role.PROMPT);
        }
        return imageExtensionOf(key).flatMap(ext -> member(key, key.length() - ext.length(), Role.IMAGE));
    }

    /**
     * True when {@code key} is an image of exactly this upload (same {@code <p>/<name>}, any case of
     * extension), by the same rules as {@link #classify}: a saved thumbnail is never one, even of an
     * upload whose name ends in {@code .thumbnail}.
     */
    public static boolean isImageOf(UploadName upload, String key) {
        return classify(key).filter(m -> m.role() == Role.IMAGE && m.upload().equals(upload)).isPresent();
    }

    private static Optional<String> imageExtensionOf(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return IMAGE_EXTENSIONS.stream()
                .filter(lower::endsWith)
                .findFirst()
                .map(ext -> key.substring(key.length() - ext.length()));
    }

    private static Optional<PairMember> member(String key, int baseLength, Role role) {
        String base = key.substring(0, baseLength);
        if (base.isEmpty() || base.endsWith("/")) {
            return Optional.empty();
        }
        return Optional.of(new PairMember(UploadName.of(base), role, key));
    }
}
