package io.s3imagetovideo.image;

import java.util.Objects;

/** What the sidecar asks of the image: the fit, and the colour that {@code contain} pads with. */
public record ImageFit(Fit mode, RgbColor background) {

    public ImageFit {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(background, "background");
    }
}
