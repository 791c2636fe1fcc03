package com.twingate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.HttpHeads;
import com.twingate.gateway.testkit.KubectlConnection;
import com.twingate.gateway.testkit.OuterTlsConnection;
import com.twingate.gateway.testkit.UpgradeUpstream;
import com.twingate.gateway.testkit.UpgradeUpstreamGateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hundreds of clients at once, as one misbehaving user (or a fleet of watching tools) would bring
 * them: no thread is held per stream, so the others are still served; and clients that vanish during
 * a quiet response give back everything they held within seconds. Prints the gateway JVM's threads
 * and file descriptors around each run (the clients' sockets are in the same JVM and counted too).
 */
class ManyClientsTest {

    private static final int CLIENTS = 500;
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final Duration OPENING_DEADLINE = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private UpgradeUpstreamGateway gateway;
    private UpgradeUpstream upstream;
    private GatewayHarness harness;

    @BeforeEach
    void start() throws Exception {
        gateway = UpgradeUpstreamGateway.start(dir, "");
        upstream = gateway.upstream();
        harness = gateway.harness();
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
    }

    /**
     * Each client asks for an upgrade that the API server answers with an endless 200 stream, and never
     * reads it: before, each of these held one of the server's threads in a blocking read.
     */
    @Test
    void upgradesAnsweredWithEndlessStreamsDoNotStopHealthMetricsOrNewConnections() throws Exception {
        String before = usage();
        List<KubectlConnection> held = open(CLIENTS, kubectl -> send(kubectl,
                "GET /stream/api/v1/namespaces/default/pods/web/exec?command=sh HTTP/1.1\r\nHost: kube\r\n"
                        + "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n"));
        try {
            Await.until(CLIENTS + " streams to reach the API server", DEADLINE, () -> upstream.requestHeads().size() == CLIENTS);
            System.out.printf("%d held upgrade streams: %s before, %s with them open%n", CLIENTS, before, usage());

            try (OuterTlsConnection probe = OuterTlsConnection.open(harness.gatewayAddress(), harness.pki().trust())) {
                probe.write("GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(probe.readHead().statusLine()).isEqualTo("HTTP/1.1 200 OK");
            }
            assertThat(harness.scrapeMetrics()).contains("twingate_gateway_http_active_requests{type=\"websocket\"} " + CLIENTS + ".0");
            try (SSLSocket fresh = harness.openKubectlConnection()) {
                send(fresh, "GET /body HTTP/1.1\r\nHost: kube\r\n\r\n");
                assertThat(HttpHeads.read(fresh.getInputStream())).startsWith("HTTP/1.1 200");
            }
        } finally {
            closeAll(held);
        }
        awaitEverythingFreed();
        System.out.printf("after the %d clients closed: %s%n", CLIENTS, usage());
    }

    /** Watches with nothing to report, whose clients are then killed (their TCP connection just closes). */
    @Test
    void quietWatchClientsThatVanishGiveBackTheirConnectionsWithinSeconds() throws Exception {
        String before = usage();
        List<KubectlConnection> watches = open(CLIENTS, kubectl -> {
            send(kubectl, "GET /quiet/api/v1/pods?watch=1 HTTP/1.1\r\nHost: kube\r\n\r\n");
            HttpHeads.read(kubectl.getInputStream());
        });
        Await.until(CLIENTS + " watches to be open at the API server", DEADLINE, () -> upstream.openStreams() == CLIENTS);
        System.out.printf("%d quiet watches: %s before, %s with them open%n", CLIENTS, before, usage());

        long vanishedAt = System.nanoTime();
        for (KubectlConnection watch : watches) {
            watch.tcp().close();
        }
        awaitEverythingFreed();
        System.out.printf("%d vanished watch clients noticed, their upstream connections closed and the gauges back to 0 "
                + "in %d ms; then %s%n", CLIENTS, (System.nanoTime() - vanishedAt) / 1_000_000, usage());
    }

    private void awaitEverythingFreed() {
        Await.until("the API server's streams to close", DEADLINE, () -> upstream.openStreams() == 0);
        Await.until("the gauges to return to 0", DEADLINE, () -> {
            String metrics = harness.scrapeMetrics();
            return metrics.contains("twingate_gateway_active_tcp_connections 0.0")
                    && metrics.contains("twingate_gateway_http_active_requests{type=\"http\"} 0.0")
                    && !metrics.contains("twingate_gateway_http_active_requests{type=\"websocket\"} " + CLIENTS);
        });
    }

    /** Opens {@code count} connections, eight at a time, each started by {@code start}; fails after a deadline. */
    private List<KubectlConnection> open(int count, Start start) throws Exception {
        Semaphore inFlight = new Semaphore(8);
        List<Callable<KubectlConnection>> openings = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            openings.add(() -> {
                inFlight.acquire();
                try {
                    KubectlConnection connection = harness.openKubectl();
                    start.on(connection.tls());
                    return connection;
                } finally {
                    inFlight.release();
                }
            });
        }
        List<KubectlConnection> connections = new ArrayList<>();
        try (ExecutorService openers = Executors.newVirtualThreadPerTaskExecutor()) {
            // Unfinished openings are interrupted at the deadline, which closes their sockets.
            for (Future<KubectlConnection> opened : openers.invokeAll(openings, OPENING_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                if (opened.state() != Future.State.SUCCESS) {
                    closeAll(connections);
                    throw new AssertionError("only " + connections.size() + " of " + count + " connections opened within "
                            + OPENING_DEADLINE + " (" + opened.state() + ")");
                }
                connections.add(opened.resultNow());
            }
        }
        return connections;
    }

    private static void closeAll(List<KubectlConnection> connections) {
        for (KubectlConnection connection : connections) {
            try {
                connection.tcp().close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private static void send(SSLSocket kubectl, String text) throws IOException {
        kubectl.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        kubectl.getOutputStream().flush();
    }

    /** Threads and file descriptors of this JVM, and how many of the gateway's pool threads are busy rather than idle. */
    private static String usage() {
        long busyPoolThreads = Thread.getAllStackTraces().entrySet().stream()
                .filter(thread -> thread.getKey().getName().startsWith("gateway-"))
                .filter(thread -> Stream.of(thread.getValue()).noneMatch(frame -> frame.getMethodName().equals("idleJobPoll")))
                .count();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return ManagementFactory.getThreadMXBean().getThreadCount() + " threads (" + busyPoolThreads
                    + " of the gateway's pool not idle), " + fds.count() + " fds";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FunctionalInterface
    private interface Start {
        void on(SSLSocket kubectl) throws IOException;
    }
}
