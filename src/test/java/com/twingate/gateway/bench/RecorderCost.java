package com.twingate.gateway.bench;

import com.twingate.gateway.recording.AsciicastRecorder;
import com.twingate.gateway.recording.LogRecordingSink;
import com.twingate.gateway.recording.SessionInfo;
import com.twingate.gateway.token.GatClaims;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The recorder's own CPU per GB of terminal output, apart from the relay and TLS: 16 KiB read-only
 * chunks of ASCII lines (as the tunnel hands them over) through {@code AsciicastRecorder} and
 * {@code LogRecordingSink} on one thread, its CPU time per GB, six rounds of 1 GB. Run it on two class
 * directories (before and after a change) in turn, with the log going nowhere:
 * {@code java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" com.twingate.gateway.bench.RecorderCost > /dev/null}
 * (the rounds are printed on stderr).
 */
public final class RecorderCost {

    private static final long GIGABYTE = 1_000_000_000L;

    private RecorderCost() {}

    public static void main(String[] args) {
        byte[] chunk = new byte[16 * 1024];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i % 80 == 79 ? '\n' : 'a' + i % 26);
        }
        SessionInfo session = new SessionInfo("default", "web", "app", List.of("cat"), false,
                new GatClaims.User("u-1", "alice", List.of()), "conn-1", "request-1");
        LogRecordingSink log = new LogRecordingSink();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        for (int round = 1; round <= 6; round++) {
            // Parts are written on the calling thread (Runnable::run), so its CPU time is the whole cost.
            AsciicastRecorder recorder = new AsciicastRecorder(session, log, Runnable::run, scheduler, Duration.ofHours(1),
                    1_000_000, duration -> { });
            long before = threads.getCurrentThreadCpuTime();
            long bytes = 0;
            while (bytes < GIGABYTE) {
                recorder.output(ByteBuffer.wrap(chunk).asReadOnlyBuffer());
                bytes += chunk.length;
            }
            recorder.finish();
            double seconds = (threads.getCurrentThreadCpuTime() - before) / 1e9;
            System.err.printf("round %d: %.2f s of CPU per GB recorded%n", round, seconds / (bytes / 1e9));
        }
        scheduler.shutdownNow();
    }
}
