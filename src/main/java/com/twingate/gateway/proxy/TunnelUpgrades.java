package com.twingate.gateway.proxy;

import com.twingate.gateway.connect.ClientIdentity;
import com.twingate.gateway.recording.RecordingPolicy;
import com.twingate.gateway.recording.SessionInfo;
import com.twingate.gateway.recording.SessionRecorder;
import com.twingate.gateway.relay.ActiveTunnels;
import com.twingate.gateway.relay.RelayTap;
import com.twingate.gateway.relay.Tunnel;
import com.twingate.gateway.relay.UpgradedStream;
import com.twingate.gateway.request.RequestContext;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.client.HttpUpgrader;
import org.eclipse.jetty.client.UpgradeProtocolHandler;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * What happens when the API server answers an upgrade with 101 Switching Protocols: its endpoint
 * becomes one end of a {@link Tunnel}, the 101 and its headers go to kubectl, and kubectl's endpoint
 * becomes the other end once the 101 is written. Any other answer is not seen here: it goes back to
 * kubectl as an ordinary, complete response, and the connection stays usable.
 */
final class TunnelUpgrades {

    /**
     * Jetty's client switches protocols only for WebSocket and h2c by default, and decides before it has
     * parsed the 101's headers: this one accepts every request that asked for a tunnel.
     */
    static final UpgradeProtocolHandler PROTOCOL_HANDLER = new UpgradeProtocolHandler() {
        @Override
        protected boolean acceptHeaders(org.eclipse.jetty.client.Request request, org.eclipse.jetty.client.Response response) {
            return request.getAttributes().get(HttpUpgrader.Factory.class.getName()) != null;
        }
    };
    /** Headers of the 101 that frame its (absent) body rather than describe the switch. */
    private static final Set<String> FRAMING = Set.of("content-length", "transfer-encoding");

    private final SessionRecorder recorder;
    private final ActiveTunnels tunnels;

    TunnelUpgrades(SessionRecorder recorder, ActiveTunnels tunnels) {
        this.recorder = recorder;
        this.tunnels = tunnels;
    }

    /** @param answered told when the API server's 101 arrives (its metrics and deadlines) */
    HttpUpgrader upgrader(Request clientRequest, RequestContext context, Runnable answered, Response proxyToClientResponse,
                          Callback proxyToClientCallback) {
        return new HttpUpgrader() {
            @Override
            public void prepare(org.eclipse.jetty.client.Request request) {
                // HeaderRules already wrote the upgrade pair.
            }

            @Override
            public void upgrade(org.eclipse.jetty.client.Response response, EndPoint apiServer, Callback upgraded) {
                answered.run();
                switchProtocols(clientRequest, context, response, apiServer, proxyToClientResponse, proxyToClientCallback, upgraded);
            }
        };
    }

    private void switchProtocols(Request clientRequest, RequestContext context, org.eclipse.jetty.client.Response switched,
                                 EndPoint apiServer, Response proxyToClientResponse, Callback proxyToClientCallback,
                                 Callback upgraded) {
        UpgradedStream stream = new UpgradedStream(context::addRequestBytes, context::addResponseBytes);
        RelayTap tap = recorder.tapFor(recordable(clientRequest, context), switched.getHeaders()).orElse(RelayTap.NONE);
        Tunnel tunnel = tunnels.open(clientRequest.getConnectionMetaData().getConnection().getEndPoint(), apiServer,
                clientRequest.getComponents().getExecutor(), clientRequest.getComponents().getByteBufferPool(),
                clientRequest.getComponents().getScheduler(), tap, stream);
        apiServer.upgrade(tunnel.serverConnection());

        proxyToClientResponse.setStatus(HttpStatus.SWITCHING_PROTOCOLS_101);
        for (HttpField field : switched.getHeaders()) {
            if (!FRAMING.contains(field.getLowerCaseName())) {
                proxyToClientResponse.getHeaders().add(field);
            }
        }
        context.upgraded(stream);
        // Jetty installs the tunnel's other end on kubectl's endpoint when the exchange completes.
        clientRequest.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, tunnel.clientConnection());
        proxyToClientResponse.write(true, BufferUtil.EMPTY_BUFFER, Callback.from(() -> {
            upgraded.succeeded();
            proxyToClientCallback.succeeded();
        }, failure -> {
            tunnel.abort(failure);
            upgraded.failed(failure);
        }));
    }

    /** exec and attach are recorded; the audit line's request id ties the recording to its request. */
    private static Optional<SessionInfo> recordable(Request request, RequestContext context) {
        ClientIdentity identity = context.identity().orElseThrow();
        return RecordingPolicy.decide(request.getHttpURI().getPath(), request.getHttpURI().getQuery(), request.getHeaders(),
                identity.user(), identity.connectionId().orElse(""), context.requestId());
    }
}
