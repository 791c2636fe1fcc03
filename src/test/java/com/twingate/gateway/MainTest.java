package com.twingate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.testkit.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: usage, version, and a bad configuration refusing to start with exit code 2. */
class MainTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
    }

    @Test
    void helpPrintsUsage() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage:", "--config FILE", "--version", "recordings extract");
    }

    @Test
    void versionPrintsTheProjectVersion() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("kubernetes-access-gateway ").doesNotContain("unknown");
    }

    @Test
    void unknownArgumentIsAUsageError() {
        assertThat(run("--frobnicate")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown argument: --frobnicate", "Usage:");
    }

    @Test
    void badConfigurationExits2WithOneLinePerProblemNamingTheKey() throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.conf"), "port = 99999\n");

        assertThat(run("--config", config.toString())).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList())
                .contains("twingate.network: required (your Twingate network name; env TWINGATE_NETWORK)")
                .anyMatch(line -> line.startsWith("port: must be a port number"))
                .anyMatch(line -> line.startsWith("tls.certificateFile: required"))
                .anyMatch(line -> line.startsWith("kubernetes.upstreams: at least one upstream"))
                .noneMatch(line -> line.contains("Exception") || line.startsWith("\tat "));
    }

    @Test
    void brokenPemFilesExit2NamingKeyAndFileWithoutAStackTrace() throws Exception {
        TestPki pki = TestPki.create("main", dir);
        TestPki.Issued pair = pki.issue("gateway");
        Path garbage = Files.writeString(dir.resolve("ca.crt"), "not a certificate\n");
        Path config = Files.writeString(dir.resolve("gateway.conf"), """
                twingate.network = acme
                connect.timeout = 10
                tls { certificateFile = "%s", privateKeyFile = "%s" }
                kubernetes.upstreams = [ { name = main, address = "kube.internal:6443", caFile = "%s", bearerToken = t } ]
                """.formatted(pair.privateKeyFile(), pair.privateKeyFile(), garbage));

        assertThat(run("--config", config.toString())).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).containsExactlyInAnyOrder(
                "connect.timeout: 10 has no unit: write it as 10s, 500ms, 5m or 1h",
                "tls.certificateFile: " + pair.privateKeyFile() + " holds no certificate, only a private key",
                "kubernetes.upstreams[0].caFile: " + garbage + " holds no PEM certificate (no -----BEGIN CERTIFICATE----- block)");
    }
}
