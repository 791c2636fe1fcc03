package com.twingate.gateway.testkit.kubeapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The API server's {@code Status} answers, which kubectl prints as its error messages. */
final class Statuses {

    static final ObjectMapper JSON = new ObjectMapper();

    private Statuses() {}

    static Map<String, Object> failure(int code, String reason, String message) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("metadata", Map.of());
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        return status;
    }

    static void write(Response response, Callback callback, int code, String reason, String message) {
        writeJson(response, callback, code, failure(code, reason, message));
    }

    static void writeJson(Response response, Callback callback, int code, Object body) {
        response.setStatus(code);
        response.getHeaders().put("Content-Type", "application/json");
        try {
            response.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(body)), callback);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            callback.failed(e);
        }
    }
}
