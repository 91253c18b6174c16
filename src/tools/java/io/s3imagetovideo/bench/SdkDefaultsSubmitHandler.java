package io.s3imagetovideo.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.api.SecretsManagerApiKeySource;
import io.s3imagetovideo.time.Sleeper;
import io.s3imagetovideo.config.SubmitConfig;
import io.s3imagetovideo.submit.SubmitHandler;
import io.s3imagetovideo.wiring.Dependencies;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The comparison users would write: the same submit logic on the AWS SDK's defaults. Every client
 * from its default builder (the Apache HTTP client the SDK finds on the class path, the default
 * credential and region chains), all of them built up front, the API key fetched during init. Only
 * path-style addressing is set, because the local S3 server needs it.
 */
public final class SdkDefaultsSubmitHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private final SubmitHandler delegate;

    public SdkDefaultsSubmitHandler() {
        SubmitConfig config = SubmitConfig.fromEnv(System.getenv());
        ObjectMapper mapper = new ObjectMapper();
        S3Client s3 = S3Client.builder().forcePathStyle(true).build();
        SqsClient sqs = SqsClient.create();
        var keys = new SecretsManagerApiKeySource(SecretsManagerClient.create(),
                config.api().keySecretArn().orElseThrow(), mapper);
        keys.current();
        delegate = new SubmitHandler(config, new Dependencies(s3, Optional.of(sqs), HttpClient.newHttpClient(), keys,
                mapper, Clock.systemUTC(), Sleeper.SYSTEM, new SecureRandom()));
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return delegate.handleRequest(event, context);
    }
}
