package com.twingate.gateway.testkit.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The core group's object paths: {@code /api/v1/{resource}[/{name}]} and
 * {@code /api/v1/namespaces/{ns}/{resource}[/{name}]}, with get, list, watch, create, update, patch and
 * delete. Answers are JSON: objects and lists, or the {@code Table} kubectl get asks for.
 */
final class ObjectRequests {

    /** A collection (name null) or one object; namespace null for cluster-scoped types or all namespaces. */
    private record Target(ResourceType type, String namespace, String name) {}

    private final ObjectStore objects;

    ObjectRequests(ObjectStore objects) {
        this.objects = objects;
    }

    /** {@code path} is what follows {@code /api/v1/}. */
    void handle(String path, Request request, Response response, Callback callback) {
        Target target = target(path.split("/"));
        String method = request.getMethod();
        if (target.name() == null) {
            switch (method) {
                case "GET" -> {
                    if (Exchanges.isTrue(Exchanges.query(request, "watch"))) {
                        Watch.start(objects, target.type(), target.namespace(), filter(request), Tables.wanted(request),
                                request, response, callback);
                    } else {
                        list(target, request, response, callback);
                    }
                }
                case "POST" -> create(target, request, response, callback);
                default -> throw ApiError.methodNotAllowed();
            }
            return;
        }
        ObjectNode answer = switch (method) {
            case "GET" -> {
                ObjectNode object = objects.get(target.type(), target.namespace(), target.name())
                        .orElseThrow(() -> ApiError.notFound(target.type(), target.name()));
                yield Tables.wanted(request) ? Tables.of(target.type(), List.of(object),
                        Exchanges.number("resourceVersion", object.at("/metadata/resourceVersion").asText()),
                        Exchanges.query(request, "includeObject")) : object;
            }
            case "PUT" -> replace(target, Exchanges.objectBody(request));
            case "PATCH" -> patch(target, request);
            case "DELETE" -> objects.delete(target.type(), target.namespace(), target.name());
            default -> throw ApiError.methodNotAllowed();
        };
        Statuses.writeJson(response, callback, HttpStatus.OK_200, answer);
    }

    private static Target target(String[] segments) {
        if (segments.length >= 3 && segments[0].equals("namespaces")) {
            ResourceType type = type(segments[2]);
            if (!type.namespaced() || segments.length > 4) {
                throw ApiError.noSuchPath();
            }
            return new Target(type, segments[1], segments.length == 4 ? segments[3] : null);
        }
        ResourceType type = type(segments[0]);
        if (segments.length > 2 || (segments.length == 2 && type.namespaced())) {
            throw ApiError.noSuchPath();
        }
        return new Target(type, null, segments.length == 2 ? segments[1] : null);
    }

    private static ResourceType type(String name) {
        return ResourceType.named(name).orElseThrow(ApiError::noSuchPath);
    }

    private static Predicate<ObjectNode> filter(Request request) {
        return Selectors.labels(Exchanges.query(request, "labelSelector"))
                .and(Selectors.fields(Exchanges.query(request, "fieldSelector")));
    }

    private void list(Target target, Request request, Response response, Callback callback) {
        ObjectStore.Listing listing = objects.list(target.type(), target.namespace(), filter(request));
        if (Tables.wanted(request)) {
            Statuses.writeJson(response, callback, HttpStatus.OK_200, Tables.of(target.type(), listing.items(),
                    listing.resourceVersion(), Exchanges.query(request, "includeObject")));
            return;
        }
        ObjectNode list = ObjectStore.newObject();
        list.put("kind", target.type().kind() + "List");
        list.put("apiVersion", target.type().apiVersion());
        list.putObject("metadata").put("resourceVersion", Long.toString(listing.resourceVersion()));
        list.putArray("items").addAll(listing.items());
        Statuses.writeJson(response, callback, HttpStatus.OK_200, list);
    }

    private void create(Target target, Request request, Response response, Callback callback) {
        ObjectNode object = objectOf(target, Exchanges.objectBody(request));
        String namespace = target.namespace();
        if (target.type().namespaced() && namespace == null) {
            throw ApiError.noSuchPath();
        }
        String bodyNamespace = object.path("metadata").path("namespace").asText("");
        if (target.type().namespaced() && !bodyNamespace.isEmpty() && !bodyNamespace.equals(namespace)) {
            throw ApiError.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        ObjectNode created = objects.create(target.type(), namespace, serverSet(target.type(), object));
        Statuses.writeJson(response, callback, HttpStatus.CREATED_201, created);
    }

    private ObjectNode replace(Target target, JsonNode body) {
        ObjectNode replacement = objectOf(target, body);
        return objects.update(target.type(), target.namespace(), target.name(), current -> {
            if (target.type().equals(ResourceType.PODS)) {
                // Status is the kubelet's to write, not a client's.
                replacement.set("status", current.get("status"));
            }
            return serverSet(target.type(), replacement);
        });
    }

    private ObjectNode patch(Target target, Request request) {
        String contentType = String.valueOf(request.getHeaders().get("Content-Type"));
        UnaryOperator<ObjectNode> patcher;
        if (contentType.startsWith("application/strategic-merge-patch+json")) {
            JsonNode patch = Exchanges.jsonBody(request);
            patcher = current -> StrategicMergePatch.apply(current, patch);
        } else if (contentType.startsWith("application/merge-patch+json")) {
            JsonNode patch = Exchanges.jsonBody(request);
            patcher = current -> MergePatch.apply(current, patch);
        } else {
            throw ApiError.unsupportedMediaType("the stand-in patches with application/merge-patch+json and "
                    + "application/strategic-merge-patch+json, not " + contentType);
        }
        return objects.update(target.type(), target.namespace(), target.name(),
                current -> serverSet(target.type(), patcher.apply(current)));
    }

    private static ObjectNode objectOf(Target target, JsonNode body) {
        if (!(body instanceof ObjectNode object)) {
            throw ApiError.badRequest("the request body must be a JSON object");
        }
        String kind = object.path("kind").asText(target.type().kind());
        String apiVersion = object.path("apiVersion").asText(target.type().apiVersion());
        if (!kind.equals(target.type().kind()) || !apiVersion.equals(target.type().apiVersion())) {
            throw ApiError.badRequest("the API version in the data (" + apiVersion + ") and kind (" + kind
                    + ") do not match " + target.type().name());
        }
        return object;
    }

    /** What the server itself sets on an object before storing it. */
    private static ObjectNode serverSet(ResourceType type, ObjectNode object) {
        return type.equals(ResourceType.PODS) ? PodStatus.running(object) : object;
    }
}
