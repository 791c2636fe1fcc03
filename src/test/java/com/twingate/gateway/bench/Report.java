package com.twingate.gateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Collects the rounds' results and writes them as {@code BENCHMARKS.md}. */
final class Report {

    static final String BARE = "bare TLS 1.3";
    static final String DIRECT = "direct";
    static final String NGINX = "nginx";
    /** The fair peer: nginx doing the gateway's two TLS layers on kubectl's connection. */
    static final String NGINX_DOUBLE_TLS = "nginx 2×TLS";
    /** The gateway the targets are about; variants are {@code gateway NAME}. */
    static final String GATEWAY = "gateway";
    /** Everything below this line in an existing BENCHMARKS.md is kept (notes written by hand: profiles, before/after). */
    static final String NOTES_MARKER = "<!-- Notes below this line are written by hand; scripts/bench keeps them. -->";

    private final Benchmarks.Plan plan;
    private final boolean quick;
    private final long descriptorLimit;
    private final Instant started = Instant.now();
    private final Map<Integer, Map<String, Latency>> latency = new LinkedHashMap<>();
    private final Map<String, List<Benchmarks.SetupSegment>> setup = new LinkedHashMap<>();
    private final Map<String, List<Benchmarks.Stream>> streams = new LinkedHashMap<>();
    private final List<Idle> idle = new ArrayList<>();
    private final Map<String, List<Multiplexed>> multiplexed = new LinkedHashMap<>();
    private final Map<String, String> idleFailures = new LinkedHashMap<>();
    private String gatewayVersion;
    private String nginxVersion;
    private String loadAtStart;
    private List<String> variants;
    private Duration took;

    Report(Benchmarks.Plan plan, boolean quick, long descriptorLimit) {
        this.plan = plan;
        this.quick = quick;
        this.descriptorLimit = descriptorLimit;
    }

    private static final class Latency {
        final Histogram histogram = new Histogram(60_000_000L, 3);
        long requests;
        long failures;
        double seconds;
        double proxyCpuSeconds;
        double clientCpuSeconds;
    }

    static String recordingOff(String gateway) {
        return gateway + ", recording off";
    }

    static String recordingOn(String gateway) {
        return gateway + ", recording on";
    }

    /** @param variants how each measured gateway differs from the first (empty with only one) */
    void machine(String gatewayVersion, String nginxVersion, List<String> variants) throws IOException {
        this.variants = variants;
        this.gatewayVersion = gatewayVersion;
        this.nginxVersion = nginxVersion;
        this.loadAtStart = Files.readString(Path.of("/proc/loadavg")).trim();
    }

    synchronized void latency(int concurrency, String route, Benchmarks.Segment segment) {
        Latency total = latency.computeIfAbsent(concurrency, c -> new LinkedHashMap<>()).computeIfAbsent(route, r -> new Latency());
        total.histogram.add(segment.histogram());
        total.requests += segment.requests();
        total.failures += segment.failures();
        total.seconds += segment.seconds();
        total.proxyCpuSeconds += segment.proxyCpuSeconds();
        total.clientCpuSeconds += segment.clientCpuSeconds();
    }

    synchronized void setup(String kind, Benchmarks.SetupSegment segment) {
        setup.computeIfAbsent(kind, k -> new ArrayList<>()).add(segment);
    }

    synchronized void stream(String variant, Benchmarks.Stream stream) {
        streams.computeIfAbsent(variant, k -> new ArrayList<>()).add(stream);
    }

    /** One gateway holding {@code connections} idle watches; the baselines are before it opened any. */
    record Idle(String gateway, int connections, long heap, long rss, long heapBaseline, long rssBaseline,
                int upstreamConnections, long gatewayDescriptors) {
        double heapPerConnectionKiB() {
            return (heap - heapBaseline) / 1024.0 / connections;
        }

        double rssPerConnectionKiB() {
            return (rss - rssBaseline) / 1024.0 / connections;
        }
    }

    void idle(Idle row) {
        idle.add(row);
    }

    /** A gateway that could not take more idle watches: why, in one line. */
    synchronized void idleFailed(String gateway, String why) {
        idleFailures.put(gateway, why);
    }

    /** One round of a gateway's requests: 64 HTTP/1.1 connections, then 64 streams on one HTTP/2 connection. */
    record Multiplexed(Benchmarks.Segment http1, Benchmarks.Segment http2) {}

