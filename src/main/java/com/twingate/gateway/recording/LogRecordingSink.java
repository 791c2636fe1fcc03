package com.twingate.gateway.recording;

import static net.logstash.logback.marker.Markers.appendEntries;

import com.twingate.gateway.audit.AuditLog;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recording parts as log lines for the cluster's log pipeline [§6], through the audit logger as
 * Twingate's gateway writes them. Each part carries the whole session context, so a part read on its own
 * says whose session on which pod it is.
 */
public final class LogRecordingSink implements RecordingSink {

    private static final Logger RECORDING = LoggerFactory.getLogger(AuditLog.LOGGER);

    @Override
    public void part(SessionInfo session, String asciicast, int sequence, boolean last) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("request_id", session.requestId());
        fields.put("conn_id", session.connectionId());
        fields.put("user", AuditLog.user(session.user()));
        Map<String, Object> kubernetes = new LinkedHashMap<>();
        kubernetes.put("namespace", session.namespace());
        kubernetes.put("pod", session.pod());
        kubernetes.put("container", session.container());
        kubernetes.put("command", session.command());
        kubernetes.put("tty", session.tty());
        fields.put("kubernetes", kubernetes);
        fields.put("asciicast", asciicast);
        fields.put("asciicast_sequence_num", sequence);
        RECORDING.info(appendEntries(fields), last ? "session finished" : "session recording");
    }
}
