package com.twingate.gateway.testkit.kubeapi;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Every object the API server holds, as JSON, with what the API server adds to them: {@code uid},
 * {@code creationTimestamp}, {@code namespace} and a {@code resourceVersion} from one counter shared by
 * all objects, as etcd's revision is. Each change is kept as a watch event so that a watch can start at
 * the resource version a list returned.
 */
final class ObjectStore {

    /** One change, as a watch reports it: {@code ADDED}, {@code MODIFIED} or {@code DELETED}. */
    record Event(long resourceVersion, String type, ResourceType resource, ObjectNode object) {}

    /** Told of every change while the store's lock is held, so that it sees changes in their order. */
    interface Listener {
        void changed(Event event);
    }

    /** What a watch gets on waking: new events, or that it can no longer be served from where it is. */
    record Events(List<Event> events, long through, boolean expired, boolean closed) {}

    /** A list's items and the resource version to watch from. */
    record Listing(List<ObjectNode> items, long resourceVersion) {}

    /** Enough to relist and rewatch from; older watches get 410 Gone, as from the real API server. */
    private static final int HISTORY = 1000;

    private record Key(String resource, String namespace, String name) {}

    private static final Comparator<Key> ORDER =
            Comparator.comparing(Key::resource).thenComparing(Key::namespace).thenComparing(Key::name);

    private final Map<Key, ObjectNode> objects = new TreeMap<>(ORDER);
    private final ArrayDeque<Event> history = new ArrayDeque<>();
    private final Listener listener;
    private long resourceVersion;
    private boolean closed;

    ObjectStore(Listener listener) {
        this.listener = listener;
    }

