package com.twingate.gateway.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.ClientKeys;
import com.twingate.gateway.testkit.ControllerStandIn;
import com.twingate.gateway.testkit.HttpHeads;
import com.twingate.gateway.testkit.KubectlConnection;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.TwingateClientStandIn;
import com.twingate.gateway.testkit.kubeapi.KubeApiStandIn;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM as Kubernetes sends it to the gateway's own JVM: it stops accepting, an exec session keeps
 * working through the drain, and after {@code shutdownTimeout} whatever is left — the exec, a quiet
 * watch, a peer that never sends anything — is closed, the exec's recording is written to its end, and
 * the JVM exits 0.
 */
class ShutdownDrainTest {

    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(4);
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String EXEC = "/api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true&stdout=true&tty=true";

    @TempDir
    Path dir;

    private ControllerStandIn controller;
    private KubeApiStandIn api;
    private TestPki pki;
    private Process gateway;
    private Path log;
    private Path casts;
    private int port;
    private final KeyPair clientKey = ClientKeys.newP256();

    @BeforeEach
    void start() throws Exception {
        controller = new ControllerStandIn("acme");
        TestPki apiPki = TestPki.create("api", dir);
        api = KubeApiStandIn.start(apiPki.issue("api"), "sa-token", dir.resolve("pods"));
        api.cluster().addPod("default", "web");
        pki = TestPki.create("gateway", dir);
        TestPki.Issued certificate = pki.issue("gateway-server");
        port = freePort();
        casts = dir.resolve("casts");
        Path config = Files.writeString(dir.resolve("gateway.conf"), """
                twingate { network = acme, host = test, jwksUrl = "%s" }
                bindAddress = "127.0.0.1"
                port = %d
                metricsPort = %d
                shutdownTimeout = %ds
                tls { certificateFile = "%s", privateKeyFile = "%s" }
                kubernetes.upstreams = [ { name = api, address = "%s", caFile = "%s", bearerToken = "sa-token" } ]
                recording.directory = "%s"
                """.formatted(controller.jwksUrl(), port, freePort(), SHUTDOWN_TIMEOUT.toSeconds(), certificate.certificateFile(),
                certificate.privateKeyFile(), api.address(), apiPki.caFile(), casts));
        log = dir.resolve("gateway.log");
        gateway = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "com.twingate.gateway.Main", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Await.until("the gateway to start", DEADLINE, () -> logContains("gateway started in"));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.destroyForcibly();
        api.close();
        controller.close();
    }

    @Test
    void sigtermDrainsAnExecThenClosesWhatIsLeftWritesTheRecordingAndExitsZero() throws Exception {
        try (TwingateClientStandIn client = new TwingateClientStandIn(new InetSocketAddress("127.0.0.1", port), pki.trust(),
                () -> new TwingateClientStandIn.Credentials(controller.token(clientKey).user("u-1", "alice", "devs").mint(),
                        clientKey, KubectlConnection.RESOURCE_ADDRESS, 443));
             ExecClient shell = new WebSocketExecClient(URI.create("https://127.0.0.1:" + client.localPort() + EXEC),
                     pki.trust(), WebSocketExecClient.V5);
             KubectlConnection watch = KubectlConnection.open(new InetSocketAddress("127.0.0.1", port), pki.trust(),
                     controller.token(clientKey).mint(), clientKey);
             Socket silentPeer = new Socket(InetAddress.getLoopbackAddress(), port)) {
            silentPeer.setSoTimeout((int) DEADLINE.toMillis());
            shell.resize(80, 24);
            shell.stdin("echo before-$((1 + 1))\n");
            Await.until("the shell to answer", DEADLINE, () -> shell.stdout().contains("before-2"));
            watch.tls().getOutputStream().write("GET /api/v1/namespaces/default/pods?watch=1 HTTP/1.1\r\nHost: kube\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(HttpHeads.read(watch.tls().getInputStream())).startsWith("HTTP/1.1 200");

            long sigterm = System.nanoTime();
            gateway.destroy();
            Await.until("the gateway to begin draining", DEADLINE, () -> logContains("stopping:"));
            shell.stdin("echo during-$((2 + 2))\n");
            Await.until("the shell to answer during the drain", DEADLINE, () -> shell.stdout().contains("during-4"));

            assertThat(gateway.waitFor(SHUTDOWN_TIMEOUT.plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS))
                    .as("the JVM exited within shutdownTimeout + 5 s").isTrue();
            System.out.printf("the gateway exited %d ms after SIGTERM%n", (System.nanoTime() - sigterm) / 1_000_000);
            assertThat(gateway.exitValue()).isZero();
            assertThat(endOfStream(watch.tls().getInputStream())).as("the watch was closed").isTrue();
            assertThat(endOfStream(silentPeer.getInputStream())).as("the silent peer was closed").isTrue();
        }
        assertThat(Files.readString(log)).contains("session finished");
        assertThat(castFiles()).singleElement().satisfies(cast ->
                assertThat(Files.readString(cast)).contains("before-2", "during-4"));
    }

    private boolean logContains(String text) {
        try {
            return Files.exists(log) && Files.readString(log).contains(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Path> castFiles() throws IOException {
        try (Stream<Path> files = Files.walk(casts)) {
            return files.filter(file -> file.toString().endsWith(".cast")).toList();
        }
    }

    /** Reads to the end: true at an end of stream or a reset, false when the peer stays open past the socket's timeout. */
    private static boolean endOfStream(InputStream in) {
        try {
            while (in.read() >= 0) {
                continue;
            }
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
