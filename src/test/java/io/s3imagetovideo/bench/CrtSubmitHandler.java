package io.s3imagetovideo.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.api.Sleeper;
import io.s3imagetovideo.api.VideoApiClient;
import io.s3imagetovideo.aws.AwsClients;
import io.s3imagetovideo.config.Config;
import io.s3imagetovideo.submit.ApiKeys;
import io.s3imagetovideo.submit.SubmitHandler;
import java.util.Map;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;

/**
 * Our submit function with one change: the AWS CRT HTTP client in place of the URL-connection
 * client, built and wired exactly as {@code SubmitHandler}'s own constructor builds its clients.
 */
public final class CrtSubmitHandler implements RequestHandler<S3Event, String> {

    private final SubmitHandler delegate;

    public CrtSubmitHandler() {
        Map<String, String> env = System.getenv();
        Config config = Config.fromEnv(env);
        ObjectMapper mapper = new ObjectMapper();
        SdkHttpClient crt = AwsCrtHttpClient.create();
        delegate = new SubmitHandler(config, AwsClients.s3(env, crt),
                config.pollQueueUrl().isPresent() ? AwsClients.sqs(env, crt) : null,
                VideoApiClient.newHttpClient(config.apiConnectTimeout()), mapper,
                ApiKeys.fromConfig(config, env, crt, mapper), java.time.Clock.systemUTC(), Sleeper.SYSTEM);
    }

    @Override
    public String handleRequest(S3Event event, Context context) {
        return delegate.handleRequest(event, context);
    }
}
