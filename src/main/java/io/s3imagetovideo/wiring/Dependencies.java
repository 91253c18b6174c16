package io.s3imagetovideo.wiring;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.time.Sleeper;
import io.s3imagetovideo.storage.ObjectLinks;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Optional;
import java.util.random.RandomGenerator;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Every client and every source of time a function uses, built once per container by
 * {@link DependencyFactory} (or given by a test). {@code sqs} is empty where no queue is configured,
 * {@code links} where images do not travel as presigned URLs.
 */
public record Dependencies(S3Client s3, Optional<SqsClient> sqs, HttpClient http, ApiKeySource keys,
        ObjectMapper mapper, Clock clock, Sleeper sleeper, RandomGenerator random, Optional<ObjectLinks> links) {

    public Dependencies(S3Client s3, Optional<SqsClient> sqs, HttpClient http, ApiKeySource keys, ObjectMapper mapper,
            Clock clock, Sleeper sleeper, RandomGenerator random) {
        this(s3, sqs, http, keys, mapper, clock, sleeper, random, Optional.empty());
    }

    public Dependencies withLinks(ObjectLinks value) {
        return new Dependencies(s3, sqs, http, keys, mapper, clock, sleeper, random, Optional.of(value));
    }

    public SqsClient requireSqs() {
        return sqs.orElseThrow(() -> new IllegalStateException("no SQS client: neither POLL_QUEUE_URL nor SUBMISSION_QUEUE_URL is set"));
    }
}
