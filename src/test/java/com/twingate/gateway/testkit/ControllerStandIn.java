package com.twingate.gateway.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Twingate controller stand-in (README.md#the-local-run): publishes its signing keys as a JWK Set over HTTP on
 * loopback, as {@code /api/v1/jwk/ec}, and mints tokens with them.
 */
public final class ControllerStandIn implements AutoCloseable {

    public static final String JWKS_PATH = "/api/v1/jwk/ec";
    /** The issuer for host {@code test} (docs/token.md). */
    public static final String ISSUER = "twingate-local";

    private final String network;
    private final HttpServer server;
    private final List<ECKey> keys = new CopyOnWriteArrayList<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile boolean available = true;

    public ControllerStandIn(String network) throws IOException {
        this.network = network;
        keys.add(newSigningKey("key-1"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(JWKS_PATH, this::serveKeys);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    static ECKey newSigningKey(String keyId) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(keyId).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("generating a P-256 key failed", e);
        }
    }

    private void serveKeys(HttpExchange exchange) throws IOException {
        try (exchange) {
            fetches.incrementAndGet();
            if (!available) {
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            byte[] body = new JWKSet(keys.stream().map(ECKey::toPublicJWK).map(JWK.class::cast).toList())
                    .toString(true).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    public URI jwksUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + JWKS_PATH);
    }

    public String network() {
        return network;
    }

    public String issuer() {
        return ISSUER;
    }

    /** How many times the JWK Set was requested. */
    public int fetchCount() {
        return fetches.get();
    }

    /** {@code false}: answer 503, as a controller outage would. */
    public void setAvailable(boolean available) {
        this.available = available;
    }

    /** Publishes a new signing key (the old ones stay published) and signs with it from now on. */
    public String rotateKey() {
        ECKey next = newSigningKey("key-" + (keys.size() + 1));
        keys.add(next);
        return next.getKeyID();
    }

    /** A token for {@code clientKey}, valid unless the builder is told otherwise. */
    public GatBuilder token(KeyPair clientKey) {
        return new GatBuilder(keys.getLast(), ISSUER, network, clientKey);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
