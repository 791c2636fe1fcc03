package com.twingate.gateway.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.twingate.gateway.testkit.LogCapture;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/** What the gateway's log says a session recorded: its parts' asciicasts and their events. */
final class RecordedLog {

    private RecordedLog() {}

    /** The asciicast of every log part of the request, in sequence order, once its last one is out. */
    static List<String> parts(LogCapture logs, String requestId, Duration deadline) {
        logs.awaitLines(line -> line.path("message").asText().equals("session finished")
                && line.path("request_id").asText().equals(requestId), 1, deadline);
        return logs.json().stream()
                .filter(line -> line.has("asciicast") && line.path("request_id").asText().equals(requestId))
                .sorted(Comparator.comparingInt(line -> line.path("asciicast_sequence_num").asInt()))
                .map(line -> line.path("asciicast").asText())
                .toList();
    }

    /** The audit line of the one request whose URL starts with {@code url}, once it is written. */
    static JsonNode auditLine(LogCapture logs, String url, Duration deadline) {
        return logs.awaitLines(line -> line.path("message").asText().startsWith("API request")
                && line.path("url").asText().startsWith(url), 1, deadline).getFirst();
    }

    /** The text of every event of {@code type} ("o" output, "r" resize), joined. */
    static String events(List<String> asciicasts, String type) {
        return String.join("", eventList(asciicasts, type));
    }

    static List<String> eventList(List<String> asciicasts, String type) {
        return asciicasts.stream()
                .flatMap(asciicast -> asciicast.lines().skip(1))
                .map(CapturedParts::parse)
                .filter(event -> event.get(1).asText().equals(type))
                .map(event -> event.get(2).asText())
                .toList();
    }
}
