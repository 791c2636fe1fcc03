package com.twingate.gateway.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The local run as a person starts it: its own JVM, its banner, kubectl through it, and Ctrl-C. The run
 * is started with SIGINT at its default disposition, as a terminal starts a program (a job started in the
 * background of a script inherits it ignored, and then Ctrl-C could not reach it).
 */
class LocalRunTest {

    private static final Pattern METRICS_URL = Pattern.compile("Its metrics: (http://127\\.0\\.0\\.1:\\d+/metrics)");
    private static final Pattern PROMETHEUS_URL = Pattern.compile("loaded: (http://127\\.0\\.0\\.1:\\d+)");
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);
    private static final Duration KUBECTL_DEADLINE = Duration.ofSeconds(30);
    /** Past the client stand-in's old 30 s read timeout and the gateway's 60 s response-header timeout. */
    private static final Duration QUIET = Duration.ofSeconds(65);
    /** The promise for Ctrl-C: a deadline for a hang, not a performance measurement. */
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    @Test
    void helpAnswersAtOnceWithoutBuilding() throws Exception {
        Process help = new ProcessBuilder("scripts/local-run.sh", "--help").redirectErrorStream(true).start();
        String output = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(help.waitFor()).isZero();
        assertThat(output).startsWith("Usage: scripts/local-run.sh").contains("--kubeconfig FILE", "--dir DIRECTORY",
                "--prometheus", "--help").doesNotContain("[INFO]", "WARNING");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a missing file | | /nonexistent: no such file",
            "no current context | 'apiVersion: v1\nkind: Config\n' | has no entry '' in contexts (current-context '')"})
    void aKubeconfigTheRunCannotUseIsOneLine(String description, String content, String problem) throws Exception {
        Path kubeconfig = Path.of("/nonexistent");
        if (content != null) {
            kubeconfig = Files.writeString(dir.resolve("kubeconfig.yaml"), content.replace("\\n", "\n"));
        }
        Process run = localRun("--dir", dir.resolve("run").toString(), "--kubeconfig", kubeconfig.toString()).start();
        String stdout = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(run.waitFor()).isEqualTo(LocalRun.EXIT_USAGE);
        assertThat(stderr.lines()).singleElement().asString()
                .startsWith("local-run: --kubeconfig ").contains(problem).endsWith("(scripts/local-run.sh --help lists the options)");
        assertThat(stdout).isEmpty();
    }

    @Test
    void aQuietWatchOutlivesAMinuteAndCtrlCStopsWithAnExecOpen() throws Exception {
        List<String> stderr = new CopyOnWriteArrayList<>();
        Process run = localRun("--dir", dir.toString()).redirectOutput(dir.resolve("local-run.out").toFile()).start();
        Thread stderrReader = lines(run.getErrorStream(), stderr::add);
        Process watch = null;
        Process exec = null;
        try {
            Await.until("the local run's banner; stderr so far: " + stderr, START_DEADLINE,
                    () -> stderr.stream().anyMatch(line -> line.contains("Ctrl-C stops everything")) || !run.isAlive());
            assertThat(run.isAlive()).as("the local run is up; its stderr: %s", stderr).isTrue();
            Matcher metrics = stderr.stream().map(METRICS_URL::matcher).filter(Matcher::find).findFirst().orElseThrow(
                    () -> new AssertionError("no metrics URL in the banner: " + stderr));
            String metricsUrl = metrics.group(1);
            assertThat(get(metricsUrl)).contains("twingate_gateway_active_tcp_connections");

            // Over HTTP/2 kubectl pings an idle connection every 30 s; over HTTP/1.1, as the Python client and
            // curl speak, a quiet watch is quiet.
            Kubectl kubectl = Kubectl.of(Kubectl.installedVersions().getLast(), dir.resolve("kubeconfig")).env("DISABLE_HTTP2", "true");
            assertThat(kubectl.run(KUBECTL_DEADLINE, "logs", "web").assertSuccess().stdout())
                    .as("pod web writes a log line every few seconds").contains("GET /index.html 200");

            List<String> watched = new CopyOnWriteArrayList<>();
            watch = kubectl.processBuilder("get", "pods", "--watch", "--output=name").start();
            lines(watch.getInputStream(), watched::add);
            long watchStarted = System.nanoTime();
            Await.until("the watch to list pod web", KUBECTL_DEADLINE, () -> watched.contains("pod/web"));

            List<String> execOutput = new CopyOnWriteArrayList<>();
            exec = kubectl.processBuilder("exec", "-i", "web", "--", "sh").redirectErrorStream(true).start();
            lines(exec.getInputStream(), execOutput::add);
            OutputStream execInput = exec.getOutputStream();
            execInput.write("echo exec is open\n".getBytes(StandardCharsets.UTF_8));
            execInput.flush();
            Await.until("the exec to answer", KUBECTL_DEADLINE, () -> execOutput.contains("exec is open"));
            double tunnelsBefore = authenticatedTunnels(metricsUrl);

            // The point of this wait is the time itself: nothing crosses the watch while it passes.
            Await.until(QUIET + " of a quiet watch", QUIET.plusSeconds(10),
                    () -> System.nanoTime() - watchStarted > QUIET.toNanos());
            assertThat(watch.isAlive()).as("kubectl get --watch after %s without a byte", QUIET).isTrue();
            // A cut tunnel goes unseen by kubectl, which sends the watch again on a new connection when the old
            // one closed before any response byte; the gateway counts that connection's CONNECT.
            assertThat(authenticatedTunnels(metricsUrl)).as("tunnels opened during the quiet minute").isEqualTo(tunnelsBefore);
            kubectl.run(KUBECTL_DEADLINE, ("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: after-a-quiet-minute}
                    spec: {containers: [{name: main, image: stand-in}]}
                    """).getBytes(StandardCharsets.UTF_8), "apply", "-f", "-").assertSuccess();
            Await.until("the watch to show the new pod; it showed " + watched, KUBECTL_DEADLINE,
                    () -> watched.contains("pod/after-a-quiet-minute"));

            int before = stderr.size();
            interrupt(run);
            assertThat(run.waitFor(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS))
                    .as("the local run stopped within %s of Ctrl-C with an exec open", STOP_DEADLINE).isTrue();
            stderrReader.join(Duration.ofSeconds(5));
            assertThat(stderr.subList(before, stderr.size())).containsExactly(LocalRun.STOPPING);
        } finally {
            for (Process process : new Process[] {exec, watch, run}) {
                if (process != null) {
                    process.destroyForcibly();
                }
            }
        }
    }

    @Test
    void withPrometheusItPrintsPrometheusScrapingTheGatewayWithTheAlertRulesLoaded() throws Exception {
        Tools.requireBinary("prometheus", "prometheus");
        List<String> stderr = new CopyOnWriteArrayList<>();
        Process run = localRun("--dir", dir.toString(), "--prometheus").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        lines(run.getErrorStream(), stderr::add);
        try {
            Await.until("the local run's banner; stderr so far: " + stderr, START_DEADLINE,
                    () -> stderr.stream().anyMatch(line -> line.contains("Ctrl-C stops everything")) || !run.isAlive());
            Matcher url = stderr.stream().map(PROMETHEUS_URL::matcher).filter(Matcher::find).findFirst().orElseThrow(
                    () -> new AssertionError("no Prometheus URL in the banner: " + stderr));
            String prometheus = url.group(1);

            assertThat(get(prometheus + "/api/v1/rules")).contains("\"type\":\"alerting\"");
            Await.until("Prometheus to scrape the gateway", START_DEADLINE, () -> {
                try {
                    return get(prometheus + "/api/v1/query?query=up").contains(",\"1\"]");
                } catch (IOException | InterruptedException e) {
                    return false;
                }
            });
        } finally {
            // Ctrl-C, not a kill: the run's shutdown stops its Prometheus too.
            interrupt(run);
            if (!run.waitFor(START_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                run.destroyForcibly();
            }
        }
    }

    /** The local run's JVM, with this test's classpath, SIGINT at its default, and no JDK 25 Unsafe warning. */
    private static ProcessBuilder localRun(String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT", java,
                "--sun-misc-unsafe-memory-access=allow", "-cp", classpath, LocalRun.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    /** Ctrl-C: SIGINT to the JVM. */
    private static void interrupt(Process process) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }

    private static Thread lines(InputStream stream, Consumer<String> sink) {
        return Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                reader.lines().forEach(sink);
            } catch (IOException | java.io.UncheckedIOException ended) {
                // The process ended.
            }
        });
    }

    /** The gateway's count of CONNECTs it accepted: one per tunnel the client stand-in opened. */
    private static double authenticatedTunnels(String metricsUrl) throws IOException, InterruptedException {
        return get(metricsUrl).lines().filter(line -> line.startsWith("twingate_gateway_client_authentication_total{code=\"200\"}"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static String get(String url) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        }
    }
}
