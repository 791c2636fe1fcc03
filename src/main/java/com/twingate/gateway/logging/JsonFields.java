package com.twingate.gateway.logging;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import net.logstash.logback.marker.LogstashMarker;

/**
 * A log line's own fields, written straight into the line's JSON by the code that knows them: no map
 * to build and no data binding to walk it, for lines written once per request (the audit line).
 */
public final class JsonFields extends LogstashMarker {

    /** Writes the fields (names and values) into the line's open JSON object. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(JsonGenerator json) throws IOException;
    }

    private final transient Writer writer;

    private JsonFields(Writer writer) {
        super(MARKER_NAME_PREFIX + "JSON_FIELDS");
        this.writer = writer;
    }

    public static JsonFields of(Writer writer) {
        return new JsonFields(writer);
    }

    @Override
    public void writeTo(JsonGenerator json) throws IOException {
        writer.writeTo(json);
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
