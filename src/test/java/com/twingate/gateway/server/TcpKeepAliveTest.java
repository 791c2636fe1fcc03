package com.twingate.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.HttpHeads;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.Tools;
import com.twingate.gateway.testkit.UpgradeUpstream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer that vanishes without closing (a laptop lid shut, a node gone) is found by TCP keep-alive,
 * on both of an exec tunnel's sockets: kubectl's (through the Twingate Client) and the API server's.
 * Seen from the kernel: {@code ss} shows the keep-alive timer armed with the configured idle time on
 * the gateway's sockets while a quiet shell is open.
 */
class TcpKeepAliveTest {

    @TempDir
    Path dir;

    @Test
    void bothSocketsOfAQuietExecCarryTheConfiguredKeepAlive() throws Exception {
        Path ss = Tools.requireBinary("ss", "iproute2");
        TestPki apiPki = TestPki.create("api", dir);
        try (UpgradeUpstream upstream = new UpgradeUpstream(apiPki.issue("api"));
             GatewayHarness harness = GatewayHarness.start(dir,
                     GatewayHarness.upstream("main", upstream.address(), apiPki.caFile(), "bearerToken = sa"),
                     "tcpKeepAlive { idle = 7s, interval = 3s, probes = 2 }");
             SSLSocket kubectl = harness.openKubectlConnection()) {
            kubectl.getOutputStream().write(("GET /echo/api/v1/namespaces/default/pods/web/exec?command=sh HTTP/1.1\r\n"
                    + "Host: kube\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(HttpHeads.read(kubectl.getInputStream())).startsWith("HTTP/1.1 101");

            assertThat(settled(ss, "sport = :" + harness.gatewayAddress().getPort()))
                    .as("the gateway's side of kubectl's connection").singleElement().satisfies(TcpKeepAliveTest::keepAliveWithin7s);
            assertThat(settled(ss, "dport = :" + upstream.port()))
                    .as("the gateway's connection to the API server").singleElement().satisfies(TcpKeepAliveTest::keepAliveWithin7s);
        }
    }

    /** The keep-alive timer is armed and fires within the configured idle time (ss prints ms or sec). */
    private static void keepAliveWithin7s(String socket) {
        Matcher timer = Pattern.compile("timer:\\(keepalive,([\\d.]+)(ms|sec),\\d+\\)").matcher(socket);
        assertThat(timer.find()).as("a keep-alive timer on %s", socket).isTrue();
        double seconds = Double.parseDouble(timer.group(1)) / (timer.group(2).equals("ms") ? 1000 : 1);
        assertThat(seconds).as("seconds to the next keep-alive probe").isLessThanOrEqualTo(7);
    }

    /**
     * The sockets once none has bytes in flight: while the peer has not yet acknowledged the last
     * segment (delayed ACKs on loopback), ss shows the retransmission timer in place of the
     * keep-alive one.
     */
    private static List<String> settled(Path ss, String filter) {
        AtomicReference<List<String>> listing = new AtomicReference<>();
        Await.until("no bytes in flight on " + filter, Duration.ofSeconds(10), () -> {
            listing.set(sockets(ss, filter));
            return listing.get().stream().noneMatch(socket -> socket.contains("timer:(on,"));
        });
        return listing.get();
    }

    /** Established TCP sockets matching {@code filter}, one line each, with their timers. */
    private static List<String> sockets(Path ss, String filter) {
        try {
            Process listing = new ProcessBuilder(ss.toString(), "-tnoH", "state", "established", "( " + filter + " )")
                    .redirectErrorStream(true).start();
            String output = new String(listing.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(listing.waitFor(10, TimeUnit.SECONDS)).isTrue();
            return output.lines().filter(line -> !line.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted listing sockets", e);
        }
    }
}
