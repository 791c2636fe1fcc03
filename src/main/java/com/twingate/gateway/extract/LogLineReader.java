package com.twingate.gateway.extract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * Finds the recording parts among gateway log lines, in either {@code log.format}: a JSON object per
 * line, or text (tab-separated time, level, logger, caller, message, then the fields as JSON). Lines
 * that are neither, or not recording parts, are skipped: logs collected from a cluster hold other lines.
 */
final class LogLineReader {

    static final String PART = "session recording";
    static final String LAST_PART = "session finished";
    private static final int TEXT_COLUMNS = 6;
    private static final ObjectMapper JSON = new ObjectMapper();

    private LogLineReader() {}

    static Optional<RecordingPart> part(String line) {
        String trimmed = line.strip();
        if (trimmed.startsWith("{")) {
            return parse(trimmed).flatMap(fields -> part(fields.path("message").asText(), fields));
        }
        String[] columns = trimmed.split("\t", TEXT_COLUMNS);
        if (columns.length == TEXT_COLUMNS) {
            return parse(columns[TEXT_COLUMNS - 1]).flatMap(fields -> part(columns[4], fields));
        }
        return Optional.empty();
    }

    private static Optional<RecordingPart> part(String message, JsonNode fields) {
        boolean last = message.equals(LAST_PART);
        if (!(last || message.equals(PART)) || !fields.path("asciicast").isTextual() || !fields.path("request_id").isTextual()
                || !fields.path("asciicast_sequence_num").canConvertToInt()) {
            return Optional.empty();
        }
        String asciicast = fields.path("asciicast").asText();
        String username = fields.path("user").path("username").asText("");
        if (username.isEmpty()) {
            username = header(asciicast).path("user").asText("");
        }
        return Optional.of(new RecordingPart(fields.path("request_id").asText(), fields.path("asciicast_sequence_num").asInt(),
                last, username, asciicast));
    }

    /** The asciicast header of a part (an empty object when it does not parse). */
    static JsonNode header(String asciicast) {
        int end = asciicast.indexOf('\n');
        return parse(end < 0 ? asciicast : asciicast.substring(0, end)).orElse(JSON.createObjectNode());
    }

    private static Optional<JsonNode> parse(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (JsonProcessingException notJson) {
            return Optional.empty();
        }
    }
}
