package com.twingate.gateway.testkit.kubeapi;

import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;

/**
 * A request the API server refuses, carrying the {@code Status} it answers with. kubectl builds its
 * messages from {@code reason} and {@code details}: {@code Error from server (NotFound): pods "x" not found}.
 */
final class ApiError extends RuntimeException {

    private final int code;
    private final Map<String, Object> status;

    private ApiError(int code, String reason, String message, Map<String, Object> details) {
        super(message);
        this.code = code;
        this.status = Statuses.failure(code, reason, message);
        if (details != null) {
            status.put("details", details);
        }
    }

    static ApiError notFound(ResourceType type, String name) {
        return new ApiError(HttpStatus.NOT_FOUND_404, "NotFound", type.name() + " \"" + name + "\" not found",
                Map.of("name", name, "kind", type.name()));
    }

    static ApiError alreadyExists(ResourceType type, String name) {
        return new ApiError(HttpStatus.CONFLICT_409, "AlreadyExists", type.name() + " \"" + name + "\" already exists",
                Map.of("name", name, "kind", type.name()));
    }

    static ApiError conflict(ResourceType type, String name, String why) {
        return new ApiError(HttpStatus.CONFLICT_409, "Conflict",
                "Operation cannot be fulfilled on " + type.name() + " \"" + name + "\": " + why,
                Map.of("name", name, "kind", type.name()));
    }

    static ApiError badRequest(String message) {
        return new ApiError(HttpStatus.BAD_REQUEST_400, "BadRequest", message, null);
    }

    static ApiError invalid(ResourceType type, String name, String message) {
        return new ApiError(HttpStatus.UNPROCESSABLE_ENTITY_422, "Invalid",
                type.kind() + " \"" + name + "\" is invalid: " + message, Map.of("name", name, "kind", type.kind()));
    }

    static ApiError methodNotAllowed() {
        return new ApiError(HttpStatus.METHOD_NOT_ALLOWED_405, "MethodNotAllowed",
                "the server does not allow this method on the requested resource", null);
    }

    static ApiError unsupportedMediaType(String message) {
        return new ApiError(HttpStatus.UNSUPPORTED_MEDIA_TYPE_415, "UnsupportedMediaType", message, null);
    }

    static ApiError tooLarge(long limit) {
        return new ApiError(HttpStatus.PAYLOAD_TOO_LARGE_413, "RequestEntityTooLarge",
                "the request body is larger than " + limit + " bytes", null);
    }

    static ApiError noSuchPath() {
        return new ApiError(HttpStatus.NOT_FOUND_404, "NotFound", "the server could not find the requested resource", null);
    }

    int code() {
        return code;
    }

    Map<String, Object> status() {
        return status;
    }
}
