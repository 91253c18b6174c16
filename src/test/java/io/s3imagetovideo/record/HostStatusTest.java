package io.s3imagetovideo.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** The host words of the contract (DESIGN.md, "Job record"), read into ours. */
class HostStatusTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "queued, QUEUED", "pending, QUEUED", "submitted, QUEUED", "not_start, QUEUED", "preparing, QUEUED",
        "created, QUEUED", "starting, QUEUED",
        "in_progress, IN_PROGRESS", "processing, IN_PROGRESS", "running, IN_PROGRESS", "generating, IN_PROGRESS",
        "completed, COMPLETED", "complete, COMPLETED", "success, COMPLETED", "succeeded, COMPLETED",
        "finished, COMPLETED",
        "failed, FAILED", "failure, FAILED", "fail, FAILED", "error, FAILED", "cancelled, FAILED", "canceled, FAILED",
        "expired, EXPIRED",
        "unknown, IN_PROGRESS"})
    void everyListedWordMeansWhatTheContractSays(String word, Status ours) {
        assertThat(HostStatus.of(word).status()).isEqualTo(ours);
        assertThat(HostStatus.of(word.toUpperCase(Locale.ROOT)).status()).isEqualTo(ours);
        assertThat(HostStatus.of(capitalized(word)).status()).isEqualTo(ours);
    }

    @ParameterizedTest
    @ValueSource(strings = {"unknown", "UNKNOWN", "paused", "waiting", "rejected", "held", "submitting", "42"})
    void anyOtherWordIsFollowedAsInProgressAndKept(String word) {
        HostStatus status = HostStatus.of(word);

        assertThat(status.status()).isEqualTo(Status.IN_PROGRESS);
        assertThat(status.word()).contains(word);
        assertThat(status.isUnknownWord()).isTrue();
    }

    @Test
    void noWordIsFollowedAsInProgressWithNothingToKeep() {
        HostStatus status = HostStatus.of(null);

        assertThat(status.status()).isEqualTo(Status.IN_PROGRESS);
        assertThat(status.word()).isEmpty();
        assertThat(status.isUnknownWord()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"queued", "in_progress", "completed", "failed", "expired"})
    void ourOwnWordIsNotKeptAgain(String word) {
        assertThat(HostStatus.of(word).word()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pending", "processing", "succeeded", "error", "cancelled", "Queued", "COMPLETED",
        " queued", "in_progress "})
    void aListedWordThatIsNotExactlyOursIsKeptAsTheHostWroteIt(String word) {
        HostStatus status = HostStatus.of(word);

        assertThat(status.word()).contains(word);
        assertThat(status.isUnknownWord()).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  "})
    void aMissingOrBlankWordIsFollowedAsInProgress(String word) {
        assertThat(HostStatus.of(word).status()).isEqualTo(Status.IN_PROGRESS);
    }

    private static String capitalized(String word) {
        return word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
    }
}
