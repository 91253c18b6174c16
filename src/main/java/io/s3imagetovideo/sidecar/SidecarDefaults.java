package io.s3imagetovideo.sidecar;

import io.s3imagetovideo.image.Fit;

/** The values a prompt file falls back to (the {@code DEFAULT_*} settings), and what the host accepts. */
public record SidecarDefaults(String model, String seconds, VideoSize size, boolean watermark, boolean isPrivate,
        Fit fit, HostLimits limits) {

    /** With OpenAI's sizes and any duration ({@code VIDEO_SIZES} and {@code VIDEO_SECONDS} left as they are). */
    public SidecarDefaults(String model, String seconds, VideoSize size, boolean watermark, boolean isPrivate,
            Fit fit) {
        this(model, seconds, size, watermark, isPrivate, fit, HostLimits.OPENAI);
    }
}
