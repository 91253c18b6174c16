package io.s3imagetovideo.sidecar;

/** The values a sidecar falls back to (the {@code DEFAULT_*} settings). */
public record SidecarDefaults(String model, String seconds, VideoSize size, boolean watermark, boolean isPrivate) {}
