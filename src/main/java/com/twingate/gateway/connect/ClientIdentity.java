package com.twingate.gateway.connect;

import com.twingate.gateway.token.GatClaims;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.Optional;

/**
 * Who is on an authenticated connection. Fixed once, when the CONNECT succeeds, and carried with
 * the connection to every request on it; never re-parsed per request.
 *
 * @param connectionId the client's {@code X-Connection-Id}, logged as {@code conn_id}
 * @param upstreamName the upstream this connection was routed to at CONNECT time
 */
public record ClientIdentity(
        GatClaims.User user,
        Optional<String> deviceId,
        GatClaims.Resource resource,
        Optional<String> connectionId,
        Instant expiresAt,
        String upstreamName,
        SocketAddress remoteAddress) {}
