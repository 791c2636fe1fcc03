package com.twingate.gateway.recording;

import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.config.RecordingConfig;
import com.twingate.gateway.metrics.GatewayMetrics;
import com.twingate.gateway.metrics.RecordingFailureReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.component.AbstractLifeCycle;

/**
 * Starts the recording of an upgraded session when the policy says so (docs/recording.md): picks the WebSocket or SPDY
 * reader from the protocol the API server switched to, and the sinks from the configuration. A recording
 * that cannot be made — a protocol the recorder cannot read, a {@code .cast} file that cannot be created,
 * the gateway stopping — is decided by {@code recording.onFailure} before the session starts. Parts are
 * written by one background thread, in order, never by the relay ({@link RecordingWriter}), within one
 * memory budget across sessions ({@link RecordingBudget}).
 */
public final class SessionRecorder extends AbstractLifeCycle {

    /** What becomes of an upgraded session once the API server switched protocols. */
    public sealed interface Start permits Unrecorded, Recording, Refused {}

    /** Not a session that is recorded (port-forward), or one that goes on without (continue). */
    public record Unrecorded() implements Start {}

    /** Recorded: the recording is the relay's tap. */
    public record Recording(SessionRecording tap) implements Start {}

    /** Refused: no recording can be made and {@code recording.onFailure} is {@code refuse}. */
    public record Refused(String reason) implements Start {}

    private final Duration flushInterval;
    private final long flushSizeThreshold;
    private final long bufferBudget;
    private final GatewayMetrics metrics;
    private final RecordingFailures failures;
    private final LogRecordingSink log = new LogRecordingSink();
    private final Optional<CastFileSink> files;
    private RecordingWriter writer;
    private ScheduledExecutorService scheduler;

    public SessionRecorder(GatewayConfig config, GatewayMetrics metrics) {
        this.flushInterval = config.auditLog().flushInterval();
        this.flushSizeThreshold = config.auditLog().flushSizeThreshold();
        RecordingConfig recording = config.recording();
        this.bufferBudget = recording.bufferBudget();
        this.metrics = metrics;
        this.failures = new RecordingFailures(recording.onFailure(), metrics);
        this.files = recording.directory().map(directory -> new CastFileSink(directory, flushSizeThreshold));
    }

    @Override
    protected void doStart() {
        writer = RecordingWriter.onItsOwnThread(new RecordingBudget(bufferBudget));
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("recording-flush").daemon().factory());
    }

    /** Lets every session's last part be written before the gateway exits (docs/deployment.md#the-jar). */
    @Override
    protected void doStop() throws InterruptedException {
        scheduler.shutdown();
        writer.stop();
    }

    /** Bytes all recordings hold now (events and parts not yet written), against {@code recording.bufferBudget}. */
    public long bufferedBytes() {
        RecordingWriter current = writer;
        return current == null ? 0 : current.budget().held();
    }

    /**
     * Before an upgrade request goes to the API server: why the session it asks for must be refused now,
     * if it must ({@code refuse}, and no recording could be made — the gateway stopping, the directory not
     * writable or full). The API server then runs nothing.
     */
    public Optional<String> refusalBeforeStart(Optional<SessionInfo> session) {
        if (session.isEmpty() || !failures.refusing()) {
            return Optional.empty();
        }
        try {
            if (!isRunning()) {
                throw notRunning();
            }
            files.ifPresent(CastFileSink::check);
            return Optional.empty();
        } catch (RecordingException e) {
            failures.refusesNew(session.get(), e);
            return Optional.of(e.getMessage());
        }
    }

    /**
     * @param session  what the policy decided for the request (empty: not recorded)
     * @param switched the API server's 101 headers (they name the protocol it switched to)
     */
    public Start start(Optional<SessionInfo> session, HttpFields switched) {
        if (session.isEmpty()) {
            return new Unrecorded();
        }
        SessionInfo info = session.get();
        Function<StreamEvents, ProtocolReader> reader;
        try {
            if (!isRunning()) {
                throw notRunning();
            }
            reader = readerFor(switched);
        } catch (RecordingException e) {
            return failures.refusesNew(info, e) ? new Refused(e.getMessage()) : new Unrecorded();
        }
        List<RecordingSink> sinks = new ArrayList<>(List.of(log));
        if (files.isPresent()) {
            try {
                files.get().open(info);
                sinks.add(files.get());
            } catch (RecordingException e) {
                if (failures.refusesNew(info, e)) {
                    return new Refused(e.getMessage());
                }
            }
        }
        RecordingWriter output = writer;
        return new Recording(new SessionRecording(info, sinks,
                sink -> new AsciicastRecorder(info, sink, output, scheduler, flushInterval, flushSizeThreshold, metrics::recordedSession),
                reader, output.budget(), failures));
    }

    private static RecordingException notRunning() {
        return new RecordingException(RecordingFailureReason.NOT_RUNNING, "the gateway is stopping and records no new session");
    }

    /** The reader for what the API server switched to, or why there is none. */
    private static Function<StreamEvents, ProtocolReader> readerFor(HttpFields switched) {
        String upgrade = String.valueOf(switched.get(HttpHeader.UPGRADE));
        if (upgrade.equalsIgnoreCase("websocket")) {
            String extensions = switched.get(HttpHeader.SEC_WEBSOCKET_EXTENSIONS);
            if (extensions != null && !extensions.isBlank()) {
                throw new RecordingException(RecordingFailureReason.UNSUPPORTED_PROTOCOL,
                        "the API server negotiated the WebSocket extensions \"" + extensions + "\", whose frames cannot be recorded");
            }
            String subprotocol = Objects.requireNonNullElse(switched.get(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL), "").trim();
            WebSocketReader.Codec codec = WebSocketReader.codecOf(subprotocol).orElseThrow(() -> new RecordingException(
                    RecordingFailureReason.UNSUPPORTED_PROTOCOL, "the API server chose the WebSocket subprotocol \""
                    + subprotocol + "\", which the recorder cannot read"));
            return events -> new WebSocketReader(codec, events);
        }
        if (upgrade.equalsIgnoreCase("SPDY/3.1")) {
            return SpdyReader::new;
        }
        throw new RecordingException(RecordingFailureReason.UNSUPPORTED_PROTOCOL,
                "the API server switched to \"" + upgrade + "\", which the recorder cannot read");
    }
}
