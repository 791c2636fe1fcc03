package com.twingate.gateway.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyPair;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The Twingate Client stand-in (README.md#the-local-run): a local TCP listener; for each accepted connection it opens
 * the outer TLS to the gateway, sends CONNECT with the token and the proof-of-possession signature,
 * and on {@code 200} relays bytes both ways (kubectl's TLS rides inside).
 */
public final class TwingateClientStandIn implements AutoCloseable {

    /** What the client presents: a GAT, the key pair whose public half is the token's {@code cpk}. */
    public record Credentials(String token, KeyPair key, String resourceAddress, int resourcePort) {}

    private final InetSocketAddress gateway;
    private final SSLContext outerTrust;
    private final Supplier<Credentials> credentials;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger opened = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile String lastStatusLine;

    public TwingateClientStandIn(InetSocketAddress gateway, SSLContext outerTrust, Supplier<Credentials> credentials)
            throws IOException {
        this.gateway = gateway;
        this.outerTrust = outerTrust;
        this.credentials = credentials;
        this.listener = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofVirtual().name("client-stand-in-accept").start(this::acceptLoop);
    }

    /** Where kubectl (or any TLS client) connects; the port the tunnel starts from. */
    public int localPort() {
        return listener.getLocalPort();
    }

    /** How many tunnels the gateway refused, and the last status line it answered. */
    public int refusedCount() {
        return refused.get();
    }

    /** Tunnels the gateway accepted: each is one TCP connection, one CONNECT and one inner TLS session. */
    public int tunnelsOpened() {
        return opened.get();
    }

    public String lastStatusLine() {
        return lastStatusLine;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket local = listener.accept();
                local.setTcpNoDelay(true);
                open.add(local);
                Thread.ofVirtual().name("client-stand-in-tunnel").start(() -> tunnel(local));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void tunnel(Socket local) {
        try (local; OuterTlsConnection outer = OuterTlsConnection.open(gateway, outerTrust)) {
            Credentials presented = credentials.get();
            String signature = ClientKeys.sign(presented.key().getPrivate(), outer.keyingMaterial());
            String status = outer.connect(presented.resourceAddress() + ":" + presented.resourcePort(),
                    presented.token(), signature, UUID.randomUUID().toString());
            lastStatusLine = status;
            if (!status.startsWith("HTTP/1.1 200")) {
                refused.incrementAndGet();
                return;
            }
            opened.incrementAndGet();
            Socket remote = outer.socket();
            // The read timeout guards the handshake and CONNECT only: a watch, logs -f or shell is quiet for
            // as long as its user likes, as it is through the real Client.
            remote.setSoTimeout(0);
            open.add(remote);
            try {
                // A tunnel that was being set up when close() ran must not outlive it.
                if (!listener.isClosed()) {
                    Thread upstream = Thread.ofVirtual().start(() -> pump(local, remote));
                    pump(remote, local);
                    upstream.join();
                }
            } finally {
                open.remove(remote);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            lastStatusLine = "tunnel failed: " + e;
        } finally {
            open.remove(local);
        }
    }

    /** Copies until end of stream, then half-closes or closes the other side so it sees the end too. */
    private static void pump(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ended) {
            // Either side went away; closing both below ends the tunnel.
        }
        try {
            to.close();
            from.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    /** Stops listening and cuts every open tunnel, as quitting the Client does. */
    @Override
    public void close() throws IOException {
        listener.close();
        acceptor.interrupt();
        for (Socket socket : open) {
            socket.close();
        }
    }
}
