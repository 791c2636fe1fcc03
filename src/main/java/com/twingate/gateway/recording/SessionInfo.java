package com.twingate.gateway.recording;

/**
 * What a recording's header and log lines say about the session [§6].
 *
 * @param command all {@code command} query values joined with one space
 */
public record SessionInfo(
        String namespace,
        String pod,
        String container,
        String command,
        boolean tty,
        String username,
        String connectionId,
        String requestId) {}
