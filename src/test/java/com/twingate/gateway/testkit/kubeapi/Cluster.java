package com.twingate.gateway.testkit.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the stand-in API server holds: objects (namespaces, pods, config maps) and, for each pod, a
 * sandbox directory and a log. Pods are directories under the sandbox root: what an exec runs, it runs
 * there. A pod created through the API gets its directory and log just as one added here does.
 */
public final class Cluster implements AutoCloseable {

    /** A pod as the stream handlers need it: where it lives and which containers it has. */
    public record Pod(String namespace, String name, Path sandbox, List<String> containers) {}

    private final Path sandboxes;
    private final Map<String, Pod> pods = new ConcurrentHashMap<>();
    private final Map<String, PodLog> logs = new ConcurrentHashMap<>();
    private final ObjectStore objects = new ObjectStore(this::follow);
    private final Map<String, MainProcess> mainProcesses = new ConcurrentHashMap<>();

    Cluster(Path sandboxes) {
        this.sandboxes = sandboxes;
        addNamespace("default");
    }

    /**
     * Adds (or replaces) a running pod with one container, {@code main}, whose main process is a shell on a
     * terminal (so {@code kubectl attach -it} gets one); its namespace too, if missing.
     */
    public Pod addPod(String namespace, String name) {
        addNamespace(namespace);
        ObjectNode pod = ObjectStore.newObject();
        pod.withObject("metadata").put("name", name);
        pod.withObject("spec").withArray("containers").addObject().put("name", "main").put("image", "stand-in")
                .put("stdin", true).put("tty", true);
        objects.recreate(ResourceType.PODS, namespace, PodStatus.running(pod));
        return pod(namespace, name).orElseThrow();
    }

    /** Adds a namespace unless it exists. */
    public void addNamespace(String name) {
        if (objects.get(ResourceType.NAMESPACES, null, name).isEmpty()) {
            ObjectNode namespace = ObjectStore.newObject();
            namespace.withObject("metadata").put("name", name);
            namespace.withObject("status").put("phase", "Active");
            objects.create(ResourceType.NAMESPACES, null, namespace);
        }
    }

    public Optional<Pod> pod(String namespace, String name) {
        return Optional.ofNullable(pods.get(namespace + "/" + name));
    }

    /** Appends a line to a pod's log, which {@code kubectl logs} shows and {@code logs -f} streams. */
    public void appendLog(String namespace, String pod, String line) {
        PodLog log = logs.get(namespace + "/" + pod);
        if (log == null) {
            throw new IllegalArgumentException("no pod " + namespace + "/" + pod);
        }
        log.append(line);
    }

    ObjectStore objects() {
        return objects;
    }

    Optional<PodLog> log(String namespace, String pod) {
        return Optional.ofNullable(logs.get(namespace + "/" + pod));
    }

    /** Keeps pods' sandboxes, containers and logs in step with the pod objects, however they changed. */
    private void follow(ObjectStore.Event event) {
        if (!event.resource().equals(ResourceType.PODS)) {
            return;
        }
        JsonNode metadata = event.object().path("metadata");
        String namespace = metadata.path("namespace").asText();
        String name = metadata.path("name").asText();
        String key = namespace + "/" + name;
        if (event.type().equals("DELETED")) {
            pods.remove(key);
            PodLog log = logs.remove(key);
            if (log != null) {
                log.end();
            }
            MainProcess main = mainProcesses.remove(key);
            if (main != null) {
                main.stop();
            }
            return;
        }
        Path sandbox = sandboxes.resolve(namespace).resolve(name);
        try {
            // Every container image has a /tmp, and kubectl cp's examples write there.
            Files.createDirectories(sandbox.resolve("tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> containers = new ArrayList<>();
        event.object().path("spec").path("containers").forEach(container -> containers.add(container.path("name").asText()));
        pods.put(key, new Pod(namespace, name, sandbox, List.copyOf(containers)));
        logs.computeIfAbsent(key, ignored -> new PodLog());
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
        // Ends watches, followed logs and main processes (they live as long as their pod); exec processes
        // end with their sessions, and sandboxes are the caller's directory.
        objects.close();
        logs.values().forEach(PodLog::end);
        mainProcesses.values().forEach(MainProcess::stop);
    }
}
