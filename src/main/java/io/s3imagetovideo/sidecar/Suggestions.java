package io.s3imagetovideo.sidecar;

import io.s3imagetovideo.image.Fit;
import io.s3imagetovideo.image.RgbColor;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** "Did you mean ...?" for the prompt file's fields and values: what a user most likely meant instead. */
final class Suggestions {

    /** Words users reach for when they mean one of the fits. */
    private static final Map<String, Fit> FIT_SYNONYMS = Map.of(
            "crop", Fit.COVER, "fill", Fit.COVER, "pad", Fit.CONTAIN, "letterbox", Fit.CONTAIN,
            "fit", Fit.CONTAIN, "as-is", Fit.NONE, "original", Fit.NONE);
    private static final Map<String, String> COLOUR_NAMES = Map.of("black", "#000000", "white", "#ffffff");

    private Suggestions() {}

    /** " Did you mean 'x'?" for a word within two edits of one of {@code candidates}, else "". */
    static String didYouMean(String word, List<String> candidates) {
        return closest(word, candidates).map(k -> " Did you mean '" + k + "'?").orElse("");
    }

    static String fit(String text) {
        String lower = text.trim().toLowerCase(Locale.ROOT);
        Optional<Fit> fit = FIT_SYNONYMS.containsKey(lower) ? Optional.of(FIT_SYNONYMS.get(lower))
                : Fit.parse(lower).or(() -> closest(lower, Fit.allowedValues()).flatMap(Fit::parse));
        return fit.map(f -> " Did you mean '" + f.value() + "'?").orElse("");
    }

    static String colour(String value) {
        String text = value.trim();
        String named = COLOUR_NAMES.get(text.toLowerCase(Locale.ROOT));
        if (named != null) {
            return " Did you mean '" + named + "'?";
        }
        return RgbColor.parse("#" + text).isPresent() ? " Did you mean '#" + text + "'?" : "";
    }

    private static Optional<String> closest(String name, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : candidates) {
            int d = editDistance(name.toLowerCase(Locale.ROOT), known);
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        return bestDistance <= 2 ? Optional.of(best) : Optional.empty();
    }

    private static int editDistance(String a, String b) {
        if (a.length() > 64) {
            return Integer.MAX_VALUE;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
