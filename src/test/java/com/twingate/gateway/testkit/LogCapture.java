package com.twingate.gateway.testkit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twingate.gateway.config.LogFormat;
import com.twingate.gateway.logging.GatewayLogEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Keeps every log line of a test, rendered by the same JSON encoder production uses (Twingate's
 * envelope), so tests can assert on audit fields and that no secret appears in any line.
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<String> textLines = new CopyOnWriteArrayList<>();
    private final Capturing appender = new Capturing();

    @Override
    public void beforeEach(ExtensionContext context) {
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        GatewayLogEncoder encoder = new GatewayLogEncoder();
        encoder.setContext(logging);
        encoder.start();
        appender.encoder = encoder;
        GatewayLogEncoder text = new GatewayLogEncoder();
        text.format(LogFormat.TEXT);
        text.setContext(logging);
        text.start();
        appender.text = text;
        appender.setContext(logging);
        appender.start();
        logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(appender);
        appender.stop();
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The same lines as {@code log.format = text} writes them. */
    public List<String> textLines() {
        return List.copyOf(textLines);
    }

    public List<JsonNode> json() {
        return lines.stream().map(LogCapture::parse).toList();
    }

    /** Waits until {@code count} lines match, and returns them in order. */
    public List<JsonNode> awaitLines(Predicate<JsonNode> matching, int count, Duration deadline) {
        Await.until(count + " log lines matching", deadline, () -> json().stream().filter(matching).count() >= count);
        return json().stream().filter(matching).toList();
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException("a log line is not JSON: " + line, e);
        }
    }

    private final class Capturing extends AppenderBase<ILoggingEvent> {
        private GatewayLogEncoder encoder;
        private GatewayLogEncoder text;

        @Override
        protected void append(ILoggingEvent event) {
            lines.add(new String(encoder.encode(event), StandardCharsets.UTF_8).strip());
            textLines.add(new String(text.encode(event), StandardCharsets.UTF_8).strip());
        }
    }
}
