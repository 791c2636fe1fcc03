package com.twingate.gateway.testkit.kubeapi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How an exec or attach ended, as the error channel reports it: kubectl exits with {@code exitCode}
 * (v4/v5 {@code Status} with reason {@code NonZeroExitCode}), or prints {@code failure}.
 */
record CommandResult(int exitCode, String failure) {

    static CommandResult exited(int exitCode) {
        return new CommandResult(exitCode, null);
    }

    static CommandResult failed(String message) {
        return new CommandResult(1, message);
    }

    /** The {@code Status} of the v4 and v5 protocols (kubelet's {@code remotecommand} does the same). */
    Map<String, Object> status() {
        if (failure != null) {
            return Statuses.failure(500, "InternalError", failure);
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("metadata", Map.of());
        if (exitCode == 0) {
            status.put("status", "Success");
            return status;
        }
        status.put("status", "Failure");
        status.put("message", "command terminated with non-zero exit code: exit status " + exitCode);
        status.put("reason", "NonZeroExitCode");
        status.put("details", Map.of("causes", List.of(Map.of("reason", "ExitCode", "message", String.valueOf(exitCode)))));
        return status;
    }

    /** What the protocols before v4 carry on the error stream: nothing on success, else a message. */
    String legacyMessage() {
        if (failure != null) {
            return failure;
        }
        return exitCode == 0 ? "" : "command terminated with non-zero exit code: exit status " + exitCode;
    }
}
