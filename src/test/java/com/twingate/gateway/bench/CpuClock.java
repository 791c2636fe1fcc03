package com.twingate.gateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time used by a process and its children (nginx's workers), from {@code /proc/<pid>/stat}. The
 * machine is shared, so CPU per request is the steadier number next to latency.
 */
final class CpuClock {

    /** {@code getconf CLK_TCK} on Linux/x86-64. */
    private static final double TICKS_PER_SECOND = 100;

    private final long pid;
    private final boolean withChildren;

    private CpuClock(long pid, boolean withChildren) {
        this.pid = pid;
        this.withChildren = withChildren;
    }

    /** A process and its descendants (nginx's master and workers). */
    CpuClock(long pid) {
        this(pid, true);
    }

    /** This JVM alone (the load generator and the upstreams), not the proxies it started. */
    static CpuClock self() {
        return new CpuClock(ProcessHandle.current().pid(), false);
    }

    /** User plus system CPU seconds so far, of the process (and its descendants still running, if counted). */
    double seconds() {
        ProcessHandle root = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("process " + pid + " ended"));
        Stream<ProcessHandle> processes = withChildren ? Stream.concat(Stream.of(root), root.descendants()) : Stream.of(root);
        return processes.mapToLong(CpuClock::ticks).sum() / TICKS_PER_SECOND;
    }

    private static long ticks(ProcessHandle process) {
        try {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            // Fields after the command (which may hold spaces) in parentheses: utime and stime are the 12th and 13th.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException ended) {
            return 0;
        }
    }
}
