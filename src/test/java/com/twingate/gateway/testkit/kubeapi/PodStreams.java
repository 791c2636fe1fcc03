package com.twingate.gateway.testkit.kubeapi;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * exec, attach and port-forward over WebSocket (port-forward both as kubectl 1.31+'s SPDY tunnel and as
 * kubelet's {@code v4.channel.k8s.io} channels) and SPDY/3.1: negotiates the protocol from the upgrade
 * request the way the API server does (WebSocket subprotocol, or SPDY's {@code X-Stream-Protocol-Version}),
 * answers 101, and hands the connection to the protocol. Anything it cannot serve gets a {@code Status}
 * instead of a 101, which is also what makes kubectl fall back from WebSocket to SPDY.
 */
final class PodStreams {

    private static final String PORT_FORWARD_SPDY = "portforward.k8s.io";
    private static final List<String> PORT_FORWARD_WEBSOCKET = Stream.concat(Stream.of(WebSocketTunnel.PROTOCOL),
            WebSocketPortForwarding.PROTOCOLS.stream()).toList();

    private final Cluster cluster;
    private final ServerWebSocketContainer webSockets;
    private final List<String> upgrades = new CopyOnWriteArrayList<>();

    PodStreams(Cluster cluster, ServerWebSocketContainer webSockets) {
        this.cluster = cluster;
        this.webSockets = webSockets;
    }

    /** Every upgrade answered with 101, as {@code <subresource> <Upgrade> <negotiated protocol>}. */
    List<String> upgrades() {
        return List.copyOf(upgrades);
    }

    boolean handle(String namespace, String podName, String subresource, Request request, Response response, Callback callback) {
        Optional<Cluster.Pod> found = cluster.pod(namespace, podName);
        if (found.isEmpty()) {
            Statuses.write(response, callback, HttpStatus.NOT_FOUND_404, "NotFound", "pods \"" + podName + "\" not found");
            return true;
        }
        Cluster.Pod pod = found.get();
        String upgrade = String.valueOf(request.getHeaders().get("Upgrade"));
        boolean webSocket = upgrade.equalsIgnoreCase("websocket");
        if (!webSocket && !upgrade.equalsIgnoreCase("SPDY/3.1")) {
            Statuses.write(response, callback, HttpStatus.BAD_REQUEST_400, "BadRequest", "Upgrade request required");
            return true;
        }
        List<String> offered = request.getHeaders().getCSV(webSocket ? "Sec-WebSocket-Protocol" : "X-Stream-Protocol-Version", false);
        List<String> supported = switch (subresource) {
            // kubectl 1.31+ tunnels SPDY through the WebSocket; other clients speak kubelet's v4 channels.
            case "portforward" -> webSocket ? PORT_FORWARD_WEBSOCKET : List.of(PORT_FORWARD_SPDY);
            default -> webSocket ? WebSocketCommandChannels.PROTOCOLS : SpdyCommandChannels.PROTOCOLS;
        };
        Optional<String> chosen = supported.stream().filter(offered::contains).findFirst();
        if (chosen.isEmpty()) {
            Statuses.write(response, callback, HttpStatus.FORBIDDEN_403, "Forbidden",
                    "unable to upgrade: unable to negotiate protocol: client supports " + offered + ", server supports " + supported);
            return true;
        }
        String version = chosen.get();
        try {
            return webSocket ? upgradeWebSocket(pod, subresource, version, request, response, callback)
                    : upgradeSpdy(pod, subresource, version, request, response, callback);
        } catch (IOException e) {
            Statuses.write(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "InternalError", e.getMessage());
            return true;
        }
    }

    /** Jetty's WebSocket server does the handshake and the framing; the stand-in speaks the channels. */
    private boolean upgradeWebSocket(Cluster.Pod pod, String subresource, String version, Request request, Response response,
                                     Callback callback) throws IOException {
        WebSocketConnection.Protocol protocol;
        if (subresource.equals("portforward") && !version.equals(WebSocketTunnel.PROTOCOL)) {
            WebSocketPortForwarding forwarding;
            try {
                forwarding = WebSocketPortForwarding.of(pod, Request.extractQueryParameters(request).getValues("ports"));
            } catch (ApiError refused) {
                Statuses.writeJson(response, callback, refused.code(), refused.status());
                return true;
            }
            protocol = socket -> forwarding.serve(new ChannelFraming(socket, version));
        } else if (subresource.equals("portforward")) {
            PortForwarding forwarding = new PortForwarding(pod);
            protocol = socket -> {
                WebSocketTunnel tunnel = new WebSocketTunnel(socket);
                forwarding.serve(new SpdySession(tunnel.input(), tunnel.output()));
            };
        } else {
            CommandRequest command = CommandRequest.of(request);
            Consumer<CommandChannels> session = command(pod, subresource, command);
            protocol = socket -> new WebSocketCommandChannels(socket, version, command).serve(session);
        }
        boolean upgraded = webSockets.upgrade((upgradeRequest, upgradeResponse, upgradeCallback) -> {
            upgradeResponse.setAcceptedSubProtocol(version);
            return new WebSocketConnection(protocol);
        }, request, response, callback);
        if (!upgraded) {
            Statuses.write(response, callback, HttpStatus.BAD_REQUEST_400, "BadRequest", "not a valid WebSocket upgrade request");
            return true;
        }
        upgrades.add(subresource + " websocket " + version);
        return true;
    }

    private boolean upgradeSpdy(Cluster.Pod pod, String subresource, String version, Request request, Response response,
                                Callback callback) throws IOException {
        UpgradedConnection.Protocol protocol;
        if (subresource.equals("portforward")) {
            PortForwarding forwarding = new PortForwarding(pod);
            protocol = (in, out) -> forwarding.serve(new SpdySession(in, out));
        } else {
            CommandRequest command = CommandRequest.of(request);
            Consumer<CommandChannels> session = command(pod, subresource, command);
            protocol = (in, out) -> new SpdyCommandChannels(new SpdySession(in, out), version, command).serve(session);
        }
        response.setStatus(HttpStatus.SWITCHING_PROTOCOLS_101);
        response.getHeaders().put("Connection", "Upgrade");
        response.getHeaders().put("Upgrade", "SPDY/3.1");
        response.getHeaders().put("X-Stream-Protocol-Version", version);
        upgrades.add(subresource + " SPDY/3.1 " + version);
        // Jetty installs the connection on kubectl's endpoint once the 101 is written.
        request.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, new UpgradedConnection(
                request.getConnectionMetaData().getConnection().getEndPoint(), request.getComponents().getExecutor(), protocol));
        callback.succeeded();
        return true;
    }

    /** exec runs the request's command; attach joins the pod's main process. */
    private Consumer<CommandChannels> command(Cluster.Pod pod, String subresource, CommandRequest command) throws IOException {
        if (subresource.equals("attach")) {
            return cluster.runningMainProcess(pod)::attach;
        }
        return channels -> Exec.run(pod, command, channels);
    }
}
