package com.twingate.gateway.testkit.kubeapi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /api/v1/namespaces/{ns}/pods/{pod}/log} with {@code container}, {@code tailLines} and
 * {@code follow}. Followed, the response stays open and each appended line is sent as it comes, until
 * the pod is deleted, the client leaves or the stand-in stops.
 */
final class PodLogs {

    private static final Duration ROUND = Duration.ofSeconds(30);

    private final Cluster cluster;

    PodLogs(Cluster cluster) {
        this.cluster = cluster;
    }

    void handle(String namespace, String name, Request request, Response response, Callback callback) {
        Cluster.Pod pod = cluster.pod(namespace, name).orElseThrow(() -> ApiError.notFound(ResourceType.PODS, name));
        PodLog log = cluster.log(namespace, name).orElseThrow(() -> ApiError.notFound(ResourceType.PODS, name));
        String container = Exchanges.query(request, "container");
        if (container == null && pod.containers().size() != 1) {
            throw ApiError.badRequest("a container name must be specified for pod " + name + ", choose one of: "
                    + pod.containers());
        }
        if (container != null && !pod.containers().contains(container)) {
            throw ApiError.badRequest("container " + container + " is not valid for pod " + name);
        }
        String tailLines = Exchanges.query(request, "tailLines");
        int from = tailLines == null ? 0 : (int) Math.max(0, log.size() - Exchanges.number("tailLines", tailLines));
        if (!Exchanges.isTrue(Exchanges.query(request, "follow"))) {
            try {
                List<String> lines = log.from(from, Duration.ZERO).lines();
                response.getHeaders().put("Content-Type", "text/plain");
                response.setStatus(HttpStatus.OK_200);
                response.write(true, ByteBuffer.wrap(text(lines)), callback);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                callback.failed(e);
            }
            return;
        }
        Exchanges.stream("logs " + namespace + "/" + name, request, response, callback, "text/plain", out -> {
            int next = from;
            while (true) {
                PodLog.Lines lines = log.from(next, ROUND);
                if (!lines.lines().isEmpty()) {
                    Exchanges.write(out, ByteBuffer.wrap(text(lines.lines())));
                    next += lines.lines().size();
                } else if (lines.ended()) {
                    return;
                }
            }
        });
    }

    private static byte[] text(List<String> lines) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (String line : lines) {
            text.writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return text.toByteArray();
    }
}
