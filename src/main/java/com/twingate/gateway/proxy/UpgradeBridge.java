package com.twingate.gateway.proxy;

import com.twingate.gateway.audit.AuditHandler;
import com.twingate.gateway.config.KubernetesConfig;
import com.twingate.gateway.config.UpstreamConfig;
import com.twingate.gateway.connect.ClientIdentity;
import com.twingate.gateway.metrics.GatewayMetrics;
import com.twingate.gateway.metrics.RequestType;
import com.twingate.gateway.recording.RecordingPolicy;
import com.twingate.gateway.recording.SessionInfo;
import com.twingate.gateway.recording.SessionRecorder;
import com.twingate.gateway.relay.RelayConnection;
import com.twingate.gateway.relay.RelayTap;
import com.twingate.gateway.relay.UpgradedStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * exec, attach, port-forward and cp [§4 Upgrades]: the upgrade request goes to the API server over a
 * socket of its own (with the header rules applied); a 101 goes back to kubectl with its headers and
 * the connection becomes a byte relay; any other answer goes back as a normal response.
 */
final class UpgradeBridge {

    private static final Logger LOG = LoggerFactory.getLogger(UpgradeBridge.class);
    /** Headers of a non-101 answer that describe the API server's connection, not the response. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "upgrade",
            "proxy-connection", "te", "trailer");

    private final KubernetesConfig kubernetes;
    private final GatewayMetrics metrics;
    private final SessionRecorder recorder;

    UpgradeBridge(KubernetesConfig kubernetes, GatewayMetrics metrics, SessionRecorder recorder) {
        this.kubernetes = kubernetes;
        this.metrics = metrics;
        this.recorder = recorder;
    }

    void handle(Request request, Response response, Callback callback, UpstreamProxy upstream, ClientIdentity identity) {
        RequestType type = RequestType.of(request.getHeaders());
        GatewayMetrics.ApiServerRequest roundTrip = metrics.apiServerRequestStarted(type);
        long startNanos = System.nanoTime();
        SSLSocket socket = null;
        try {
            socket = connect(upstream);
            socket.setSoTimeout(Math.toIntExact(kubernetes.responseHeaderTimeout().toMillis()));
            writeHead(socket, request, HeaderRules.forUpstream(request.getHeaders(), identity,
                    upstream.credential().current(), upstream.upstream().address()));
            UpstreamAnswer answer = UpstreamAnswer.readHead(socket.getInputStream());
            roundTrip.responseHeaders(request.getMethod(), answer.status(), Duration.ofNanos(System.nanoTime() - startNanos));
            socket.setSoTimeout(0);
            if (answer.status() == HttpStatus.SWITCHING_PROTOCOLS_101) {
                switchProtocols(request, response, callback, socket, answer, recorder.tapFor(recordable(request, identity),
                        answer.headers()).orElse(RelayTap.NONE));
            } else {
                answerNormally(response, callback, socket, answer);
            }
        } catch (IOException | RuntimeException failure) {
            roundTrip.failed();
            closeQuietly(socket);
            fail(request, response, callback, upstream.upstream(), failure);
        }
    }

    private SSLSocket connect(UpstreamProxy upstream) throws IOException {
        UpstreamConfig config = upstream.upstream();
        SSLContext tls = upstream.client().getSslContextFactory().getSslContext();
        Socket tcp = new Socket();
        tcp.setTcpNoDelay(true);
        String host = config.host().startsWith("[") ? config.host().substring(1, config.host().length() - 1) : config.host();
        tcp.connect(new InetSocketAddress(host, config.port()), Math.toIntExact(kubernetes.connectTimeout().toMillis()));
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(tcp, host, config.port(), true);
        SSLParameters parameters = socket.getSSLParameters();
        // The same checks as the plain proxy's client: the API server's name against its certificate.
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!Character.isDigit(host.charAt(0)) && !host.contains(":")) {
            parameters.setServerNames(List.of(new SNIHostName(host)));
        }
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    private static void writeHead(Socket socket, Request request, HttpFields headers) throws IOException {
        StringBuilder head = new StringBuilder(request.getMethod()).append(' ')
                .append(request.getHttpURI().getPathQuery()).append(" HTTP/1.1\r\n");
        for (HttpField field : headers) {
            head.append(field.getName()).append(": ").append(field.getValue()).append("\r\n");
        }
        head.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** exec and attach are recorded [§6]; the audit line's request id ties the recording to it. */
    private static Optional<SessionInfo> recordable(Request request, ClientIdentity identity) {
        return RecordingPolicy.decide(request.getHttpURI().getPath(), request.getHttpURI().getQuery(), request.getHeaders(),
                identity.user(), identity.connectionId().orElse(""),
                String.valueOf(request.getAttribute(AuditHandler.REQUEST_ID_ATTRIBUTE)));
    }

    private static void switchProtocols(Request request, Response response, Callback callback, SSLSocket socket,
                                        UpstreamAnswer answer, RelayTap tap) {
        response.setStatus(HttpStatus.SWITCHING_PROTOCOLS_101);
        for (HttpField field : answer.headers()) {
            response.getHeaders().add(field);
        }
        UpgradedStream stream = new UpgradedStream();
        request.setAttribute(UpgradedStream.ATTRIBUTE, stream);
        RelayConnection relay = new RelayConnection(request.getConnectionMetaData().getConnection().getEndPoint(),
                request.getComponents().getExecutor(), socket, answer.bytesAfterHead(), tap, stream);
        // Jetty installs the relay on kubectl's endpoint once the 101 is written.
        request.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, relay);
        callback.succeeded();
    }

    private static void answerNormally(Response response, Callback callback, SSLSocket socket, UpstreamAnswer answer)
            throws IOException {
        response.setStatus(answer.status());
        for (HttpField field : answer.headers()) {
            if (!HOP_BY_HOP.contains(field.getLowerCaseName())) {
                response.getHeaders().add(field);
            }
        }
        try (socket) {
            answer.copyBodyTo(response);
        }
        response.write(true, null, callback);
    }

    private static void fail(Request request, Response response, Callback callback, UpstreamConfig upstream, Throwable failure) {
        if (response.isCommitted()) {
            callback.failed(failure);
            return;
        }
        boolean timeout = failure instanceof SocketTimeoutException;
        String message = "the Kubernetes API server (upstream " + upstream.name() + ") "
                + (timeout ? "did not answer the upgrade in time: " : "is unreachable for the upgrade: ") + failure.getMessage();
        LOG.warn("{} {}: {}", request.getMethod(), request.getHttpURI().getPath(), message);
        KubernetesStatus.write(request, response, callback, timeout ? HttpStatus.GATEWAY_TIMEOUT_504 : HttpStatus.BAD_GATEWAY_502, message);
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                LOG.debug("closing the API server socket: {}", e.toString());
            }
        }
    }
}
