package com.twingate.gateway.testkit.kubeapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A watch: a chunked stream of JSON events, {@code {"type":"ADDED","object":{…}}}, one per change after
 * the requested {@code resourceVersion}, each sent the moment it happens. Without a resource version
 * (or with {@code 0}) it first sends every current object as {@code ADDED}, as the API server does. It
 * lasts until {@code timeoutSeconds}, the client leaving, or the stand-in stopping.
 */
final class Watch {

    /** How long one wait for events lasts before the loop looks at its deadline again. */
    private static final Duration ROUND = Duration.ofSeconds(30);

    private Watch() {}

    static void start(ObjectStore objects, ResourceType type, String namespace, Predicate<ObjectNode> filter,
            boolean asTable, Request request, Response response, Callback callback) {
        String includeObject = Exchanges.query(request, "includeObject");
        Function<ObjectNode, ObjectNode> shown = asTable
                ? object -> Tables.of(type, List.of(object), Exchanges.number("resourceVersion",
                        object.at("/metadata/resourceVersion").asText()), includeObject)
                : Function.identity();
        String requestedVersion = Exchanges.query(request, "resourceVersion");
        String timeoutSeconds = Exchanges.query(request, "timeoutSeconds");
        Duration lifetime = timeoutSeconds == null ? ChronoUnit.FOREVER.getDuration()
                : Duration.ofSeconds(Exchanges.number("timeoutSeconds", timeoutSeconds));
        long started = System.nanoTime();
        Predicate<ObjectStore.Event> matches = event -> event.resource().equals(type)
                && (namespace == null || namespace.equals(event.object().path("metadata").path("namespace").asText()))
                && filter.test(event.object());
        boolean fromNow = requestedVersion == null || requestedVersion.isEmpty() || requestedVersion.equals("0");
        ObjectStore.Listing current = fromNow ? objects.list(type, namespace, filter) : null;
        long start = fromNow ? current.resourceVersion() : Exchanges.number("resourceVersion", requestedVersion);
        Exchanges.stream("watch " + type.name(), request, response, callback, "application/json", out -> {
            if (fromNow) {
                for (ObjectNode object : current.items()) {
                    send(out, "ADDED", shown.apply(object));
                }
            }
            long through = start;
            Duration left;
            while ((left = lifetime.minusNanos(System.nanoTime() - started)).isPositive()) {
                ObjectStore.Events events = objects.eventsAfter(through, matches, left.compareTo(ROUND) < 0 ? left : ROUND);
                if (events.closed()) {
                    return;
                }
                if (events.expired()) {
                    send(out, "ERROR", Statuses.JSON.valueToTree(Statuses.failure(410, "Expired",
                            "too old resource version: " + start + " (" + objects.resourceVersion() + ")")));
                    return;
                }
                for (ObjectStore.Event event : events.events()) {
                    send(out, event.type(), shown.apply(event.object()));
                }
                through = events.through();
            }
        });
    }

    private static void send(Response out, String type, ObjectNode object) throws IOException {
        byte[] line = Statuses.JSON.writeValueAsBytes(Map.of("type", type, "object", object));
        ByteBuffer chunk = ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip();
        Exchanges.write(out, chunk);
    }
}
