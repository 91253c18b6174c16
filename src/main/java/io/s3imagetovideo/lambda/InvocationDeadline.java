package io.s3imagetovideo.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** When the current invocation must be done, as both handlers hand it to their services. */
public final class InvocationDeadline {

    /** Used when there is no Lambda context (a local call): Lambda's own maximum timeout. */
    public static final Duration NO_CONTEXT_TIME = Duration.ofMinutes(15);

    private InvocationDeadline() {}

    public static Instant of(Clock clock, Context context) {
        return clock.instant().plus(context == null
                ? NO_CONTEXT_TIME : Duration.ofMillis(context.getRemainingTimeInMillis()));
    }
}
