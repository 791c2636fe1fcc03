package com.twingate.gateway.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twingate.gateway.token.GatClaims;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** A sink that keeps every part, with readers for what the parts say. */
final class CapturedParts implements RecordingSink {

    record Part(String asciicast, int sequence, boolean last) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    static final GatClaims.User ALICE = new GatClaims.User("u-1", "alice", List.of("devs"));
    static final SessionInfo SESSION = new SessionInfo("default", "web", "app", List.of("sh", "-c", "top"), true, ALICE, "c-1", "r-1");
    static final SessionInfo NO_TTY = new SessionInfo("default", "web", "app", List.of("ls"), false, ALICE, "c-1", "r-1");
    private static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().factory());

    final List<Part> parts = new CopyOnWriteArrayList<>();

    @Override
    public void part(SessionInfo session, String asciicast, int sequence, boolean last) {
        parts.add(new Part(asciicast, sequence, last));
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
