package com.twingate.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.TlsUpstream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client chooses its HTTP method: 3,000 pipelined requests, each with its own random 400-character
 * method, must not grow {@code /metrics} by a series each (they once grew it from 31 KB to 76 MB).
 */
class ClientChosenLabelsTest {

    private static final int REQUESTS = 3_000;
    private static final int CONNECTIONS = 4;
    private static final int METHOD_LENGTH = 400;
    /** The exposition with the JVM metrics and a handful of request series is about 30 KB. */
    private static final int SMALL = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void randomMethodsLeaveTheMetricsSmall() throws Exception {
        TestPki apiPki = TestPki.create("api", dir);
        Handler refusing = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Response.writeError(request, response, callback, 405);
                return true;
            }
        };
        try (TlsUpstream api = new TlsUpstream(apiPki.issue("api"), null, refusing);
             GatewayHarness harness = GatewayHarness.start(dir,
                     GatewayHarness.upstream("main", api.address(), apiPki.caFile(), "bearerToken = t"))) {
            Random random = new Random(15);
            List<Future<Integer>> connections = new ArrayList<>();
            int answered = 0;
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < CONNECTIONS; c++) {
                    List<String> methods = new ArrayList<>();
                    for (int i = 0; i < REQUESTS / CONNECTIONS; i++) {
                        methods.add(randomMethod(random));
                    }
                    connections.add(threads.submit(() -> pipeline(harness, methods, threads)));
                }
                for (Future<Integer> connection : connections) {
                    answered += connection.get();
                }
            }
            assertThat(answered).as("responses to the pipelined requests").isEqualTo(REQUESTS);

            String metrics = scrape(harness);
            Exposition exposition = Exposition.parse(metrics);
            assertThat(metrics.length()).as("/metrics after %d random methods", REQUESTS).isLessThan(SMALL);
            for (String counter : List.of("twingate_gateway_http_requests_total", "twingate_gateway_api_server_requests_total")) {
                assertThat(exposition.samples(counter).stream().map(s -> s.labels().get("method")).collect(Collectors.toSet()))
                        .as("method labels of %s", counter).containsOnly("other");
            }
            assertThat(exposition.samples("twingate_gateway_http_requests_total").stream().mapToDouble(Exposition.Sample::value).sum())
                    .isEqualTo(REQUESTS);
            assertThat(exposition.value("twingate_gateway_http_requests_total", Map.of("method", "other")))
                    .isEqualTo(REQUESTS);
        }
    }

    private static String randomMethod(Random random) {
        StringBuilder method = new StringBuilder(METHOD_LENGTH);
        for (int i = 0; i < METHOD_LENGTH; i++) {
            method.append((char) ('A' + random.nextInt(26)));
        }
        return method.toString();
    }

    /**
     * Writes every request at once on one kubectl-side TLS connection through the client stand-in (the
     * last one closing it), reading the answers meanwhile; returns how many responses came back.
     */
    private static int pipeline(GatewayHarness harness, List<String> methods, ExecutorService threads) {
        try (SSLSocket socket = (SSLSocket) harness.pki().trust().getSocketFactory()
                .createSocket("127.0.0.1", harness.client().localPort())) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(60_000);
            socket.startHandshake();
            Future<?> writing = threads.submit(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    for (int i = 0; i < methods.size(); i++) {
                        String close = i == methods.size() - 1 ? "Connection: close\r\n" : "";
                        out.write((methods.get(i) + " /api/v1/namespaces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                                + close + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            int responses = countStatusLines(socket.getInputStream());
            writing.get();
            return responses;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError("writing the pipelined requests failed", e);
        }
    }

    /** Status lines until the gateway closes the connection after the last response. */
    private static int countStatusLines(InputStream in) throws IOException {
        byte[] marker = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
        int matched = 0;
        int count = 0;
        byte[] buffer = new byte[64 * 1024];
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
            for (int i = 0; i < read; i++) {
                matched = buffer[i] == marker[matched] ? matched + 1 : (buffer[i] == marker[0] ? 1 : 0);
                if (matched == marker.length) {
                    count++;
                    matched = 0;
                }
            }
        }
        return count;
    }

    private static String scrape(GatewayHarness harness) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + harness.application().metricsPort() + "/metrics"))
                    .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString()).body();
        }
    }
}
