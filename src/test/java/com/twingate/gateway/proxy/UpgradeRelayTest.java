package com.twingate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.HttpHeads;
import com.twingate.gateway.testkit.LogCapture;
import com.twingate.gateway.testkit.UpgradeUpstream;
import com.twingate.gateway.testkit.UpgradeUpstreamGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgraded connections (docs/upstream.md#upgrades): 101 and its headers, then a byte relay with
 * back-pressure, both ways.
 */
class UpgradeRelayTest {

    private static final long HUNDRED_MB = 100L * 1024 * 1024;

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture logs = new LogCapture();

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

    @Test
    void switchesProtocolsWithTheApiServersHeadersAndRelaysBothWays() throws Exception {
        try (SSLSocket kubectl = tunnel()) {
            String head = upgrade(kubectl, "/api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true&tty=true", "SPDY/3.1");

            assertThat(head).startsWith("HTTP/1.1 101").contains("X-Stream-Protocol-Version: v4.channel.k8s.io");
            kubectl.getOutputStream().write("hello through the relay".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(kubectl.getInputStream().readNBytes(23), StandardCharsets.UTF_8)).isEqualTo("hello through the relay");
        }
        String seen = upstream.requestHeads().getFirst();
        assertThat(seen).contains("Connection: Upgrade", "Upgrade: SPDY/3.1", "Authorization: Bearer sa",
                "Impersonate-User: alice", "Impersonate-Group: devs").doesNotContain("kubectl-token");
    }

    @Test
    void hundredMegabytesEachWayArriveIntact() throws Exception {
        try (SSLSocket kubectl = tunnel()) {
            upgrade(kubectl, "/api/v1/namespaces/default/pods/web/portforward?ports=8080", "websocket");
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            long started = System.nanoTime();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> write(kubectl, sent));
            InputStream in = kubectl.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            while (total < HUNDRED_MB) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, HUNDRED_MB - total));
                assertThat(n).as("bytes echoed before the stream ended").isPositive();
                received.update(buffer, 0, n);
                total += n;
            }
            writer.join();
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("relayed 100 MiB each way in %.1f s: %.1f MiB/s each way%n", seconds, 100 / seconds);
            assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(HexFormat.of().formatHex(sent.digest()));
        }
    }

    @Test
    void anAnswerOtherThan101IsReturnedAsANormalResponse() throws Exception {
        try (SSLSocket kubectl = tunnel()) {
            String head = upgrade(kubectl, "/deny/exec", "websocket");
            assertThat(head).startsWith("HTTP/1.1 403").contains("Content-Type: application/json");
            int length = Integer.parseInt(head.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
            assertThat(new String(kubectl.getInputStream().readNBytes(length), StandardCharsets.UTF_8)).contains("forbidden: exec");
        }
    }

    @Test
    void closingTheClientClosesTheApiServerSideAndTheAuditLineSays101() throws Exception {
        try (SSLSocket kubectl = tunnel()) {
            upgrade(kubectl, "/api/v1/namespaces/default/pods/web/attach?stdin=true", "websocket");
            kubectl.getOutputStream().write(new byte[] {1, 2, 3});
            kubectl.getInputStream().readNBytes(3);
            assertThat(logs.json()).noneMatch(line -> line.path("message").asText().startsWith("API request")
                    && line.path("url").asText().contains("/attach"));
        }
        Await.until("the API server side to close", Duration.ofSeconds(1), () -> upstream.closedSessions() == 1);
        JsonNode audit = logs.awaitLines(line -> line.path("url").asText().contains("/attach"), 1, Duration.ofSeconds(5)).getFirst();
        assertThat(audit.path("message").asText()).isEqualTo("API request completed");
        assertThat(audit.path("response").path("status_code").asInt()).isEqualTo(101);
        assertThat(audit.path("user").path("username").asText()).isEqualTo("alice");
    }

    @Test
    void aClientThatStopsReadingStopsTheApiServerInsteadOfFillingMemory() throws Exception {
        try (SSLSocket kubectl = tunnel()) {
            upgrade(kubectl, "/source/exec", "websocket");
            Await.until("the API server to start writing", Duration.ofSeconds(5), () -> upstream.sourcedBytes() > 0);
            long[] last = {-1};
            // Back-pressure: with nobody reading, the API server's writes must stall at what the sockets and
            // one relay buffer hold, instead of the gateway queueing everything it is sent.
            Await.until("the API server's writes to stall", Duration.ofSeconds(20), () -> {
                long now = upstream.sourcedBytes();
                boolean stalled = now == last[0];
                last[0] = now;
                if (!stalled) {
                    sleepQuietly();
                }
                return stalled;
            });
            assertThat(upstream.sourcedBytes()).as("bytes the API server got rid of with no reader").isLessThan(32L * 1024 * 1024);
        }
    }

    @Test
    void theApiServerHangingUpClosesTheClientWithinASecond() throws Exception {
        try (SSLSocket kubectl = tunnel()) {
            upgrade(kubectl, "/hangup/exec", "websocket");
            assertThat(new String(kubectl.getInputStream().readNBytes(3), StandardCharsets.US_ASCII)).isEqualTo("bye");
            kubectl.setSoTimeout(1000);
            int next;
            try {
                next = kubectl.getInputStream().read();
            } catch (java.net.SocketTimeoutException stillOpen) {
                throw new AssertionError("the client side was still open a second after the API server hung up");
            } catch (IOException reset) {
                next = -1;
            }
            assertThat(next).as("end of stream").isEqualTo(-1);
        }
    }

    private SSLSocket tunnel() throws IOException {
        SSLSocket socket = (SSLSocket) harness.pki().trust().getSocketFactory().createSocket("127.0.0.1", harness.client().localPort());
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(60_000);
        return socket;
    }

    private static String upgrade(SSLSocket kubectl, String path, String protocol) throws IOException {
        OutputStream out = kubectl.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: kube\r\nAuthorization: Bearer kubectl-token\r\nConnection: Upgrade\r\n"
                + "Upgrade: " + protocol + "\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nX-Stream-Protocol-Version: v3.channel.k8s.io\r\n"
                + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return HttpHeads.read(kubectl.getInputStream());
    }

    private static void write(SSLSocket socket, MessageDigest digest) {
        try {
            Random random = new Random(7);
            byte[] chunk = new byte[64 * 1024];
            OutputStream out = socket.getOutputStream();
            for (long written = 0; written < HUNDRED_MB; written += chunk.length) {
                random.nextBytes(chunk);
                digest.update(chunk);
                out.write(chunk);
            }
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(300); // sampling interval of a progress counter, not synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
