package com.twingate.gateway.proxy;

import java.net.SocketTimeoutException;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpStatus;

/**
 * The one mapping from an exchange that failed to what kubectl is told: the API server unreachable
 * (502) or too slow (504); a session that cannot be recorded (503); kubectl's own request body
 * malformed (400); or kubectl gone, which needs no answer and is not the gateway's failure.
 *
 * @param clientLeft kubectl went away (or stopped sending its body): nothing can be answered
 */
record UpstreamFailure(int status, boolean clientLeft, String detail) {

    /**
     * @param clientFailure what reading kubectl's request body failed with, if it did
     * @param clientLeft    kubectl's side is gone (it closed, or the disconnect watch saw it leave)
     */
    static UpstreamFailure of(Throwable failure, Throwable clientFailure, boolean clientLeft) {
        if (clientLeft || failure instanceof UpstreamProxy.ClientLeftException) {
            return new UpstreamFailure(0, true, "the client went away");
        }
        RecordingRefused unrecordable = find(failure, RecordingRefused.class);
        if (unrecordable != null) {
            return new UpstreamFailure(HttpStatus.SERVICE_UNAVAILABLE_503, false, RecordingRefused.message(unrecordable.getMessage()));
        }
        if (clientFailure != null) {
            HttpException malformed = find(clientFailure, HttpException.class);
            if (malformed != null) {
                return new UpstreamFailure(HttpStatus.BAD_REQUEST_400, false,
                        "the request is malformed: " + ((Throwable) malformed).getMessage());
            }
            return new UpstreamFailure(0, true, "the client stopped sending its request: " + clientFailure);
        }
        boolean timeout = find(failure, TimeoutException.class) != null || find(failure, SocketTimeoutException.class) != null;
        return new UpstreamFailure(timeout ? HttpStatus.GATEWAY_TIMEOUT_504 : HttpStatus.BAD_GATEWAY_502, false,
                String.valueOf(failure.getMessage()));
    }

    /** What the Status says, naming the upstream when it is the API server's side that failed. */
    String message(String upstreamName) {
        return switch (status) {
            case HttpStatus.GATEWAY_TIMEOUT_504 ->
                    "the Kubernetes API server (upstream " + upstreamName + ") did not answer in time: " + detail;
            case HttpStatus.BAD_GATEWAY_502 ->
                    "the Kubernetes API server (upstream " + upstreamName + ") is unreachable: " + detail;
            default -> detail;
        };
    }

    private static <T> T find(Throwable failure, Class<T> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }
}
