package com.twingate.gateway.config;

import com.twingate.gateway.tls.PemKeyStores;
import com.twingate.gateway.tls.TlsProviders;
import com.twingate.gateway.token.IssuerTable;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads and validates the merged configuration: the one place for every rule of (docs/configuration.md). Collects all
 * problems, each one line naming its key, so a bad configuration is fixed in one round.
 */
final class ConfigReader {

    static final Set<String> KNOWN_KEYS = Set.of(
            "twingate.network", "twingate.host", "twingate.jwksUrl", "twingate.issuer",
            "bindAddress", "port", "metricsPort", "connect.timeout", "idleTimeout",
            "tls.certificateFile", "tls.privateKeyFile", "tls.reloadInterval", "tls.provider",
            "kubernetes.upstreams", "kubernetes.connectTimeout", "kubernetes.responseHeaderTimeout",
            "kubernetes.tokenRefreshInterval", "kubernetes.serviceAccountDirectory",
            "auditLog.flushInterval", "auditLog.flushSizeThreshold", "recording.directory", "recording.onFailure",
            "recording.bufferBudget", "log.format",
            "shutdownTimeout", "relay.halfCloseTimeout", "tcpKeepAlive.idle", "tcpKeepAlive.interval", "tcpKeepAlive.probes",
            "http2.enabled");
    /**
     * The sane range of every duration: below the minimum a timeout cuts every client off (a unitless
     * {@code 10} used to mean 10 ms), above the maximum a mistake goes unnoticed for days.
     */
    private static final Map<String, Bounds> DURATIONS = Map.ofEntries(
            Map.entry("connect.timeout", new Bounds(Duration.ofSeconds(1), Duration.ofMinutes(5))),
            Map.entry("idleTimeout", new Bounds(Duration.ofSeconds(1), Duration.ofDays(7))),
            Map.entry("tls.reloadInterval", new Bounds(Duration.ofMillis(100), Duration.ofHours(1))),
            Map.entry("kubernetes.connectTimeout", new Bounds(Duration.ofSeconds(1), Duration.ofMinutes(5))),
            Map.entry("kubernetes.responseHeaderTimeout", new Bounds(Duration.ofSeconds(1), Duration.ofHours(1))),
            // Projected service-account tokens rotate; the file must be re-read at least once a minute.
            Map.entry("kubernetes.tokenRefreshInterval", new Bounds(Duration.ofMillis(100), Duration.ofMinutes(1))),
            Map.entry("auditLog.flushInterval", new Bounds(Duration.ofMillis(100), Duration.ofDays(1))),
            Map.entry("shutdownTimeout", new Bounds(Duration.ofSeconds(1), Duration.ofHours(1))),
            Map.entry("relay.halfCloseTimeout", new Bounds(Duration.ofMillis(100), Duration.ofMinutes(10))),
            Map.entry("tcpKeepAlive.idle", new Bounds(Duration.ofSeconds(1), Duration.ofHours(2))),
            Map.entry("tcpKeepAlive.interval", new Bounds(Duration.ofSeconds(1), Duration.ofMinutes(10))));
    /** Unanswered keep-alive probes before a peer is declared dead (Linux allows up to 127). */
    private static final int MAX_KEEPALIVE_PROBES = 127;
    /** Up to 8 parts of this size wait for the log writer: the maximum bounds that memory. */
    // Twingate's own chart tests use 200: a small threshold only means many small parts.
    private static final long MIN_FLUSH_SIZE = 100;
    private static final long MAX_FLUSH_SIZE = 16_000_000;
    /** Below a megabyte every busy session is cut into tiny parts; above 16 GiB it no longer bounds anything. */
    private static final long MIN_BUFFER_BUDGET = 1L << 20;
    private static final long MAX_BUFFER_BUDGET = 16L << 30;
    private static final Pattern UNITLESS = Pattern.compile("\\s*[0-9.]+\\s*");
    private static final int MAX_ECHOED_VALUE = 80;