    synchronized void multiplexed(String gateway, Benchmarks.Segment http1, Benchmarks.Segment http2) {
        multiplexed.computeIfAbsent(gateway, k -> new ArrayList<>()).add(new Multiplexed(http1, http2));
    }

    private int warmupLoops;
    private double warmGatewayCpuPerRequest;

    void warmedUp(int loops, double gatewayCpuPerRequest) {
        this.warmupLoops = loops;
        this.warmGatewayCpuPerRequest = gatewayCpuPerRequest;
    }

    void finished(Duration took) {
        this.took = took;
    }

    // ---- derived numbers

    private double p(int concurrency, String route, double percentile) {
        return latency.get(concurrency).get(route).histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    private double rps(int concurrency, String route) {
        Latency l = latency.get(concurrency).get(route);
        return l.requests / l.seconds;
    }

    private double setupRate(String kind) {
        return setup.get(kind).stream().mapToLong(Benchmarks.SetupSegment::connections).sum()
                / setup.get(kind).stream().mapToDouble(Benchmarks.SetupSegment::seconds).sum();
    }

    private long setupFailures(String kind) {
        return setup.get(kind).stream().mapToLong(Benchmarks.SetupSegment::failures).sum();
    }

    /** Milliseconds of CPU per connection: the proxy's, or this JVM's (load generator and upstreams). */
    private double setupCpuMillis(String kind, boolean proxy) {
        long connections = setup.get(kind).stream().mapToLong(Benchmarks.SetupSegment::connections).sum();
        double seconds = setup.get(kind).stream()
                .mapToDouble(proxy ? Benchmarks.SetupSegment::proxyCpuSeconds : Benchmarks.SetupSegment::clientCpuSeconds).sum();
        return seconds * 1e3 / connections;
    }

    private double stream(String variant) {
        return streams.get(variant).stream().mapToDouble(Benchmarks.Stream::megabytesPerSecond).average().orElse(Double.NaN);
    }

    private String streamSpread(String variant) {
        List<Benchmarks.Stream> values = streams.get(variant);
        return String.format(Locale.ROOT, "%.0f–%.0f", values.stream().mapToDouble(Benchmarks.Stream::megabytesPerSecond).min().orElse(0),
                values.stream().mapToDouble(Benchmarks.Stream::megabytesPerSecond).max().orElse(0));
    }

    /** The proxy's CPU seconds per GB relayed (NaN for the direct path). */
    private double streamCpu(String variant) {
        double cpuSeconds = streams.get(variant).stream().mapToDouble(Benchmarks.Stream::proxyCpuSeconds).sum();
        long bytes = streams.get(variant).stream().mapToLong(Benchmarks.Stream::bytes).sum();
        return cpuSeconds / (bytes / 1e9);
    }

    /** The proxy's CPU microseconds per request (NaN for the direct path). */
    private double requestCpu(int concurrency, String route) {
        Latency l = latency.get(concurrency).get(route);
        return l.proxyCpuSeconds * 1e6 / l.requests;
    }

    /** This JVM's CPU microseconds per request: the load generator's clients and the upstream. */
    private double clientRequestCpu(int concurrency, String route) {
        Latency l = latency.get(concurrency).get(route);
        return l.clientCpuSeconds * 1e6 / l.requests;
    }

    /** The three stream numbers, on their own, for notes elsewhere. */
    String streamSummary() {
        return String.format(Locale.ROOT, "stream MB/s: direct %.1f, nginx 2×TLS %.1f, gateway recording off %.1f, gateway recording on %.1f",
                stream(DIRECT), stream(NGINX_DOUBLE_TLS), stream(recordingOff(GATEWAY)), stream(recordingOn(GATEWAY)));
    }

    // ---- the file

    void write(Path out) throws IOException {
        String notes = "";
        if (Files.exists(out)) {
            String existing = Files.readString(out);
            int marker = existing.indexOf(NOTES_MARKER);
            if (marker >= 0) {
                notes = existing.substring(marker + NOTES_MARKER.length());
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("The latest output of `scripts/bench").append(quick ? " --quick" : "").append("`, run ")
                .append(started.truncatedTo(ChronoUnit.SECONDS)).append(" in ").append(took.toSeconds()).append(" s")
                .append(quick ? " (**quick run: short segments, fewer connections; not for comparison**)" : "").append(".\n\n");
        machineSection(md);
        pathsSection(md);
        md.append("## Results\n\n");
        if (quick) {
            md.append("**Quick run** (development): short segments, fewer connections; not for comparison.\n\n");
        }
        latencySection(md);
        throughputSection(md);
        setupSection(md);
        streamSection(md);
        multiplexSection(md);
        idleSection(md);
        targetsSection(md);
        md.append(NOTES_MARKER).append(notes.isEmpty() ? "\n" : notes);
        Files.writeString(out, md.toString());
        System.out.println();
        System.out.println(md.substring(md.indexOf("## Results"), md.indexOf(NOTES_MARKER)));
        if (!streams.isEmpty()) {
            System.out.println(streamSummary());
        }
    }

    private void machineSection(StringBuilder md) throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        String memory = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .findFirst().map(l -> String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024))
                .orElse("?");
        md.append("## Machine and versions\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| CPU | ").append(cpu).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores |\n");
        md.append("| memory | ").append(memory).append(" |\n");
        md.append("| OS | ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version")).append(" |\n");
        md.append("| JDK (gateway, load generator, upstreams) | ").append(System.getProperty("java.vm.vendor")).append(' ')
                .append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version")).append(" |\n");
        md.append("| gateway | ").append(gatewayVersion.replace('\n', ' ')).append(", production jar, own JVM, default JVM settings |\n");
        md.append("| nginx | ").append(nginxVersion.replace("nginx version: ", ""))
                .append(" (Debian `nginx-light` and `libnginx-mod-stream`), 2 workers |\n");
        md.append("| load average at start | ").append(loadAtStart).append(" |\n");
        md.append("| open-file limit | ").append(descriptorLimit).append(" |\n\n");
        md.append("Everything runs on this one machine over 127.0.0.1: the load generator, both upstreams, nginx and the\n"
                + "gateway share its cores, so each number includes the cost of the client side too.\n\n");
    }

