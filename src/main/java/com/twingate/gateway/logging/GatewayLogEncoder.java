package com.twingate.gateway.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twingate.gateway.GatewayVersion;
import com.twingate.gateway.config.LogFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import net.logstash.logback.composite.loggingevent.ArgumentsJsonProvider;
import net.logstash.logback.composite.loggingevent.LogstashMarkersJsonProvider;
import net.logstash.logback.stacktrace.ShortenedThrowableConverter;

/**
 * Every log line in Twingate's gateway envelope — {@code ts} (ISO 8601), {@code levelname} (lower case),
 * {@code logger}, {@code caller}, {@code message}, {@code version} — followed by the line's own fields
 * (logstash markers) and, for a failure, {@code stack_trace}. {@link LogFormat#JSON} writes one JSON
 * object per line, as zap's JSON encoder with Twingate's settings does; {@link LogFormat#TEXT} writes zap's
 * console form: the envelope tab-separated, then the fields as one JSON object, still one line.
 */
public final class GatewayLogEncoder extends EncoderBase<ILoggingEvent> {

    /** zap's ISO8601TimeEncoder: milliseconds and a numeric offset, {@code Z} for UTC. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXX", Locale.ROOT)
            .withZone(ZoneId.systemDefault());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERSION = GatewayVersion.current();

    private final LogstashMarkersJsonProvider markers = new LogstashMarkersJsonProvider();
    private final ArgumentsJsonProvider arguments = new ArgumentsJsonProvider();
    private final ShortenedThrowableConverter stackTraces = new ShortenedThrowableConverter();
    private volatile LogFormat format = LogFormat.JSON;

    /** For logback.xml: {@code json} or {@code text}. */
    public void setFormat(String format) {
        this.format = LogFormat.of(format).orElseThrow(() -> new IllegalArgumentException("log format must be json or text: " + format));
    }

    public void format(LogFormat format) {
        this.format = format;
    }

    @Override
    public void start() {
        stackTraces.setMaxDepthPerThrowable(12);
        stackTraces.setRootCauseFirst(true);
        stackTraces.setInlineHash(false);
        stackTraces.setContext(getContext());
        stackTraces.start();
        markers.setContext(getContext());
        markers.start();
        arguments.setContext(getContext());
        arguments.start();
        super.start();
    }

    @Override
    public void stop() {
        stackTraces.stop();
        markers.stop();
        arguments.stop();
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        String caller = Caller.ofCurrentLogCall().orElse("unknown");
        try {
            return switch (format) {
                case JSON -> json(event, caller);
                case TEXT -> (text(event, caller) + "\n").getBytes(StandardCharsets.UTF_8);
            };
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a log line failed", e);
        }
    }

    /** Straight to UTF-8 bytes: the line is never a String. */
    private byte[] json(ILoggingEvent event, String caller) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
        try (JsonGenerator json = JSON.createGenerator(line, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringField("ts", TIMESTAMP.format(event.getInstant()));
            json.writeStringField("levelname", level(event));
            json.writeStringField("logger", LoggerNames.of(event.getLoggerName()));
            json.writeStringField("caller", caller);
            json.writeStringField("message", event.getFormattedMessage());
            fields(json, event);
            json.writeEndObject();
        }
        line.write('\n');
        return line.toByteArray();
    }

    /** zap's console encoder: tab-separated envelope, the message on one line, the fields as JSON. */
    private String text(ILoggingEvent event, String caller) throws IOException {
        StringWriter fields = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(fields)) {
            json.writeStartObject();
            fields(json, event);
            json.writeEndObject();
        }
        return String.join("\t", TIMESTAMP.format(event.getInstant()), level(event), LoggerNames.of(event.getLoggerName()),
                caller, oneLine(event.getFormattedMessage()), fields.toString());
    }

    private void fields(JsonGenerator json, ILoggingEvent event) throws IOException {
        json.writeStringField("version", VERSION);
        markers.writeTo(json, event);
        arguments.writeTo(json, event);
        if (event.getThrowableProxy() != null) {
            json.writeStringField("stack_trace", stackTraces.convert(event));
        }
    }

    private static String level(ILoggingEvent event) {
        return event.getLevel().toString().toLowerCase(Locale.ROOT);
    }

    /** Control characters escaped, so that a message can never start a second line or a new column. */
    private static String oneLine(String message) {
        StringBuilder out = null;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (out == null) {
                    out = new StringBuilder(message.length() + 8).append(message, 0, i);
                }
                switch (c) {
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> out.append(String.format("\\u%04x", (int) c));
                }
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? message : out.toString();
    }
}
