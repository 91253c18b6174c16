package io.s3imagetovideo.record;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A host's status word read into ours (docs/contract.md, "Job record"). Hosts that speak
 * {@code /v1/videos} use their own words; the record's {@code status} is always one of ours, and the
 * host's word is kept as {@code api_status} when it is not exactly ours.
 */
public record HostStatus(Status status, Optional<String> word) {

    private static final Map<String, Status> WORDS = Map.ofEntries(
            Map.entry("queued", Status.QUEUED), Map.entry("pending", Status.QUEUED),
            Map.entry("submitted", Status.QUEUED), Map.entry("not_start", Status.QUEUED),
            Map.entry("preparing", Status.QUEUED), Map.entry("created", Status.QUEUED),
            Map.entry("starting", Status.QUEUED),
            Map.entry("in_progress", Status.IN_PROGRESS), Map.entry("processing", Status.IN_PROGRESS),
            Map.entry("running", Status.IN_PROGRESS), Map.entry("generating", Status.IN_PROGRESS),
            Map.entry("completed", Status.COMPLETED), Map.entry("complete", Status.COMPLETED),
            Map.entry("success", Status.COMPLETED), Map.entry("succeeded", Status.COMPLETED),
            Map.entry("finished", Status.COMPLETED),
            Map.entry("failed", Status.FAILED), Map.entry("failure", Status.FAILED), Map.entry("fail", Status.FAILED),
            Map.entry("error", Status.FAILED), Map.entry("cancelled", Status.FAILED),
            Map.entry("canceled", Status.FAILED),
            Map.entry("expired", Status.EXPIRED));

    /**
     * Our status for the host's {@code word}. {@code unknown} (new-api before its poller ran), any word
     * not in the list, and a missing word are followed as {@code in_progress}.
     */
    public static HostStatus of(String word) {
        if (word == null || word.isBlank()) {
            return new HostStatus(Status.IN_PROGRESS, Optional.empty());
        }
        Status ours = WORDS.getOrDefault(word.trim().toLowerCase(Locale.ROOT), Status.IN_PROGRESS);
        return new HostStatus(ours, ours.word().equals(word) ? Optional.empty() : Optional.of(word));
    }

    /** True when the host's word is none of those listed: worth a line in the log. */
    public boolean isUnknownWord() {
        return word.isPresent() && !WORDS.containsKey(word.get().trim().toLowerCase(Locale.ROOT));
    }
}
