package com.twingate.gateway.extract;

import com.fasterxml.jackson.databind.JsonNode;
import com.twingate.gateway.recording.CastFileSink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/** One session's parts, however the log files interleaved them, joined as the {@code .cast} sink writes them. */
final class RecordedSession {

    private final String requestId;
    private final TreeMap<Integer, RecordingPart> parts = new TreeMap<>();

    RecordedSession(String requestId) {
        this.requestId = requestId;
    }

    /** A part seen twice (the same log read twice, a log shipped twice) counts once. */
    void add(RecordingPart part) {
        parts.putIfAbsent(part.sequence(), part);
    }

    String requestId() {
        return requestId;
    }

    String username() {
        return first().username();
    }

    /** When the session started: the header's {@code timestamp}. */
    Optional<Instant> startedAt() {
        JsonNode timestamp = header().path("timestamp");
        return timestamp.canConvertToLong() ? Optional.of(Instant.ofEpochSecond(timestamp.asLong())) : Optional.empty();
    }

    /** {@code <namespace>_<pod>_<request_id>.cast}, as the {@code .cast} sink names it. */
    String fileName() {
        JsonNode kubernetes = header().path("kubernetes");
        return CastFileSink.fileName(kubernetes.path("namespace").asText("unknown"), kubernetes.path("podname").asText("unknown"),
                requestId);
    }

    /** The header once, then every part's events in sequence order. */
    String cast() {
        StringBuilder cast = new StringBuilder(CastFileSink.header(first().asciicast())).append('\n');
        for (RecordingPart part : parts.values()) {
            String events = CastFileSink.events(part.asciicast());
            if (!events.isEmpty()) {
                cast.append(events).append('\n');
            }
        }
        return cast.toString();
    }

    /** What is missing, one phrase each: numbers absent from 1 … the highest seen, and the last part. */
    List<String> gaps() {
        List<String> gaps = new ArrayList<>();
        int highest = parts.lastKey();
        for (int sequence = 1; sequence <= highest; sequence++) {
            if (!parts.containsKey(sequence)) {
                gaps.add("part " + sequence);
            }
        }
        if (!parts.lastEntry().getValue().last()) {
            gaps.add("the last part (after part " + highest + "; the session may still be running)");
        }
        return gaps;
    }

    private RecordingPart first() {
        return parts.firstEntry().getValue();
    }

    private JsonNode header() {
        return LogLineReader.header(first().asciicast());
    }
}
