package com.twingate.gateway.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twingate.gateway.request.RequestContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Errors the gateway itself answers, as the Kubernetes {@code Status} object kubectl knows how to
 * print. Marks the request so the audit line says the gateway failed, and why.
 */
public final class KubernetesStatus {

    private static final ObjectMapper JSON = new ObjectMapper();

    private KubernetesStatus() {}

    public static void write(Request request, Response response, Callback callback, int code, String message) {
        RequestContext.find(request).ifPresent(context -> context.gatewayFailed(message));
        response.reset();
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, private");
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    static byte[] body(int code, String message) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("metadata", Map.of());
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason(code));
        status.put("code", code);
        try {
            return JSON.writeValueAsBytes(status);
        } catch (JsonProcessingException e) {
            return ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":" + code + "}")
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The apiserver's own {@code StatusReason} names, so clients treat our errors like its own. */
    private static String reason(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 405 -> "MethodNotAllowed";
            case 501 -> "NotImplemented";
            case 502, 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            default -> "InternalError";
        };
    }
}