    private void pathsSection(StringBuilder md) {
        md.append("## What each path includes\n\n");
        md.append("""
                All paths reach the same upstreams, in the load generator's JVM: a Jetty 12 TLS server answering
                every `GET` with a 106-byte Pod (the API stand-in; `?watch=true` gets one event and is then held open),
                and the upgrade stand-in (`UpgradeUpstream`), which answers an upgrade with 101 and then sends
                WebSocket binary frames on channel 1 (stdout, 16 KiB of text each) without end. Clients offer no TLS
                session resumption (as kubectl does not), so every handshake is a full one; every socket sets `TCP_NODELAY`.

                - **direct**: TCP + TLS 1.3 from the load generator straight to the upstream.
                - **nginx**: TCP + TLS 1.3 to nginx (gateway's certificate), which removes `Authorization`,
                  `Proxy-Authorization`, `Impersonate-Uid`, sets `Authorization: Bearer …`, `Impersonate-User`,
                  `Impersonate-Group`, and proxies over TLS 1.3 (verified against the upstream's CA) on kept-alive
                  upstream connections (`keepalive 128`), unbuffered, with an access-log line per request; exec is
                  relayed as an upgrade.
                - **nginx 2×TLS** (the fair peer): the gateway's TLS work on kubectl's connection. TCP + an outer TLS 1.3
                  to nginx's `stream` module, then kubectl's TLS 1.3 inside it; the stream module terminates the outer
                  TLS and passes the inner bytes over loopback TCP to nginx's `http` block, which terminates the inner
                  TLS and does what **nginx** does. No CONNECT: nginx has no token or proof of possession to check.
                - **gateway**: what the Twingate Client and kubectl do, in the load generator's process (not through
                  the client stand-in's relay): TCP, outer TLS 1.3, `CONNECT` with the token and the ECDSA signature of the
                  session's exported keying material, then kubectl's TLS 1.3 inside the outer TLS, then HTTP/1.1. The
                  gateway verifies token and signature, applies its header rules, proxies over TLS to the upstream with
                  kept-alive connections, and writes an audit line per request to its stdout (a file). Exec sessions
                  are recorded (asciicast parts in the log); port-forward is relayed unrecorded.

                """);
        if (!variants.isEmpty()) {
            md.append("Gateways measured side by side (each its own JVM, same load, same rounds):\n\n");
            variants.forEach(line -> md.append("- ").append(line).append('\n'));
            md.append('\n');
        }
        md.append(String.format(Locale.ROOT, """
                Warm-up: loops over the paths (%d s of kept-alive GETs on 16 connections, 1 s of new connections, a
                short stream each), at least %d times, until the gateway's CPU per request is steady (within 10 %% of the
                loop before; at most %d loops); this run took %d loops and ended at %.0f µs per request. Then %d rounds;
                each round measures every path once, starting at a different path each round. Segments of %d s
                (streams %d s).

                CPU columns: **proxy** is user + system CPU of the nginx processes or the gateway's JVM during the
                measured time; **load generator** is that of the benchmark's own JVM (the clients' TLS and HTTP, and the
                upstreams, which do the same work on every path), each divided by what was done meanwhile.

                """, plan.warmup().toSeconds(), plan.minWarmupLoops(), plan.maxWarmupLoops(), warmupLoops,
                warmGatewayCpuPerRequest * 1e6, plan.rounds(),
                plan.segment().toSeconds(), plan.streamSegment().toSeconds()));
    }

