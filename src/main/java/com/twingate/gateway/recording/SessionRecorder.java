package com.twingate.gateway.recording;

import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.relay.RelayTap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.component.AbstractLifeCycle;

/**
 * Starts the recording of an upgraded session when the policy says so [§6]: picks the WebSocket or
 * SPDY tap from the protocol the API server switched to, and the sinks from the configuration.
 * Recordings are written by one background thread, in order, never by the relay ({@link RecordingWriter}).
 */
public final class SessionRecorder extends AbstractLifeCycle {

    /** Parts waiting for the writer, across sessions: memory stays below about this × flushSizeThreshold. */
    static final int MAX_PENDING_PARTS = 8;

    private final Duration flushInterval;
    private final long flushSizeThreshold;
    private final RecordingSink sink;
    private final Consumer<Duration> durations;
    private RecordingWriter output;
    private ScheduledExecutorService scheduler;

    public SessionRecorder(GatewayConfig config, Consumer<Duration> durations) {
        this.flushInterval = config.auditLog().flushInterval();
        this.flushSizeThreshold = config.auditLog().flushSizeThreshold();
        this.durations = durations;
        List<RecordingSink> sinks = new ArrayList<>(List.of(new LogRecordingSink()));
        config.recordingDirectory().map(CastFileSink::new).ifPresent(sinks::add);
        this.sink = (session, asciicast, sequence, last) -> sinks.forEach(s -> s.part(session, asciicast, sequence, last));
    }

    @Override
    protected void doStart() {
        output = new RecordingWriter(MAX_PENDING_PARTS);
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("recording-flush").daemon().factory());
    }

    /** Lets every session's last part be written before the gateway exits [§9.1]. */
    @Override
    protected void doStop() throws InterruptedException {
        scheduler.shutdown();
        output.stop();
    }

    /**
     * @param responseHeaders the API server's 101 headers (they name the protocol it switched to)
     * @return a tap for the relay, or empty when this session is not recorded
     */
    public Optional<RelayTap> tapFor(Optional<SessionInfo> session, HttpFields responseHeaders) {
        if (session.isEmpty() || !isRunning()) {
            return Optional.empty();
        }
        String upgrade = String.valueOf(responseHeaders.get(HttpHeader.UPGRADE)).toLowerCase(Locale.ROOT);
        AsciicastRecorder recorder = new AsciicastRecorder(session.get(), sink, output, scheduler, flushInterval,
                flushSizeThreshold, durations);
        if (upgrade.contains("websocket")) {
            return Optional.of(new WebSocketTap(recorder));
        }
        if (upgrade.startsWith("spdy")) {
            return Optional.of(new SpdyTap(recorder));
        }
        recorder.finish();
        return Optional.empty();
    }
}
