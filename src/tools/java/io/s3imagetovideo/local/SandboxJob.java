package io.s3imagetovideo.local;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A job one of the sandbox's hosts took: what it was asked, the picture it received, and the size of
 * the video it makes. The video is made the first time it is asked for, then kept.
 */
final class SandboxJob {

    /** A prompt with the word "fail" in it asks for a job that fails: a test's way to get one. */
    private static final Pattern FAIL = Pattern.compile("(?i)\\bfail\\b");

    final String id;
    final String model;
    final String prompt;
    /** As the request gave them, or null: each host echoes them its own way. */
    final String seconds;
    final String size;
    final Instant createdAt;
    /** The picture's bytes as the host received them, whatever the transport; empty for a text-only job. */
    final Optional<byte[]> image;
    /** The size of the video this host would make of the request, before {@link PictureToMp4}'s cap. */
    final Size videoSize;
    final boolean fails;

    private byte[] mp4;

    SandboxJob(String id, String model, String prompt, String seconds, String size, Instant createdAt,
            Optional<byte[]> image, Size videoSize) {
        this.id = id;
        this.model = model;
        this.prompt = prompt;
        this.seconds = seconds;
        this.size = size;
        this.createdAt = createdAt;
        this.image = image;
        this.videoSize = videoSize;
        this.fails = prompt != null && FAIL.matcher(prompt).find();
    }

    /**
     * The MP4 of the picture; the same bytes every time it is asked for, and not those of any other job:
     * the encoding is shared by picture and size, so a trailing {@code free} box (which players skip)
     * holds this job's id. A test that checks a saved file against what the host served then cannot
     * pass on a file an earlier job left.
     */
    synchronized byte[] video() {
        if (mp4 == null) {
            byte[] encoded = SandboxVideos.video(image, videoSize, this::picture);
            byte[] mark = id.getBytes(StandardCharsets.UTF_8);
            mp4 = ByteBuffer.allocate(encoded.length + 8 + mark.length).put(encoded).putInt(8 + mark.length)
                    .put("free".getBytes(StandardCharsets.US_ASCII)).put(mark).array();
        }
        return mp4;
    }

    byte[] thumbnailJpeg() {
        return PictureToMp4.thumbnailJpeg(picture(), videoSize.width(), videoSize.height());
    }

    /** Every host decodes the picture before it takes the job; a text-only job shows a placeholder. */
    private BufferedImage picture() {
        return image.flatMap(PictureToMp4::decode).orElseGet(() -> PictureToMp4.placeholder(videoSize.width(), videoSize.height()));
    }

    /** A video size, {@code WxH}. */
    record Size(int width, int height) {
        private static final Pattern WXH = Pattern.compile("([0-9]{1,5})x([0-9]{1,5})");

        /** The size a {@code WxH} string names, if both sides are positive. */
        static Optional<Size> parse(String text) {
            Matcher m = WXH.matcher(text == null ? "" : text);
            if (!m.matches() || Integer.parseInt(m.group(1)) == 0 || Integer.parseInt(m.group(2)) == 0) {
                return Optional.empty();
            }
            return Optional.of(new Size(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
        }

        @Override
        public String toString() {
            return width + "x" + height;
        }
    }
}