    private void latencySection(StringBuilder md) {
        if (latency.isEmpty()) {
            return;
        }
        md.append("### 1. Latency of a small GET on kept-alive connections\n\n");
        md.append("""
                Each connection sends its next request as soon as the answer arrives (closed loop). Latency in
                milliseconds; CPU in microseconds per request.

                """);
        md.append("| connections | path | p50 | p90 | p99 | requests/s | p50 added to direct | proxy CPU µs | load generator CPU µs |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int concurrency : latency.keySet()) {
            for (String route : latency.get(concurrency).keySet()) {
                double p50 = p(concurrency, route, 50);
                md.append(String.format(Locale.ROOT, "| %d | %s | %.3f | %.3f | %.3f | %.0f | %s | %s | %.0f |%n", concurrency,
                        route, p50, p(concurrency, route, 90), p(concurrency, route, 99), rps(concurrency, route),
                        route.equals(DIRECT) ? "–" : String.format(Locale.ROOT, "+%.3f", p50 - p(concurrency, DIRECT, 50)),
                        number(requestCpu(concurrency, route), "%.0f"), clientRequestCpu(concurrency, route)));
            }
        }
        long failures = latency.values().stream().flatMap(m -> m.values().stream()).mapToLong(l -> l.failures).sum();
        md.append(failures == 0 ? "\nNo request failed.\n\n" : "\n**" + failures + " requests failed.**\n\n");
    }

