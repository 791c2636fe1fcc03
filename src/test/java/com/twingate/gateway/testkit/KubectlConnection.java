package com.twingate.gateway.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyPair;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One kubectl connection without the client stand-in in between: outer TLS, CONNECT with a token and
 * its proof of possession, then kubectl's TLS inside. Tests that need exact control of the byte stream
 * (half-closes, abrupt closes, pipelining) use it.
 *
 * @param tls kubectl's own TLS session
 * @param tcp the TCP socket under both TLS layers: closing it is kubectl vanishing
 */
public record KubectlConnection(SSLSocket tls, Socket tcp) implements AutoCloseable {

    public static final String RESOURCE_ADDRESS = "127.0.0.1";

    /** @param alpn the application protocols kubectl's TLS offers (none: no ALPN, HTTP/1.1) */
    public static KubectlConnection open(InetSocketAddress gateway, SSLContext trust, String token, KeyPair clientKey,
                                         String... alpn) throws IOException {
        OuterTlsConnection outer = OuterTlsConnection.open(gateway, trust);
        String status = outer.connect(RESOURCE_ADDRESS + ":443", token, ClientKeys.sign(clientKey.getPrivate(), outer.keyingMaterial()),
                "conn-" + System.nanoTime());
        if (!status.startsWith("HTTP/1.1 200")) {
            outer.close();
            throw new IOException("the gateway refused the CONNECT: " + status);
        }
        SSLSocket inner = (SSLSocket) trust.getSocketFactory().createSocket(outer.socket(), RESOURCE_ADDRESS, 443, true);
        inner.setEnabledProtocols(new String[] {"TLSv1.3"});
        if (alpn.length > 0) {
            SSLParameters parameters = inner.getSSLParameters();
            parameters.setApplicationProtocols(alpn);
            inner.setSSLParameters(parameters);
        }
        inner.setSoTimeout(30_000);
        inner.startHandshake();
        return new KubectlConnection(inner, outer.tcp());
    }

    @Override
    public void close() throws IOException {
        tls.close();
    }
}
