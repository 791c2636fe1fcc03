package com.twingate.gateway.recording;

import com.twingate.gateway.metrics.RecordingFailureReason;

/** A recording that cannot be made or written, and why. */
public final class RecordingException extends RuntimeException {

    private final RecordingFailureReason reason;

    RecordingException(RecordingFailureReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public RecordingFailureReason reason() {
        return reason;
    }
}
