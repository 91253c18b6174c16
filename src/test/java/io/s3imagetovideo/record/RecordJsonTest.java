package io.s3imagetovideo.record;

import static io.s3imagetovideo.record.RecordFixtures.BUCKET;
import static io.s3imagetovideo.record.RecordFixtures.KEY;
import static io.s3imagetovideo.record.RecordFixtures.MAPPER;
import static io.s3imagetovideo.record.RecordFixtures.T0;
import static io.s3imagetovideo.record.RecordFixtures.claimed;
import static io.s3imagetovideo.record.RecordFixtures.job;
import static io.s3imagetovideo.record.RecordFixtures.progressed;
import static io.s3imagetovideo.record.RecordFixtures.source;
import static io.s3imagetovideo.record.RecordFixtures.submitted;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3imagetovideo.support.InMemoryRecordStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordJsonTest {

    private final InMemoryRecordStore store = new InMemoryRecordStore();
    private final RecordJson json = new RecordJson(MAPPER);

    static Stream<Arguments> everyState() {
        return RecordFixtures.everyState().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyState")
    void everyStateReadsBackAsTheRecordThatWasWritten(String name, JobRecord record) {
        store.write(BUCKET, KEY, record, Optional.empty());

        assertThat(store.read(BUCKET, KEY).orElseThrow().record()).isEqualTo(record);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyState")
    void everyStateIsWrittenInSnakeCase(String name, JobRecord record) {
        store.write(BUCKET, KEY, record, Optional.empty());
        ObjectNode written = (ObjectNode) store.json(BUCKET, KEY);

        // only our own names: the host's are verbatim, whatever it calls them
        List<String> ours = new ArrayList<>();
        written.properties().stream().filter(f -> RecordJson.OURS.contains(f.getKey()))
                .forEach(f -> collectNames(f.getKey(), f.getValue(), ours));
        assertThat(ours).isNotEmpty().allMatch(n -> n.matches("[a-z][a-z0-9_]*"), "snake_case");
    }

    @Test
    void aFollowedJobIsTheHostsJobVerbatimWithOurFieldsAroundIt() {
        JobRecord record = Transitions.progressed(submitted(),
                job("{'id': 'video_123', 'object': 'video', 'model': 'sora-2', 'status': 'processing',"
                        + " 'progress': 40, 'created_at': 1764000000, 'seconds': '10', 'size': '720x1280',"
                        + " 'quality': {'tier': 'hd'}}"),
                HostStatus.of("processing"), 3, T0.plusSeconds(120), T0.plusSeconds(60));

        store.write(BUCKET, KEY, record, Optional.empty());

        // The poll token is new with every write: compared on its own, below.
        ObjectNode stored = store.json(BUCKET, KEY).deepCopy();
        String token = ((ObjectNode) stored.get("poll")).remove("token").textValue();
        assertThat(token).isEqualTo(record.poll().orElseThrow().token()).isNotBlank();
        assertThat(stored).isEqualTo(job("""
                {'status': 'in_progress', 'api_status': 'processing',
                 'id': 'video_123', 'object': 'video', 'model': 'sora-2', 'progress': 40, 'created_at': 1764000000,
                 'seconds': '10', 'size': '720x1280', 'quality': {'tier': 'hd'},
                 'source': {'bucket': 'uploads', 'image': 'in/scene.png',
                            'image_etag': '3858f62230ac3c915f300c664312c11f',
                            'prompt': 'in/scene.prompt.json', 'prompt_etag': '9e107d9d372bb6826bd81d3542a419d6'},
                 'request': {'model': 'sora-2', 'seconds': '10', 'size': '720x1280', 'watermark': 'false',
                             'private': 'true'},
                 'previous_id': 'video_old',
                 'submitted_at': '2026-11-24T10:00:02Z',
                 'poll': {'checks': 3, 'next_check_at': '2026-11-24T10:02:00Z'},
                 'updated_at': '2026-11-24T10:01:00Z'}
                """));
    }

    @Test
    void apiStatusIsWrittenOnlyWhenTheHostsWordIsNotOurs() {
        JobRecord inOurWords = Transitions.progressed(submitted(), job("{'status': 'in_progress'}"),
                HostStatus.of("in_progress"), 2, T0, T0);
        JobRecord inItsOwn = Transitions.progressed(submitted(), job("{'status': 'generating'}"),
                HostStatus.of("generating"), 2, T0, T0);

        assertThat(json.write(inOurWords).has("api_status")).isFalse();
        assertThat(json.write(inItsOwn).path("api_status").textValue()).isEqualTo("generating");
        assertThat(json.write(inItsOwn).path("status").textValue()).isEqualTo("in_progress");
    }

    @Test
    void aRefusalsErrorCarriesTheHttpStatus() {
        JobRecord refused = Transitions.refused(claimed(), "invalid_request", "Size not supported.",
                OptionalInt.of(400), T0);

        assertThat(json.write(refused).get("error"))
                .isEqualTo(job("{'code': 'invalid_request', 'message': 'Size not supported.', 'http_status': 400}"));
    }

    @Test
    void aRejectionsErrorIsCodeAndMessageOnly() {
        JobRecord rejected = Transitions.rejected(source(), "missing_prompt", "The prompt file has no prompt.",
                Optional.empty(), T0);

        assertThat(json.write(rejected).get("error"))
                .isEqualTo(job("{'code': 'missing_prompt', 'message': 'The prompt file has no prompt.'}"));
    }

    @Test
    void aCompletedRecordSaysWhereTheVideoIs() {
        JobRecord completed = Transitions.completed(progressed(), job("{'status': 'completed'}"), 5,
                new Output("in/scene.mp4", 5_368_709_120L, Output.VIDEO_CONTENT_TYPE), T0);

        ObjectNode written = json.write(completed);

        assertThat(written.get("output"))
                .isEqualTo(job("{'video': 'in/scene.mp4', 'bytes': 5368709120, 'content_type': 'video/mp4'}"));
        assertThat(written.get("poll")).isEqualTo(job("{'checks': 5, 'token': '" + completed.poll().orElseThrow().token()
                + "'}"));
        assertThat(written.has("api_status")).isFalse();
    }

    @Test
    void aHeldClaimIsWrittenAsItsExpiryAndToken() {
        JobRecord claim = claimed();

        ObjectNode written = json.write(claim);

        assertThat(written.path("status").textValue()).isEqualTo("submitting");
        assertThat(written.path("claim_expires_at").textValue()).isEqualTo("2026-11-24T10:15:00Z");
        assertThat(written.path("claim_token").textValue()).isEqualTo(claim.claim().orElseThrow().token());
        assertThat(written.has("error")).isFalse();
    }

    @Test
    void timesAreWrittenInUtcToTheSecond() {
        Instant withMillis = Instant.parse("2026-11-24T10:00:00.750Z");
        JobRecord record = Transitions.waiting(source(), "prompt", Optional.empty(), withMillis);

        assertThat(json.write(record).path("updated_at").textValue()).isEqualTo("2026-11-24T10:00:00Z");
    }

    @Test
    void theHostsOwnFieldsNamedLikeOursNeverReplaceOurs() {
        // Given a host whose job carries names we use for ourselves
        ObjectNode answer = job("""
                {'id': 'video_123', 'status': 'succeeded', 'api_status': 'x', 'error': {'code': 'host'},
                 'source': 'upload', 'request': 'r-1', 'output': 'https://cdn/video.mp4', 'poll': 9,
                 'missing': 'nothing', 'claim_token': 't', 'claim_expires_at': 'never', 'previous_id': 'v0',
                 'submitted_at': 'then', 'updated_at': 'now', 'progress': 100}
                """);

        // When the record follows it
        JobRecord completed = Transitions.completed(progressed(), answer, 6,
                new Output("in/scene.mp4", 10, Output.VIDEO_CONTENT_TYPE), T0.plusSeconds(600));
        store.write(BUCKET, KEY, completed, Optional.empty());
        JsonNode written = store.json(BUCKET, KEY);

        // Then every one of those names holds ours, or is absent when we have nothing to say
        assertThat(written.path("status").textValue()).isEqualTo("completed");
        assertThat(written.path("api_status").textValue()).isEqualTo("succeeded");
        assertThat(written.has("error")).isFalse();
        assertThat(written.get("source").isObject()).isTrue();
        assertThat(written.path("request").path("model").textValue()).isEqualTo("sora-2");
        assertThat(written.path("output").path("video").textValue()).isEqualTo("in/scene.mp4");
        assertThat(written.path("poll").path("checks").intValue()).isEqualTo(6);
        assertThat(written.path("previous_id").textValue()).isEqualTo("video_old");
        assertThat(written.path("submitted_at").textValue()).isEqualTo("2026-11-24T10:00:02Z");
        assertThat(written.path("updated_at").textValue()).isEqualTo("2026-11-24T10:10:00Z");
        assertThat(written.has("missing")).isFalse();
        assertThat(written.has("claim_token")).isFalse();
        assertThat(written.has("claim_expires_at")).isFalse();
        assertThat(written.path("progress").intValue()).isEqualTo(100);
        assertThat(store.read(BUCKET, KEY).orElseThrow().record()).isEqualTo(completed);
    }

    @Test
    void aJobObjectHoldingOurNamesIsWrittenWithOursAnyway() {
        // A JobRecord built by hand, not by Transitions, with our names inside the host's job.
        ObjectNode job = job("{'id': 'video_1', 'status': 'failed', 'updated_at': 'yesterday', 'size': '720x1280'}");
        JobRecord record = new JobRecord(Status.QUEUED, Optional.empty(), job, Optional.empty(), Optional.empty(),
                Optional.empty(), source(), Optional.empty(), Optional.empty(), Optional.of(T0), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), T0);

        ObjectNode written = json.write(record);

        assertThat(written.path("status").textValue()).isEqualTo("queued");
        assertThat(written.path("updated_at").textValue()).isEqualTo("2026-11-24T10:00:00Z");
        assertThat(written.path("size").textValue()).isEqualTo("720x1280");
        assertThat(json.read(written, BUCKET).job()).isEqualTo(job("{'id': 'video_1', 'size': '720x1280'}"));
    }

    @Test
    void aStoredHostErrorIsKeptWithAllItsFields() {
        JobRecord failed = Transitions.jobFailed(progressed(),
                job("{'status': 'failed', 'error': {'code': 'moderation_blocked', 'message': 'Blocked.',"
                        + " 'type': 'invalid_request_error', 'param': null}}"),
                4, T0);

        assertThat(json.write(failed).get("error")).isEqualTo(job(
                "{'code': 'moderation_blocked', 'message': 'Blocked.', 'type': 'invalid_request_error', 'param': null}"));
    }

    @ParameterizedTest(name = "document «{0}»")
    @ValueSource(strings = {"[]", "{}", "{\"status\":\"nonsense\"}", "{\"status\":\"foreign\"}",
            "{\"status\":\"Queued\"}", "{\"status\":3}", "{\"status\":null}", "{\"id\":\"video_1\"}", "null", "42",
            "\"completed\"", "", "not json at all", "{\"status\":\"queued\"", "\u0000\u0001"})
    void aDocumentThatIsNotARecordReadsAsForeign(String document) {
        String etag = store.putDocument(BUCKET, KEY, document);

        StoredRecord stored = store.read(BUCKET, KEY).orElseThrow();

        assertThat(stored.record().status()).isEqualTo(Status.FOREIGN);
        assertThat(stored.record().source().bucket()).isEqualTo(BUCKET);
        // the ETag is what lets the functions replace it
        assertThat(stored.etag()).isEqualTo(etag);
    }

    @Test
    void aMinimalRecordOfOursReadsWithWhatItHas() {
        StoredRecord stored = storedDocument("{\"status\":\"queued\",\"id\":\"video_1\"}");

        assertThat(stored.record().status()).isEqualTo(Status.QUEUED);
        assertThat(stored.record().jobId()).contains("video_1");
        assertThat(stored.record().source()).isEqualTo(new Source(BUCKET, null, null, null, null, List.of()));
        assertThat(stored.record().updatedAt()).isEqualTo(Instant.EPOCH);
    }

    @Test
    void aTimeThatIsNotATimeReadsAsAbsent() {
        StoredRecord stored = storedDocument(
                "{\"status\":\"queued\",\"submitted_at\":\"soon\",\"poll\":{\"checks\":2,\"next_check_at\":7}}");

        assertThat(stored.record().submittedAt()).isEmpty();
        assertThat(stored.record().poll()).contains(new PollState(2, Optional.empty(), ""));
    }

    @Test
    void thePollSchedulesMemoryIsWrittenInPollAndReadsBack() {
        JobRecord record = progressed();
        JobRecord remembering = record.toBuilder().poll(record.poll().map(p -> p.remembering(
                Optional.of(new PollState.Progress(40, T0.plusSeconds(60))), 2))).build();
        store.write(BUCKET, KEY, remembering, Optional.empty());

        JsonNode poll = store.json(BUCKET, KEY).path("poll");
        assertThat(poll.path("progress").isIntegralNumber()).isTrue();
        assertThat(poll.path("progress").asInt()).isEqualTo(40);
        assertThat(poll.path("progress_since").asText()).isEqualTo("2026-11-24T10:01:00Z");
        assertThat(poll.path("early_checks").asInt()).isEqualTo(2);
        assertThat(store.read(BUCKET, KEY).orElseThrow().record()).isEqualTo(remembering);
    }

    @Test
    void aPollWrittenBeforeTheScheduleRememberedProgressReadsWithoutMemory() {
        StoredRecord stored = storedDocument("{\"status\":\"in_progress\",\"progress\":40,\"poll\":{\"checks\":4,"
                + "\"next_check_at\":\"2026-11-24T10:04:00Z\",\"token\":\"t\"}}");

        PollState poll = stored.record().poll().orElseThrow();
        assertThat(poll.progress()).isEmpty();
        assertThat(poll.earlyChecks()).isZero();
        assertThat(poll.checks()).isEqualTo(4);
        assertThat(poll.nextCheckAt()).contains(Instant.parse("2026-11-24T10:04:00Z"));
    }

    @Test
    void hostFieldsAreTheJobWithoutOurNames() {
        ObjectNode job = job("{'id': 'v', 'status': 'queued', 'error': null, 'poll': 1, 'eta': 30}");

        assertThat(RecordJson.hostFields(job)).isEqualTo(job("{'id': 'v', 'eta': 30}"));
        // the host's own object is not changed
        assertThat(job.has("status")).isTrue();
    }

    private StoredRecord storedDocument(String document) {
        store.putDocument(BUCKET, KEY, document);
        return store.read(BUCKET, KEY).orElseThrow();
    }

    private static void collectNames(String name, JsonNode value, List<String> names) {
        names.add(name);
        if (value.isObject()) {
            value.properties().forEach(f -> collectNames(f.getKey(), f.getValue(), names));
        }
    }
}
