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
 * What kubectl exec, attach, cp and port-forward ask before they upgrade: discovery ({@code /api},
 * {@code /apis}, {@code /api/v1}, to map "pod" to its resource) and {@code GET
 * /api/v1/namespaces/{ns}/pods/{name}}. Temporary: it stands in for the REST part of the stand-in until
 * that is merged, which serves all of this properly (pod containers with {@code stdin} and {@code tty},
 * as attach checks them).
 */
final class PodLookup {

    private static final Pattern POD = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)");

    private final Cluster cluster;

    PodLookup(Cluster cluster) {
        this.cluster = cluster;
    }

    /** Answers and returns true for discovery and a GET of one pod; false for every other request. */
    boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        if (!request.getMethod().equals("GET")) {
            return false;
        }
        switch (path) {
            case "/api" -> Statuses.writeJson(response, callback, HttpStatus.OK_200, Map.of("kind", "APIVersions", "versions", List.of("v1"),
                    "serverAddressByClientCIDRs", List.of(Map.of("clientCIDR", "0.0.0.0/0", "serverAddress", "127.0.0.1"))));
            case "/apis" -> Statuses.writeJson(response, callback, HttpStatus.OK_200, Map.of("kind", "APIGroupList", "apiVersion", "v1",
                    "groups", List.of()));
            case "/api/v1" -> Statuses.writeJson(response, callback, HttpStatus.OK_200, Map.of("kind", "APIResourceList",
                    "groupVersion", "v1", "resources", List.of(
                            Map.of("name", "pods", "singularName", "pod", "namespaced", true, "kind", "Pod",
                                    "verbs", List.of("get", "list"), "shortNames", List.of("po")),
                            subresource("pods/exec", "PodExecOptions"), subresource("pods/attach", "PodAttachOptions"),
                            subresource("pods/portforward", "PodPortForwardOptions"))));
            default -> {
                return pod(path, response, callback);
            }
        }
        return true;
    }

    private static Map<String, Object> subresource(String name, String kind) {
        return Map.of("name", name, "singularName", "", "namespaced", true, "kind", kind, "verbs", List.of("create", "get"));
    }

    private boolean pod(String path, Response response, Callback callback) {
        Matcher pod = POD.matcher(path);
        if (!pod.matches()) {
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