    synchronized ObjectNode create(ResourceType type, String namespace, ObjectNode object) {
        ObjectNode metadata = object.withObject("metadata");
        String name = metadata.path("name").asText("");
        if (name.isEmpty() && metadata.hasNonNull("generateName")) {
            name = metadata.get("generateName").asText() + randomSuffix();
            metadata.put("name", name);
        }
        if (name.isEmpty()) {
            throw ApiError.invalid(type, name, "metadata.name: Required value: name or generateName is required");
        }
        if (type.namespaced()) {
            requireNamespace(namespace);
        }
        Key key = key(type, namespace, name);
        if (objects.containsKey(key)) {
            throw ApiError.alreadyExists(type, name);
        }
        object.put("kind", type.kind());
        object.put("apiVersion", type.apiVersion());
        if (type.namespaced()) {
            metadata.put("namespace", namespace);
        } else {
            metadata.remove("namespace");
        }
        metadata.put("uid", UUID.randomUUID().toString());
        metadata.put("creationTimestamp", DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS)));
        return store(key, "ADDED", type, object);
    }

    /** Deletes the object {@code object} names, if there is one, and creates {@code object} in its place. */
    synchronized ObjectNode recreate(ResourceType type, String namespace, ObjectNode object) {
        String name = object.path("metadata").path("name").asText();
        if (objects.containsKey(key(type, namespace, name))) {
            delete(type, namespace, name);
        }
        return create(type, namespace, object);
    }

    synchronized Optional<ObjectNode> get(ResourceType type, String namespace, String name) {
        return Optional.ofNullable(objects.get(key(type, namespace, name))).map(ObjectNode::deepCopy);
    }

    /** Objects of {@code type}, in one namespace or (namespace null) in all, that {@code filter} accepts. */
    synchronized Listing list(ResourceType type, String namespace, Predicate<ObjectNode> filter) {
        List<ObjectNode> items = new ArrayList<>();
        objects.forEach((key, object) -> {
            if (key.resource().equals(type.name()) && (namespace == null || key.namespace().equals(namespace))
                    && filter.test(object)) {
                items.add(object.deepCopy());
            }
        });
        return new Listing(items, resourceVersion);
    }

    /**
     * Replaces an object with what {@code change} makes of a copy of it. What the server owns
     * ({@code uid}, {@code creationTimestamp}, name and namespace) stays; a {@code resourceVersion} in the
     * new object must match the stored one, the optimistic concurrency kubectl's edits rely on. A change
     * that changes nothing is not a new version.
     */
    synchronized ObjectNode update(ResourceType type, String namespace, String name, UnaryOperator<ObjectNode> change) {
        Key key = key(type, namespace, name);
        ObjectNode current = objects.get(key);
        if (current == null) {
            throw ApiError.notFound(type, name);
        }
        ObjectNode updated = change.apply(current.deepCopy());
        ObjectNode metadata = updated.withObject("metadata");
        String expectedVersion = metadata.path("resourceVersion").asText("");
        String currentVersion = current.path("metadata").path("resourceVersion").asText();
        if (!expectedVersion.isEmpty() && !expectedVersion.equals(currentVersion)) {
            throw ApiError.conflict(type, name, "the object has been modified; please apply your changes to the latest"
                    + " version and try again");
        }
        if (!metadata.path("name").asText(name).equals(name)) {
            throw ApiError.badRequest("the name of the object (" + metadata.path("name").asText()
                    + ") does not match the name on the URL (" + name + ")");
        }
        ObjectNode kept = current.get("metadata").deepCopy();
        for (String owned : List.of("name", "namespace", "uid", "creationTimestamp")) {
            if (kept.has(owned)) {
                metadata.set(owned, kept.get(owned));
            }
        }
        updated.put("kind", type.kind());
        updated.put("apiVersion", type.apiVersion());
        metadata.put("resourceVersion", currentVersion);
        if (updated.equals(current)) {
            return current.deepCopy();
        }
        return store(key, "MODIFIED", type, updated);
    }

    synchronized ObjectNode delete(ResourceType type, String namespace, String name) {
        Key key = key(type, namespace, name);
        ObjectNode removed = objects.remove(key);
        if (removed == null) {
            throw ApiError.notFound(type, name);
        }
        long version = ++resourceVersion;
        ObjectNode last = removed.deepCopy();
        last.withObject("metadata").put("resourceVersion", Long.toString(version));
        record(new Event(version, "DELETED", type, last));
        if (type.equals(ResourceType.NAMESPACES)) {
            List<Key> contents = objects.keySet().stream().filter(k -> k.namespace().equals(name)).toList();
            for (Key inside : contents) {
                delete(ResourceType.named(inside.resource()).orElseThrow(), name, inside.name());
            }
        }
        return removed.deepCopy();
    }

    /**
     * Waits up to {@code maxWait} for events after {@code afterVersion} that {@code filter} accepts, or
     * for the store to close. {@link Events#through()} is where the next call continues from.
     */
    synchronized Events eventsAfter(long afterVersion, Predicate<Event> filter, Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        long through = afterVersion;
        while (!closed) {
            if (!history.isEmpty() && history.peekFirst().resourceVersion() > through + 1) {
                return new Events(List.of(), through, true, false);
            }
            List<Event> found = new ArrayList<>();
            for (Event event : history) {
                if (event.resourceVersion() > through && filter.test(event)) {
                    found.add(event);
                }
            }
            // Events the filter rejected need not be looked at again.
            through = resourceVersion;
            long left = deadline - System.nanoTime();
            if (!found.isEmpty() || left <= 0) {
                return new Events(found, through, false, false);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return new Events(List.of(), through, false, true);
    }

    synchronized long resourceVersion() {
        return resourceVersion;
    }

    /** Ends every watch waiting on this store. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    private void requireNamespace(String namespace) {
        if (!objects.containsKey(key(ResourceType.NAMESPACES, null, namespace))) {
            throw ApiError.notFound(ResourceType.NAMESPACES, namespace);
        }
    }

    private ObjectNode store(Key key, String eventType, ResourceType type, ObjectNode object) {
        long version = ++resourceVersion;
        object.withObject("metadata").put("resourceVersion", Long.toString(version));
        objects.put(key, object);
        record(new Event(version, eventType, type, object.deepCopy()));
        return object.deepCopy();
    }

    private void record(Event event) {
        history.addLast(event);
        if (history.size() > HISTORY) {
            history.removeFirst();
        }
        listener.changed(event);
        notifyAll();
    }

    private static Key key(ResourceType type, String namespace, String name) {
        return new Key(type.name(), type.namespaced() ? namespace : "", name);
    }

    private static String randomSuffix() {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder suffix = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            suffix.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return suffix.toString();
    }

    static ObjectNode newObject() {
        return JsonNodeFactory.instance.objectNode();
    }
}
