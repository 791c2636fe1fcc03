package com.twingate.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.config.TlsConfig;
import com.twingate.gateway.config.TlsProvider;
import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.LogCapture;
import com.twingate.gateway.testkit.OuterTlsConnection;
import com.twingate.gateway.testkit.TestPki;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate reload (docs/client-protocol.md#outer-tls): a changed certificate pair serves new
 * handshakes without restart; a broken one is refused.
 */
class CertificateReloadTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    @Test
    void newHandshakesGetTheNewCertificateAndABrokenPairKeepsTheOld() throws Exception {
        TestPki upstreamPki = TestPki.create("unused-upstream", dir);
        try (GatewayHarness harness = GatewayHarness.start(dir,
                GatewayHarness.upstream("main", "localhost:1", upstreamPki.caFile(), "bearerToken = t"))) {
            TestPki.Issued served = harness.gatewayCertificate();
            BigInteger original = servedSerial(harness);

            TestPki.Issued next = harness.pki().issue("gateway-server-next");
            replace(next.privateKeyFile(), served.privateKeyFile());
            replace(next.certificateFile(), served.certificateFile());
            BigInteger expected = next.held().certificate().getSerialNumber();
            assertThat(expected).isNotEqualTo(original);
            Await.until("handshakes to present the new certificate", Duration.ofSeconds(10),
                    () -> expected.equals(servedSerialQuietly(harness)));

            TestPki.Issued unrelated = harness.pki().issue("unrelated");
            replace(unrelated.privateKeyFile(), served.privateKeyFile());
            logs.awaitLines(line -> line.path("message").asText().contains("does not load"), 1, Duration.ofSeconds(10));
            assertThat(servedSerial(harness)).as("still the last good certificate").isEqualTo(expected);
        }
    }

    /** Checks run every {@code tls.reloadInterval}; missing files must not log on every one of them. */
    @Test
    void missingFilesAreLoggedWhenTheyGoAndWhenTheyComeBackNotOnEveryCheck() throws Exception {
        TestPki pki = TestPki.create("gateway", dir);
        TestPki.Issued served = pki.issue("gateway-server");
        TlsConfig tls = new TlsConfig(served.certificateFile(), served.privateKeyFile(), Duration.ofHours(1), TlsProvider.JDK);
        SslContextFactory.Server context = GatewayTls.serverContext(tls);
        CertificateReloader reloader = new CertificateReloader(tls, context, new ScheduledExecutorScheduler());
        reloader.start();
        try {
            Path aside = dir.resolve("moved-away.crt");
            Files.move(served.certificateFile(), aside);
            for (int check = 0; check < 5; check++) {
                reloader.runOnce();
            }
            Files.move(aside, served.certificateFile());
            for (int check = 0; check < 5; check++) {
                reloader.runOnce();
            }
        } finally {
            reloader.stop();
        }

        assertThat(logs.json()).filteredOn(line -> line.path("logger").asText().equals("gateway.server"))
                .extracting(line -> line.path("levelname").asText() + " " + line.path("message").asText())
                .containsExactly(
                        "warn cannot read " + served.certificateFile() + " or " + served.privateKeyFile()
                                + "; keeping the current certificate until they can be read: java.nio.file.NoSuchFileException: "
                                + served.certificateFile(),
                        "info can read " + served.certificateFile() + " and " + served.privateKeyFile() + " again");
    }

    private static void replace(Path from, Path to) throws IOException {
        Path staged = to.resolveSibling(to.getFileName() + ".staged");
        Files.copy(from, staged, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staged, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static BigInteger servedSerial(GatewayHarness harness) throws IOException {
        try (OuterTlsConnection outer = OuterTlsConnection.open(harness.gatewayAddress(), harness.pki().trust())) {
            return ((X509Certificate) outer.socket().getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private static BigInteger servedSerialQuietly(GatewayHarness harness) {
        try {
            return servedSerial(harness);
        } catch (IOException e) {
            return null;
        }
    }
}
