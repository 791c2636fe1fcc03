package com.twingate.gateway.token;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers tokens that passed verification until they expire, so a Twingate Client that opens many
 * connections with one token pays for the ES256 signature check once (that check was about a sixth
 * of the gateway's CPU per new connection in {@code scripts/bench}). Only successes are remembered,
 * keyed by the whole token; a remembered token is still refused once its {@code exp} has passed. The
 * proof of possession is per TLS session and is checked on every connection, never remembered.
 *
 * <p>A token stays accepted until its expiry even if its signing key leaves the controller's key set
 * meanwhile, as it would on a connection opened before that.
 */
public final class CachingTokenVerifier implements TokenVerifier {

    /** Bounds the memory: a full cache drops its expired entries, or everything when none has expired. */
    static final int MAX_TOKENS = 4_096;

    private final TokenVerifier verifier;
    private final Clock clock;
    private final ConcurrentHashMap<String, GatClaims> verified = new ConcurrentHashMap<>();

    public CachingTokenVerifier(TokenVerifier verifier, Clock clock) {
        this.verifier = verifier;
        this.clock = clock;
    }

    @Override
    public GatClaims verify(String token) throws InvalidTokenException {
        Instant now = clock.instant();
        GatClaims known = verified.get(token);
        if (known != null) {
            if (known.expiresAt().isAfter(now)) {
                return known;
            }
            verified.remove(token, known);
            throw new InvalidTokenException("token expired at " + known.expiresAt());
        }
        GatClaims claims = verifier.verify(token);
        if (verified.size() >= MAX_TOKENS) {
            verified.values().removeIf(entry -> !entry.expiresAt().isAfter(now));
            if (verified.size() >= MAX_TOKENS) {
                verified.clear();
            }
        }
        verified.put(token, claims);
        return claims;
    }
}
