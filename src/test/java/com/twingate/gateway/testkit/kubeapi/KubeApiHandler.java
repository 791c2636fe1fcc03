package com.twingate.gateway.testkit.kubeapi;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * Authenticates every request by the upstream bearer token, records its impersonation, then sends pod
 * streams (exec, attach, port-forward) to {@link PodStreams} and everything else to {@link RestApi}.
 */
final class KubeApiHandler extends Handler.Abstract {

    /** {@code /api/v1/namespaces/{ns}/pods/{pod}/{exec|attach|portforward}}. */
    static final Pattern POD_STREAM = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/(exec|attach|portforward)");

    private final String expectedAuthorization;
    private final List<Impersonation> impersonations = new CopyOnWriteArrayList<>();
    private final RestApi rest;
    private final PodStreams streams;

    KubeApiHandler(String bearerToken, Cluster cluster, ServerWebSocketContainer webSockets) {
        this.expectedAuthorization = "Bearer " + bearerToken;
        this.rest = new RestApi(cluster);
        this.streams = new PodStreams(cluster, webSockets);
    }

    List<Impersonation> impersonations() {
        return List.copyOf(impersonations);
    }

    List<String> upgrades() {
        return streams.upgrades();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!expectedAuthorization.equals(request.getHeaders().get("Authorization"))) {
            Statuses.write(response, callback, HttpStatus.UNAUTHORIZED_401, "Unauthorized", "Unauthorized");
            return true;
        }
        String path;
        try {
            // Go's URL.Path: every escape decoded, an escaped slash included; '+' is a plus.
            path = URLDecoder.decode(request.getHttpURI().getPath().replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            Statuses.write(response, callback, HttpStatus.BAD_REQUEST_400, "BadRequest", "invalid URL escape");
            return true;
        }
        impersonations.add(new Impersonation(request.getMethod(), path, request.getHeaders().get("Impersonate-User"),
                request.getHeaders().getValuesList("Impersonate-Group"), request.getConnectionMetaData().getProtocol()));
        Matcher stream = POD_STREAM.matcher(path);
        if (stream.matches()) {
            return streams.handle(stream.group(1), stream.group(2), stream.group(3), request, response, callback);
        }
        return rest.handle(request, response, callback);
    }
}
