package com.twingate.gateway.testkit.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Function;
import org.eclipse.jetty.server.Request;

/**
 * Server-side printing: kubectl get asks for a {@code meta.k8s.io/v1} {@code Table} and prints its
 * columns as they come, so the stand-in's pods show READY and STATUS as a real cluster's do.
 */
final class Tables {

    /** One column: its definition and how a row's cell is computed. */
    private record Column(String name, String type, String format, int priority, Function<ObjectNode, Object> cell) {}

    private static final Column NAME = new Column("Name", "string", "name", 0, object -> object.at("/metadata/name").asText());
    private static final Column AGE = new Column("Age", "string", "", 0, Tables::age);

    private Tables() {}

    /** Whether kubectl asked for a table ({@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io,…}). */
    static boolean wanted(Request request) {
        String accept = request.getHeaders().get("Accept");
        return accept != null && accept.contains("as=Table") && accept.contains("g=meta.k8s.io");
    }

    /** {@code objects} as table rows; each row carries its object as {@code includeObject} asks (metadata by default). */
    static ObjectNode of(ResourceType type, List<ObjectNode> objects, long resourceVersion, String includeObject) {
        ObjectNode table = ObjectStore.newObject();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        table.putObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
        List<Column> columns = columns(type);
        ArrayNode definitions = table.putArray("columnDefinitions");
        for (Column column : columns) {
            definitions.addObject().put("name", column.name()).put("type", column.type()).put("format", column.format())
                    .put("description", column.name()).put("priority", column.priority());
        }
        ArrayNode rows = table.putArray("rows");
        for (ObjectNode object : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            columns.forEach(column -> cells.addPOJO(column.cell().apply(object)));
            if ("Object".equals(includeObject)) {
                row.set("object", object);
            } else if (!"None".equals(includeObject)) {
                ObjectNode metadataOnly = row.putObject("object");
                metadataOnly.put("kind", "PartialObjectMetadata");
                metadataOnly.put("apiVersion", "meta.k8s.io/v1");
                metadataOnly.set("metadata", object.get("metadata"));
            }
        }
        return table;
    }

    private static List<Column> columns(ResourceType type) {
        if (type.equals(ResourceType.PODS)) {
            return List.of(NAME,
                    new Column("Ready", "string", "", 0, pod -> ready(pod) + "/" + pod.at("/spec/containers").size()),
                    new Column("Status", "string", "", 0, pod -> pod.at("/status/phase").asText()),
                    new Column("Restarts", "string", "", 0, pod -> "0"),
                    AGE,
                    new Column("IP", "string", "", 1, pod -> pod.at("/status/podIP").asText("<none>")),
                    new Column("Node", "string", "", 1, pod -> pod.at("/spec/nodeName").asText("<none>")));
        }
        if (type.equals(ResourceType.CONFIGMAPS)) {
            return List.of(NAME, new Column("Data", "integer", "", 0,
                    map -> map.path("data").size() + map.path("binaryData").size()), AGE);
        }
        if (type.equals(ResourceType.NAMESPACES)) {
            return List.of(NAME, new Column("Status", "string", "", 0, namespace -> namespace.at("/status/phase").asText()), AGE);
        }
        return List.of(NAME, AGE);
    }

    private static long ready(ObjectNode pod) {
        long ready = 0;
        for (JsonNode status : pod.at("/status/containerStatuses")) {
            if (status.path("ready").asBoolean()) {
                ready++;
            }
        }
        return ready;
    }

    private static String age(ObjectNode object) {
        try {
            return humanDuration(Duration.between(Instant.parse(object.at("/metadata/creationTimestamp").asText()), Instant.now()));
        } catch (DateTimeParseException e) {
            return "<unknown>";
        }
    }

    /** The API server's age format (k8s.io/apimachinery duration.HumanDuration): 45s, 3m20s, 5h10m, 3d4h. */
    static String humanDuration(Duration age) {
        long seconds = age.toSeconds();
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = age.toMinutes();
        if (minutes < 10) {
            return seconds % 60 == 0 ? minutes + "m" : minutes + "m" + seconds % 60 + "s";
        } else if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = age.toHours();
        if (hours < 8) {
            return minutes % 60 == 0 ? hours + "h" : hours + "h" + minutes % 60 + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            return hours % 24 == 0 ? hours / 24 + "d" : hours / 24 + "d" + hours % 24 + "h";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        } else if (hours < 24 * 365 * 8) {
            long days = hours / 24 % 365;
            return days == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + days + "d";
        }
        return hours / 24 / 365 + "y";
    }
}
