package io.s3imagetovideo.support;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** A real S3 server for the tests: S3Proxy in-process, or LocalStack where Docker exists. */
public interface S3Backend {

    URI endpoint();

    String accessKey();

    String secretKey();

    /** A client configured the way the function configures its own against a local endpoint. */
    default S3Client newClient() {
        return clientBuilder().build();
    }

    default S3ClientBuilder clientBuilder() {
        return S3Client.builder()
                .endpointOverride(endpoint())
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey(), secretKey())))
                .httpClient(UrlConnectionHttpClient.builder().build());
    }
}
