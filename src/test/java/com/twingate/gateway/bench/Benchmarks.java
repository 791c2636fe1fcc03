package com.twingate.gateway.bench;

import com.twingate.gateway.bench.Route.Upstream;
import com.twingate.gateway.testkit.ClientKeys;
import com.twingate.gateway.testkit.ControllerStandIn;
import com.twingate.gateway.testkit.RawHttp2;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.TlsUpstream;
import com.twingate.gateway.testkit.UpgradeUpstream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * {@code scripts/bench}: the gateway against nginx and a direct connection, on this machine, in one
 * run. The load generator is this JVM; the gateway (its production jar) and nginx are processes of
 * their own; all three paths reach the same upstreams (a Jetty API stand-in and the upgrade stand-in,
 * in this JVM). Paths are measured in alternating rounds so machine drift touches all of them alike.
 * Writes the tables to {@code BENCHMARKS.md} ({@code --quick}: {@code target/BENCHMARKS-quick.md}). A measurement, not a test: nothing here asserts on time.
 */
public final class Benchmarks {

    static final int[] CONCURRENCIES = {1, 16, 64};
    static final int SETUP_THREADS = 4;
    static final int OPEN_THREADS = 4;
    static final String EXEC_PATH = "/api/v1/namespaces/default/pods/web/exec?command=cat&container=web&stdout=true&stderr=true";
    static final String PORT_FORWARD_PATH = "/api/v1/namespaces/default/pods/web/portforward?ports=8080";
    /** Sockets the memory phase may not use: the JVM's own files, upstream listeners, the other phases' leftovers. */
    static final int DESCRIPTOR_RESERVE = 1_000;
    /** The API server's SETTINGS_MAX_CONCURRENT_STREAMS since the HTTP/2 rapid-reset fix (CVE-2023-44487). */
    static final int API_SERVER_MAX_STREAMS = 100;
    /** Concurrent requests in the multiplexing phase: on one HTTP/2 connection, or one each on HTTP/1.1 connections. */
    static final int MULTIPLEXED = 64;

    /** How long and how much: the full run, or a quick one for development. */
    record Plan(int rounds, Duration segment, Duration warmup, int minWarmupLoops, int maxWarmupLoops,
                Duration streamSegment, int idleSmall, int idleLarge) {
        static Plan full(long descriptorLimit) {
            return new Plan(3, Duration.ofSeconds(3), Duration.ofSeconds(4), 8, 10, Duration.ofSeconds(3), 2_000,
                    idleLimit(9_500, descriptorLimit));
        }

        static Plan quick(long descriptorLimit) {
            return new Plan(1, Duration.ofSeconds(1), Duration.ofSeconds(2), 2, 2, Duration.ofSeconds(1), 200,
                    idleLimit(1_000, descriptorLimit));
        }

        /** Each idle connection costs the gateway two descriptors (kubectl's side and the upstream's), and this JVM two. */
        private static int idleLimit(int wanted, long descriptorLimit) {
            return (int) Math.min(wanted, (descriptorLimit - DESCRIPTOR_RESERVE) / 2);
        }
    }

    /**
     * A gateway to measure: the one the targets are about ({@code gateway}), or a variant of it with a
     * lever changed (a JVM option, a configuration line, an RSA certificate, another jar), measured in
     * the same rounds as a path of its own ({@code gateway NAME}).
     */
    static final class GatewaySpec {
        final String name;
        Path jar;
        final List<String> jvmOptions = new ArrayList<>();
        final List<String> config = new ArrayList<>();
        boolean rsa;

        GatewaySpec(String name) {
            this.name = name;
        }

