package com.twingate.gateway.testkit.kubeapi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the API server says it serves. Always legacy discovery, in plain JSON: kubectl asks for the
 * aggregated form ({@code APIGroupDiscoveryList}) first and, answered with {@code application/json}
 * {@code APIVersions}/{@code APIGroupList}, falls back to fetching each group version.
 */
final class Discovery {

    static final String AUTHENTICATION = "authentication.k8s.io";
    /** kubectl 1.27 asks v1beta1 then v1alpha1 for SelfSubjectReview; later versions ask v1 first. */
    static final List<String> AUTHENTICATION_VERSIONS = List.of("v1", "v1beta1", "v1alpha1");

    private Discovery() {}

    /** The document at {@code path}, if it is a discovery path. */
    static Optional<Object> document(String path) {
        return Optional.ofNullable(switch (path) {
            case "/version" -> version();
            case "/api" -> Map.of("kind", "APIVersions", "versions", List.of("v1"),
                    "serverAddressByClientCIDRs", List.of(Map.of("clientCIDR", "0.0.0.0/0", "serverAddress", "127.0.0.1")));
            case "/api/v1" -> coreResources();
            case "/apis" -> Map.of("kind", "APIGroupList", "apiVersion", "v1", "groups", List.of(authenticationGroup()));
            case "/apis/" + AUTHENTICATION -> authenticationGroup();
            default -> authenticationResources(path);
        });
    }

    private static Map<String, Object> version() {
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("major", "1");
        version.put("minor", "30");
        version.put("gitVersion", "v1.30.0-stand-in");
        version.put("gitCommit", "0000000000000000000000000000000000000000");
        version.put("gitTreeState", "clean");
        version.put("buildDate", "2024-04-17T00:00:00Z");
        version.put("goVersion", "go1.22.2");
        version.put("compiler", "gc");
        version.put("platform", "linux/amd64");
        return version;
    }

    private static Map<String, Object> coreResources() {
        List<Map<String, Object>> resources = new ArrayList<>();
        for (ResourceType type : ResourceType.ALL) {
            Map<String, Object> resource = new LinkedHashMap<>();
            resource.put("name", type.name());
            resource.put("singularName", type.kind().toLowerCase());
            resource.put("namespaced", type.namespaced());
            resource.put("kind", type.kind());
            resource.put("verbs", ResourceType.VERBS);
            resource.put("shortNames", type.shortNames());
            resources.add(resource);
        }
        resources.add(subresource("pods/attach", "PodAttachOptions", List.of("create", "get")));
        resources.add(subresource("pods/exec", "PodExecOptions", List.of("create", "get")));
        resources.add(subresource("pods/log", "Pod", List.of("get")));
        resources.add(subresource("pods/portforward", "PodPortForwardOptions", List.of("create", "get")));
        return Map.of("kind", "APIResourceList", "groupVersion", "v1", "resources", resources);
    }

    private static Map<String, Object> subresource(String name, String kind, List<String> verbs) {
        return Map.of("name", name, "singularName", "", "namespaced", true, "kind", kind, "verbs", verbs);
    }

    private static Map<String, Object> authenticationGroup() {
        List<Map<String, String>> versions = AUTHENTICATION_VERSIONS.stream()
                .map(version -> Map.of("groupVersion", AUTHENTICATION + "/" + version, "version", version))
                .toList();
        return Map.of("kind", "APIGroup", "apiVersion", "v1", "name", AUTHENTICATION, "versions", versions,
                "preferredVersion", versions.getFirst());
    }

    private static Map<String, Object> authenticationResources(String path) {
        for (String version : AUTHENTICATION_VERSIONS) {
            if (path.equals("/apis/" + AUTHENTICATION + "/" + version)) {
                return Map.of("kind", "APIResourceList", "apiVersion", "v1", "groupVersion", AUTHENTICATION + "/" + version,
                        "resources", List.of(Map.of("name", "selfsubjectreviews", "singularName", "selfsubjectreview",
                                "namespaced", false, "kind", "SelfSubjectReview", "verbs", List.of("create"))));
            }
        }
        return null;
    }
}
