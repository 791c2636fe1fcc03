package com.twingate.gateway.testkit.kubeapi;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /api/v1/namespaces/{ns}/pods/{name}}, which kubectl exec, attach, cp and port-forward send
 * before they upgrade. Temporary: it stands in for the REST part of the stand-in until that is merged,
 * which serves pods properly (containers with {@code stdin} and {@code tty}, as attach checks them).
 */
final class PodLookup {

    private static final Pattern POD = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)");

    private final Cluster cluster;

    PodLookup(Cluster cluster) {
        this.cluster = cluster;
    }

    /** Answers and returns true for a GET of one pod; false for every other request. */
    boolean handle(Request request, Response response, Callback callback) {
        Matcher pod = POD.matcher(request.getHttpURI().getPath());
        if (!request.getMethod().equals("GET") || !pod.matches()) {
            return false;
        }
        Optional<Cluster.Pod> found = cluster.pod(pod.group(1), pod.group(2));
        if (found.isEmpty()) {
            Statuses.write(response, callback, HttpStatus.NOT_FOUND_404, "NotFound", "pods \"" + pod.group(2) + "\" not found");
            return true;
        }
        List<Map<String, Object>> containers = found.get().containers().stream()
                .map(name -> Map.<String, Object>of("name", name, "image", "stand-in", "stdin", true, "tty", true)).toList();
        Statuses.writeJson(response, callback, HttpStatus.OK_200, Map.of(
                "kind", "Pod", "apiVersion", "v1",
                "metadata", Map.of("name", found.get().name(), "namespace", found.get().namespace()),
                "spec", Map.of("containers", containers),
                "status", Map.of("phase", "Running")));
        return true;
    }
}
