package io.s3imagetovideo.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.api.ApiTransport;
import io.s3imagetovideo.api.Sleeper;
import io.s3imagetovideo.config.Env;
import io.s3imagetovideo.config.SubmitConfig;
import io.s3imagetovideo.submit.SubmitHandler;
import io.s3imagetovideo.wiring.Dependencies;
import io.s3imagetovideo.wiring.DependencyFactory;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;

/**
 * Our submit function with one change: the AWS CRT HTTP client in place of the URL-connection
 * client, built and wired exactly as {@code SubmitHandler}'s own constructor builds its clients.
 */
public final class CrtSubmitHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private final SubmitHandler delegate;

    public CrtSubmitHandler() {
        Map<String, String> variables = System.getenv();
        Env env = new Env(variables);
        SubmitConfig config = SubmitConfig.fromEnv(variables);
        ObjectMapper mapper = new ObjectMapper();
        SdkHttpClient crt = AwsCrtHttpClient.create();
        delegate = new SubmitHandler(config, new Dependencies(DependencyFactory.s3(env, crt),
                config.pollQueueUrl().isPresent() ? Optional.of(DependencyFactory.sqs(env, crt)) : Optional.empty(),
                ApiTransport.newHttpClient(config.api().connectTimeout()),
                DependencyFactory.apiKeys(config.api(), env, crt, mapper), mapper, java.time.Clock.systemUTC(),
                Sleeper.SYSTEM, new SecureRandom()));
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return delegate.handleRequest(event, context);
    }
}
