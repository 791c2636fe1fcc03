package com.twingate.gateway.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The Twingate Client's side of one gateway connection, at the wire level: outer TLS 1.3, then
 * whatever the test writes. Tests use it to state the exchange of (docs/client-protocol.md) byte for byte.
 */
public final class OuterTlsConnection implements AutoCloseable {

    public static final String EXPORTER_LABEL = "EXPERIMENTAL_twingate_gat";

    private final Socket tcp;
    private final SSLSocket socket;

    private OuterTlsConnection(Socket tcp, SSLSocket socket) {
        this.tcp = tcp;
        this.socket = socket;
    }

    /** Opens TCP and completes the outer TLS handshake. */
    public static OuterTlsConnection open(InetSocketAddress gateway, SSLContext trust) throws IOException {
        Socket tcp = new Socket();
        tcp.setTcpNoDelay(true);
        tcp.connect(gateway, 5_000);
        SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(tcp, gateway.getHostString(), gateway.getPort(), true);
        tls.setEnabledProtocols(new String[] {"TLSv1.3"});
        tls.setSoTimeout(30_000);
        tls.startHandshake();
        return new OuterTlsConnection(tcp, tls);
    }

    /** The outer session's exported keying material, as the gateway computes it. */
    public byte[] keyingMaterial() throws IOException {
        return ((ExtendedSSLSession) socket.getSession()).exportKeyingMaterialData(EXPORTER_LABEL, null, 32);
    }

    /** Writes {@code CONNECT target HTTP/1.1} with the given headers (in order) and returns the status line. */
    public String connect(String target, Map<String, String> headers) throws IOException {
        StringBuilder request = new StringBuilder("CONNECT ").append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(target).append("\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        request.append("\r\n");
        write(request.toString().getBytes(StandardCharsets.US_ASCII));
        return readHead().statusLine();
    }

    /** CONNECT with a token and the signature of this session's keying material. */
    public String connect(String target, String token, String signature, String connectionId) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Proxy-Authorization", "Bearer " + token);
        headers.put("X-Token-Signature", signature);
        if (connectionId != null) {
            headers.put("X-Connection-Id", connectionId);
        }
        return connect(target, headers);
    }

    public void write(byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /** Reads a response head (status line and headers, up to the empty line). */
    public Head readHead() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.size() + " bytes of response head: "
                        + head.toString(StandardCharsets.US_ASCII));
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > 64 * 1024) {
                throw new IOException("response head larger than 64 KiB");
            }
        }
        return new Head(head.toString(StandardCharsets.US_ASCII));
    }

    /** @return true when the gateway closed the connection (end of stream or reset) */
    public boolean isClosedByPeer() {
        try {
            return socket.getInputStream().read() < 0;
        } catch (IOException reset) {
            return true;
        }
    }

    public SSLSocket socket() {
        return socket;
    }

    /** The TCP socket under the outer TLS (closing it closes everything without any TLS goodbye). */
    public Socket tcp() {
        return tcp;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A response head as received. */
    public record Head(String text) {
        public String statusLine() {
            return text.substring(0, text.indexOf("\r\n"));
        }
    }
}
