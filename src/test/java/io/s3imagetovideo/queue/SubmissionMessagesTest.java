package io.s3imagetovideo.queue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.support.Events;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The three shapes of a submission-queue message, as they come from the files in events/. */
class SubmissionMessagesTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final SubmissionMessages messages = new SubmissionMessages(mapper);

    @Test
    void anS3NotificationGivesItsDecodedKey() {
        var parsed = messages.parse(body("sqs-s3-put-image.json"));

        assertThat(parsed).isEqualTo(new SubmissionMessages.Parsed.Uploads(List.of(new UploadEvent(
                "s3-image-to-video-example", "in box/场景 1+x.png", UploadEvent.Origin.S3_NOTIFICATION,
                Optional.empty())), List.of()));
    }

    @Test
    void anEventBridgeEventGivesItsKeyDecodedTheSameWay() {
        var parsed = messages.parse(body("sqs-eventbridge-put-image.json"));

        assertThat(parsed).isEqualTo(new SubmissionMessages.Parsed.Uploads(List.of(new UploadEvent(
                "s3-image-to-video-example", "in box/场景 1+x.png", UploadEvent.Origin.EVENTBRIDGE,
                Optional.empty())), List.of()));
    }

    @Test
    void theS3TestEventIsIgnored() {
        assertThat(messages.parse(body("sqs-s3-test-event.json")))
                .isInstanceOf(SubmissionMessages.Parsed.Ignored.class);
    }

    @Test
    void anUploadSentBackComesWithItsTime() {
        Instant at = Instant.parse("2026-11-25T00:00:00Z");
        UploadEvent upload = new UploadEvent("b", "in/a b+c.png", UploadEvent.Origin.S3_NOTIFICATION, Optional.empty());

        var parsed = messages.parse(upload.sentBackBody(mapper, at).toString());

        assertThat(parsed).isEqualTo(new SubmissionMessages.Parsed.Uploads(List.of(new UploadEvent("b",
                "in/a b+c.png", UploadEvent.Origin.SENT_BACK, Optional.of(at))), List.of()));
    }

    @Test
    void otherEventsAndMalformedKeysAreSkippedWithTheirReason() {
        String removed = Events.notificationJson(List.of(new Events.Put("b", "gone.png", 1, "e")))
                .replace("ObjectCreated:Put", "ObjectRemoved:Delete");
        String malformed = Events.notificationJson(List.of(new Events.Put("b", "x.png", 1, "e")))
                .replace("\"x.png\"", "\"bad%zz.png\"");
        String deleted = Events.eventBridgeJson("b", "x.png", 1, "e").replace("Object Created", "Object Deleted");

        assertThat(messages.parse(removed)).isEqualTo(new SubmissionMessages.Parsed.Uploads(List.of(),
                List.of("gone.png: not a created object (ObjectRemoved:Delete)")));
        assertThat(messages.parse(malformed)).isEqualTo(new SubmissionMessages.Parsed.Uploads(List.of(),
                List.of("bad%zz.png: malformed key encoding")));
        assertThat(((SubmissionMessages.Parsed.Uploads) messages.parse(deleted)).uploads()).isEmpty();
        assertThat(messages.parse("not json")).isInstanceOf(SubmissionMessages.Parsed.Ignored.class);
        assertThat(messages.parse("[1, 2]")).isInstanceOf(SubmissionMessages.Parsed.Ignored.class);
        assertThat(messages.parse("{\"hello\": 1}")).isInstanceOf(SubmissionMessages.Parsed.Ignored.class);
    }

    private static String body(String eventFile) {
        return Events.load(eventFile).getRecords().get(0).getBody();
    }
}
