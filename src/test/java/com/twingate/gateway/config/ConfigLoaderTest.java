package com.twingate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.twingate.gateway.testkit.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Configuration (docs/configuration.md): layering, derivations, the examples in conf/, and one line naming
 * the key for each way a configuration can be wrong.
 */
class ConfigLoaderTest {

    /** An EC key as {@code openssl pkcs8 -topk8 -v2 aes-256-cbc} writes it (password "secret"). */
    private static final String ENCRYPTED_KEY = """
            -----BEGIN ENCRYPTED PRIVATE KEY-----
            MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjBylnNYsvP8wICCAAw
            DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEDNVxbKOh8jf9FNvdH//PDoEgZDR
            9yUMGrsia5/QbFlDI/p1Twi8f5f0puFUbDybNXG01JruWmkFNdptbZrMwlhbp2+7
            PsSmAnldWzq7EiWGAiNQisT0Pgqfx//4xz8/xa49BcgQ8wGR2td6qL5sJyviMVyi
            w0n+oO47Ghw2NqDxJVQPP4M4Hw2gH7dfgQisORWJsXHPmioNxe6bPpwEfxHvn9k=
            -----END ENCRYPTED PRIVATE KEY-----
            """;

    @TempDir
    static Path dir;

    private static TestPki.Issued pair;
    private static TestPki.Issued otherPair;
    private static Path caFile;
    private static Path tokenFile;
    private static Path garbage;
    private static Path binary;
    private static Path truncatedCertificate;
    private static Path encryptedKey;

    @BeforeEach
    void files() throws Exception {
        if (pair == null) {
            TestPki pki = TestPki.create("config", dir);
            pair = pki.issue("gateway");
            otherPair = pki.issue("other");
            caFile = pki.caFile();
            tokenFile = Files.writeString(dir.resolve("token"), "sa-token\n");
            garbage = Files.writeString(dir.resolve("garbage.pem"), "this is not PEM\n");
            binary = Files.write(dir.resolve("binary.der"), new byte[] {0x30, (byte) 0x82, (byte) 0xff, (byte) 0xfe, 0x01});
            String certificatePem = Files.readString(pair.certificateFile());
            truncatedCertificate = Files.writeString(dir.resolve("truncated.crt"),
                    certificatePem.substring(0, certificatePem.length() / 2) + "\n-----END CERTIFICATE-----\n");
            encryptedKey = Files.writeString(dir.resolve("encrypted.key"), ENCRYPTED_KEY);
        }
    }

    private static String valid(String extra) {
        return """
                twingate.network = acme
                tls { certificateFile = "%s", privateKeyFile = "%s" }
                kubernetes.upstreams = [ { name = main, address = "kube.internal:6443", caFile = "%s", bearerTokenFile = "%s" } ]
                %s
                """.formatted(pair.certificateFile(), pair.privateKeyFile(), caFile, tokenFile, extra);
    }

