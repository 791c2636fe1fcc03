package com.twingate.gateway.testkit;

import com.twingate.gateway.config.ConfigException;
import com.twingate.gateway.testkit.kubeapi.KubeApiStandIn;
import com.twingate.gateway.testkit.kubeapi.PodSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local run, started by {@code scripts/local-run.sh} (whose {@code --help} describes the options):
 * the controller and client stand-ins, the gateway (the production Guice module, configured from HOCON)
 * and an upstream — the Kubernetes API stand-in, or the real cluster of {@code --kubeconfig FILE} — and,
 * with {@code --prometheus}, a real Prometheus scraping the gateway with the project's alert rules.
 * Prints what to type on stderr, then the gateway's own log lines (audit, recordings) on stdout until
 * Ctrl-C, which stops everything and prints one line.
 */
public final class LocalRun {

    static final int EXIT_USAGE = 2;
    static final String STOPPING = "Stopping the local run";
    /** How often pod {@code web} writes a log line, so {@code kubectl logs -f web} has something to show. */
    private static final Duration WEB_LOG_INTERVAL = Duration.ofSeconds(3);
    private static final Path ALERT_RULES = Path.of("prometheus/alert-rules.yaml");

    private record Options(Path upstreamKubeconfig, Path directory, boolean prometheus) {}

    private LocalRun() {}

    public static void main(String[] args) throws Exception {
        Options options = options(args);
        Path directory = Files.createDirectories(options.directory());
        Path recordings = Files.createDirectories(directory.resolve("recordings"));
        // Registered before anything starts, so Ctrl-C while starting stops what is already up (a Prometheus too).
        List<AutoCloseable> parts = new CopyOnWriteArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!parts.isEmpty()) {
                System.err.println(STOPPING);
                closeInReverse(parts);
            }
            stopped.countDown();
        }));
        try {
            run(options, directory, recordings, parts);
            stopped.await();
        } catch (ConfigException invalid) {
            invalid.problems().forEach(problem -> System.err.println("local-run: gateway configuration: " + problem));
            exit(EXIT_USAGE, parts);
        }
    }

    private static void run(Options options, Path directory, Path recordings, List<AutoCloseable> parts) throws Exception {
        String upstream;
        KubeApiStandIn standIn = null;
        if (options.upstreamKubeconfig() == null) {
            TestPki apiPki = TestPki.create("kube-api", directory);
            String token = UUID.randomUUID().toString();
            // conf/gateway.conf names this file as its upstream credential.
            Files.writeString(directory.resolve("kube-api.token"), token);
            standIn = KubeApiStandIn.start(apiPki.issue("kube-api"), token, Files.createDirectories(directory.resolve("pods")));
            parts.add(standIn);
            standIn.cluster().addPod("default", "web");
            upstream = GatewayHarness.upstream("stand-in", standIn.address(), apiPki.caFile(), "bearerToken = \"" + token + "\"");
        } else {
            try {
                upstream = KubeconfigUpstream.hocon("cluster", options.upstreamKubeconfig(), directory);
            } catch (IllegalArgumentException | IOException unusable) {
                usage("--kubeconfig " + options.upstreamKubeconfig() + ": " + oneLine(unusable));
                return;
            }
        }
        GatewayHarness harness = GatewayHarness.start(directory, upstream,
                "recording.directory = \"" + recordings + "\"\nlog.format = text");
        // Stopped in reverse: the client stand-in first cuts every tunnel, so nothing is left for the
        // gateway to drain; the API stand-in next ends its pods' processes.
        parts.addFirst(harness);
        parts.add(harness.client());
        String metricsTarget = "127.0.0.1:" + harness.application().metricsPort();
        PrometheusServer prometheus = null;
        if (options.prometheus()) {
            prometheus = PrometheusServer.start(List.of(metricsTarget), List.of(ALERT_RULES.toAbsolutePath()));
            parts.add(prometheus);
        }
        if (standIn != null) {
            parts.add(webLogs(standIn));
        }
        Path kubeconfig = directory.resolve("kubeconfig");
        Files.writeString(kubeconfig, Kubectl.kubeconfig(harness.uri("").toString(), harness.pki().caFile(), null));

        System.err.printf("""

                The gateway is up on %s (its TLS port; GET /healthz there answers 200), behind the Twingate client
                stand-in on 127.0.0.1:%d. Its metrics: http://%s/metrics
                %sUpstream: %s
                Your user, from the token: alice@example.com, group developers.

                  export KUBECONFIG=%s
                  kubectl auth whoami
                  kubectl get pods
                  kubectl logs -f web
                  kubectl exec -it web -- sh

                Audit lines and session recordings follow on stdout; .cast files go to %s
                Ctrl-C stops everything.

                """, "127.0.0.1:" + harness.application().gatewayPort(), harness.client().localPort(), metricsTarget,
                prometheus == null ? "" : "Prometheus, scraping it with " + ALERT_RULES + " loaded: " + prometheus.uri() + "\n",
                standIn == null ? "the cluster of " + options.upstreamKubeconfig()
                        : "the Kubernetes API stand-in at " + standIn.address() + ", pod default/web in "
                        + directory.resolve("pods/default/web") + "\n" + PodSandbox.describe(),
                kubeconfig, recordings);
    }

    /** Pod {@code web} writes a line every few seconds, as a web server's access log would. */
    private static AutoCloseable webLogs(KubeApiStandIn standIn) {
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());
        AtomicLong served = new AtomicLong();
        clock.scheduleAtFixedRate(() -> standIn.cluster().appendLog("default", "web",
                        Instant.now() + " GET /index.html 200 (request " + served.incrementAndGet() + ")"),
                0, WEB_LOG_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return clock::shutdownNow;
    }

    private static Options options(String[] args) {
        Path upstreamKubeconfig = null;
        Path directory = Path.of("target/local-run");
        boolean prometheus = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--kubeconfig" -> upstreamKubeconfig = Path.of(requireValue(args, ++i)).toAbsolutePath();
                case "--dir" -> directory = Path.of(requireValue(args, ++i));
                case "--prometheus" -> prometheus = true;
                default -> usage("unknown argument: " + args[i]);
            }
        }
        if (upstreamKubeconfig != null && !Files.isRegularFile(upstreamKubeconfig)) {
            usage("--kubeconfig " + upstreamKubeconfig + ": no such file");
        }
        if (prometheus && Tools.binary("prometheus").isEmpty()) {
            usage("--prometheus needs Debian's prometheus on the PATH: apt-get install -y prometheus");
        }
        return new Options(upstreamKubeconfig, directory.toAbsolutePath(), prometheus);
    }

    /** Stops what was started, quietly (the problem was already said), and exits. */
    private static void exit(int code, List<AutoCloseable> parts) {
        closeInReverse(parts);
        parts.clear();
        System.exit(code);
    }

    private static String requireValue(String[] args, int index) {
        if (index >= args.length) {
            usage(args[index - 1] + " needs a value");
        }
        return args[index];
    }

    private static void usage(String problem) {
        System.err.println("local-run: " + problem + " (scripts/local-run.sh --help lists the options)");
        System.exit(EXIT_USAGE);
    }

    private static String oneLine(Exception e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    private static void closeInReverse(List<AutoCloseable> parts) {
        for (AutoCloseable part : parts.reversed()) {
            try {
                part.close();
            } catch (Exception e) {
                System.err.println("stopping: " + oneLine(e));
            }
        }
    }
}
