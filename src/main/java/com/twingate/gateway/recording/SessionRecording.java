package com.twingate.gateway.recording;

import com.twingate.gateway.metrics.RecordingFailureReason;
import com.twingate.gateway.relay.RelayTap;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One recorded session, as the relay's tap: the protocol reader turns the relayed bytes into output and
 * terminal sizes for the {@link AsciicastRecorder}, whose parts go to the session's sinks. Never throws
 * into the relay. Each tap call answers when the relay may read that side again: at once; once the
 * recordings' memory is back under budget (the writer has caught up); or never, failed, when the session
 * must end because its recording failed and {@code recording.onFailure} is {@code refuse}.
 */
public final class SessionRecording implements RelayTap, StreamEvents {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRecording.class);

    private final SessionInfo session;
    private final AsciicastRecorder recorder;
    private final ResizeParser resizes;
    private final ProtocolReader reader;
    private final RecordingBudget budget;
    private final RecordingFailures failures;
    private final List<RecordingSink> sinks;
    private final CompletableFuture<Void> mustEnd = new CompletableFuture<>();
    private final AtomicBoolean streamFailed = new AtomicBoolean();
    private volatile boolean reading = true;
    private final List<Consumer<String>> endListeners = new CopyOnWriteArrayList<>();

    /**
     * @param sinks  where parts go; one that fails is dropped (continue) or ends the session (refuse)
     * @param reader the protocol reader, given this recording to report to
     */
    SessionRecording(SessionInfo session, List<RecordingSink> sinks, Function<RecordingSink, AsciicastRecorder> recorder,
                     Function<StreamEvents, ProtocolReader> reader, RecordingBudget budget, RecordingFailures failures) {
        this.session = session;
        this.sinks = new CopyOnWriteArrayList<>(sinks);
        this.budget = budget;
        this.failures = failures;
        this.recorder = recorder.apply(this::writePart);
        this.resizes = new ResizeParser(this.recorder::resize);
        this.reader = reader.apply(this);
    }

    /**
     * Runs {@code end} with the reason when the session must end (at once if it already must): its
     * recording failed and {@code recording.onFailure} is {@code refuse}.
     */
    public void whenMustEnd(Consumer<String> end) {
        endListeners.add(end);
        if (mustEnd.isDone() && endListeners.remove(end)) {
            end.accept(reasonToEnd());
        }
    }

    @Override
    public CompletionStage<Void> clientToServer(ByteBuffer bytes) {
        return read(bytes, true);
    }

    @Override
    public CompletionStage<Void> serverToClient(ByteBuffer bytes) {
        return read(bytes, false);
    }

    private CompletionStage<Void> read(ByteBuffer bytes, boolean fromClient) {
        if (reading) {
            try {
                if (fromClient) {
                    reader.fromClient(bytes);
                } else {
                    reader.fromServer(bytes);
                }
            } catch (Exception e) {
                // A bug, not the bytes: readers report what they cannot read. Still, nothing escapes into the relay.
                LOG.error("the session recorder failed on the relayed bytes", e);
                unreadable("the recorder failed reading the stream: " + e);
            }
        }
        return mustEnd.isDone() ? mustEnd : budget.whenAvailable();
    }

    @Override
    public void output(ByteBuffer bytes) {
        recorder.output(bytes);
    }

    @Override
    public void resize(ByteBuffer bytes) {
        resizes.bytes(bytes);
    }

    @Override
    public void unreadable(String why) {
        reading = false;
        if (streamFailed.compareAndSet(false, true)) {
            failed(new RecordingException(RecordingFailureReason.UNREADABLE_STREAM, why));
        }
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (Exception e) {
            LOG.warn("closing the session recorder's protocol reader failed: {}", e.toString());
        }
        recorder.finish();
    }

    /** On the writer's thread: the part to every sink still in use. */
    private void writePart(SessionInfo info, String asciicast, int sequence, boolean last) {
        for (RecordingSink sink : sinks) {
            try {
                sink.part(info, asciicast, sequence, last);
            } catch (RuntimeException e) {
                sinkFailed(sink, e instanceof RecordingException known ? known
                        : new RecordingException(RecordingFailureReason.WRITE_FAILED, "writing part " + sequence + " failed: " + e));
            }
        }
    }

    private void sinkFailed(RecordingSink sink, RecordingException failure) {
        if (mustEnd.isDone()) {
            LOG.debug("an ended session's recording failed again: {}", failure.getMessage());
            return;
        }
        if (!failed(failure)) {
            // continue: this sink is dropped; the others still get every part.
            sinks.remove(sink);
        }
    }

    /** @return true when the session must end */
    private boolean failed(RecordingException failure) {
        if (mustEnd.isDone()) {
            return true;
        }
        if (!failures.endsRunning(session, failure)) {
            return false;
        }
        reading = false;
        if (mustEnd.completeExceptionally(failure)) {
            for (Consumer<String> end : endListeners) {
                if (endListeners.remove(end)) {
                    end.accept(reasonToEnd());
                }
            }
        }
        return true;
    }

    private String reasonToEnd() {
        return "session recording failed: " + mustEnd.exceptionNow().getMessage();
    }
}
