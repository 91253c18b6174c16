package io.s3imagetovideo.record;

/** Where the video was saved ({@code output} of a completed record). */
public record Output(String video, long bytes, String contentType) {
    public static final String VIDEO_CONTENT_TYPE = "video/mp4";
}
