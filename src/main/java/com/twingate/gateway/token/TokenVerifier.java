package com.twingate.gateway.token;

/** Verifies a GAT's signature and every claim rule of (docs/token.md). */
public interface TokenVerifier {

    /**
     * @return the verified claims
     * @throws InvalidTokenException naming the rule that failed (for the log, never for the client)
     */
    GatClaims verify(String token) throws InvalidTokenException;
}
