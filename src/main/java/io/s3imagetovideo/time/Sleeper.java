package io.s3imagetovideo.time;

import java.time.Duration;

/** Waits between attempts; injected so that tests control time. */
@FunctionalInterface
public interface Sleeper {
    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis());

    void sleep(Duration duration) throws InterruptedException;
}
