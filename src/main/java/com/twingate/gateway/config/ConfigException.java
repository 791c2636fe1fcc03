package com.twingate.gateway.config;

import java.util.List;

/** A configuration that must not start: every problem found, one line each, naming its key. */
public final class ConfigException extends Exception {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
