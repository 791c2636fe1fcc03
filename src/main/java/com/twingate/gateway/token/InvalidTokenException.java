package com.twingate.gateway.token;

/** A token that must be answered with 401. The message says why, for the log only. */
public final class InvalidTokenException extends Exception {

    public InvalidTokenException(String reason) {
        super(reason);
    }

    public InvalidTokenException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
