package io.s3imagetovideo.local;

import java.awt.image.BufferedImage;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The videos made so far in this JVM, by picture and size: tests send the same few pictures to many
 * sandboxes, and each encoding costs about half a second. A handful are kept, the oldest dropped.
 */
final class SandboxVideos {

    private static final int KEPT = 8;
    private static final Map<String, byte[]> MADE = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > KEPT;
        }
    };

    private SandboxVideos() {}

    static byte[] video(Optional<byte[]> image, SandboxJob.Size size, Supplier<BufferedImage> picture) {
        String key = image.map(SandboxVideos::sha256).orElse("placeholder") + "@" + size;
        synchronized (MADE) {
            byte[] made = MADE.get(key);
            if (made != null) {
                return made;
            }
        }
        // Encoded outside the lock, so that one encoding does not hold up the others; the first made is kept.
        byte[] video = PictureToMp4.encode(picture.get(), size.width(), size.height());
        synchronized (MADE) {
            return MADE.computeIfAbsent(key, k -> video);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
