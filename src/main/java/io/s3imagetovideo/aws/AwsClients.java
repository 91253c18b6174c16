package io.s3imagetovideo.aws;

import java.util.Map;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The AWS clients, built once per container on the lean URL-connection HTTP client. The SDK reads
 * {@code AWS_ENDPOINT_URL} and {@code AWS_ENDPOINT_URL_S3} itself; when either is set, S3 is
 * addressed path-style so that local S3 servers work.
 */
public final class AwsClients {

    private AwsClients() {}

    public static SdkHttpClient httpClient() {
        return UrlConnectionHttpClient.builder().build();
    }

    public static S3Client s3(Map<String, String> env, SdkHttpClient http) {
        var builder = S3Client.builder().httpClient(http);
        boolean localEndpoint = isSet(env, "AWS_ENDPOINT_URL") || isSet(env, "AWS_ENDPOINT_URL_S3");
        if (localEndpoint) {
            builder.forcePathStyle(true);
        }
        regionForLocalRuns(env).ifPresent(builder::region);
        return builder.build();
    }

    public static SecretsManagerClient secretsManager(Map<String, String> env, SdkHttpClient http) {
        var builder = SecretsManagerClient.builder().httpClient(http);
        regionForLocalRuns(env).ifPresent(builder::region);
        return builder.build();
    }

    public static SqsClient sqs(Map<String, String> env, SdkHttpClient http) {
        var builder = SqsClient.builder().httpClient(http);
        regionForLocalRuns(env).ifPresent(builder::region);
        return builder.build();
    }

    /** Lambda always sets a region; a local run against a local endpoint may not, and needs none. */
    private static java.util.Optional<Region> regionForLocalRuns(Map<String, String> env) {
        boolean hasRegion = isSet(env, "AWS_REGION") || isSet(env, "AWS_DEFAULT_REGION");
        boolean local = env.keySet().stream().anyMatch(k -> k.startsWith("AWS_ENDPOINT_URL") && isSet(env, k));
        return !hasRegion && local ? java.util.Optional.of(Region.US_EAST_1) : java.util.Optional.empty();
    }

    private static boolean isSet(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null && !v.isBlank();
    }
}
