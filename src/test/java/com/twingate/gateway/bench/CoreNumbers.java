package com.twingate.gateway.bench;

import com.twingate.gateway.testkit.ClientKeys;
import com.twingate.gateway.testkit.ControllerStandIn;
import com.twingate.gateway.testkit.OuterTlsConnection;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.TlsUpstream;
import com.twingate.gateway.testkit.TwingateClientStandIn;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The core numbers of the gateway jar, measured as a separate process on this machine: start-up time,
 * requests per second of a small GET through the whole chain, heap and RSS per idle authenticated
 * connection, and the cost of a scrape with those connections open. A measurement, not a test:
 * {@code scripts/core-numbers} runs it.
 */
public final class CoreNumbers {

    private static final int IDLE_CONNECTIONS = 1000;
    private static final int CONCURRENCY = 16;
    private static final long LOAD_SECONDS = 10;

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "target/kubernetes-access-gateway.jar");
        Path dir = Files.createTempDirectory("core-numbers");
        KeyPair clientKey = ClientKeys.newP256();
        try (ControllerStandIn controller = new ControllerStandIn("acme")) {
            TestPki pki = TestPki.create("bench", dir);
            TestPki.Issued gatewayCertificate = pki.issue("gateway");
            TestPki apiPki = TestPki.create("api", dir);
            try (TlsUpstream api = new TlsUpstream(apiPki.issue("api"), null, new Ok())) {
                int port = freePort();
                int metricsPort = freePort();
                Path config = Files.writeString(dir.resolve("gateway.conf"), """
                        twingate { network = acme, host = test, jwksUrl = "%s" }
                        bindAddress = "127.0.0.1"
                        port = %d
                        metricsPort = %d
                        tls { certificateFile = "%s", privateKeyFile = "%s" }
                        kubernetes.upstreams = [ { name = api, address = "%s", caFile = "%s", bearerToken = bench } ]
                        """.formatted(controller.jwksUrl(), port, metricsPort, gatewayCertificate.certificateFile(),
                        gatewayCertificate.privateKeyFile(), api.address(), apiPki.caFile()));
                Path log = dir.resolve("gateway.log");
                long launched = System.nanoTime();
                Process gateway = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx1g", "-jar", jar.toString(), "--config", config.toString())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                try {
                    String started = awaitLine(log, "gateway started in");
                    long wallMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launched);
                    Matcher inProcess = Pattern.compile("started in (\\d+) ms").matcher(started);
                    System.out.printf("start-up: %d ms from exec to listening (%s ms inside the JVM after config)%n",
                            wallMillis, inProcess.find() ? inProcess.group(1) : "?");

                    InetSocketAddress gatewayAddress = new InetSocketAddress("127.0.0.1", port);
                    try (TwingateClientStandIn client = new TwingateClientStandIn(gatewayAddress, pki.trust(),
                            () -> new TwingateClientStandIn.Credentials(controller.token(clientKey).mint(), clientKey, "127.0.0.1", 443))) {
                        requestsPerSecond(pki, client.localPort());
                    }

                    long heapBefore = usedHeapAfterGc(gateway.pid());
                    long rssBefore = rss(gateway.pid());
                    List<AutoCloseable> idle = openIdleConnections(controller, clientKey, pki, gatewayAddress);
                    long heapAfter = usedHeapAfterGc(gateway.pid());
                    long rssAfter = rss(gateway.pid());
                    System.out.printf("idle authenticated connections: %d; heap %.1f KiB each (%d → %d KiB used after GC),"
                                    + " RSS %.1f KiB each (%d → %d KiB)%n", idle.size(),
                            (heapAfter - heapBefore) / 1024.0 / idle.size(), heapBefore / 1024, heapAfter / 1024,
                            (rssAfter - rssBefore) / 1024.0 / idle.size(), rssBefore / 1024, rssAfter / 1024);
                    scrapeCost(metricsPort);
                    for (AutoCloseable connection : idle) {
                        connection.close();
                    }
                } finally {
                    gateway.destroy();
                    gateway.waitFor(20, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static void requestsPerSecond(TestPki pki, int localPort) throws Exception {
        URI uri = URI.create("https://127.0.0.1:" + localPort + "/api/v1/namespaces/default/pods/web");
        LongAdder completed = new LongAdder();
        LongAdder failed = new LongAdder();
        List<Thread> workers = new ArrayList<>();
        long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (int i = 0; i < CONCURRENCY; i++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(pki.trust()).build()) {
                    HttpRequest request = HttpRequest.newBuilder(uri).build();
                    long end = warmupEnd + TimeUnit.SECONDS.toNanos(LOAD_SECONDS);
                    while (System.nanoTime() < end) {
                        try {
                            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                            if (System.nanoTime() > warmupEnd) {
                                (status == 200 ? completed : failed).increment();
                            }
                        } catch (IOException e) {
                            failed.increment();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        System.out.printf("small GET through client stand-in → gateway → TLS upstream, %d kept-alive connections: %.0f requests/s (%d failed)%n",
                CONCURRENCY, completed.sum() / (double) LOAD_SECONDS, failed.sum());
    }

    /** Each: outer TLS, CONNECT, inner TLS, one GET answered, then held open and idle. */
    private static List<AutoCloseable> openIdleConnections(ControllerStandIn controller, KeyPair clientKey, TestPki pki,
                                                           InetSocketAddress gateway) throws Exception {
        String token = controller.token(clientKey).mint();
        List<AutoCloseable> open = new ArrayList<>();
        for (int i = 0; i < IDLE_CONNECTIONS; i++) {
            OuterTlsConnection outer = OuterTlsConnection.open(gateway, pki.trust());
            String status = outer.connect("127.0.0.1:443", token, ClientKeys.sign(clientKey.getPrivate(), outer.keyingMaterial()), "idle-" + i);
            if (!status.startsWith("HTTP/1.1 200")) {
                throw new IllegalStateException("CONNECT refused: " + status);
            }
            SSLSocket inner = (SSLSocket) pki.trust().getSocketFactory().createSocket(outer.socket(), "127.0.0.1", 443, true);
            inner.startHandshake();
            inner.getOutputStream().write("GET /api HTTP/1.1\r\nHost: k\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            readResponse(inner.getInputStream());
            open.add(inner);
        }
        return open;
    }

    private static void scrapeCost(int metricsPort) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                    .header("Accept", "text/plain;version=0.0.4").build();
            long[] micros = new long[25];
            int bytes = 0;
            for (int i = 0; i < micros.length; i++) {
                long start = System.nanoTime();
                bytes = client.send(scrape, HttpResponse.BodyHandlers.ofByteArray()).body().length;
                micros[i] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
            }
            Arrays.sort(micros);
            System.out.printf("scrape of /metrics with %d active connections: %d bytes, median %.2f ms, max %.2f ms (%d scrapes)%n",
                    IDLE_CONNECTIONS, bytes, micros[micros.length / 2] / 1000.0, micros[micros.length - 1] / 1000.0, micros.length);
        }
    }

    private static void readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in response head");
            }
            head.append((char) b);
        }
        Matcher length = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
        in.readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
    }

    private static long usedHeapAfterGc(long pid) throws Exception {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(info);
        if (!used.find()) {
            throw new IllegalStateException("no heap usage in: " + info);
        }
        return Long.parseLong(used.group(1)) * 1024;
    }

    private static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return 0;
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor(60, TimeUnit.SECONDS);
        return output;
    }

    private static String awaitLine(Path log, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    if (line.contains(text)) {
                        return line;
                    }
                }
            }
            Thread.sleep(20); // polling a log file written by another process
        }
        throw new IllegalStateException("the gateway did not log '" + text + "':\n" + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The fastest possible API server answer, so the numbers are the gateway's. */
    private static final class Ok extends Handler.Abstract {
        private static final ByteBuffer BODY = ByteBuffer.wrap("{\"kind\":\"Pod\"}".getBytes(StandardCharsets.UTF_8));

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.getHeaders().put("Content-Type", "application/json");
            response.write(true, BODY.slice(), callback);
            return true;
        }
    }
}
