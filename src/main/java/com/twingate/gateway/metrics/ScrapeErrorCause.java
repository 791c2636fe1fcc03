package com.twingate.gateway.metrics;

/** Why a scrape of {@code /metrics} failed (label {@code cause} of {@code promhttp_metric_handler_errors_total}). */
public enum ScrapeErrorCause {
    /** Collecting the samples failed. */
    GATHERING("gathering"),
    /** Writing the collected samples to the response failed. */
    ENCODING("encoding");

    private final String label;

    ScrapeErrorCause(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
