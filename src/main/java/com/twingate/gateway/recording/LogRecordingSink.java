package com.twingate.gateway.recording;

import com.fasterxml.jackson.core.JsonGenerator;
import com.twingate.gateway.audit.AuditLog;
import com.twingate.gateway.logging.JsonFields;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recording parts as log lines for the cluster's log pipeline (docs/recording.md), through the audit logger as
 * Twingate's gateway writes them. Each part carries the whole session context, so a part read on its own
 * says whose session on which pod it is. The fields are written straight into the line's JSON (a part
 * is up to {@code auditLog.flushSizeThreshold} characters: no map or data binding in between).
 */
public final class LogRecordingSink implements RecordingSink {

    private static final Logger RECORDING = LoggerFactory.getLogger(AuditLog.LOGGER);

    @Override
    public void part(SessionInfo session, String asciicast, int sequence, boolean last) {
        RECORDING.info(JsonFields.of(json -> write(json, session, asciicast, sequence)),
                last ? "session finished" : "session recording");
    }

    private static void write(JsonGenerator json, SessionInfo session, String asciicast, int sequence) throws IOException {
        json.writeStringField("request_id", session.requestId());
        json.writeStringField("conn_id", session.connectionId());
        json.writeFieldName("user");
        AuditLog.writeUser(json, session.user());
        json.writeObjectFieldStart("kubernetes");
        json.writeStringField("namespace", session.namespace());
        json.writeStringField("pod", session.pod());
        json.writeStringField("container", session.container());
        json.writeArrayFieldStart("command");
        for (String argument : session.command()) {
            json.writeString(argument);
        }
        json.writeEndArray();
        json.writeBooleanField("tty", session.tty());
        json.writeEndObject();
        json.writeStringField("asciicast", asciicast);
        json.writeNumberField("asciicast_sequence_num", sequence);
    }
}
