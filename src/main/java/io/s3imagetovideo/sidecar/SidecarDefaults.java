package io.s3imagetovideo.sidecar;

import io.s3imagetovideo.image.Fit;

/** The values a sidecar falls back to (the {@code DEFAULT_*} settings). */
public record SidecarDefaults(String model, String seconds, VideoSize size, boolean watermark, boolean isPrivate,
        Fit fit) {}
