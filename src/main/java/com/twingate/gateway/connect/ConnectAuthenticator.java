package com.twingate.gateway.connect;

import com.google.inject.Inject;
import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.config.TlsProvider;
import com.twingate.gateway.token.GatClaims;
import com.twingate.gateway.token.InvalidTokenException;
import com.twingate.gateway.token.TokenVerifier;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;

/**
 * Decides the answer to the request read on the outer TLS, in the order of (docs/client-protocol.md): health check,
 * method, {@code Proxy-Authorization}, token, proof of possession, destination, routing.
 */
public final class ConnectAuthenticator {

    static final String HEALTH_PATH = "/healthz";
    static final String SIGNATURE_HEADER = "X-Token-Signature";
    static final String CONNECTION_ID_HEADER = "X-Connection-Id";
    private static final String BEARER_PREFIX = "bearer ";

    private final TokenVerifier tokens;
    private final UpstreamSelector upstreams;
    private final TlsProvider provider;

    /** The proof of possession is checked with the configured TLS provider's ECDSA (Conscrypt's is the faster). */
    @Inject
    public ConnectAuthenticator(TokenVerifier tokens, UpstreamSelector upstreams, GatewayConfig config) {
        this.tokens = tokens;
        this.upstreams = upstreams;
        this.provider = config.tls().provider();
    }

    /**
     * @param keyingMaterial the outer TLS session's exported keying material; only computed when a
     *                       token has been verified
     */
    public ConnectOutcome authenticate(ConnectRequest request, Supplier<byte[]> keyingMaterial, SocketAddress remote) {
        if ("GET".equals(request.method()) && HEALTH_PATH.equals(request.target())) {
            return new ConnectOutcome.HealthCheck();
        }
        if (!"CONNECT".equals(request.method())) {
            return reject(HttpStatus.METHOD_NOT_ALLOWED_405, "method " + request.method() + " is not CONNECT");
        }
        Optional<String> token = bearerToken(request.headers().get(HttpHeader.PROXY_AUTHORIZATION));
        if (token.isEmpty()) {
            return reject(HttpStatus.PROXY_AUTHENTICATION_REQUIRED_407, "Proxy-Authorization is missing or not a Bearer token");
        }
        GatClaims claims;
        try {
            claims = tokens.verify(token.get());
        } catch (InvalidTokenException invalid) {
            return reject(HttpStatus.UNAUTHORIZED_401, "invalid token: " + invalid.getMessage());
        }
        String signature = request.headers().get(SIGNATURE_HEADER);
        if (signature == null) {
            return reject(HttpStatus.UNAUTHORIZED_401, SIGNATURE_HEADER + " is missing");
        }
        if (!ProofOfPossession.verify(signature, keyingMaterial.get(), claims.clientPublicKey(), provider)) {
            return reject(HttpStatus.UNAUTHORIZED_401, SIGNATURE_HEADER + " is not a signature of this TLS session by the token's key");
        }
        Optional<String> host = ConnectTarget.host(request.target());
        if (host.isEmpty()) {
            return reject(HttpStatus.BAD_REQUEST_400, "CONNECT target is not host:port");
        }
        String resourceAddress = claims.resource().address();
        if (!host.get().equalsIgnoreCase(resourceAddress)) {
            return reject(HttpStatus.BAD_REQUEST_400,
                    "CONNECT target host " + host.get() + " is not the token's resource address " + resourceAddress);
        }
        Optional<String> upstream = upstreams.upstreamFor(resourceAddress);
        if (upstream.isEmpty()) {
            return reject(HttpStatus.BAD_REQUEST_400, "no upstream serves resource address " + resourceAddress);
        }
        return new ConnectOutcome.Accepted(new ClientIdentity(
                claims.user(),
                claims.deviceId(),
                claims.resource(),
                Optional.ofNullable(request.headers().get(CONNECTION_ID_HEADER)).filter(id -> !id.isBlank()),
                claims.expiresAt(),
                upstream.get(),
                remote));
    }

    private static Optional<String> bearerToken(String authorization) {
        if (authorization == null || authorization.length() <= BEARER_PREFIX.length()
                || !authorization.substring(0, BEARER_PREFIX.length()).toLowerCase(Locale.ROOT).equals(BEARER_PREFIX)) {
            return Optional.empty();
        }
        String token = authorization.substring(BEARER_PREFIX.length()).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    private static ConnectOutcome reject(int status, String reason) {
        return new ConnectOutcome.Rejected(status, reason);
    }
}
