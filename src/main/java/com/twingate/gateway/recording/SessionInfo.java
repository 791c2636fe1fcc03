package com.twingate.gateway.recording;

import com.twingate.gateway.token.GatClaims;
import java.util.List;

/**
 * What a recording's header and log lines say about the session (docs/recording.md): whose session it is, on which
 * pod, running what.
 *
 * @param command the {@code command} query values, in order (empty for attach)
 */
public record SessionInfo(
        String namespace,
        String pod,
        String container,
        List<String> command,
        boolean tty,
        GatClaims.User user,
        String connectionId,
        String requestId) {

    public SessionInfo {
        command = List.copyOf(command);
    }

    /** The header's {@code command}: every command word joined with one space. */
    public String commandLine() {
        return String.join(" ", command);
    }
}