        String fileName() {
            return name.replaceAll("[^A-Za-z0-9.-]", "-");
        }
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of("target/kubernetes-access-gateway.jar");
        Path out = null;
        boolean quick = false;
        long descriptorLimit = 20_000;
        List<String> phases = List.of("latency", "setup", "streams", "multiplex", "idle");
        List<GatewaySpec> gateways = new ArrayList<>(List.of(new GatewaySpec(Report.GATEWAY)));
        for (int i = 0; i < args.length; i++) {
            GatewaySpec latest = gateways.getLast();
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--jar" -> jar = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--fd-limit" -> descriptorLimit = Long.parseLong(args[++i]);
                case "--phases" -> phases = List.of(args[++i].split(","));
                case "--variant" -> gateways.add(new GatewaySpec(Report.GATEWAY + " " + args[++i]));
                case "--gateway-jar" -> latest.jar = Path.of(args[++i]);
                case "--gateway-jvm-option" -> latest.jvmOptions.add(args[++i]);
                case "--gateway-config" -> latest.config.add(args[++i]);
                case "--gateway-rsa" -> latest.rsa = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (known: --quick, --jar FILE,"
                        + " --out FILE, --fd-limit N, --phases latency,setup,streams,multiplex,idle; for the gateway, or for the"
                        + " last --variant NAME: --gateway-jar FILE, --gateway-jvm-option OPTION, --gateway-config HOCON,"
                        + " --gateway-rsa)");
            }
        }
        for (GatewaySpec gateway : gateways) {
            if (gateway.jar == null) {
                gateway.jar = jar;
            }
        }
        if (out == null) {
            // A quick run is for trying changes: it must not replace the committed full run.
            out = quick ? Path.of("target/BENCHMARKS-quick.md") : Path.of("BENCHMARKS.md");
        }
        Plan plan = quick ? Plan.quick(descriptorLimit) : Plan.full(descriptorLimit);
        Report report = new Report(plan, quick, descriptorLimit);
        report.machine(GatewayProcess.version(jar), NginxProcess.version(), variantsText(gateways));
        Instant started = Instant.now();

