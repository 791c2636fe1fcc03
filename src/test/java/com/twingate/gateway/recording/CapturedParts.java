package com.twingate.gateway.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twingate.gateway.config.RecordingConfig;
import com.twingate.gateway.metrics.GatewayMetrics;
import com.twingate.gateway.token.GatClaims;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/** A sink that keeps every part, with readers for what the parts say. */
final class CapturedParts implements RecordingSink {

    record Part(String asciicast, int sequence, boolean last) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    static final GatClaims.User ALICE = new GatClaims.User("u-1", "alice", List.of("devs"));
    static final SessionInfo SESSION = new SessionInfo("default", "web", "app", List.of("sh", "-c", "top"), true, ALICE, "c-1", "r-1");
    static final SessionInfo NO_TTY = new SessionInfo("default", "web", "app", List.of("ls"), false, ALICE, "c-1", "r-1");
    /** One for all taps: building the metrics registers the JVM's, which is slow. */
    private static final GatewayMetrics METRICS = new GatewayMetrics(new PrometheusRegistry());
    private static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().factory());

    final List<Part> parts = new CopyOnWriteArrayList<>();
    /** Why the session would have been ended, if it would. */
    final List<String> endedBecause = new CopyOnWriteArrayList<>();

    @Override
    public void part(SessionInfo session, String asciicast, int sequence, boolean last) {
        parts.add(new Part(asciicast, sequence, last));
    }

    /** A WebSocket session's tap (binary channels) writing here synchronously. */
    SessionRecording webSocket(SessionInfo session, long flushSizeThreshold) {
        return tap(this, session, flushSizeThreshold, events -> new WebSocketReader(WebSocketReader.Codec.BINARY, events));
    }

    SessionRecording webSocket(SessionInfo session) {
        return webSocket(session, 1_000_000);
    }

    SessionRecording tap(SessionInfo session, Function<StreamEvents, ProtocolReader> reader) {
        return tap(this, session, 1_000_000, reader);
    }

    /**
     * A session's tap as the gateway builds it, writing to {@code sink} synchronously, outside any budget;
     * what would end the session (recording.onFailure = refuse) is kept in {@link #endedBecause}.
     */
    SessionRecording tap(RecordingSink sink, SessionInfo session, long flushSizeThreshold,
                         Function<StreamEvents, ProtocolReader> reader) {
        RecordingBudget budget = new RecordingBudget(Long.MAX_VALUE);
        return tap(sink, session, flushSizeThreshold, reader, new RecordingWriter(Runnable::run, budget));
    }

    SessionRecording tap(RecordingSink sink, SessionInfo session, long flushSizeThreshold,
                         Function<StreamEvents, ProtocolReader> reader, RecordingWriter writer) {
        SessionRecording tap = new SessionRecording(session, List.of(sink), out -> new AsciicastRecorder(session, out, writer, SCHEDULER,
                Duration.ofHours(1), flushSizeThreshold, d -> { }), reader, writer.budget(),
                new RecordingFailures(RecordingConfig.OnFailure.REFUSE, METRICS));
        tap.whenMustEnd(endedBecause::add);
        return tap;
    }

    /** A recorder writing here synchronously (so a test sees parts as soon as they are cut). */
    AsciicastRecorder recorder(SessionInfo session, Duration flushInterval, long flushSizeThreshold) {
        return new AsciicastRecorder(session, this, Runnable::run, SCHEDULER, flushInterval, flushSizeThreshold, d -> { });
    }

    AsciicastRecorder recorder(SessionInfo session) {
        return recorder(session, Duration.ofHours(1), 1_000_000);
    }

    /** Every "o" event's text, across all parts, in order. */
    String output() {
        StringBuilder text = new StringBuilder();
        events("o").forEach(event -> text.append(event.get(2).asText()));
        return text.toString();
    }

    List<String> resizes() {
        return events("r").stream().map(event -> event.get(2).asText()).toList();
    }

    List<JsonNode> events(String type) {
        List<JsonNode> events = new ArrayList<>();
        for (Part part : parts) {
            part.asciicast().lines().skip(1).map(CapturedParts::parse).filter(e -> e.get(1).asText().equals(type)).forEach(events::add);
        }
        return events;
    }

    JsonNode header(int part) {
        return parse(parts.get(part).asciicast().lines().findFirst().orElseThrow());
    }

    static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + line, e);
        }
    }
}
