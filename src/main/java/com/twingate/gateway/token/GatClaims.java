package com.twingate.gateway.token;

import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The verified claims of a Gateway Access Token (docs/token.md). Only {@link TokenVerifier} creates these. */
public record GatClaims(
        String issuer,
        List<String> audience,
        Instant expiresAt,
        Instant issuedAt,
        Instant renewAt,
        ECPublicKey clientPublicKey,
        User user,
        Optional<String> deviceId,
        Resource resource) {

    public GatClaims {
        audience = List.copyOf(audience);
    }

    public record User(String id, String username, List<String> groups) {
        public User {
            groups = List.copyOf(groups);
        }
    }

    public record Resource(String id, String address) {}
}
