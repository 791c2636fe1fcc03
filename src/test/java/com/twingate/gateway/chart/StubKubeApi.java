package com.twingate.gateway.chart;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Just enough of an API server for Helm's {@code lookup} to find nothing, as {@code helm template}
 * does: {@code /api}, {@code /api/v1} listing secrets, and 404 for everything else. The kubeconfig that
 * points at it goes where surefire's {@code KUBECONFIG} says.
 */
final class StubKubeApi implements AutoCloseable {

    private static final String API_VERSIONS = """
            {"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]}""";
    private static final String V1_RESOURCES = """
            {"kind":"APIResourceList","groupVersion":"v1","resources":[
             {"name":"secrets","singularName":"secret","namespaced":true,"kind":"Secret","verbs":["get","list"]}]}""";

    private final HttpServer server;

    StubKubeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters: [{name: stub, cluster: {server: "http://127.0.0.1:%d"}}]
                users: [{name: stub, user: {token: stub}}]
                contexts: [{name: stub, context: {cluster: stub, user: stub, namespace: default}}]
                current-context: stub
                """.formatted(server.getAddress().getPort());
        Path target = Path.of(System.getenv().getOrDefault("KUBECONFIG", "target/helm-test-kubeconfig.yaml"));
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.writeString(target, kubeconfig);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = switch (exchange.getRequestURI().getPath()) {
                case "/api" -> API_VERSIONS;
                case "/api/v1" -> V1_RESOURCES;
                default -> null;
            };
            if (body == null) {
                byte[] notFound = "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404}"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(404, notFound.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(notFound);
                }
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
