package com.twingate.gateway.metrics;

/** What a client TCP connection turned out to be, recorded when it closes (label {@code connection_category}). */
public enum ConnectionCategory {
    /** The connection never got past the CONNECT step. */
    UNKNOWN("unknown"),
    PROXY("proxy"),
    HEALTH("health");

    private final String label;

    ConnectionCategory(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
