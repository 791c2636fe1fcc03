package com.twingate.gateway.testkit.kubeapi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the stand-in API server holds. Pods are directories under the sandbox root: what an exec runs,
 * it runs there.
 */
public final class Cluster implements AutoCloseable {

    /** A pod as the stream handlers need it: where it lives and which containers it has. */
    public record Pod(String namespace, String name, Path sandbox, List<String> containers) {}

    private final Path sandboxes;
    private final Map<String, Pod> pods = new ConcurrentHashMap<>();

    Cluster(Path sandboxes) {
        this.sandboxes = sandboxes;
    }

    /** Adds (or replaces) a running pod with one container, {@code main}. */
    public Pod addPod(String namespace, String name) {
        Path sandbox = sandboxes.resolve(namespace).resolve(name);
        try {
            Files.createDirectories(sandbox);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Pod pod = new Pod(namespace, name, sandbox, List.of("main"));
        pods.put(namespace + "/" + name, pod);
        return pod;
    }

    public Optional<Pod> pod(String namespace, String name) {
        return Optional.ofNullable(pods.get(namespace + "/" + name));
    }

    @Override
    public void close() {
        // Processes started for pods are stopped by their owners; sandboxes are the caller's directory.
    }
}
