package com.twingate.gateway.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The real kubectl, one version of those installed with the Google Cloud SDK
 * ({@code /usr/lib/google-cloud-sdk/bin/kubectl.1.27} … {@code kubectl.1.33}), run against a
 * kubeconfig this class writes.
 */
public final class Kubectl {

    public static final Path SDK_BIN = Path.of("/usr/lib/google-cloud-sdk/bin");

    private final String version;
    private final Path binary;
    private final Path kubeconfig;
    private final Map<String, String> environment = new HashMap<>();

    private Kubectl(String version, Path binary, Path kubeconfig) {
        this.version = version;
        this.binary = binary;
        this.kubeconfig = kubeconfig;
    }

    /** The minor versions installed here, e.g. {@code 1.27}, oldest first. */
    /** {@code -Dkubectl.only=1.32,1.33}: a developer's run of the matrix on some versions only (never set in CI). */
    private static final List<String> ONLY = List.of(System.getProperty("kubectl.only", "").split(",")).stream()
            .filter(v -> !v.isBlank()).toList();

    public static List<String> installedVersions() {
        if (!Files.isDirectory(SDK_BIN)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(SDK_BIN)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("kubectl\\.1\\.\\d+"))
                    .map(n -> n.substring("kubectl.".length()))
                    .filter(v -> ONLY.isEmpty() || ONLY.contains(v))
                    .sorted((a, b) -> Integer.compare(minor(a), minor(b)))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int minor(String version) {
        return Integer.parseInt(version.substring(version.indexOf('.') + 1));
    }

    /**
     * kubectl {@code version} talking to {@code server} (an https URL) that presents a certificate
     * signed by {@code caFile}, authenticating with {@code token} (null: through the gateway, which
     * needs no credential from kubectl). Skipped when that version is missing, except under CI=true.
     */
    public static Kubectl of(String version, String server, Path caFile, String token, Path directory) {
        Path binary = installed(version);
        Path kubeconfig = directory.resolve("kubeconfig-" + version);
        try {
            Files.writeString(kubeconfig, kubeconfig(server, caFile, token));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Kubectl(version, binary, kubeconfig);
    }

    /** kubectl {@code version} with an existing kubeconfig (the local run's, say). */
    public static Kubectl of(String version, Path kubeconfig) {
        return new Kubectl(version, installed(version), kubeconfig);
    }

    /**
     * A kubeconfig with one cluster, user and context, namespace {@code default}. Without a token the
     * user still gets a placeholder one: kubectl asks for a username and password on its terminal when
     * a user has no credential at all, and the gateway drops whatever {@code Authorization} kubectl sends.
     */
    public static String kubeconfig(String server, Path caFile, String token) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: gateway
                  cluster:
                    server: %s
                    certificate-authority: %s
                users:
                - name: user
                  user: {token: %s}
                contexts:
                - name: gateway
                  context: {cluster: gateway, user: user, namespace: default}
                current-context: gateway
                """.formatted(server, caFile.toAbsolutePath(), token == null ? "placeholder-the-gateway-drops-it" : token);
    }

    /** The binary of {@code version}; skips the calling test when it is missing, except under CI=true. */
    private static Path installed(String version) {
        Path binary = SDK_BIN.resolve("kubectl." + version);
        if (!Files.isExecutable(binary)) {
            String reason = "kubectl " + version + " is not installed at " + binary;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(reason);
            }
            System.out.println("Skipping: " + reason);
            Assumptions.abort(reason);
        }
        return binary;
    }

    public String version() {
        return version;
    }

    public Path binary() {
        return binary;
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    /** Sets an environment variable for the following runs (e.g. {@code KUBECTL_REMOTE_COMMAND_WEBSOCKETS}). */
    public Kubectl env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** The full command line for {@code args}, for callers that run it themselves (under a pty, say). */
    public List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.add("--kubeconfig=" + kubeconfig);
        command.addAll(List.of(args));
        return command;
    }

    public ProcessBuilder processBuilder(String... args) {
        ProcessBuilder builder = new ProcessBuilder(command(args));
        builder.environment().putAll(environment);
        builder.environment().put("HOME", kubeconfig.getParent().toString());
        return builder;
    }

    /** Runs to completion (killed after {@code timeout}), with {@code stdin} as its input. */
    public Result run(Duration timeout, byte[] stdin, String... args) {
        try {
            Process process = processBuilder(args).start();
            CompletableFuture<byte[]> out = drain(process.getInputStream());
            CompletableFuture<byte[]> err = drain(process.getErrorStream());
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            } catch (IOException closedEarly) {
                // kubectl may exit before reading all of its input; its exit code tells.
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("kubectl " + version + " " + String.join(" ", args) + " did not finish within "
                        + timeout + "; stderr so far: " + new String(err.getNow(new byte[0]), StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), out.join(), new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public Result run(Duration timeout, String... args) {
        return run(timeout, null, args);
    }

    private static CompletableFuture<byte[]> drain(InputStream stream) {
        CompletableFuture<byte[]> bytes = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (stream) {
                bytes.complete(stream.readAllBytes());
            } catch (IOException e) {
                bytes.complete(new byte[0]);
            }
        });
        return bytes;
    }

    /** What a finished kubectl said. */
    public record Result(int exitCode, byte[] stdoutBytes, String stderr) {
        public String stdout() {
            return new String(stdoutBytes, StandardCharsets.UTF_8);
        }

        /** Fails with everything kubectl printed unless it exited 0. */
        public Result assertSuccess() {
            if (exitCode != 0) {
                throw new AssertionError("kubectl exited " + exitCode + "\nstdout: " + stdout() + "\nstderr: " + stderr);
            }
            return this;
        }
    }
}