    static final Set<String> UPSTREAM_KEYS = Set.of("name", "inCluster", "address", "caFile", "bearerToken",
            "bearerTokenFile", "clientCertificateFile", "clientKeyFile", "resourceAddresses");

    private final Config config;
    private final Config given;
    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();
    private int inClusterUpstreams;

    /**
     * @param config the merged configuration, defaults included
     * @param given  what the user gave (file and environment), to find unknown keys
     */
    ConfigReader(Config config, Config given, Map<String, String> env) {
        this.config = config;
        this.given = given;
        this.env = env;
    }

    GatewayConfig read() throws ConfigException {
        for (Map.Entry<String, ConfigValue> entry : given.entrySet()) {
            if (!KNOWN_KEYS.contains(entry.getKey())) {
                problem(entry.getKey(), "unknown key");
            }
        }
        TwingateConfig twingate = twingate();
        String bindAddress = string("bindAddress").orElse(null);
        int port = port("port");
        int metricsPort = port("metricsPort");
        if (port != 0 && port == metricsPort) {
            problem("metricsPort", "must differ from port " + port);
        }
        Duration connectTimeout = duration("connect.timeout");
        Duration idleTimeout = duration("idleTimeout");
        TlsConfig tls = tls();
        KubernetesConfig kubernetes = kubernetes();
        AuditLogConfig auditLog = new AuditLogConfig(duration("auditLog.flushInterval"), flushSizeThreshold());
        RecordingConfig recording = new RecordingConfig(recordingDirectory(), onFailure(), bufferBudget());
        LogFormat logFormat = logFormat();
        Duration shutdownTimeout = duration("shutdownTimeout");
        Duration halfCloseTimeout = duration("relay.halfCloseTimeout");
        KeepAliveConfig tcpKeepAlive = new KeepAliveConfig(duration("tcpKeepAlive.idle"), duration("tcpKeepAlive.interval"),
                keepAliveProbes());
        boolean http2 = read("http2.enabled", "must be true or false", () -> config.getBoolean("http2.enabled")).orElse(true);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new GatewayConfig(twingate, bindAddress, port, metricsPort, connectTimeout, idleTimeout, tls,
                kubernetes, auditLog, recording, logFormat, shutdownTimeout, halfCloseTimeout, tcpKeepAlive,
                http2);
    }

    private TwingateConfig twingate() {
        Optional<String> network = string("twingate.network");
        if (network.isEmpty()) {
            problem("twingate.network", "required (your Twingate network name; env TWINGATE_NETWORK)");
        }
        String host = string("twingate.host").orElse("");
        Optional<String> issuer = string("twingate.issuer").or(() -> IssuerTable.issuerFor(host));
        if (issuer.isEmpty()) {
            problem("twingate.issuer", "required for twingate.host " + host + ", which has no known issuer");
        }
        URI jwksUrl = string("twingate.jwksUrl")
                .or(() -> network.map(n -> "https://" + n + "." + host + "/api/v1/jwk/ec"))
                .map(url -> httpUrl("twingate.jwksUrl", url))
                .orElse(null);
        return new TwingateConfig(network.orElse(null), host, jwksUrl, issuer.orElse(null));
    }

