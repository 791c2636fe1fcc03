package com.twingate.gateway.metrics;

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
}
