package com.twingate.gateway.recording;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Heap held by active recorded sessions (a measurement, not a test): {@code SESSIONS} WebSocket sessions
 * each print {@code BYTES} of output in 8 KiB reads, paced by their taps' answers as the tunnel paces them,
 * into a writer whose sink drops every part; the heap in use after a full GC, with every session still
 * open, less the heap before. Run from the project directory:
 * <pre>java -cp target/classes:target/test-classes:$(cat target/test-classpath) \
 *     com.twingate.gateway.recording.RecordingHeap SESSIONS BYTES BUDGET ascii|boxes</pre>
 */
public final class RecordingHeap {

    private RecordingHeap() {}

    public static void main(String[] args) throws Exception {
        int sessions = Integer.parseInt(args[0]);
        int bytes = Integer.parseInt(args[1]);
        long budgetBytes = Long.parseLong(args[2]);
        String line = args[3].equals("boxes") ? "│ ░▒▓ top ─ 12.5% ─┼─ " : "top - 12:00:01 up 1 day,  load: 0.42 ";
        ExecutorService relay = Executors.newFixedThreadPool(2);
        RecordingBudget budget = new RecordingBudget(budgetBytes);
        RecordingWriter writer = RecordingWriter.onItsOwnThread(budget);
        RecordingSink dropped = (session, asciicast, sequence, last) -> { };
        long before = heapAfterGc();
        List<SessionRecording> open = new ArrayList<>();
        List<java.util.concurrent.CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            SessionRecording tap = new CapturedParts().tap(dropped, CapturedParts.NO_TTY, 1_000_000,
                    events -> new WebSocketReader(WebSocketReader.Codec.BINARY, events), writer);
            open.add(tap);
            java.util.concurrent.CompletableFuture<Void> finished = new java.util.concurrent.CompletableFuture<>();
            done.add(finished);
            relay.execute(() -> print(tap, line, bytes, 0, relay, finished));
        }
        for (var finished : done) {
            finished.get(10, TimeUnit.MINUTES);
        }
        long after = heapAfterGc();
        System.out.printf("%d sessions x %d bytes (%s), budget %d: %.0f KiB heap per session, %.1f MiB in all; recordings hold %d bytes%n",
                sessions, bytes, args[3], budgetBytes, (after - before) / 1024.0 / sessions, (after - before) / 1048576.0,
                budget.held());
        open.forEach(SessionRecording::close);
        relay.shutdown();
        writer.stop();
    }

    private static void print(SessionRecording tap, String line, int total, int sent, ExecutorService relay,
                              java.util.concurrent.CompletableFuture<Void> finished) {
        if (sent >= total) {
            finished.complete(null);
            return;
        }
        StringBuilder text = new StringBuilder();
        while (text.toString().getBytes(StandardCharsets.UTF_8).length < 8 * 1024 - line.length() * 3) {
            text.append(line).append("\r\n");
        }
        byte[] payload = text.toString().getBytes(StandardCharsets.UTF_8);
        byte[] frame = new Frames.WebSocket(false).channel(WebSocketReader.STDOUT, payload).toByteArray();
        CompletionStage<Void> answer = tap.serverToClient(ByteBuffer.wrap(frame));
        answer.thenRunAsync(() -> print(tap, line, total, sent + payload.length, relay, finished), relay);
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