    private void throughputSection(StringBuilder md) {
        if (!latency.containsKey(64)) {
            return;
        }
        md.append("### 2. Maximum requests per second at 64 connections\n\n");
        md.append("| path | requests/s | ÷ direct | ÷ nginx 2×TLS |\n|---|---:|---:|---:|\n");
        for (String route : latency.get(64).keySet()) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %s |%n", route, rps(64, route),
                    ratio(rps(64, route) / rps(64, DIRECT)), ratio(rps(64, route) / rps(64, NGINX_DOUBLE_TLS))));
        }
        md.append('\n');
    }

    private void setupSection(StringBuilder md) {
        if (setup.isEmpty()) {
            return;
        }
        md.append("### 3. New connections per second\n\n");
        md.append(String.format(Locale.ROOT, """
                %d threads, each opening a connection, doing one GET on it and closing it, again and again. The
                gateway's includes both handshakes, the token check and the proof-of-possession signature (made by the
                client, checked by the gateway); nginx 2×TLS's both handshakes. "%s" is TCP + one full handshake +
                close against the API stand-in's Jetty connector, same JDK. CPU in milliseconds per connection.

                """, Benchmarks.SETUP_THREADS, BARE));
        md.append("| path | connections/s | ÷ nginx 2×TLS | proxy CPU ms | load generator CPU ms | failed |\n"
                + "|---|---:|---:|---:|---:|---:|\n");
        for (String kind : setup.keySet()) {
            double rate = setupRate(kind);
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %s | %.2f | %d |%n", kind, rate,
                    kind.equals(BARE) ? "–" : ratio(rate / setupRate(NGINX_DOUBLE_TLS)), number(setupCpuMillis(kind, true), "%.2f"),
                    setupCpuMillis(kind, false), setupFailures(kind)));
        }
        md.append('\n');
    }

    private void streamSection(StringBuilder md) {
        if (streams.isEmpty()) {
            return;
        }
        md.append("### 4. Upgraded-stream throughput\n\n");
        md.append("""
                One WebSocket exec (`v5.channel.k8s.io`) whose upstream sends stdout frames as fast as it can; the client
                reads them. Recording on: an exec, which the gateway parses frame by frame and records as asciicast
                (1 MB parts to its log). Recording off: the same bytes on a port-forward path, which is not recorded.
                MB = 10^6 bytes; mean of the rounds (range in brackets).

                """);
        md.append("| path | MB/s | ÷ direct | ÷ nginx 2×TLS | proxy CPU s per GB |\n|---|---:|---:|---:|---:|\n");
        for (String variant : streams.keySet()) {
            md.append(String.format(Locale.ROOT, "| %s | %.1f (%s) | %s | %s | %s |%n", variant, stream(variant), streamSpread(variant),
                    variant.equals(DIRECT) ? "–" : ratio(stream(variant) / stream(DIRECT)),
                    ratio(stream(variant) / stream(NGINX_DOUBLE_TLS)), number(streamCpu(variant), "%.2f")));
        }
        md.append('\n');
        for (String variant : streams.keySet()) {
            if (variant.endsWith(", recording on")) {
                String gateway = variant.substring(0, variant.length() - ", recording on".length());
                md.append(String.format(Locale.ROOT, "%s: recording on ÷ off %s.%n", gateway,
                        ratio(stream(variant) / stream(recordingOff(gateway)))));
            }
        }
        md.append("\n`").append(streamSummary()).append("`\n\n");
    }

    /** Issue 18's comparison: the same 64 concurrent GETs, each on its own HTTP/1.1 connection or all on one HTTP/2 one. */
    private void multiplexSection(StringBuilder md) {
        if (multiplexed.isEmpty()) {
            return;
        }
        md.append("### 5. 64 concurrent requests: one HTTP/2 connection against 64 HTTP/1.1 connections\n\n");
        md.append("""
                The same small GET, 64 in flight at any time, closed loop: on 64 kept-alive HTTP/1.1 connections (as in
                table 1), or as 64 streams on one connection whose inner TLS negotiated h2 (as client-go does), each
                answered stream followed at once by a new one. Proxy CPU is the gateway's. Median of the rounds.

                """);
        md.append("| gateway | kubectl's connections | requests/s | p50 ms | p99 ms | proxy CPU µs/request | HTTP/2 ÷ HTTP/1.1 requests/s |\n"
                + "|---|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<Multiplexed>> entry : multiplexed.entrySet()) {
            List<Benchmarks.Segment> http1 = entry.getValue().stream().map(Multiplexed::http1).toList();
            List<Benchmarks.Segment> http2 = entry.getValue().stream().map(Multiplexed::http2).toList();
            double http1Rate = median(http1, segment -> segment.requests() / segment.seconds());
            double http2Rate = median(http2, segment -> segment.requests() / segment.seconds());
            multiplexRow(md, entry.getKey(), "64 × HTTP/1.1", http1, "–");
            multiplexRow(md, entry.getKey(), "1 × HTTP/2, 64 streams", http2, ratio(http2Rate / http1Rate));
        }
        md.append('\n');
    }

    private static void multiplexRow(StringBuilder md, String gateway, String connections, List<Benchmarks.Segment> segments,
                                     String ratio) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.3f | %.3f | %.0f | %s |%n", gateway, connections,
                median(segments, segment -> segment.requests() / segment.seconds()),
                median(segments, segment -> segment.histogram().getValueAtPercentile(50) / 1000.0),
                median(segments, segment -> segment.histogram().getValueAtPercentile(99) / 1000.0),
                median(segments, segment -> segment.proxyCpuSeconds() * 1e6 / segment.requests()), ratio));
    }

    private static double median(List<Benchmarks.Segment> segments, java.util.function.ToDoubleFunction<Benchmarks.Segment> value) {
        double[] values = segments.stream().mapToDouble(value).sorted().toArray();
        return values.length == 0 ? Double.NaN : values[values.length / 2];
    }

    private void idleSection(StringBuilder md) {
        if (idle.isEmpty()) {
            return;
        }
        md.append("### 6. Gateway memory, upstream connections and descriptors per idle authenticated watch\n\n");
        md.append("""
                Each watch on its own kubectl connection (outer TLS, CONNECT, inner TLS, HTTP/1.1 — as many separate
                clients hold them): `GET …/pods?watch=true` answered with one event and then held open by the API stand-in,
                which offers h2 with the API server's limit of 100 streams a connection. Heap is used heap after
                `jcmd GC.run` (`GC.heap_info`); RSS from `/proc/<pid>/status`; per watch is the growth over the gateway's
                baseline (after the other phases, before the first watch). Upstream connections are those the API stand-in
                holds open beyond its baseline; gateway descriptors are the growth of `/proc/<pid>/fd`.

                """);
        md.append("| gateway | watches | baseline heap | heap used | heap per watch | RSS | RSS per watch | upstream connections | gateway descriptors |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Idle row : idle) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f MiB | %.1f MiB | %.1f KiB | %.1f MiB | %.1f KiB | %d | %d |%n",
                    row.gateway(), row.connections(), row.heapBaseline() / 1048576.0, row.heap() / 1048576.0,
                    row.heapPerConnectionKiB(), row.rss() / 1048576.0, row.rssPerConnectionKiB(), row.upstreamConnections(),
                    row.gatewayDescriptors()));
        }
        idleFailures.forEach((gateway, why) -> md.append("\n**").append(gateway).append("** could take no more watches: ")
                .append(why).append(".\n"));
        int largest = idle.getLast().connections();
        if (largest < 9_500 && idleFailures.isEmpty()) {
            md.append(String.format(Locale.ROOT, """

                    The largest size is %d, not 9,500: this machine's hard limit on open files per process is %d and
                    cannot be raised here, and each idle watch can hold two descriptors in the gateway (kubectl's connection
                    and, over HTTP/1.1, the upstream's).
                    """, largest, descriptorLimit));
        }
        md.append('\n');
    }

    /**
     * The targets of issue 17, the gateway against the fair peer (nginx 2×TLS); a missed one says why in
     * one line, from what this run measured.
     */
    private void targetsSection(StringBuilder md) {
        md.append("## Targets\n\nThe gateway against **nginx 2×TLS**, as ratios in this run.\n\n");
        md.append("| target | measured | met | why not |\n|---|---|---|---|\n");
        for (int concurrency : latency.keySet()) {
            double gateway = requestCpu(concurrency, GATEWAY);
            double nginx = requestCpu(concurrency, NGINX_DOUBLE_TLS);
            target(md, "proxy CPU per kept-alive small GET ≤ nginx 2×TLS's, " + connections(concurrency),
                    String.format(Locale.ROOT, "gateway %.0f µs, nginx 2×TLS %.0f µs: %s", gateway, nginx, ratio(gateway / nginx)),
                    gateway <= nginx ? Met.YES : Met.NO, "the gateway spends " + ratio(gateway / nginx)
                            + " nginx's CPU on each request (see the notes for where it goes)");
        }
        if (latency.containsKey(64)) {
            double throughput = rps(64, GATEWAY) / rps(64, NGINX_DOUBLE_TLS);
            target(md, "requests/s at 64 connections ≥ 1.0 × nginx 2×TLS", String.format(Locale.ROOT, "%.0f vs %.0f: %s",
                    rps(64, GATEWAY), rps(64, NGINX_DOUBLE_TLS), ratio(throughput)), throughput >= 1.0 ? Met.YES : Met.NO,
                    cpuPerRequestReason(64) + " on the two cores that the proxies share with the load generator");
        }
        if (latency.containsKey(1)) {
            double gatewayAdded = p(1, GATEWAY, 50) - p(1, DIRECT, 50);
            double nginxAdded = p(1, NGINX_DOUBLE_TLS, 50) - p(1, DIRECT, 50);
            target(md, "p50 added latency ≤ nginx 2×TLS's, 1 connection",
                    String.format(Locale.ROOT, "gateway +%.3f ms, nginx 2×TLS +%.3f ms", gatewayAdded, nginxAdded),
                    gatewayAdded <= nginxAdded ? Met.YES : Met.NO,
                    "one request at a time: its latency is the CPU it takes, on however many threads it crosses; " + cpuPerRequestReason(1));
        }
        if (!setup.isEmpty()) {
            double setupRatio = setupRate(GATEWAY) / setupRate(NGINX_DOUBLE_TLS);
            target(md, "new connections/s ≥ 0.8 × nginx 2×TLS", String.format(Locale.ROOT, "%.0f/s vs %.0f/s: %s",
                    setupRate(GATEWAY), setupRate(NGINX_DOUBLE_TLS), ratio(setupRatio)), setupRatio >= 0.8 ? Met.YES : Met.NO,
                    String.format(Locale.ROOT, "proxy CPU per connection: gateway %.2f ms, nginx 2×TLS %.2f ms; the load generator's"
                                    + " own %.2f vs %.2f ms (its ECDSA signature for the proof) takes the same cores",
                            setupCpuMillis(GATEWAY, true), setupCpuMillis(NGINX_DOUBLE_TLS, true),
                            setupCpuMillis(GATEWAY, false), setupCpuMillis(NGINX_DOUBLE_TLS, false)));
        }
        if (!streams.isEmpty()) {
            String on = recordingOn(GATEWAY);
            String off = recordingOff(GATEWAY);
            double recorded = stream(on) / stream(off);
            target(md, "exec stream, recording on ≥ 0.9 × recording off", String.format(Locale.ROOT, "%.1f vs %.1f MB/s: %s",
                    stream(on), stream(off), ratio(recorded)), recorded >= 0.9 ? Met.YES : Met.NO,
                    String.format(Locale.ROOT, "recording costs CPU: %.2f s per GB on, %.2f off", streamCpu(on), streamCpu(off)));
            double relayed = stream(off) / stream(NGINX_DOUBLE_TLS);
            target(md, "exec stream unrecorded ≥ 1.0 × nginx 2×TLS", String.format(Locale.ROOT, "%.1f vs %.1f MB/s: %s",
                    stream(off), stream(NGINX_DOUBLE_TLS), ratio(relayed)), relayed >= 1.0 ? Met.YES : Met.NO,
                    String.format(Locale.ROOT, "proxy CPU per GB: gateway %.2f s, nginx 2×TLS %.2f s", streamCpu(off),
                            streamCpu(NGINX_DOUBLE_TLS)));
        }
        Idle largest = idle.stream().filter(row -> row.gateway().equals(GATEWAY)).reduce((first, second) -> second).orElse(null);
        if (largest != null) {
            double perConnection = largest.heapPerConnectionKiB();
            String target = "≤ 24 KiB heap per idle watch, " + largest.connections() + " connections (the largest here)";
            String measured = String.format(Locale.ROOT, "%.1f KiB", perConnection);
            if (quick || perConnection <= 0) {
                // With few connections the heap after GC moves by more than they hold: the difference says nothing.
                target(md, target, measured, Met.NOT_MEASURED, "too few connections to see past the heap's own movement"
                        + (quick ? " (quick run)" : ""));
            } else {
                target(md, target, measured, perConnection <= 24 ? Met.YES : Met.NO,
                        "the gateway holds kubectl's connection for each watch, two TLS layers with their buffers (and,"
                                + " over HTTP/1.1, an upstream connection too)");
            }
        }
        md.append('\n');
    }

    private enum Met { YES, NO, NOT_MEASURED }

    private static String connections(int concurrency) {
        return concurrency + " connection" + (concurrency == 1 ? "" : "s");
    }

    private String cpuPerRequestReason(int concurrency) {
        return String.format(Locale.ROOT, "CPU per request: gateway %.0f µs, nginx 2×TLS %.0f µs",
                requestCpu(concurrency, GATEWAY), requestCpu(concurrency, NGINX_DOUBLE_TLS));
    }

    private static void target(StringBuilder md, String target, String measured, Met met, String whyNot) {
        String shown = switch (met) {
            case YES -> "yes";
            case NO -> "**no**";
            case NOT_MEASURED -> "not measured";
        };
        md.append("| ").append(target).append(" | ").append(measured).append(" | ").append(shown).append(" | ")
                .append(met == Met.YES ? "" : whyNot).append(" |\n");
    }

    private static String ratio(double value) {
        return String.format(Locale.ROOT, "%.2f×", value);
    }

    /** A dash where there is nothing to measure (no proxy on the direct path). */
    private static String number(double value, String format) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, format, value);
    }
}