        Path dir = Files.createTempDirectory("bench");
        KeyPair clientKey = ClientKeys.newP256();
        List<AutoCloseable> processes = new ArrayList<>();
        try (ControllerStandIn controller = new ControllerStandIn("acme")) {
            TestPki gatewayPki = TestPki.create("gateway", dir);
            TestPki.Issued gatewayCertificate = gatewayPki.issue("gateway");
            TestPki.Issued gatewayRsaCertificate = gatewayPki.issueRsa2048("gateway-rsa");
            TestPki upstreamPki = TestPki.create("upstream", dir);
            ApiStandIn apiHandler = new ApiStandIn();
            // The API stand-in offers h2 with the API server's limit of 100 streams a connection, as API servers do.
            try (TlsUpstream api = TlsUpstream.offeringHttp2(upstreamPki.issue("api"), apiHandler, API_SERVER_MAX_STREAMS);
                 UpgradeUpstream streams = new UpgradeUpstream(upstreamPki.issue("streams"))) {
                api.setIdleTimeout(Duration.ofHours(1));
                ClientTls upstreamTrust = new ClientTls(upstreamPki);
                ClientTls gatewayTrust = new ClientTls(gatewayPki);
                NginxProcess nginx = NginxProcess.start(dir, gatewayCertificate.certificateFile(),
                        gatewayCertificate.privateKeyFile(), api.port(), streams.port(), upstreamPki.caFile());
                processes.add(nginx);
                Route direct = new Route.Direct(upstreamTrust, api.port(), streams.port());
                Route viaNginx = new Route.Nginx(gatewayTrust, nginx.port());
                Route viaNginxDoubleTls = new Route.NginxDoubleTls(gatewayTrust, nginx.doubleTlsPort());
                List<Route> routes = new ArrayList<>(List.of(direct, viaNginx, viaNginxDoubleTls));
                Map<String, CpuClock> cpu = new LinkedHashMap<>();
                cpu.put(viaNginx.name(), new CpuClock(nginx.pid()));
                cpu.put(viaNginxDoubleTls.name(), new CpuClock(nginx.pid()));
                List<Route.Gateway> gatewayRoutes = new ArrayList<>();
                List<GatewayProcess> gatewayProcesses = new ArrayList<>();
                for (GatewaySpec spec : gateways) {
                    TestPki.Issued certificate = spec.rsa ? gatewayRsaCertificate : gatewayCertificate;
                    GatewayProcess gateway = GatewayProcess.start(new GatewayProcess.Settings(spec.fileName(), spec.jar, dir,
                            controller.jwksUrl().toString(), certificate.certificateFile(), certificate.privateKeyFile(),
                            api.address(), streams.address(), upstreamPki.caFile(), spec.jvmOptions, String.join("\n", spec.config)));
                    processes.add(gateway);
                    gatewayProcesses.add(gateway);
                    Route.Gateway route = new Route.Gateway(spec.name, gatewayTrust, gateway.port(),
                            controller.token(clientKey).resourceAddress("127.0.0.1").mint(),
                            controller.token(clientKey).resourceAddress("localhost").mint(), clientKey, new AtomicLong());
                    gatewayRoutes.add(route);
                    routes.add(route);
                    cpu.put(route.name(), new CpuClock(gateway.pid()));
                }
                Benchmarks bench = new Benchmarks(plan, report, cpu);

                bench.warmUp(routes);
                if (phases.contains("latency")) {
                    bench.latency(routes);
                }
                if (phases.contains("setup")) {
                    bench.setup(routes, upstreamTrust, new InetSocketAddress("127.0.0.1", api.port()));
                }
                if (phases.contains("streams")) {
                    bench.streams(direct, viaNginx, viaNginxDoubleTls, gatewayRoutes);
                }
                if (phases.contains("multiplex")) {
                    bench.multiplexing(gatewayRoutes);
                }
                if (phases.contains("idle")) {
                    for (int i = 0; i < gatewayRoutes.size(); i++) {
                        bench.idleConnections(gatewayRoutes.get(i), gatewayProcesses.get(i), api);
                    }
                }
            } finally {
                closeAll(processes.reversed());
            }
        } finally {
            deleteQuietly(dir);
        }
        report.finished(Duration.between(started, Instant.now()));
        report.write(out);
        System.out.println("\nwrote " + out.toAbsolutePath());
    }

    /** How each gateway measured differs from the first, for the report; empty when only the gateway runs. */
    private static List<String> variantsText(List<GatewaySpec> gateways) {
        List<String> lines = new ArrayList<>();
        for (GatewaySpec spec : gateways) {
            List<String> differences = new ArrayList<>();
            if (!spec.jar.equals(gateways.getFirst().jar)) {
                differences.add("jar `" + spec.jar + "`");
            }
            spec.jvmOptions.forEach(option -> differences.add("JVM option `" + option + "`"));
            spec.config.forEach(line -> differences.add("configuration `" + line + "`"));
            if (spec.rsa) {
                differences.add("RSA-2048 gateway certificate");
            }
            if (!differences.isEmpty() || gateways.size() > 1) {
                lines.add("**" + spec.name + "**: " + (differences.isEmpty() ? "as built, ECDSA P-256 certificate" : String.join(", ", differences)));
            }
        }
        return lines;
    }

    private final Plan plan;
    private final Report report;
    /** CPU of the proxies' processes (nginx with its workers, each gateway), by route name. */
    private final Map<String, CpuClock> cpu;
    /** CPU of this JVM: the load generator's clients and the upstreams. */
    private final CpuClock client = CpuClock.self();

    private Benchmarks(Plan plan, Report report, Map<String, CpuClock> cpu) {
        this.plan = plan;
        this.report = report;
        this.cpu = cpu;
    }

    private double cpuSeconds(Route route) {
        CpuClock clock = cpu.get(route.name());
        return clock == null ? Double.NaN : clock.seconds();
    }

    /**
     * Every path's code gets going before anything counts: the gateway's JIT (on two busy cores it keeps
     * compiling for about a minute of load), nginx's caches, our own client code. Loops over the paths
     * (kept-alive GETs, new connections, a stream) until the gateway's CPU per request changes by less
     * than 10 % from one loop to the next (within the plan's minimum and maximum number of loops).
     */
    private void warmUp(List<Route> routes) throws Exception {
        double previous = Double.NaN;
        int loop = 1;
        for (; loop <= plan.maxWarmupLoops(); loop++) {
            double gatewayCpuPerRequest = Double.NaN;
            for (Route route : routes) {
                Segment segment = keptAlive(route, 16, plan.warmup());
                if (route.name().equals(Report.GATEWAY)) {
                    gatewayCpuPerRequest = segment.proxyCpuSeconds() / segment.requests();
                }
                streamThroughput(route, EXEC_PATH, Duration.ofMillis(500));
                setupRate(() -> oneConnection(route), Duration.ofSeconds(1));
            }
            System.out.printf("warm-up loop %d: gateway %.0f µs CPU per request%n", loop, gatewayCpuPerRequest * 1e6);
            boolean steady = Math.abs(gatewayCpuPerRequest - previous) < 0.1 * previous;
            previous = gatewayCpuPerRequest;
            if (loop >= plan.minWarmupLoops() && steady) {
                break;
            }
        }
        report.warmedUp(Math.min(loop, plan.maxWarmupLoops()), previous);
        // For profiles taken alongside (--gateway-jvm-option -XX:StartFlightRecording=...): where the measuring starts.
        System.out.println("warm-up done at " + Instant.now());
    }

    // ---- 1 and 2: kept-alive latency and requests per second

    private void latency(List<Route> routes) throws Exception {
        for (int concurrency : CONCURRENCIES) {
            for (int round = 0; round < plan.rounds(); round++) {
                for (Route route : rotated(routes, round)) {
                    Segment segment = keptAlive(route, concurrency, plan.segment());
                    report.latency(concurrency, route.name(), segment);
                    System.out.printf("latency c=%d %-8s round %d: p50 %.3f ms p99 %.3f ms, %.0f req/s%s%n", concurrency,
                            route.name(), round + 1, segment.histogram().getValueAtPercentile(50) / 1000.0,
                            segment.histogram().getValueAtPercentile(99) / 1000.0, segment.requests() / segment.seconds(),
                            segment.failures() > 0 ? " (" + segment.failures() + " failed)" : "");
                }
            }
        }
    }

    /** Measured: one small GET on each of {@code concurrency} kept-alive connections, each sending its next when answered. */
    record Segment(Histogram histogram, long requests, long failures, double seconds, double proxyCpuSeconds,
                   double clientCpuSeconds) {}

    private Segment keptAlive(Route route, int concurrency, Duration length) throws Exception {
        List<HttpOnSocket> connections = openAll(concurrency, () -> new HttpOnSocket(route.open(Upstream.API)));
        byte[] request = HttpOnSocket.get(ApiStandIn.POD_PATH, route.host(Upstream.API));
        Histogram all = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        LongAdder requests = new LongAdder();
        LongAdder failures = new LongAdder();
        CountDownLatch go = new CountDownLatch(1);
        long settle = TimeUnit.MILLISECONDS.toNanos(300);
        long[] window = new long[2];
        List<Thread> threads = new ArrayList<>();
        for (HttpOnSocket connection : connections) {
            threads.add(Thread.ofPlatform().start(() -> {
                Histogram mine = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
                long count = 0;
                try {
                    go.await();
                    while (true) {
                        long begin = System.nanoTime();
                        if (begin >= window[1]) {
                            break;
                        }
                        int status = connection.exchange(request);
                        long end = System.nanoTime();
                        if (status != 200) {
                            failures.increment();
                        } else if (begin >= window[0]) {
                            mine.recordValue(Math.max(1, (end - begin) / 1_000));
                            count++;
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    failures.increment();
                } finally {
                    requests.add(count);
                    synchronized (all) {
                        all.add(mine);
                    }
                }
            }));
        }
        window[0] = System.nanoTime() + settle;
        window[1] = window[0] + length.toNanos();
        go.countDown();
        TimeUnit.NANOSECONDS.sleep(window[0] - System.nanoTime());
        double cpuBefore = cpuSeconds(route);
        double clientBefore = client.seconds();
        TimeUnit.NANOSECONDS.sleep(window[1] - System.nanoTime());
        double cpuAfter = cpuSeconds(route);
        double clientAfter = client.seconds();
        for (Thread thread : threads) {
            thread.join();
        }
        closeAll(connections);
        return new Segment(all, requests.sum(), failures.sum(), length.toNanos() / 1e9, cpuAfter - cpuBefore,
                clientAfter - clientBefore);
    }

    // ---- 3: new connections per second

    private void setup(List<Route> routes, ClientTls upstreamTrust, InetSocketAddress api) throws Exception {
        Map<String, Opener> kinds = new LinkedHashMap<>();
        kinds.put(Report.BARE, () -> {
            HttpOnSocket.close(Route.tls(upstreamTrust, api, "localhost"));
        });
        for (Route route : routes) {
            kinds.put(route.name(), () -> oneConnection(route));
        }
        List<String> order = new ArrayList<>(kinds.keySet());
        for (int round = 0; round < plan.rounds(); round++) {
            for (String kind : rotated(order, round)) {
                CpuClock proxy = cpu.get(kind);
                double proxyBefore = proxy == null ? Double.NaN : proxy.seconds();
                double clientBefore = client.seconds();
                SetupSegment counted = setupRate(kinds.get(kind), plan.segment());
                SetupSegment segment = counted.withCpu(proxy == null ? Double.NaN : proxy.seconds() - proxyBefore,
                        client.seconds() - clientBefore);
                report.setup(kind, segment);
                System.out.printf("set-up %-14s round %d: %.0f connections/s%s%s%n", kind, round + 1, segment.rate(),
                        proxy == null ? "" : String.format(" (proxy CPU %.2f ms each)", segment.proxyCpuSeconds() * 1e3 / segment.connections()),
                        segment.failures() > 0 ? " (" + segment.failures() + " failed)" : "");
            }
        }
    }

    /** One kubectl connection from nothing: every handshake and authentication of the path, one GET answered, closed. */
    private static void oneConnection(Route route) throws IOException {
        try (HttpOnSocket connection = new HttpOnSocket(route.open(Upstream.API))) {
            int status = connection.exchange(HttpOnSocket.get(ApiStandIn.POD_PATH, route.host(Upstream.API)));
            if (status != 200) {
                throw new IOException("status " + status);
            }
        }
    }

    @FunctionalInterface
    interface Opener {
        void run() throws IOException;
    }

    /** Connections made in the segment; CPU of the proxy (NaN without one) and of this JVM meanwhile. */
    record SetupSegment(long connections, long failures, double seconds, double proxyCpuSeconds, double clientCpuSeconds) {
        double rate() {
            return connections / seconds;
        }

        SetupSegment withCpu(double proxy, double client) {
            return new SetupSegment(connections, failures, seconds, proxy, client);
        }
    }

    private static SetupSegment setupRate(Opener opener, Duration length) throws InterruptedException {
        LongAdder done = new LongAdder();
        LongAdder failed = new LongAdder();
        long end = System.nanoTime() + length.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < SETUP_THREADS; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    try {
                        opener.run();
                        done.increment();
                    } catch (IOException | RuntimeException e) {
                        failed.increment();
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return new SetupSegment(done.sum(), failed.sum(), length.toNanos() / 1e9, Double.NaN, Double.NaN);
    }

    // ---- 4: upgraded-stream throughput

    private void streams(Route direct, Route nginx, Route nginxDoubleTls, List<Route.Gateway> gateways) throws Exception {
        record Variant(String name, Route route, String path) {}
        List<Variant> variants = new ArrayList<>(List.of(
                new Variant(direct.name(), direct, EXEC_PATH),
                new Variant(nginx.name(), nginx, EXEC_PATH),
                new Variant(nginxDoubleTls.name(), nginxDoubleTls, EXEC_PATH)));
        for (Route.Gateway gateway : gateways) {
            variants.add(new Variant(Report.recordingOff(gateway.name()), gateway, PORT_FORWARD_PATH));
            variants.add(new Variant(Report.recordingOn(gateway.name()), gateway, EXEC_PATH));
        }
        for (int round = 0; round < plan.rounds(); round++) {
            for (Variant variant : rotated(variants, round)) {
                Stream stream = streamThroughput(variant.route(), variant.path(), plan.streamSegment());
                report.stream(variant.name(), stream);
                System.out.printf("stream %-36s round %d: %.1f MB/s%s%n", variant.name(), round + 1, stream.megabytesPerSecond(),
                        Double.isNaN(stream.proxyCpuSeconds()) ? "" : String.format(" (proxy CPU %.2f s per GB)",
                                stream.proxyCpuSeconds() / (stream.bytes() / 1e9)));
            }
            // Let the recorder write the last part of a recorded session before the next round measures.
            Thread.sleep(500);
        }
    }

    /** Bytes read in the measured time, and the proxy's CPU meanwhile. */
    record Stream(long bytes, double seconds, double proxyCpuSeconds) {
        double megabytesPerSecond() {
            return bytes / seconds / 1e6;
        }
    }

    /**
     * One WebSocket exec (or port-forward) whose upstream sends stdout frames without end: what the client
     * reads over {@code length}, after half a second of settling. MB = 10^6 bytes.
     */
    private Stream streamThroughput(Route route, String path, Duration length) throws IOException {
        try (HttpOnSocket connection = new HttpOnSocket(route.open(Upstream.STREAMS))) {
            connection.send(("GET " + path + " HTTP/1.1\r\nHost: " + route.host(Upstream.STREAMS) + "\r\n"
                    + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: YmVuY2htYXJrLXN0cmVhbQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n"
                    + UpgradeUpstream.SOURCE_HEADER + ": " + UpgradeUpstream.STDOUT_FRAMES + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            HttpOnSocket.Head head = connection.readHead();
            if (head.status() != 101) {
                throw new IOException(route.name() + " did not switch protocols: " + head.text());
            }
            InputStream in = connection.input();
            byte[] buffer = new byte[64 * 1024];
            long settleEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() < settleEnd) {
                readSome(in, buffer);
            }
            long bytes = 0;
            double cpuBefore = cpuSeconds(route);
            long start = System.nanoTime();
            long end = start + length.toNanos();
            long now = start;
            while (now < end) {
                bytes += readSome(in, buffer);
                now = System.nanoTime();
            }
            return new Stream(bytes, (now - start) / 1e9, cpuSeconds(route) - cpuBefore);
        }
    }

    private static int readSome(InputStream in, byte[] buffer) throws IOException {
        int read = in.read(buffer);
        if (read < 0) {
            throw new IOException("the stream ended");
        }
        return read;
    }

    // ---- 5: HTTP/2 on kubectl's connection: 64 streams on one connection against 64 HTTP/1.1 connections

    private void multiplexing(List<Route.Gateway> gateways) throws Exception {
        for (int round = 0; round < plan.rounds(); round++) {
            for (Route.Gateway gateway : rotated(gateways, round)) {
                Segment http1 = keptAlive(gateway, MULTIPLEXED, plan.segment());
                Optional<Segment> http2 = streamsOnOneConnection(gateway, MULTIPLEXED, plan.segment());
                if (http2.isEmpty()) {
                    System.out.printf("multiplex %-8s: no h2 on kubectl's connection (http2.enabled = false)%n", gateway.name());
                    continue;
                }
                report.multiplexed(gateway.name(), http1, http2.get());
                for (Segment segment : List.of(http1, http2.get())) {
                    System.out.printf("multiplex %-8s %s round %d: %.0f req/s, p50 %.3f ms, proxy CPU %.0f µs/request%s%n",
                            gateway.name(), segment == http1 ? "64×HTTP/1.1" : "1×HTTP/2 64", round + 1,
                            segment.requests() / segment.seconds(), segment.histogram().getValueAtPercentile(50) / 1000.0,
                            segment.proxyCpuSeconds() * 1e6 / segment.requests(),
                            segment.failures() > 0 ? " (" + segment.failures() + " failed)" : "");
                }
            }
        }
    }

    /**
     * {@code streams} GETs in flight on one HTTP/2 connection, each answered stream followed at once by a new
     * one (closed loop, as {@link #keptAlive} on as many connections). One thread writes and reads the frames.
     */
    private Optional<Segment> streamsOnOneConnection(Route.Gateway route, int streams, Duration length) throws Exception {
        Histogram latencies = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        long requests = 0;
        long failures = 0;
        Route.Opened opened = route.openHttp2();
        if (!"h2".equals(opened.socket().getApplicationProtocol())) {
            opened.tcp().close();
            return Optional.empty();
        }
        try (RawHttp2 http2 = new RawHttp2(opened.socket())) {
            Map<Integer, Long> sentAt = new HashMap<>();
            int nextStream = 1;
            for (int i = 0; i < streams; i++, nextStream += 2) {
                http2.get(nextStream, ApiStandIn.POD_PATH, List.of());
                sentAt.put(nextStream, System.nanoTime());
            }
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            long end = start + length.toNanos();
            double cpuBefore = Double.NaN;
            double clientBefore = Double.NaN;
            while (!sentAt.isEmpty()) {
                long now = System.nanoTime();
                if (Double.isNaN(cpuBefore) && now >= start) {
                    cpuBefore = cpuSeconds(route);
                    clientBefore = client.seconds();
                }
                RawHttp2.Frame frame = http2.next(Duration.ofSeconds(10))
                        .orElseThrow(() -> new IOException("the HTTP/2 connection ended or went quiet"));
                if (frame.type() == RawHttp2.HEADERS && http2.status(frame) != 200) {
                    failures++;
                }
                if (!frame.endsStream() && frame.type() != RawHttp2.RST_STREAM) {
                    continue;
                }
                Long sent = sentAt.remove(frame.streamId());
                if (sent == null) {
                    continue;
                }
                now = System.nanoTime();
                if (sent >= start && now <= end) {
                    latencies.recordValue(Math.max(1, (now - sent) / 1_000));
                    requests++;
                }
                if (now < end) {
                    http2.get(nextStream, ApiStandIn.POD_PATH, List.of());
                    sentAt.put(nextStream, System.nanoTime());
                    nextStream += 2;
                }
            }
            return Optional.of(new Segment(latencies, requests, failures, length.toNanos() / 1e9, cpuSeconds(route) - cpuBefore,
                    client.seconds() - clientBefore));
        } finally {
            opened.tcp().close();
        }
    }

    // ---- 6: memory per idle authenticated connection holding a watch

    private void idleConnections(Route gatewayRoute, GatewayProcess gateway, TlsUpstream api) throws Exception {
        long descriptorsBefore = openDescriptors();
        long heapBefore = gateway.usedHeapAfterGc();
        long rssBefore = gateway.rss();
        int upstreamBefore = api.connections();
        long gatewayDescriptorsBefore = gateway.descriptors();
        System.out.printf("idle %s baseline: heap %d KiB, RSS %d KiB, %d upstream connections, %d gateway descriptors%n",
                gatewayRoute.name(), heapBefore / 1024, rssBefore / 1024, upstreamBefore, gatewayDescriptorsBefore);
        List<HttpOnSocket> open = new ArrayList<>();

        try {
            for (int target : new int[] {plan.idleSmall(), plan.idleLarge()}) {
                long began = System.nanoTime();
                try {
                    open.addAll(openAll(target - open.size(), () -> watch(gatewayRoute)));
                } catch (IOException failed) {
                    // One gateway that cannot hold this many is a result, not the end of the run.
                    Throwable cause = failed.getCause() == null ? failed : failed.getCause();
                    String why = String.format("%s, with %d watches already open (%s: %s); the gateway held %d descriptors",
                            failed.getMessage(), open.size(), cause.getClass().getSimpleName(), cause.getMessage(), gateway.descriptors());
                    report.idleFailed(gatewayRoute.name(), why);
                    System.out.printf("idle %s: %s%n", gatewayRoute.name(), why);
                    break;
                }
                double seconds = (System.nanoTime() - began) / 1e9;
                long heap = gateway.usedHeapAfterGc();
                long rss = gateway.rss();
                int upstream = api.connections() - upstreamBefore;
                long descriptors = gateway.descriptors() - gatewayDescriptorsBefore;
                report.idle(new Report.Idle(gatewayRoute.name(), open.size(), heap, rss, heapBefore, rssBefore, upstream, descriptors));
                System.out.printf("idle %s: %d watches (opened in %.0f s): heap %d KiB (%.1f KiB each), RSS %d KiB (%.1f KiB each),"
                                + " %d upstream connections, %d more gateway descriptors%n",
                        gatewayRoute.name(), open.size(), seconds, heap / 1024, (heap - heapBefore) / 1024.0 / open.size(), rss / 1024,
                        (rss - rssBefore) / 1024.0 / open.size(), upstream, descriptors);
            }
        } finally {
            closeAll(open);
            awaitDescriptorsBackTo(descriptorsBefore);
        }
    }

    /**
     * The gateway closes its upstream connections (held by the API stand-in, in this JVM) as it notices
     * each watch's client gone: the next gateway's watches need those descriptors back first.
     */
    private static void awaitDescriptorsBackTo(long count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long now = openDescriptors();
        while (now > count + 100 && System.nanoTime() < deadline) {
            Thread.sleep(200); // the gateway's closes are asynchronous; nothing to wait on from here but the count
            now = openDescriptors();
        }
        if (now > count + 100) {
            System.out.printf("%d descriptors still open after the watches closed (%d before)%n", now, count);
        }
    }

    private static long openDescriptors() throws IOException {
        try (var descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.count();
        }
    }

    /** An authenticated connection whose {@code watch} is answered with its first event and then held. */
    private static HttpOnSocket watch(Route route) throws IOException {
        HttpOnSocket connection = new HttpOnSocket(route.open(Upstream.API));
        try {
            connection.send(HttpOnSocket.get(ApiStandIn.WATCH_PATH, route.host(Upstream.API)));
            HttpOnSocket.Head head = connection.readHead();
            if (head.status() != 200 || !head.chunked()) {
                throw new IOException("the watch was not answered as a stream: " + head.text());
            }
            connection.readFirstChunk();
            return connection;
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    // ---- helpers

    @FunctionalInterface
    interface Connector<T> {
        T open() throws IOException;
    }

    /** Opens {@code count} connections on a few threads; any failure fails the whole (and closes what opened). */
    private static <T extends AutoCloseable> List<T> openAll(int count, Connector<T> connector) throws Exception {
        ConcurrentLinkedQueue<T> opened = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < Math.min(OPEN_THREADS, count); i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (failures.isEmpty() && next.getAndIncrement() < count) {
                    try {
                        opened.add(connector.open());
                    } catch (Exception e) {
                        failures.add(e);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            closeAll(new ArrayList<>(opened));
            IOException failure = new IOException("opening " + count + " connections failed after " + opened.size(),
                    failures.peek());
            throw failure;
        }
        return new ArrayList<>(opened);
    }

    private static void closeAll(List<? extends AutoCloseable> connections) {
        for (AutoCloseable connection : connections) {
            try {
                connection.close();
            } catch (Exception e) {
                // closing a benchmark connection: nothing to do about it
            }
        }
    }

    /** Round {@code r} starts at a different path, so no path is always first (or always after the same one). */
    static <T> List<T> rotated(List<T> items, int round) {
        List<T> copy = new ArrayList<>(items);
        Collections.rotate(copy, -(round % copy.size()));
        return copy;
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Collections.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }
}
