package com.twingate.gateway.recording;

import static net.logstash.logback.marker.Markers.appendEntries;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Recording parts as log lines with the session's audit context, for the cluster's log pipeline [§6]. */
public final class LogRecordingSink implements RecordingSink {

    private static final Logger RECORDING = LoggerFactory.getLogger("recording");

    @Override
    public void part(SessionInfo session, String asciicast, int sequence, boolean last) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("request_id", session.requestId());
        fields.put("conn_id", session.connectionId());
        fields.put("user", Map.of("username", session.username()));
        fields.put("asciicast", asciicast);
        fields.put("asciicast_sequence_num", sequence);
        RECORDING.info(appendEntries(fields), last ? "session finished" : "session recording");
    }
}
