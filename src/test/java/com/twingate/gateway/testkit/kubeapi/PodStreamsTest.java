package com.twingate.gateway.testkit.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.EchoServer;
import com.twingate.gateway.testkit.Kubectl;
import com.twingate.gateway.testkit.Terminal;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.Tools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real kubectl against the stand-in, no gateway: exec, cp, port-forward and a terminal session over
 * each protocol kubectl speaks. 1.27 uses SPDY; 1.33 uses WebSocket (v5) for exec and SPDY tunnelled
 * in WebSocket for port-forward, and SPDY again when told not to use WebSockets.
 */
class PodStreamsTest {

    private static final String TOKEN = "stand-in-token";
    private static final Duration KUBECTL_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private TestPki pki;
    private KubeApiStandIn api;
    private Cluster.Pod pod;

    @BeforeEach
    void start() throws Exception {
        pki = TestPki.create("api", dir);
        api = KubeApiStandIn.start(pki.issue("api"), TOKEN, dir.resolve("pods"));
        pod = api.cluster().addPod("default", "web");
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    private Kubectl kubectl(String version, boolean webSockets) {
        Kubectl kubectl = Kubectl.of(version, "https://localhost:" + api.port(), pki.caFile(), TOKEN, dir);
        if (!webSockets) {
            kubectl.env("KUBECTL_REMOTE_COMMAND_WEBSOCKETS", "false").env("KUBECTL_PORT_FORWARD_WEBSOCKETS", "false");
        }
        return kubectl;
    }

    @ParameterizedTest(name = "kubectl {0}, websockets {1}: {2}")
    @CsvSource({"1.27, true, SPDY/3.1 v4.channel.k8s.io", "1.33, true, websocket v5.channel.k8s.io",
            "1.33, false, SPDY/3.1 v4.channel.k8s.io"})
    void execCarriesStdinStdoutStderrAndTheExitCode(String version, boolean webSockets, String protocol) {
        Kubectl kubectl = kubectl(version, webSockets);
        byte[] input = new byte[3 * 1024 * 1024];
        new Random(5).nextBytes(input);

        Kubectl.Result cat = kubectl.run(KUBECTL_TIMEOUT, input, "exec", "-i", "web", "--", "cat").assertSuccess();
        Kubectl.Result failing = kubectl.run(KUBECTL_TIMEOUT, "exec", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3");

        assertThat(cat.stdoutBytes()).as("stdout of cat").isEqualTo(input);
        assertThat(failing.exitCode()).isEqualTo(3);
        assertThat(failing.stdout()).isEqualTo("out\n");
        assertThat(failing.stderr()).contains("err\n");
        assertThat(api.upgrades()).containsExactly("exec " + protocol, "exec " + protocol);
    }

    @Test
    void aCommandSeesThePodsSandboxAsItsRoot() throws IOException {
        Files.writeString(pod.sandbox().resolve("tmp/greeting"), "hello from the pod\n");

        Kubectl.Result cat = kubectl("1.33", true).run(KUBECTL_TIMEOUT, "exec", "web", "--", "cat", "/tmp/greeting").assertSuccess();

        assertThat(cat.stdout()).isEqualTo("hello from the pod\n");
    }

    @Test
    void aWriteToTmpInThePodStaysInThePod() throws IOException {
        Tools.requireBinary("bwrap", "bubblewrap");
        assertThat(PodSandbox.isolated()).as("bwrap is installed but cannot make namespaces here").isTrue();
        String name = "written-by-the-pod-" + UUID.randomUUID();

        Kubectl.Result written = kubectl("1.33", true).run(KUBECTL_TIMEOUT, "exec", "web", "--", "sh", "-c",
                "echo hi > /tmp/" + name + " && hostname").assertSuccess();

        assertThat(Path.of("/tmp", name)).as("the host's /tmp").doesNotExist();
        assertThat(pod.sandbox().resolve("tmp").resolve(name)).hasContent("hi");
        assertThat(written.stdout()).isEqualTo("web\n");
    }

    @Test
    void aCommandThatCannotStartIsReportedToKubectl() {
        Kubectl.Result missing = kubectl("1.33", true).run(KUBECTL_TIMEOUT, "exec", "web", "--", "no-such-command");

        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.stderr()).contains("failed to exec in container", "no-such-command");
    }

    @ParameterizedTest(name = "kubectl {0}, websockets {1}")
    @CsvSource({"1.27, true", "1.33, true", "1.33, false"})
    void cpCopiesAFileIntoThePodAndBack(String version, boolean webSockets) throws Exception {
        Kubectl kubectl = kubectl(version, webSockets);
        byte[] content = new byte[4 * 1024 * 1024];
        new Random(11).nextBytes(content);
        Path local = Files.write(dir.resolve("local.bin"), content);

        kubectl.run(KUBECTL_TIMEOUT, "cp", local.toString(), "web:/tmp/copied.bin").assertSuccess();
        assertThat(sha256(Files.readAllBytes(pod.sandbox().resolve("tmp/copied.bin")))).isEqualTo(sha256(content));

        Path back = dir.resolve("back.bin");
        kubectl.run(KUBECTL_TIMEOUT, "cp", "web:/tmp/copied.bin", back.toString()).assertSuccess();
        assertThat(sha256(Files.readAllBytes(back))).isEqualTo(sha256(content));
    }

    @ParameterizedTest(name = "kubectl {0}, websockets {1}: {2}")
    @CsvSource({"1.27, true, SPDY/3.1 portforward.k8s.io", "1.33, true, websocket SPDY/3.1+portforward.k8s.io",
            "1.33, false, SPDY/3.1 portforward.k8s.io"})
    void portForwardCarriesMegabytesBothWays(String version, boolean webSockets, String protocol) throws Exception {
        try (EchoServer echo = new EchoServer()) {
            Process forward = kubectl(version, webSockets).processBuilder("port-forward", "web", ":" + echo.port()).start();
            try {
                int localPort = forwardedPort(forward);
                byte[] sent = new byte[6 * 1024 * 1024];
                new Random(3).nextBytes(sent);

                byte[] received = EchoServer.roundTrip(localPort, sent);

                assertThat(sha256(received)).isEqualTo(sha256(sent));
                assertThat(api.upgrades()).containsExactly("portforward " + protocol);
            } finally {
                forward.destroy();
                forward.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @ParameterizedTest(name = "kubectl {0}")
    @CsvSource({"1.27", "1.33"})
    void aTerminalSessionFollowsResizes(String version) throws Exception {
        // kubectl -it needs a terminal of its own: it runs on one, and resizing that one is the user's.
        try (Terminal user = Terminal.start(kubectl(version, true).processBuilder("exec", "-it", "web", "--", "sh"), 24, 80)) {
            for (int[] size : new int[][] {{30, 100}, {43, 132}}) {
                user.resize(size[0], size[1]);
                String expected = size[0] + " " + size[1] + "\r\n";
                // The resize travels kubectl → stand-in → the pod's terminal while the user asks for the size
                // again every few hundred milliseconds.
                long[] nextQuestion = {0};
                Await.until("the pod's terminal to be " + expected.strip() + "; kubectl's screen:\n" + user.screen(),
                        Duration.ofSeconds(20), () -> {
                            if (System.nanoTime() > nextQuestion[0]) {
                                user.type("stty size\n");
                                nextQuestion[0] = System.nanoTime() + Duration.ofMillis(300).toNanos();
                            }
                            return user.screen().contains(expected);
                        });
            }
            user.type("exit 7\n");
            assertThat(user.awaitExit(Duration.ofSeconds(20))).as("kubectl's exit code, the shell's").isEqualTo(7);
        }
    }

    @ParameterizedTest(name = "kubectl {0}, websockets {1}")
    @CsvSource({"1.27, true", "1.33, true", "1.33, false"})
    void attachConnectsToTheMainProcessAndDetachingLeavesItRunning(String version, boolean webSockets) throws Exception {
        Process attach = kubectl(version, webSockets).processBuilder("attach", "-i", "web").start();
        StringBuffer seen = new StringBuffer();
        Thread.ofVirtual().start(() -> readInto(attach.getInputStream(), seen));
        try {
            Await.until("the main process to be attached", Duration.ofSeconds(20),
                    () -> api.cluster().mainProcess("default", "web").map(MainProcess::attachedClients).orElse(0) == 1);
            // What the user types reaches the pod's shell, and the shell's answer reaches the user.
            type(attach.getOutputStream(), "echo attached-$((20 + 22))\n");
            Await.until("the main process to answer", Duration.ofSeconds(20), () -> seen.toString().contains("attached-42"));
        } finally {
            attach.destroy();
            attach.waitFor(10, TimeUnit.SECONDS);
        }

        Await.until("the client to detach", Duration.ofSeconds(20),
                () -> api.cluster().mainProcess("default", "web").orElseThrow().attachedClients() == 0);
        assertThat(api.cluster().mainProcess("default", "web")).as("the main process after detaching")
                .hasValueSatisfying(main -> assertThat(main.isRunning()).isTrue());
    }

    private static void type(OutputStream keyboard, String text) {
        try {
            keyboard.write(text.getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
        } catch (IOException e) {
            throw new AssertionError("kubectl's terminal closed", e);
        }
    }

    private static void readInto(InputStream in, StringBuffer screen) {
        byte[] buffer = new byte[4096];
        try (in) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                screen.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            screen.append("\n[terminal closed: ").append(e).append(']');
        }
    }

    /** Waits for "Forwarding from 127.0.0.1:PORT -> …" on kubectl's stdout. */
    private static int forwardedPort(Process forward) throws Exception {
        CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader lines = new BufferedReader(new InputStreamReader(forward.getInputStream(), StandardCharsets.UTF_8));
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("Forwarding from 127.0.0.1:")) {
                        return Integer.parseInt(line.replaceAll("Forwarding from 127\\.0\\.0\\.1:(\\d+) .*", "$1"));
                    }
                }
                throw new AssertionError("kubectl port-forward ended: " + new String(forward.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        return port.get(30, TimeUnit.SECONDS);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** The pod's port: sends back what it reads, one connection at a time is enough. */
}