    private URI httpUrl(String key, String value) {
        try {
            URI uri = new URI(value);
            if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                problem(key, "must be an absolute http(s) URL: " + value);
            }
            return uri;
        } catch (URISyntaxException e) {
            problem(key, "not a URL: " + value);
            return null;
        }
    }

    private TlsConfig tls() {
        Optional<Path> certificate = certificateFile("tls.certificateFile", true);
        Optional<Path> key = privateKeyFile("tls.privateKeyFile", true);
        pairMatches("tls.privateKeyFile", certificate, key);
        return new TlsConfig(certificate.orElse(null), key.orElse(null), duration("tls.reloadInterval"), tlsProvider());
    }

    private TlsProvider tlsProvider() {
        String value = string("tls.provider").orElse("jdk");
        Optional<TlsProvider> provider = TlsProvider.of(value);
        if (provider.isEmpty()) {
            problem("tls.provider", "must be jdk or conscrypt: " + value);
            return TlsProvider.JDK;
        }
        TlsProviders.unavailable(provider.get()).ifPresent(why -> problem("tls.provider", why + " (tls.provider = jdk runs everywhere)"));
        return provider.get();
    }

    private KubernetesConfig kubernetes() {
        List<UpstreamConfig> upstreams = upstreams();
        return new KubernetesConfig(upstreams, duration("kubernetes.connectTimeout"),
                duration("kubernetes.responseHeaderTimeout"), duration("kubernetes.tokenRefreshInterval"));
    }

    private List<UpstreamConfig> upstreams() {
        List<? extends Config> entries = read("kubernetes.upstreams", "must be a list of objects",
                () -> config.getConfigList("kubernetes.upstreams")).orElse(List.of());
        if (entries.isEmpty()) {
            problem("kubernetes.upstreams", "at least one upstream API server is required");
        }
        List<UpstreamConfig> upstreams = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            upstream("kubernetes.upstreams[" + i + "]", entries.get(i)).ifPresent(upstreams::add);
        }
        crossCheck(upstreams);
        return upstreams;
    }

    private Optional<UpstreamConfig> upstream(String prefix, Config entry) {
        ConfigReader reader = new ConfigReader(entry, entry, env);
        for (String key : entry.root().keySet()) {
            if (!UPSTREAM_KEYS.contains(key)) {
                problem(prefix + "." + key, "unknown key");
            }
        }
        Optional<String> name = reader.string("name");
        if (name.isEmpty()) {
            problem(prefix + ".name", "required");
        }
        boolean inCluster = reader.read("inCluster", "must be true or false", () -> entry.getBoolean("inCluster"))
                .orElse(false);
        List<String> resourceAddresses = reader.read("resourceAddresses", "must be a list of strings",
                () -> entry.getStringList("resourceAddresses")).orElse(List.of());
        reader.problems.forEach(p -> problems.add(prefix + "." + p));
        inClusterUpstreams += inCluster ? 1 : 0;
        return inCluster
                ? inClusterUpstream(prefix, entry, name.orElse(null), resourceAddresses)
                : addressedUpstream(prefix, entry, name.orElse(null), resourceAddresses);
    }

    private Optional<UpstreamConfig> inClusterUpstream(String prefix, Config entry, String name, List<String> resourceAddresses) {
        for (String explicit : List.of("address", "caFile", "bearerToken", "bearerTokenFile", "clientCertificateFile", "clientKeyFile")) {
            if (entry.hasPath(explicit)) {
                problem(prefix + "." + explicit, "not allowed with inCluster = true (the service account provides it)");
            }
        }
        String host = env.get("KUBERNETES_SERVICE_HOST");
        String servicePort = env.get("KUBERNETES_SERVICE_PORT");
        if (host == null || host.isBlank() || servicePort == null || servicePort.isBlank()) {
            problem(prefix + ".inCluster", "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (not running in a pod?)");
            return Optional.empty();
        }
        Path serviceAccount = string("kubernetes.serviceAccountDirectory").map(Path::of).orElse(Path.of("."));
        Path caFile = serviceAccount.resolve("ca.crt");
        Path tokenFile = serviceAccount.resolve("token");
        for (Path file : List.of(caFile, tokenFile)) {
            if (!Files.isReadable(file)) {
                problem(prefix + ".inCluster", "service-account file " + file + " is not readable");
            }
        }
        if (Files.isReadable(caFile)) {
            pem(prefix + ".inCluster", caFile, () -> PemKeyStores.certificates(caFile));
        }
        String address = (host.contains(":") ? "[" + host + "]" : host) + ":" + servicePort;
        return Optional.of(new UpstreamConfig(name, true, address, caFile, Optional.empty(), Optional.of(tokenFile),
                Optional.empty(), Optional.empty(), resourceAddresses));
    }

    private Optional<UpstreamConfig> addressedUpstream(String prefix, Config entry, String name, List<String> resourceAddresses) {
        ConfigReader reader = new ConfigReader(entry, entry, env);
        Optional<String> address = reader.string("address");
        if (address.isEmpty()) {
            reader.problem("address", "required (host:port of the API server), or set inCluster = true");
        } else if (!isHostPort(address.get())) {
            reader.problem("address", "must be host:port with a port 1-65535: " + address.get());
        }
        Optional<Path> caFile = reader.certificateFile("caFile", true);
        Optional<String> bearerToken = reader.string("bearerToken");
        Optional<Path> bearerTokenFile = reader.readableFile("bearerTokenFile", false);
        Optional<Path> certificate = reader.certificateFile("clientCertificateFile", false);
        Optional<Path> key = reader.privateKeyFile("clientKeyFile", false);
        boolean hasCertificate = entry.hasPath("clientCertificateFile");
        boolean hasKey = entry.hasPath("clientKeyFile");
        if (hasCertificate != hasKey) {
            reader.problem(hasCertificate ? "clientKeyFile" : "clientCertificateFile",
                    "clientCertificateFile and clientKeyFile go together");
        }
        int credentials = (entry.hasPath("bearerToken") ? 1 : 0) + (entry.hasPath("bearerTokenFile") ? 1 : 0)
                + (hasCertificate || hasKey ? 1 : 0);
        if (credentials == 0) {
            reader.problem("bearerToken", "the upstream needs a credential: bearerToken, bearerTokenFile, or clientCertificateFile + clientKeyFile");
        } else if (credentials > 1) {
            reader.problem("bearerToken", "give exactly one credential: bearerToken, bearerTokenFile, or clientCertificateFile + clientKeyFile");
        }
        reader.pairMatches("clientKeyFile", certificate, key);
        reader.problems.forEach(p -> problems.add(prefix + "." + p));
        if (!reader.problems.isEmpty() || name == null) {
            return Optional.empty();
        }
        return Optional.of(new UpstreamConfig(name, false, address.orElseThrow(), caFile.orElseThrow(), bearerToken,
                bearerTokenFile, certificate, key, resourceAddresses));
    }

    private void crossCheck(List<UpstreamConfig> upstreams) {
        Set<String> names = new HashSet<>();
        Map<String, String> addressOwners = new HashMap<>();
        for (int i = 0; i < upstreams.size(); i++) {
            UpstreamConfig upstream = upstreams.get(i);
            String prefix = "kubernetes.upstreams[" + i + "]";
            if (!names.add(upstream.name())) {
                problem(prefix + ".name", "duplicate upstream name " + upstream.name());
            }
            if (upstreams.size() > 1 && upstream.resourceAddresses().isEmpty()) {
                problem(prefix + ".resourceAddresses", "required when there is more than one upstream");
            }
            for (String address : upstream.resourceAddresses()) {
                String owner = addressOwners.putIfAbsent(address.toLowerCase(Locale.ROOT), upstream.name());
                if (owner != null && !owner.equals(upstream.name())) {
                    problem(prefix + ".resourceAddresses", address + " is already routed to upstream " + owner);
                }
            }
        }
        if (inClusterUpstreams > 1) {
            problem("kubernetes.upstreams", "at most one upstream can be inCluster");
        }
    }

    private int flushSizeThreshold() {
        String key = "auditLog.flushSizeThreshold";
        long threshold = read(key, "must be a number of bytes", () -> config.getBytes(key)).orElse(MIN_FLUSH_SIZE);
        if (threshold < MIN_FLUSH_SIZE || threshold > MAX_FLUSH_SIZE) {
            problem(key, "must be between " + MIN_FLUSH_SIZE + " and " + MAX_FLUSH_SIZE + " bytes: " + echo(key));
            return (int) MIN_FLUSH_SIZE;
        }
        return (int) threshold;
    }

    private RecordingConfig.OnFailure onFailure() {
        String value = string("recording.onFailure").orElse("refuse");
        return RecordingConfig.OnFailure.of(value).orElseGet(() -> {
            problem("recording.onFailure", "must be refuse or continue: " + echo("recording.onFailure"));
            return RecordingConfig.OnFailure.REFUSE;
        });
    }

    private long bufferBudget() {
        String key = "recording.bufferBudget";
        long budget = read(key, "must be a number of bytes", () -> config.getBytes(key)).orElse(MIN_BUFFER_BUDGET);
        if (budget < MIN_BUFFER_BUDGET || budget > MAX_BUFFER_BUDGET) {
            problem(key, "must be between 1MiB and 16GiB: " + echo(key));
            return MIN_BUFFER_BUDGET;
        }
        return budget;
    }

    private int keepAliveProbes() {
        String key = "tcpKeepAlive.probes";
        int probes = read(key, "must be a whole number", () -> config.getInt(key)).orElse(1);
        if (probes < 1 || probes > MAX_KEEPALIVE_PROBES) {
            problem(key, "must be between 1 and " + MAX_KEEPALIVE_PROBES + ": " + echo(key));
            return 1;
        }
        return probes;
    }

    private LogFormat logFormat() {
        String value = string("log.format").orElse("json");
        return LogFormat.of(value).orElseGet(() -> {
            problem("log.format", "must be json or text: " + value);
            return LogFormat.JSON;
        });
    }

    private Optional<Path> recordingDirectory() {
        Optional<Path> directory = string("recording.directory").flatMap(value -> path("recording.directory", value));
        if (directory.isEmpty()) {
            return Optional.empty();
        }
        Path dir = directory.get();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            problem("recording.directory", "cannot create " + dir + ": " + e.getMessage());
            return directory;
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            problem("recording.directory", dir + " is not a writable directory");
        }
        return directory;
    }

    private Optional<String> string(String key) {
        if (!config.hasPath(key)) {
            return Optional.empty();
        }
        ConfigValue value = config.getValue(key);
        if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST) {
            problem(key, "must be a string");
            return Optional.empty();
        }
        String text = config.getString(key).trim();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    private int port(String key) {
        String expectation = "must be a port number 1-65535 (0 = any free port)";
        int port = read(key, expectation, () -> config.getInt(key)).orElse(0);
        if (port < 0 || port > 65535) {
            problem(key, expectation + ": " + port);
        }
        return port;
    }

    /** A duration with a unit, inside the key's {@link #DURATIONS} bounds. */
    private Duration duration(String key) {
        Bounds bounds = DURATIONS.get(key);
        if (config.hasPath(key) && UNITLESS.matcher(String.valueOf(config.getValue(key).unwrapped())).matches()) {
            problem(key, echo(key) + " has no unit: write it as 10s, 500ms, 5m or 1h");
            return bounds.min();
        }
        Duration duration = read(key, "must be a duration such as 10s or 5m", () -> config.getDuration(key)).orElse(bounds.min());
        if (duration.compareTo(bounds.min()) < 0 || duration.compareTo(bounds.max()) > 0) {
            problem(key, "must be between " + text(bounds.min()) + " and " + text(bounds.max()) + ": " + echo(key));
            return bounds.min();
        }
        return duration;
    }

    /** A readable file; empty (with the problem noted) when it is not, so nothing else is checked on it. */
    private Optional<Path> readableFile(String key, boolean required) {
        Optional<Path> file = string(key).flatMap(value -> path(key, value));
        if (file.isEmpty()) {
            if (required && !config.hasPath(key)) {
                problem(key, "required");
            }
            return Optional.empty();
        }
        if (!Files.exists(file.get())) {
            problem(key, "file " + file.get() + " does not exist");
            return Optional.empty();
        } else if (!Files.isRegularFile(file.get()) || !Files.isReadable(file.get())) {
            problem(key, "file " + file.get() + " is not a readable file");
            return Optional.empty();
        }
        return file;
    }

    /** A readable PEM file holding at least one certificate and nothing broken. */
    private Optional<Path> certificateFile(String key, boolean required) {
        return readableFile(key, required).filter(file -> pem(key, file, () -> PemKeyStores.certificates(file)));
    }

    /** A readable PEM file holding an unencrypted private key. */
    private Optional<Path> privateKeyFile(String key, boolean required) {
        return readableFile(key, required).filter(file -> pem(key, file, () -> PemKeyStores.privateKey(file)));
    }

    /** The key must belong to the certificate; checked only when both files parsed, so one mistake is one line. */
    private void pairMatches(String key, Optional<Path> certificate, Optional<Path> privateKey) {
        if (certificate.isPresent() && privateKey.isPresent()) {
            pem(key, privateKey.get(), () -> PemKeyStores.keyStore(certificate.get(), privateKey.get()));
        }
    }

    /** Parses a PEM file; a failure is one line naming the key and (in the message) the file. */
    private boolean pem(String key, Path file, PemCheck check) {
        try {
            check.run();
            return true;
        } catch (GeneralSecurityException e) {
            problem(key, e.getMessage().startsWith(file.toString()) ? e.getMessage() : file + ": " + e.getMessage());
        } catch (IOException e) {
            problem(key, "cannot read " + file + ": " + e.getMessage());
        }
        return false;
    }

    @FunctionalInterface
    private interface PemCheck {
        void run() throws IOException, GeneralSecurityException;
    }

    /** The value as written, on one line and not too long, to quote in a problem. */
    private String echo(String key) {
        ConfigValue value = config.getValue(key);
        String rendered = value.valueType() == ConfigValueType.STRING ? String.valueOf(value.unwrapped()).trim()
                : value.render(ConfigRenderOptions.concise());
        return rendered.length() > MAX_ECHOED_VALUE ? rendered.substring(0, MAX_ECHOED_VALUE) + "..." : rendered;
    }

    private static String text(Duration duration) {
        long millis = duration.toMillis();
        for (var unit : List.of(Map.entry(86_400_000L, "d"), Map.entry(3_600_000L, "h"), Map.entry(60_000L, "m"), Map.entry(1_000L, "s"))) {
            if (millis % unit.getKey() == 0) {
                return millis / unit.getKey() + unit.getValue();
            }
        }
        return millis + "ms";
    }

    private record Bounds(Duration min, Duration max) {}

    private Optional<Path> path(String key, String value) {
        try {
            return Optional.of(Path.of(value));
        } catch (InvalidPathException e) {
            problem(key, "not a file path: " + value);
            return Optional.empty();
        }
    }

    /** Reads one value; a value of the wrong type is a problem naming the key, not an exception. */
    private <T> Optional<T> read(String key, String expectation, Supplier<T> getter) {
        if (!config.hasPath(key)) {
            return Optional.empty();
        }
        try {
            return Optional.of(getter.get());
        } catch (com.typesafe.config.ConfigException.WrongType | com.typesafe.config.ConfigException.BadValue e) {
            problem(key, expectation + ": " + echo(key));
            return Optional.empty();
        }
    }

    private static boolean isHostPort(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            return false;
        }
        String host = address.substring(0, colon);
        if (host.contains(":") && !(host.startsWith("[") && host.endsWith("]"))) {
            return false;
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            return port >= 1 && port <= 65535;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private void problem(String key, String what) {
        problems.add(key + ": " + what);
    }
}
