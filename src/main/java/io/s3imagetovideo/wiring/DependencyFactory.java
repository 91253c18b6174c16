package io.s3imagetovideo.wiring;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.api.ApiTransport;
import io.s3imagetovideo.api.SecretsManagerApiKeySource;
import io.s3imagetovideo.time.Sleeper;
import io.s3imagetovideo.config.ApiConfig;
import io.s3imagetovideo.config.ConfigException;
import io.s3imagetovideo.config.Env;
import io.s3imagetovideo.storage.ObjectLinks;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The one place that builds clients, for both functions and for their SnapStart rehearsal: the AWS
 * clients on the lean URL-connection HTTP client, the {@code java.net.http} client for the video host,
 * and the key source. The SDK reads {@code AWS_ENDPOINT_URL} and {@code AWS_ENDPOINT_URL_S3} itself;
 * when either is set, S3 is addressed path-style so that local S3 servers work.
 */
public final class DependencyFactory {

    private DependencyFactory() {}

    /** What a function needs, from its environment; SQS only when {@code withQueue}. */
    public static Dependencies fromEnvironment(Map<String, String> variables, ApiConfig api, boolean withQueue) {
        Env env = new Env(variables);
        ObjectMapper mapper = new ObjectMapper();
        SdkHttpClient awsHttp = awsHttpClient();
        return new Dependencies(s3(env, awsHttp), withQueue ? Optional.of(sqs(env, awsHttp)) : Optional.empty(),
                ApiTransport.newHttpClient(api.connectTimeout()), apiKeys(api, env, awsHttp, mapper), mapper,
                Clock.systemUTC(), Sleeper.SYSTEM, new SecureRandom());
    }

