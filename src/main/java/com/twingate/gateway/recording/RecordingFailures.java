package com.twingate.gateway.recording;

import static net.logstash.logback.marker.Markers.appendEntries;

import com.twingate.gateway.audit.AuditLog;
import com.twingate.gateway.config.RecordingConfig;
import com.twingate.gateway.metrics.GatewayMetrics;
import com.twingate.gateway.metrics.RecordingFailureReason;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one rule for a recording that cannot be made or written ({@code recording.onFailure}): with
 * {@code refuse} the session is refused or ended, with {@code continue} it goes on. Either way a
 * warning line says whose session, why, and what became of it, and the failure is counted.
 */
final class RecordingFailures {

    private static final Logger LOG = LoggerFactory.getLogger(RecordingFailures.class);

    private final RecordingConfig.OnFailure policy;
    private final GatewayMetrics metrics;

    RecordingFailures(RecordingConfig.OnFailure policy, GatewayMetrics metrics) {
        this.policy = policy;
        this.metrics = metrics;
    }

    /** {@code refuse}: a session that cannot be recorded does not run. */
    boolean refusing() {
        return policy == RecordingConfig.OnFailure.REFUSE;
    }

    /** A session whose recording cannot start: true when it is refused. */
    boolean refusesNew(SessionInfo session, RecordingException failure) {
        boolean refuse = policy == RecordingConfig.OnFailure.REFUSE;
        report(session, failure, refuse ? RecordingFailureReason.Action.REFUSED : RecordingFailureReason.Action.CONTINUED,
                refuse ? "the session is refused (recording.onFailure = refuse)"
                        : "the session goes on without it (recording.onFailure = continue)");
        return refuse;
    }

    /** A running session whose recording failed: true when it is ended. */
    boolean endsRunning(SessionInfo session, RecordingException failure) {
        boolean end = policy == RecordingConfig.OnFailure.REFUSE;
        report(session, failure, end ? RecordingFailureReason.Action.ENDED : RecordingFailureReason.Action.CONTINUED,
                end ? "the session is ended (recording.onFailure = refuse)"
                        : "the session goes on, its recording incomplete (recording.onFailure = continue)");
        return end;
    }

    private void report(SessionInfo session, RecordingException failure, RecordingFailureReason.Action action, String outcome) {
        metrics.recordingFailed(failure.reason(), action);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("request_id", session.requestId());
        fields.put("conn_id", session.connectionId());
        fields.put("user", AuditLog.user(session.user()));
        fields.put("reason", failure.reason().label());
        LOG.warn(appendEntries(fields), "session recording failed: {}; {}", failure.getMessage(), outcome);
    }
}
