package com.twingate.gateway.testkit;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A controller's key-set endpoint on loopback that misbehaves on demand, on a real socket: it serves the
 * keys, answers 503, trickles the body a byte at a time, or reads the request and never answers.
 */
public final class KeySetEndpoint implements AutoCloseable {

    public enum Mode { SERVE, UNAVAILABLE, TRICKLE, HANG }

    private static final Duration TRICKLE_INTERVAL = Duration.ofMillis(200);

    private final ServerSocket server;
    private final ECKey key = ControllerStandIn.newSigningKey("key-1");
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Mode mode;

    public KeySetEndpoint(Mode mode) throws IOException {
        this.mode = mode;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("key-set-endpoint").start(this::accept);
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + ControllerStandIn.JWKS_PATH);
    }

    public ECKey key() {
        return key;
    }

    /** A token signed with this endpoint's key, for network {@code network}. */
    public GatBuilder token(String network, KeyPair clientKey) {
        return new GatBuilder(key, ControllerStandIn.ISSUER, network, clientKey);
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    /** Requests read so far. */
    public int requests() {
        return requests.get();
    }

    /** Connections the client has not closed yet. */
    public int openConnections() {
        return open.size();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                open.add(socket);
                Thread.ofVirtual().start(() -> answer(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void answer(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            readHead(in);
            requests.incrementAndGet();
            OutputStream out = socket.getOutputStream();
            byte[] body = new JWKSet(List.<JWK>of(key.toPublicJWK())).toString(true).getBytes(StandardCharsets.UTF_8);
            switch (mode) {
                case SERVE -> {
                    out.write(head(200, body.length));
                    out.write(body);
                }
                case UNAVAILABLE -> out.write(head(503, 0));
                case TRICKLE -> {
                    out.write(head(200, body.length));
                    for (byte b : body) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(TRICKLE_INTERVAL);
                    }
                }
                // Until the client gives up and closes: the read then ends.
                case HANG -> in.transferTo(OutputStream.nullOutputStream());
            }
            out.flush();
            socket.shutdownOutput();
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException | InterruptedException clientWentAway) {
            // What a misbehaving endpoint's client does; the open count tells the test.
        } finally {
            open.remove(socket);
        }
    }

    private static byte[] head(int status, int length) {
        return ("HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: " + length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int b = in.read(); b >= 0; b = in.read()) {
            matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
            if (matched == end.length) {
                return;
            }
        }
        throw new IOException("the client closed before its request ended");
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
    }
}
