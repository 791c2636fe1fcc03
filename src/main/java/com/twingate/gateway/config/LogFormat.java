package com.twingate.gateway.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How log lines are written ({@code log.format}). */
public enum LogFormat {
    /** One JSON object per line in Twingate's envelope, for the cluster's log pipeline. */
    JSON,
    /** One line for people: time, level, logger, caller, message, then the fields as JSON (zap's console form). */
    TEXT;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<LogFormat> of(String value) {
        return Arrays.stream(values()).filter(format -> format.key().equalsIgnoreCase(value)).findFirst();
    }
}
