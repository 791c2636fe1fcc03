package com.twingate.gateway.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The system clock moved by an offset a test sets: time-driven behaviour without waiting for it. */
public final class ShiftedClock extends Clock {

    private volatile Duration offset = Duration.ZERO;

    /** From now on, the clock reads {@code instant} at this moment, and runs on from there. */
    public void setNow(Instant instant) {
        offset = Duration.between(Instant.now(), instant);
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a UTC test clock");
    }
}
