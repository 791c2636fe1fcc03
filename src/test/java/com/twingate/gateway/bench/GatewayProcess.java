package com.twingate.gateway.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The production jar as its own JVM, with default JVM settings, configured with two upstreams routed
 * by the token's resource address: {@code 127.0.0.1} → the API stand-in, {@code localhost} → the
 * upgrade stand-in. Its stdout (audit lines, recordings) goes to a file, as a container's log would.
 */
final class GatewayProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int port;

    private GatewayProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * @param name         a file-name-safe name, for its configuration and log files
     * @param extraConfig  HOCON appended to the configuration (a lever being measured, such as {@code tls.provider})
     */
    record Settings(String name, Path jar, Path directory, String jwksUrl, Path certificate, Path privateKey,
                    String apiAddress, String streamsAddress, Path upstreamCa, List<String> jvmOptions, String extraConfig) {}

    static GatewayProcess start(Settings settings) throws Exception {
        int port = freePort();
        int metricsPort = freePort();
        Path config = Files.writeString(settings.directory().resolve(settings.name() + ".conf"), """
                twingate { network = acme, host = test, jwksUrl = "%s" }
                bindAddress = "127.0.0.1"
                port = %d
                metricsPort = %d
                tls { certificateFile = "%s", privateKeyFile = "%s" }
                kubernetes.upstreams = [
                  { name = api, address = "%s", caFile = "%s", bearerToken = bench, resourceAddresses = ["127.0.0.1"] },
                  { name = streams, address = "%s", caFile = "%s", bearerToken = bench, resourceAddresses = ["localhost"] }
                ]
                %s
                """.formatted(settings.jwksUrl(), port, metricsPort, settings.certificate(), settings.privateKey(),
                settings.apiAddress(), settings.upstreamCa(), settings.streamsAddress(), settings.upstreamCa(),
                settings.extraConfig()));
        Path log = settings.directory().resolve(settings.name() + ".log");
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(settings.jvmOptions());
        command.addAll(List.of("-jar", settings.jar().toString(), "--config", config.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        GatewayProcess gateway = new GatewayProcess(process, log, port);
        try {
            gateway.awaitLine("gateway started in");
        } catch (Exception e) {
            gateway.close();
            throw e;
        }
        return gateway;
    }

    /** What {@code --version} prints. */
    static String version(Path jar) throws Exception {
        Process version = new ProcessBuilder(java(), "-jar", jar.toString(), "--version").redirectErrorStream(true).start();
        String text = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        version.waitFor(30, TimeUnit.SECONDS);
        return text;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** Heap in use right after a full collection, from {@code jcmd GC.heap_info}. */
    long usedHeapAfterGc() throws Exception {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(info);
        if (!used.find()) {
            throw new IllegalStateException("no heap usage in: " + info);
        }
        return Long.parseLong(used.group(1)) * 1024;
    }

    /** File descriptors the gateway holds open now: its sockets (both sides of every connection) and files. */
    long descriptors() throws IOException {
        try (var descriptors = Files.list(Path.of("/proc/" + process.pid() + "/fd"))) {
            return descriptors.count();
        }
    }

    long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for the gateway");
    }

    private String jcmd(String command) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()), command).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor(120, TimeUnit.SECONDS);
        return output;
    }

    private void awaitLine(String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the gateway exited:\n" + Files.readString(log));
            }
            if (Files.exists(log)) {
                List<String> lines = Files.readAllLines(log);
                if (lines.stream().anyMatch(line -> line.contains(text))) {
                    return;
                }
            }
            Thread.sleep(50); // polling a log file written by another process
        }
        throw new IllegalStateException("the gateway did not log '" + text + "':\n" + Files.readString(log));
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
