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
    private final Map<String, MainProcess> mainProcesses = new ConcurrentHashMap<>();

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

    /** The pod's main process (what attach connects to), if it has been started and is still running. */
    public Optional<MainProcess> mainProcess(String namespace, String name) {
        return Optional.ofNullable(mainProcesses.get(namespace + "/" + name)).filter(MainProcess::isRunning);
    }

    /** The pod's main process, started now if it is not running (a container's restart). */
    MainProcess runningMainProcess(Pod pod) throws IOException {
        String key = pod.namespace() + "/" + pod.name();
        synchronized (mainProcesses) {
            MainProcess main = mainProcesses.get(key);
            if (main == null || !main.isRunning()) {
                main = MainProcess.start(pod);
                mainProcesses.put(key, main);
            }
            return main;
        }
    }

    @Override
    public void close() {
        // Exec processes end with their sessions; main processes live as long as the cluster. Sandboxes are
        // the caller's directory.
        mainProcesses.values().forEach(MainProcess::stop);
    }
}
