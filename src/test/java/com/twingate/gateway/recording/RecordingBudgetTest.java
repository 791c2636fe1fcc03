package com.twingate.gateway.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.testkit.Await;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 50 sessions printing at once against a log that has stopped: the memory all recordings hold stays
 * within the budget (parts are cut early, then the sessions are paused, as the tunnel pauses them, by
 * the completion their tap answers with), and once the log moves again every byte is recorded.
 */
class RecordingBudgetTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final int SESSIONS = 50;
    private static final int CHUNKS = 40;
    /** One relay read's worth of output, as the tunnel would hand it over. */
    private static final int CHUNK_TEXT = 8 * 1024;
    private static final long BUDGET = 2L << 20;

    private final ExecutorService relayThreads = Executors.newFixedThreadPool(4);
    private final ExecutorService writerThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        relayThreads.shutdownNow();
        writerThread.shutdownNow();
    }

    @Test
    void fiftySessionsStayWithinTheBudgetWhileTheLogIsStuckAndLoseNothing() throws Exception {
        RecordingBudget budget = new RecordingBudget(BUDGET);
        RecordingWriter writer = new RecordingWriter(writerThread, budget);
        CountDownLatch logStuck = new CountDownLatch(1);
        writer.execute(() -> await(logStuck));

        List<Session> sessions = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            sessions.add(new Session(i, writer));
        }
        sessions.forEach(session -> relayThreads.execute(session::next));

        Await.until("every session to be paused by the budget", DEADLINE, () -> sessions.stream().allMatch(Session::paused));
        long held = budget.held();
        // Each session may overshoot by the one chunk it was handed when the budget ran out.
        long oneChunkEach = SESSIONS * (CHUNK_TEXT + 64L);
        assertThat(held).as("memory held by all recordings").isLessThanOrEqualTo(BUDGET + oneChunkEach);
        assertThat(sessions.stream().mapToInt(session -> session.chunksSent.get()).sum())
                .as("output was held up, not taken in without bound").isLessThan(SESSIONS * CHUNKS);

        logStuck.countDown();
        Await.until("every session to finish", DEADLINE, () -> sessions.stream().allMatch(Session::finished));
        for (Session session : sessions) {
            session.tap.close();
        }
        Await.until("every part to be written", DEADLINE, () -> budget.held() == 0);
        for (Session session : sessions) {
            assertThat(session.parts.output()).as("session %d", session.number).isEqualTo(session.sent.toString());
            assertThat(session.parts.parts.getLast().last()).isTrue();
        }
    }

    /** One session's relay, as the tunnel runs it: a chunk, then the next once the tap's answer completes. */
    private final class Session {
        final int number;
        final CapturedParts parts = new CapturedParts();
        final SessionRecording tap;
        final StringBuilder sent = new StringBuilder();
        final AtomicInteger chunksSent = new AtomicInteger();
        volatile CompletionStage<Void> waitingFor;

        Session(int number, RecordingWriter writer) {
            this.number = number;
            this.tap = parts.tap(parts, CapturedParts.NO_TTY, 1_000_000,
                    events -> new WebSocketReader(WebSocketReader.Codec.BINARY, events), writer);
        }

        void next() {
            int chunk = chunksSent.get();
            if (chunk == CHUNKS) {
                return;
            }
            String text = (char) ('a' + number % 26) + Integer.toString(chunk) + "x".repeat(CHUNK_TEXT - 8);
            synchronized (sent) {
                sent.append(text);
            }
            byte[] frame = new Frames.WebSocket(false).channel(WebSocketReader.STDOUT, text.getBytes(StandardCharsets.UTF_8))
                    .toByteArray();
            CompletionStage<Void> answer = tap.serverToClient(ByteBuffer.wrap(frame).asReadOnlyBuffer());
            chunksSent.incrementAndGet();
            waitingFor = answer;
            answer.thenRunAsync(this::next, relayThreads);
        }

        boolean paused() {
            CompletionStage<Void> answer = waitingFor;
            return chunksSent.get() == CHUNKS || answer != null && !answer.toCompletableFuture().isDone();
        }

        boolean finished() {
            return chunksSent.get() == CHUNKS && waitingFor.toCompletableFuture().isDone();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
