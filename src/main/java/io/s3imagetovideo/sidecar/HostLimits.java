package io.s3imagetovideo.sidecar;

import java.util.List;
import java.util.Optional;

/**
 * What the video host accepts, as the settings say: the sizes a prompt file may ask for
 * ({@code VIDEO_SIZES}) and the durations ({@code VIDEO_SECONDS}); empty means {@code any}.
 */
public record HostLimits(Optional<List<VideoSize>> sizes, Optional<List<String>> seconds) {

    /** OpenAI's four sizes and any duration: the defaults, today's behaviour for the seed's shape. */
    public static final HostLimits OPENAI = new HostLimits(Optional.of(VideoSize.OPENAI_SIZES), Optional.empty());

    public HostLimits {
        sizes = sizes.map(List::copyOf);
        seconds = seconds.map(List::copyOf);
    }

    public boolean allows(VideoSize size) {
        return sizes.map(list -> list.contains(size)).orElse(true);
    }

    public boolean allowsSeconds(String wholeSeconds) {
        return seconds.map(list -> list.contains(wholeSeconds)).orElse(true);
    }
}
