package com.twingate.gateway.metrics;

import java.util.Locale;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/** The kind of an HTTP exchange, from its {@code Upgrade} header (label {@code type}). */
public enum RequestType {
    HTTP("http"),
    WEBSOCKET("websocket"),
    SPDY("spdy");

    private final String label;

    RequestType(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** {@code websocket} or {@code spdy} from the request's Upgrade header, else {@code http}. */
    public static RequestType of(HttpFields requestHeaders) {
        String upgrade = requestHeaders.get(HttpHeader.UPGRADE);
        if (upgrade == null) {
            return HTTP;
        }
        String lower = upgrade.toLowerCase(Locale.ROOT);
        if (lower.contains("websocket")) {
            return WEBSOCKET;
        }
        return lower.startsWith("spdy") ? SPDY : HTTP;
    }
}
