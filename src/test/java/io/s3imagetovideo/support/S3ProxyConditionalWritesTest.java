package io.s3imagetovideo.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The in-process S3 server must keep S3's promise that of racing conditional writes exactly one
 * wins; the exactly-once tests mean nothing otherwise. Fails on bare S3Proxy 4.1.1, passes with
 * {@link AtomicConditionalWrites}. (S3Proxy checks {@code If-Match} in its HTTP handler, before the
 * blob store is called, so a racing pair of {@code If-Match} writes can still both win there; the
 * function's claims start from {@code If-None-Match} or from records no two invocations race for.)
 */
class S3ProxyConditionalWritesTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();

    @RepeatedTest(5)
    void exactlyOneOfEightRacingIfNoneMatchWritesWins() throws Exception {
        try (S3Client s3 = S3.clientBuilder()
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
            String bucket = "race-" + System.nanoTime();
            s3.createBucket(b -> b.bucket(bucket));
            assertThat(race(8, i -> s3.putObject(b -> b.bucket(bucket).key("n").ifNoneMatch("*"),
                    RequestBody.fromString("v" + i)))).isEqualTo(1);
        }
    }

    private static int race(int n, java.util.function.IntConsumer write) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger wins = new AtomicInteger();
        List<Future<?>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int v = i;
            all.add(pool.submit(() -> {
                go.await();
                try {
                    write.accept(v);
                    wins.incrementAndGet();
                } catch (S3Exception e) {
                    assertThat(e.statusCode()).isIn(409, 412);
                } catch (SdkClientException e) {
                    // S3Proxy may answer 412 before it has read the body; the client then sees a broken pipe
                    assertThat(e.getMessage()).contains("request body");
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : all) {
            f.get();
        }
        pool.shutdown();
        return wins.get();
    }
}