    @Test
    void minimalConfigurationGetsEveryDefaultAndDerivation() throws Exception {
        GatewayConfig config = ConfigLoader.parse(valid(""), Map.of());

        assertThat(config.port()).isEqualTo(8443);
        assertThat(config.metricsPort()).isEqualTo(9090);
        assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.twingate().host()).isEqualTo("twingate.com");
        assertThat(config.twingate().issuer()).isEqualTo("twingate");
        assertThat(config.twingate().jwksUrl()).hasToString("https://acme.twingate.com/api/v1/jwk/ec");
        assertThat(config.auditLog().flushInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.auditLog().flushSizeThreshold()).isEqualTo(1_000_000);
        assertThat(config.recordingDirectory()).isEmpty();
        assertThat(config.recording().onFailure()).isEqualTo(RecordingConfig.OnFailure.REFUSE);
        assertThat(config.recording().bufferBudget()).isEqualTo(64L << 20);
        assertThat(config.logFormat()).isEqualTo(LogFormat.JSON);
        UpstreamConfig upstream = config.kubernetes().upstreams().getFirst();
        assertThat(upstream.host()).isEqualTo("kube.internal");
        assertThat(upstream.port()).isEqualTo(6443);
        assertThat(upstream.bearerTokenFile()).contains(tokenFile);
    }

    @Test
    void recordingFailuresCanBeLetThroughAndTheBufferBudgetSet() throws Exception {
        GatewayConfig config = ConfigLoader.parse(valid("recording { onFailure = continue, bufferBudget = 1MiB }"), Map.of());
        assertThat(config.recording().onFailure()).isEqualTo(RecordingConfig.OnFailure.CONTINUE);
        assertThat(config.recording().bufferBudget()).isEqualTo(1L << 20);
        assertThat(ConfigLoader.parse(valid("recording.bufferBudget = 16GiB"), Map.of()).recording().bufferBudget()).isEqualTo(16L << 30);
    }

    @Test
    void logFormatIsJsonOrText() throws Exception {
        assertThat(ConfigLoader.parse(valid("log.format = text"), Map.of()).logFormat()).isEqualTo(LogFormat.TEXT);
        assertThat(ConfigLoader.parse(valid(""), Map.of("GATEWAY_LOG_FORMAT", "text")).logFormat()).isEqualTo(LogFormat.TEXT);
        assertThatThrownBy(() -> ConfigLoader.parse(valid("log.format = xml"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly("log.format: must be json or text: xml"));
    }

    @Test
    void tlsProviderIsJdkOrConscrypt() throws Exception {
        assertThat(ConfigLoader.parse(valid(""), Map.of()).tls().provider()).isEqualTo(TlsProvider.JDK);
        assertThat(ConfigLoader.parse(valid("tls.provider = conscrypt"), Map.of()).tls().provider()).isEqualTo(TlsProvider.CONSCRYPT);
        assertThat(ConfigLoader.parse(valid("tls.provider = JDK"), Map.of()).tls().provider()).isEqualTo(TlsProvider.JDK);
        assertThat(problems(valid("tls.provider = openssl"), Map.of())).containsExactly("tls.provider: must be jdk or conscrypt: openssl");
    }

    @Test
    void theExampleInConfStartsAgainstTheLocalRunsFiles() throws Exception {
        Path localRun = Files.createDirectories(dir.resolve("local-run"));
        TestPki.Issued server = TestPki.create("gateway", localRun).issue("gateway-server");
        TestPki.create("kube-api", localRun);
        Files.writeString(localRun.resolve("kube-api.token"), "token");
        String example = Files.readString(Path.of("conf/gateway.conf")).replace("target/local-run/", localRun + "/");

        GatewayConfig config = ConfigLoader.parse(example, Map.of());

        assertThat(config.tls().certificateFile()).isEqualTo(server.certificateFile());
        assertThat(config.kubernetes().upstreams()).singleElement()
                .satisfies(upstream -> assertThat(upstream.bearerTokenFile()).contains(localRun.resolve("kube-api.token")));
    }

    @Test
    void theCommentedReferenceNamesEveryKey() throws Exception {
        String reference = Files.readString(Path.of("conf/reference.conf"));
        for (String key : ConfigReader.KNOWN_KEYS) {
            assertThat(reference).as("conf/reference.conf documents %s", key).contains(key.substring(key.lastIndexOf('.') + 1));
        }
        for (String key : ConfigReader.UPSTREAM_KEYS) {
            assertThat(reference).as("conf/reference.conf documents upstream key %s", key).contains(key);
        }
    }

    @Test
    void issuerFollowsTheHost() throws Exception {
        assertThat(ConfigLoader.parse(valid("twingate.host = stg.opstg.com"), Map.of()).twingate().issuer()).isEqualTo("twingate-stg");
        assertThat(ConfigLoader.parse(valid("twingate.host = dev.opstg.com"), Map.of()).twingate().issuer()).isEqualTo("twingate-dev");
        assertThat(ConfigLoader.parse(valid("twingate.host = test"), Map.of()).twingate().issuer()).isEqualTo("twingate-local");
        assertThat(ConfigLoader.parse(valid("twingate { host = example.org, issuer = custom }"), Map.of()).twingate().issuer())
                .isEqualTo("custom");
    }

    @Test
    void environmentOverridesTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("gateway.conf"), valid("port = 9443"));
        GatewayConfig config = ConfigLoader.load(Optional.of(file), Map.of(
                "TWINGATE_NETWORK", "beta", "GATEWAY_PORT", "7443", "CONFIG_FORCE_auditLog_flushInterval", "30s"));

        assertThat(config.twingate().network()).isEqualTo("beta");
        assertThat(config.twingate().jwksUrl()).hasToString("https://beta.twingate.com/api/v1/jwk/ec");
        assertThat(config.port()).isEqualTo(7443);
        assertThat(config.auditLog().flushInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aTimeoutFromTheEnvironmentNeedsItsUnitToo() {
        assertThat(problems(valid(""), Map.of("CONFIG_FORCE_kubernetes_connectTimeout", "5")))
                .containsExactly("kubernetes.connectTimeout: 5 has no unit: write it as 10s, 500ms, 5m or 1h");
    }

    @Test
    void inClusterUpstreamIsResolvedFromTheServiceAccount() throws Exception {
        Path serviceAccount = serviceAccount("sa", caFile);
        String hocon = """
                twingate.network = acme
                tls { certificateFile = "%s", privateKeyFile = "%s" }
                kubernetes { serviceAccountDirectory = "%s", upstreams = [ { name = local, inCluster = true } ] }
                """.formatted(pair.certificateFile(), pair.privateKeyFile(), serviceAccount);

        UpstreamConfig upstream = ConfigLoader.parse(hocon, Map.of("KUBERNETES_SERVICE_HOST", "fd00::1",
                "KUBERNETES_SERVICE_PORT", "443")).kubernetes().upstreams().getFirst();

        assertThat(upstream.address()).isEqualTo("[fd00::1]:443");
        assertThat(upstream.caFile()).isEqualTo(serviceAccount.resolve("ca.crt"));
        assertThat(upstream.bearerTokenFile()).contains(serviceAccount.resolve("token"));
    }

    static List<Arguments> invalid() {
        return List.of(
                Arguments.of("missing network", valid("").replace("twingate.network = acme", ""), "twingate.network: required"),
                Arguments.of("unknown host", valid("twingate.host = example.org"), "twingate.issuer: required for twingate.host example.org"),
                Arguments.of("bad jwks url", valid("twingate.jwksUrl = \"ftp://x\""), "twingate.jwksUrl: must be an absolute http(s) URL"),
                Arguments.of("port out of range", valid("port = 70000"), "port: must be a port number 1-65535 (0 = any free port): 70000"),
                Arguments.of("port not a number", valid("port = eighty"), "port: must be a port number 1-65535 (0 = any free port): eighty"),
                Arguments.of("same ports", valid("port = 9090"), "metricsPort: must differ from port 9090"),
                Arguments.of("zero timeout", valid("connect.timeout = 0s"), "connect.timeout: must be between 1s and 5m: 0s"),
                Arguments.of("timeout without a unit", valid("connect.timeout = 10"), "connect.timeout: 10 has no unit: write it as 10s, 500ms, 5m or 1h"),
                Arguments.of("quoted timeout without a unit", valid("idleTimeout = \"3600\""), "idleTimeout: 3600 has no unit"),
                Arguments.of("timeout under a second", valid("kubernetes.responseHeaderTimeout = 200ms"), "kubernetes.responseHeaderTimeout: must be between 1s and 1h: 200ms"),
                Arguments.of("timeout of days", valid("connect.timeout = 2d"), "connect.timeout: must be between 1s and 5m: 2d"),
                Arguments.of("interval under 100 ms", valid("tls.reloadInterval = 10ms"), "tls.reloadInterval: must be between 100ms and 1h: 10ms"),
                Arguments.of("token re-read less than once a minute", valid("kubernetes.tokenRefreshInterval = 5m"), "kubernetes.tokenRefreshInterval: must be between 100ms and 1m: 5m"),
                Arguments.of("duration that is not one", valid("auditLog.flushInterval = soon"), "auditLog.flushInterval: must be a duration such as 10s or 5m: soon"),
                Arguments.of("missing tls", valid("").replaceFirst("tls \\{[^}]*}", ""), "tls.certificateFile: required"),
                Arguments.of("missing cert file", valid("tls.certificateFile = /nonexistent/cert.pem"), "tls.certificateFile: file /nonexistent/cert.pem does not exist"),
                Arguments.of("unreadable key file", valid("tls.privateKeyFile = \"" + dir + "\""), "tls.privateKeyFile: file " + dir + " is not a readable file"),
                Arguments.of("mismatched pair", valid("tls.privateKeyFile = \"" + otherPair.privateKeyFile() + "\""),
                        "tls.privateKeyFile: " + otherPair.privateKeyFile() + " is not the private key of the certificate in " + pair.certificateFile()),
                Arguments.of("certificate file holding a key", valid("tls.certificateFile = \"" + pair.privateKeyFile() + "\""),
                        "tls.certificateFile: " + pair.privateKeyFile() + " holds no certificate, only a private key"),
                Arguments.of("key file holding a certificate", valid("tls.privateKeyFile = \"" + pair.certificateFile() + "\""),
                        "tls.privateKeyFile: " + pair.certificateFile() + " holds no unencrypted private key, only a certificate"),
                Arguments.of("key file of garbage", valid("tls.privateKeyFile = \"" + garbage + "\""),
                        "tls.privateKeyFile: " + garbage + " holds no unencrypted private key (no -----BEGIN ... PRIVATE KEY----- block)"),
                Arguments.of("encrypted key", valid("tls.privateKeyFile = \"" + encryptedKey + "\""),
                        "tls.privateKeyFile: " + encryptedKey + " holds an encrypted private key; give it unencrypted"),
                Arguments.of("truncated certificate", valid("tls.certificateFile = \"" + truncatedCertificate + "\""),
                        "tls.certificateFile: " + truncatedCertificate + " is not valid PEM"),
                Arguments.of("caFile holding a key", valid(upstreamWith("caFile", pair.privateKeyFile())),
                        "kubernetes.upstreams[0].caFile: " + pair.privateKeyFile() + " holds no certificate, only a private key"),
                Arguments.of("caFile of garbage", valid(upstreamWith("caFile", garbage)),
                        "kubernetes.upstreams[0].caFile: " + garbage + " holds no PEM certificate (no -----BEGIN CERTIFICATE----- block)"),
                Arguments.of("caFile of binary bytes", valid(upstreamWith("caFile", binary)),
                        "kubernetes.upstreams[0].caFile: " + binary + " is not valid PEM"),
                Arguments.of("client certificate of garbage", valid("kubernetes.upstreams = [ { name = a, address = \"a:1\", caFile = \"" + caFile + "\", clientCertificateFile = \"" + garbage + "\", clientKeyFile = \"" + pair.privateKeyFile() + "\" } ]"),
                        "kubernetes.upstreams[0].clientCertificateFile: " + garbage + " holds no PEM certificate"),
                Arguments.of("client key of another certificate", valid("kubernetes.upstreams = [ { name = a, address = \"a:1\", caFile = \"" + caFile + "\", clientCertificateFile = \"" + pair.certificateFile() + "\", clientKeyFile = \"" + otherPair.privateKeyFile() + "\" } ]"),
                        "kubernetes.upstreams[0].clientKeyFile: " + otherPair.privateKeyFile() + " is not the private key of the certificate in " + pair.certificateFile()),
                Arguments.of("no upstreams", valid("kubernetes.upstreams = []"), "kubernetes.upstreams: at least one upstream"),
                Arguments.of("upstream without name", valid("kubernetes.upstreams = [ { address = \"a:1\", caFile = \"" + caFile + "\", bearerToken = t } ]"), "kubernetes.upstreams[0].name: required"),
                Arguments.of("duplicate names", valid("kubernetes.upstreams = [ " + upstream("a", "x") + ", " + upstream("a", "y") + " ]"), "kubernetes.upstreams[1].name: duplicate upstream name a"),
                Arguments.of("bad address", valid("kubernetes.upstreams = [ { name = a, address = \"no-port\", caFile = \"" + caFile + "\", bearerToken = t } ]"), "kubernetes.upstreams[0].address: must be host:port"),
                Arguments.of("missing caFile", valid("kubernetes.upstreams = [ { name = a, address = \"a:1\", bearerToken = t } ]"), "kubernetes.upstreams[0].caFile: required"),
                Arguments.of("no credential", valid("kubernetes.upstreams = [ { name = a, address = \"a:1\", caFile = \"" + caFile + "\" } ]"), "kubernetes.upstreams[0].bearerToken: the upstream needs a credential"),
                Arguments.of("two credentials", valid("kubernetes.upstreams = [ { name = a, address = \"a:1\", caFile = \"" + caFile + "\", bearerToken = t, bearerTokenFile = \"" + tokenFile + "\" } ]"), "kubernetes.upstreams[0].bearerToken: give exactly one credential"),
                Arguments.of("cert without key", valid("kubernetes.upstreams = [ { name = a, address = \"a:1\", caFile = \"" + caFile + "\", clientCertificateFile = \"" + pair.certificateFile() + "\" } ]"), "kubernetes.upstreams[0].clientKeyFile: clientCertificateFile and clientKeyFile go together"),
                Arguments.of("two in-cluster", valid("kubernetes.upstreams = [ { name = a, inCluster = true, resourceAddresses = [x] }, { name = b, inCluster = true, resourceAddresses = [y] } ]"), "kubernetes.upstreams: at most one upstream can be inCluster"),
                Arguments.of("in-cluster outside a pod", valid("kubernetes.upstreams = [ { name = a, inCluster = true } ]"), "kubernetes.upstreams[0].inCluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set"),
                Arguments.of("two upstreams, one without addresses", valid("kubernetes.upstreams = [ " + upstream("a", "x") + ", { name = b, address = \"b:1\", caFile = \"" + caFile + "\", bearerToken = t } ]"), "kubernetes.upstreams[1].resourceAddresses: required when there is more than one upstream"),
                Arguments.of("address routed twice", valid("kubernetes.upstreams = [ " + upstream("a", "X") + ", " + upstream("b", "x") + " ]"), "kubernetes.upstreams[1].resourceAddresses: x is already routed to upstream a"),
                Arguments.of("non-positive flush size", valid("auditLog.flushSizeThreshold = 0"), "auditLog.flushSizeThreshold: must be between 100 and 16000000 bytes: 0"),
                Arguments.of("flush size beyond memory", valid("auditLog.flushSizeThreshold = 1G"), "auditLog.flushSizeThreshold: must be between 100 and 16000000 bytes: 1G"),
                Arguments.of("unknown recording failure policy", valid("recording.onFailure = ignore"), "recording.onFailure: must be refuse or continue: ignore"),
                Arguments.of("buffer budget below a megabyte", valid("recording.bufferBudget = 64KiB"), "recording.bufferBudget: must be between 1MiB and 16GiB: 64KiB"),
                Arguments.of("buffer budget beyond 16 GiB", valid("recording.bufferBudget = 1T"), "recording.bufferBudget: must be between 1MiB and 16GiB: 1T"),
                Arguments.of("buffer budget not a size", valid("recording.bufferBudget = lots"), "recording.bufferBudget: must be a number of bytes: lots"),
                Arguments.of("recording dir is a file", valid("recording.directory = \"" + tokenFile + "\""), "recording.directory: cannot create"),
                Arguments.of("wrong type", valid("kubernetes.upstreams = \"main\""), "kubernetes.upstreams: must be a list of objects"),
                Arguments.of("unknown key", valid("tls.certFile = x"), "tls.certFile: unknown key"),
                Arguments.of("unknown upstream key", valid("kubernetes.upstreams = [ { name = a, address = \"a:1\", caFile = \"" + caFile + "\", bearerToken = t, token = t } ]"), "kubernetes.upstreams[0].token: unknown key"));
    }

    /** The valid upstream with one of its file keys pointing elsewhere. */
    private static String upstreamWith(String key, Path file) {
        return "kubernetes.upstreams = [ { name = main, address = \"kube.internal:6443\", caFile = \"%s\", bearerTokenFile = \"%s\", %s = \"%s\" } ]"
                .formatted(caFile, tokenFile, key, file);
    }

    /** What the refused configuration says, one problem a line. */
    private static List<String> problems(String hocon, Map<String, String> env) {
        ConfigException refused = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(hocon, env));
        assertThat(refused).as("a refused configuration").isNotNull();
        return refused.problems();
    }

    /** A service-account directory as a pod has it, with {@code ca} as its ca.crt. */
    private static Path serviceAccount(String name, Path ca) throws IOException {
        Path directory = Files.createDirectories(dir.resolve(name));
        Files.copy(ca, directory.resolve("ca.crt"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(directory.resolve("token"), "projected");
        return directory;
    }

    private static String upstream(String name, String resourceAddress) {
        return "{ name = %s, address = \"%s:1\", caFile = \"%s\", bearerToken = t, resourceAddresses = [%s] }"
                .formatted(name, name, caFile, resourceAddress);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void eachInvalidCaseIsOneLineNamingTheKey(String description, String hocon, String expectedLine) {
        assertThatThrownBy(() -> ConfigLoader.parse(hocon, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .anySatisfy(line -> assertThat(line).startsWith(expectedLine))
                        .allSatisfy(line -> assertThat(line).doesNotContain("\n")));
    }

    @Test
    void aMissingCertificateIsOneLineNotAlsoAPairThatDoesNotLoad() {
        assertThat(problems(valid("tls.certificateFile = /nonexistent/cert.pem"), Map.of()))
                .containsExactly("tls.certificateFile: file /nonexistent/cert.pem does not exist");
    }

    @Test
    void theInClusterCaIsParsedToo() throws Exception {
        Path serviceAccount = serviceAccount("sa-broken", garbage);
        String hocon = valid("kubernetes { serviceAccountDirectory = \"%s\", upstreams = [ { name = local, inCluster = true } ] }"
                .formatted(serviceAccount));

        assertThat(problems(hocon, Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1", "KUBERNETES_SERVICE_PORT", "443"))).containsExactly(
                "kubernetes.upstreams[0].inCluster: " + serviceAccount.resolve("ca.crt") + " holds no PEM certificate (no -----BEGIN CERTIFICATE----- block)");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> ConfigLoader.parse("port = 0\nmetricsPort = -1\nkubernetes.upstreams = []", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSizeGreaterThanOrEqualTo(4)
                        .anyMatch(l -> l.startsWith("twingate.network:"))
                        .anyMatch(l -> l.startsWith("metricsPort:"))
                        .anyMatch(l -> l.startsWith("tls.certificateFile:"))
                        .anyMatch(l -> l.startsWith("kubernetes.upstreams:")));
    }

    @Test
    void syntaxErrorNamesTheFileAndLine() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.conf"), "port = 8443\nmetricsPort = 9090\ntls { certificateFile = [ }\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(broken), Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
                        .satisfies(line -> assertThat(line).startsWith(broken + ": 3: ")));
    }

    @Test
    void unreadableConfigFileIsOneLine() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(dir.resolve("missing.conf")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("--config: cannot read");
    }
}
