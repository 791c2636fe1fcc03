package com.twingate.gateway.proxy;

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
 *
 * <p>A session to be recorded whose recording cannot start is refused here, before the 101 reaches
 * kubectl: the API server's endpoint is closed and kubectl is answered 503 ({@link RecordingRefused}).
 * A recording that fails later ends the tunnel, and the audit line says why.
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

    /**
     * @param recorded what the recording policy decided for this request (empty: not recorded)
     * @param answered told when the API server's 101 arrives (its metrics and deadlines)
     */
    HttpUpgrader upgrader(Request clientRequest, RequestContext context, Optional<SessionInfo> recorded, Runnable answered,
                          Response proxyToClientResponse, Callback proxyToClientCallback) {
        return new HttpUpgrader() {
            @Override
            public void prepare(org.eclipse.jetty.client.Request request) {
                // HeaderRules already wrote the upgrade pair.
            }

            @Override
            public void upgrade(org.eclipse.jetty.client.Response response, EndPoint apiServer, Callback upgraded) {
                answered.run();
                SessionRecorder.Start recording = recorder.start(recorded, response.getHeaders());
                if (recording instanceof SessionRecorder.Refused refused) {
                    apiServer.close();
                    upgraded.failed(new RecordingRefused(refused.reason()));
                    return;
                }
                switchProtocols(clientRequest, context, response, apiServer, recording, proxyToClientResponse, proxyToClientCallback,
                        upgraded);
            }
        };
    }

    private void switchProtocols(Request clientRequest, RequestContext context, org.eclipse.jetty.client.Response switched,
                                 EndPoint apiServer, SessionRecorder.Start recording, Response proxyToClientResponse,
                                 Callback proxyToClientCallback, Callback upgraded) {
        UpgradedStream stream = new UpgradedStream(context::addRequestBytes, context::addResponseBytes);
        RelayTap tap = recording instanceof SessionRecorder.Recording recorded ? recorded.tap() : RelayTap.NONE;
        Tunnel tunnel = tunnels.open(clientRequest.getConnectionMetaData().getConnection().getEndPoint(), apiServer,
                clientRequest.getComponents().getExecutor(), clientRequest.getComponents().getByteBufferPool(),
                clientRequest.getComponents().getScheduler(), tap, stream);
        if (recording instanceof SessionRecorder.Recording recorded) {
            recorded.tap().whenMustEnd(why -> {
                context.gatewayFailed(why);
                tunnel.end(new RecordingRefused(why));
            });
        }
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
}
