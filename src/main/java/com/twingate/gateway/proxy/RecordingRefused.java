package com.twingate.gateway.proxy;

import java.io.IOException;

/** A session that cannot be recorded, refused or ended ({@code recording.onFailure = refuse}): kubectl is told 503 and why. */
final class RecordingRefused extends IOException {

    RecordingRefused(String reason) {
        super(reason);
    }

    /** What kubectl is told. */
    static String message(String reason) {
        return "the session cannot be recorded, so it is refused: " + reason;
    }
}