    /**
     * Presigned links to the bucket, for {@code VIDEO_IMAGE_SEND_AS=presigned_url}: signed with the
     * function's own credentials, on the S3 endpoint the SDK would use ({@code AWS_ENDPOINT_URL_S3},
     * {@code AWS_ENDPOINT_URL}, else the region's).
     */
    public static ObjectLinks presignedLinks(Env env) {
        var builder = S3Presigner.builder();
        env.optional("AWS_ENDPOINT_URL_S3").or(() -> env.optional("AWS_ENDPOINT_URL")).ifPresent(endpoint -> builder
                .endpointOverride(URI.create(endpoint))
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(true).build()));
        region(env).ifPresent(builder::region);
        lambdaCredentials(env).ifPresent(builder::credentialsProvider);
        return ObjectLinks.of(builder.build());
    }

    /** Dependencies whose AWS clients talk to a loopback server; closing it closes them. */
    public record Loopback(Dependencies dependencies, SdkHttpClient awsHttp, Optional<S3Presigner> presigner)
            implements AutoCloseable {
        @Override
        public void close() {
            dependencies.http().close();
            presigner.ifPresent(S3Presigner::close);
            dependencies.s3().close();
            dependencies.sqs().ifPresent(SqsClient::close);
            if (dependencies.keys() instanceof AutoCloseable keys) {
                try {
                    keys.close();
                } catch (Exception e) {
                    // a loopback client that fails to close leaves nothing behind
                }
            }
            awsHttp.close();
        }
    }

    /**
     * The same dependencies with every AWS client (and the key's secret) on {@code endpoint}, a loopback
     * server that speaks TLS as {@code tls} says, with made-up credentials: for a rehearsal that must
     * touch no account. The API client is one of the same kind as the real one, trusting the loopback
     * server only. Where the real function presigns links, so does the rehearsal, with the made-up
     * credentials and for the loopback server.
     */
    public static Loopback onLoopback(Dependencies real, URI endpoint, io.s3imagetovideo.priming.LoopbackTls tls) {
        SdkHttpClient awsHttp = UrlConnectionHttpClient.builder().tlsTrustManagersProvider(tls::trustManagers).build();
        java.net.http.HttpClient api = ApiTransport.newHttpClient(java.time.Duration.ofSeconds(5), tls.clientContext());
        var secrets = SecretsManagerClient.builder().httpClient(awsHttp).endpointOverride(endpoint)
                .region(Region.US_EAST_1).credentialsProvider(LOOPBACK_CREDENTIALS).build();
        Optional<S3Presigner> presigner = real.links().map(links -> S3Presigner.builder().endpointOverride(endpoint)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .region(Region.US_EAST_1).credentialsProvider(LOOPBACK_CREDENTIALS).build());
        return new Loopback(new Dependencies(
                S3Client.builder().httpClient(awsHttp).endpointOverride(endpoint).forcePathStyle(true)
                        .region(Region.US_EAST_1).credentialsProvider(LOOPBACK_CREDENTIALS).build(),
                Optional.of(SqsClient.builder().httpClient(awsHttp).endpointOverride(endpoint)
                        .region(Region.US_EAST_1).credentialsProvider(LOOPBACK_CREDENTIALS).build()),
                api, new SecretsManagerApiKeySource(secrets, "priming", real.mapper()), real.mapper(),
                real.clock(), real.sleeper(), real.random(), presigner.map(ObjectLinks::of)), awsHttp, presigner);
    }

    private static final StaticCredentialsProvider LOOPBACK_CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming"));

    public static SdkHttpClient awsHttpClient() {
        return UrlConnectionHttpClient.builder().build();
    }

    public static S3Client s3(Env env, SdkHttpClient http) {
        var builder = S3Client.builder().httpClient(http);
        if (env.isSet("AWS_ENDPOINT_URL") || env.isSet("AWS_ENDPOINT_URL_S3")) {
            builder.forcePathStyle(true);
        }
        region(env).ifPresent(builder::region);
        lambdaCredentials(env).ifPresent(builder::credentialsProvider);
        return builder.build();
    }

    public static SqsClient sqs(Env env, SdkHttpClient http) {
        var builder = SqsClient.builder().httpClient(http);
        region(env).ifPresent(builder::region);
        lambdaCredentials(env).ifPresent(builder::credentialsProvider);
        return builder.build();
    }

    /** Where the key comes from: the secret when its ARN is set, else the plain variable. */
    public static ApiKeySource apiKeys(ApiConfig api, Env env, SdkHttpClient http, ObjectMapper mapper) {
        if (api.keySecretArn().isPresent()) {
            var builder = SecretsManagerClient.builder().httpClient(http);
            region(env).ifPresent(builder::region);
            lambdaCredentials(env).ifPresent(builder::credentialsProvider);
            return new SecretsManagerApiKeySource(builder.build(), api.keySecretArn().get(), mapper);
        }
        return api.key().map(ApiKeySource::fixed).orElseThrow(() -> new ConfigException(
                "No API key: set VIDEO_API_KEY_SECRET_ARN (a Secrets Manager secret) or, for local runs, VIDEO_API_KEY"));
    }

    /**
     * On Lambda the region it sets, given directly: the SDK's provider chain would find the same one.
     * A local run against a local endpoint may set none, and needs none. Otherwise the SDK's chain.
     */
    private static Optional<Region> region(Env env) {
        if (onLambda(env) && env.isSet("AWS_REGION")) {
            return Optional.of(Region.of(env.required("AWS_REGION", "Lambda sets it")));
        }
        boolean hasRegion = env.isSet("AWS_REGION") || env.isSet("AWS_DEFAULT_REGION");
        boolean local = env.variables().keySet().stream().anyMatch(k -> k.startsWith("AWS_ENDPOINT_URL") && env.isSet(k));
        return !hasRegion && local ? Optional.of(Region.US_EAST_1) : Optional.empty();
    }

    /**
     * On Lambda, the provider the SDK's default chain settles on there, without building the chain:
     * the role's keys in the environment or, with SnapStart, which sets none, the container endpoint,
     * whose credentials stay fresh after a restore. With the region, 2-3% less CPU at a cold start
     * (docs/artifact.md). Elsewhere, or with neither there, the default chain.
     */
    private static Optional<AwsCredentialsProvider> lambdaCredentials(Env env) {
        if (!onLambda(env)) {
            return Optional.empty();
        }
        if (env.isSet("AWS_ACCESS_KEY_ID") && env.isSet("AWS_SECRET_ACCESS_KEY")) {
            return Optional.of(EnvironmentVariableCredentialsProvider.create());
        }
        if (env.isSet("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
            return Optional.of(ContainerCredentialsProvider.create());
        }
        return Optional.empty();
    }

    private static boolean onLambda(Env env) {
        return env.isSet("AWS_LAMBDA_FUNCTION_NAME");
    }
}
