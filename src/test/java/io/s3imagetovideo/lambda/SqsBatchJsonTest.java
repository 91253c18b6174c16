package io.s3imagetovideo.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.support.Events;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The handlers read their SQS event and write their batch response themselves. What they read must be
 * what the runtime's own serialiser would have handed a typed handler, and what they write what it
 * would have written: both are compared here with that serialiser (aws-lambda-java-serialization, as
 * aws-lambda-java-tests' EventLoader uses it) on every SQS event in events/.
 */
class SqsBatchJsonTest {

    private final ObjectMapper mapper = new ObjectMapper();

    static Stream<Path> sqsEvents() throws IOException {
        try (Stream<Path> files = Files.list(Events.DIR)) {
            return files.filter(p -> p.getFileName().toString().startsWith("sqs-")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("sqsEvents")
    void readsEveryEventFileAsTheRuntimesSerialiserReadsIt(Path file) throws IOException {
        SQSEvent expected = EventLoader.loadSQSEvent(file.toString());

        SQSEvent read;
        try (InputStream in = Files.newInputStream(file)) {
            read = SqsBatchJson.read(in, mapper);
        }

        assertThat(read.getRecords()).as("records of " + file.getFileName()).hasSameSizeAs(expected.getRecords())
                .isNotEmpty();
        for (int i = 0; i < expected.getRecords().size(); i++) {
            SQSEvent.SQSMessage want = expected.getRecords().get(i);
            SQSEvent.SQSMessage got = read.getRecords().get(i);
            assertThat(got.getMessageId()).isEqualTo(want.getMessageId());
            assertThat(got.getReceiptHandle()).isEqualTo(want.getReceiptHandle());
            assertThat(got.getBody()).isEqualTo(want.getBody());
            assertThat(got.getAttributes()).isEqualTo(want.getAttributes());
            assertThat(got.getMd5OfBody()).isEqualTo(want.getMd5OfBody());
            assertThat(got.getEventSource()).isEqualTo(want.getEventSource());
            assertThat(got.getEventSourceArn()).isEqualTo(want.getEventSourceArn());
            assertThat(got.getAwsRegion()).isEqualTo(want.getAwsRegion());
        }
    }

    @Test
    void writesTheBatchResponseAsTheRuntimesSerialiserWritesIt() throws IOException {
        SQSBatchResponse response = new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure("m-1"),
                new SQSBatchResponse.BatchItemFailure("m-2")));
        ByteArrayOutputStream runtimes = new ByteArrayOutputStream();
        LambdaEventSerializers.serializerFor(SQSBatchResponse.class, getClass().getClassLoader())
                .toJson(response, runtimes);

        ByteArrayOutputStream ours = new ByteArrayOutputStream();
        SqsBatchJson.write(response, ours, mapper);

        assertThat(mapper.readTree(ours.toByteArray())).isEqualTo(mapper.readTree(runtimes.toByteArray()));
        assertThat(ours.toString(StandardCharsets.UTF_8))
                .isEqualTo("{\"batchItemFailures\":[{\"itemIdentifier\":\"m-1\"},{\"itemIdentifier\":\"m-2\"}]}");
    }

    @Test
    void oneRecordOutsideAListIsABatchOfOneAsTheRuntimeReadsIt() throws IOException {
        String json = "{\"Records\": {\"messageId\": \"m-1\", \"body\": \"b\"}}";
        SQSEvent expected = LambdaEventSerializers.serializerFor(SQSEvent.class, getClass().getClassLoader())
                .fromJson(json);

        SQSEvent read = SqsBatchJson.read(stream(json), mapper);

        assertThat(read.getRecords()).hasSize(1).hasSameSizeAs(expected.getRecords());
        assertThat(read.getRecords().get(0).getMessageId()).isEqualTo(expected.getRecords().get(0).getMessageId())
                .isEqualTo("m-1");
        assertThat(read.getRecords().get(0).getBody()).isEqualTo("b");
    }

    @Test
    void anEmptyBatchAnswersNoFailures() throws IOException {
        SQSEvent event = SqsBatchJson.read(stream("{}"), mapper);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SqsBatchJson.write(new SQSBatchResponse(List.of()), out, mapper);

        assertThat(event.getRecords()).isEmpty();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"batchItemFailures\":[]}");
    }

    @Test
    void anEventThatIsNotJsonIsRefusedWithWhereNotWhat() {
        assertThatThrownBy(() -> SqsBatchJson.read(stream("{\"Records\": [ secret-looking-text"), mapper))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not JSON").hasMessageContaining("line 1")
                .hasMessageNotContaining("secret-looking-text");
        assertThatThrownBy(() -> SqsBatchJson.read(stream("[1, 2]"), mapper))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> SqsBatchJson.read(stream("{\"Records\": 7}"), mapper))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neither a list nor a record");
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
