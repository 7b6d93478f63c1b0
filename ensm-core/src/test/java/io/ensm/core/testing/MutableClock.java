package io.ensm.core.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that stands still until a test moves it. */
public final class MutableClock extends Clock {
    public static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

    private volatile Instant now;

    public MutableClock() {
        this(START);
    }

    public MutableClock(Instant now) {
        this.now = now;
    }

    public void set(Instant at) {
        this.now = at;
    }

    public void advance(Duration by) {
        this.now = now.plus(by);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
