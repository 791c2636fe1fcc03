package com.twingate.gateway.testkit.kubeapi;

import java.util.List;
import java.util.Optional;

/**
 * A kind of object the stand-in stores, described as discovery lists it. All of them live in the core
 * group ({@code v1}); the store is generic over these, so adding one here is all it takes to serve it.
 */
record ResourceType(String name, String kind, boolean namespaced, List<String> shortNames) {

    static final ResourceType NAMESPACES = new ResourceType("namespaces", "Namespace", false, List.of("ns"));
    static final ResourceType PODS = new ResourceType("pods", "Pod", true, List.of("po"));
    static final ResourceType CONFIGMAPS = new ResourceType("configmaps", "ConfigMap", true, List.of("cm"));

    static final List<ResourceType> ALL = List.of(NAMESPACES, PODS, CONFIGMAPS);

    static final List<String> VERBS = List.of("create", "delete", "get", "list", "patch", "update", "watch");

    static Optional<ResourceType> named(String name) {
        return ALL.stream().filter(type -> type.name.equals(name)).findFirst();
    }

    String apiVersion() {
        return "v1";
    }
}
