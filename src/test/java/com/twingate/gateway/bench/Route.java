package com.twingate.gateway.bench;

import com.twingate.gateway.testkit.ClientKeys;
import com.twingate.gateway.testkit.OuterTlsConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyPair;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One way from the load generator to the upstreams. {@link #open} returns a connection on which
 * kubectl's HTTP/1.1 can start: every handshake and authentication of the path is done in it.
 */
sealed interface Route {

    String HTTP_1_1 = "http/1.1";

    /** Which upstream a connection is for: the fast API stand-in, or the upgrade (exec) stand-in. */
    enum Upstream { API, STREAMS }

    String name();

    /** A connection ready for HTTP/1.1: the socket to talk on, and the TCP socket under every TLS layer. */
    record Opened(SSLSocket socket, Socket tcp) {}

    Opened open(Upstream upstream) throws IOException;

    /** The Host header kubectl would send on this path. */
    String host(Upstream upstream);

    /** TCP and TLS 1.3 straight to the upstream, as kubectl with the API server's address would. */
    record Direct(ClientTls trust, int apiPort, int streamsPort) implements Route {
        @Override
        public String name() {
            return "direct";
        }

        @Override
        public Opened open(Upstream upstream) throws IOException {
            return tls(trust, new InetSocketAddress("127.0.0.1", upstream == Upstream.API ? apiPort : streamsPort), "localhost");
        }

        @Override
        public String host(Upstream upstream) {
            return "localhost:" + (upstream == Upstream.API ? apiPort : streamsPort);
        }
    }

    /** TCP and TLS 1.3 to nginx, which terminates it and proxies over its own TLS to the upstream. */
    record Nginx(ClientTls trust, int port) implements Route {
        @Override
        public String name() {
            return "nginx";
        }

        @Override
        public Opened open(Upstream upstream) throws IOException {
            return tls(trust, new InetSocketAddress("127.0.0.1", port), "localhost");
        }

        @Override
        public String host(Upstream upstream) {
            return "localhost:" + port;
        }
    }

    /**
     * nginx doing the gateway's TLS work: TCP and an outer TLS 1.3 to its stream module, then kubectl's
     * TLS 1.3 inside that one (no CONNECT: nginx has no token or proof of possession to check).
     */
    record NginxDoubleTls(ClientTls trust, int port) implements Route {
        @Override
        public String name() {
            return "nginx 2×TLS";
        }

        @Override
        public Opened open(Upstream upstream) throws IOException {
            Opened outer = tls(trust, new InetSocketAddress("127.0.0.1", port), "localhost");
            try {
                return new Opened(inner(trust, outer.socket(), "localhost", port, HTTP_1_1), outer.tcp());
            } catch (IOException | RuntimeException e) {
                outer.tcp().close();
                throw e;
            }
        }

        @Override
        public String host(Upstream upstream) {
            return "localhost:" + port;
        }
    }

    /**
     * The Twingate client's and kubectl's work, in-process: TCP, outer TLS 1.3, {@code CONNECT} with the
     * token and the signature of this session's keying material, then kubectl's inner TLS inside it.
     * The resource address in the token picks the upstream ({@code 127.0.0.1} API, {@code localhost} streams).
     */
    record Gateway(String name, ClientTls trust, int port, String apiToken, String streamsToken, KeyPair clientKey,
                   AtomicLong connections) implements Route {

        @Override
        public Opened open(Upstream upstream) throws IOException {
            return open(upstream, HTTP_1_1);
        }

        /** A connection to the API stand-in on which kubectl's TLS negotiated h2 (ALPN), as client-go's does. */
        public Opened openHttp2() throws IOException {
            return open(Upstream.API, "h2");
        }

        private Opened open(Upstream upstream, String alpn) throws IOException {
            OuterTlsConnection outer = OuterTlsConnection.open(new InetSocketAddress("127.0.0.1", port), trust.fresh());
            try {
                String resource = upstream == Upstream.API ? "127.0.0.1" : "localhost";
                String status = outer.connect(resource + ":443", upstream == Upstream.API ? apiToken : streamsToken,
                        ClientKeys.sign(clientKey.getPrivate(), outer.keyingMaterial()), "bench-" + connections.incrementAndGet());
                if (!status.startsWith("HTTP/1.1 200")) {
                    throw new IOException("CONNECT refused: " + status);
                }
                return new Opened(inner(trust, outer.socket(), resource, 443, alpn), outer.tcp());
            } catch (IOException | RuntimeException e) {
                outer.close();
                throw e;
            }
        }

        @Override
        public String host(Upstream upstream) {
            return upstream == Upstream.API ? "127.0.0.1" : "localhost";
        }
    }

    /** kubectl's TLS 1.3 inside an outer one, offering one protocol by ALPN. */
    private static SSLSocket inner(ClientTls trust, Socket outer, String serverName, int port, String alpn) throws IOException {
        SSLSocket inner = (SSLSocket) trust.fresh().getSocketFactory().createSocket(outer, serverName, port, true);
        SSLParameters parameters = inner.getSSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3"});
        parameters.setApplicationProtocols(new String[] {alpn});
        inner.setSSLParameters(parameters);
        inner.startHandshake();
        return inner;
    }

    static Opened tls(ClientTls trust, InetSocketAddress address, String serverName) throws IOException {
        Socket tcp = new Socket();
        try {
            tcp.setTcpNoDelay(true);
            tcp.connect(address, 5_000);
            SSLSocket tls = (SSLSocket) trust.fresh().getSocketFactory().createSocket(tcp, serverName, address.getPort(), true);
            tls.setEnabledProtocols(new String[] {"TLSv1.3"});
            tls.setSoTimeout(30_000);
            tls.startHandshake();
            return new Opened(tls, tcp);
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
    }
}
