package io.s3imagetovideo.support;

import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.config.Secret;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A key source that hands out the first key until it is read again, then the second: a rotated key. */
public class RotatingKeys implements ApiKeySource {
    private final List<Secret> keys;
    private final AtomicInteger refreshes = new AtomicInteger();

    public RotatingKeys(String first, String second) {
        keys = List.of(new Secret(first), new Secret(second));
    }

    public int refreshes() {
        return refreshes.get();
    }

    @Override
    public Secret current() {
        return keys.get(Math.min(refreshes.get(), keys.size() - 1));
    }

    @Override
    public Secret refresh() {
        refreshes.incrementAndGet();
        return current();
    }
}
