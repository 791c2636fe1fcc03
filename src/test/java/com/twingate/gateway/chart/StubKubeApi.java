package com.twingate.gateway.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Just enough of an API server for Helm's {@code lookup}: {@code /api}, {@code /api/v1} listing secrets,
 * the secrets a test put here (what an earlier release left in the cluster), and 404 for everything else,
 * as {@code helm template} sees an empty cluster. The kubeconfig that points at it goes where surefire's
 * {@code KUBECONFIG} says.
 */
final class StubKubeApi implements AutoCloseable {

    private static final String API_VERSIONS = """
            {"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]}""";
    private static final String V1_RESOURCES = """
            {"kind":"APIResourceList","groupVersion":"v1","resources":[
             {"name":"secrets","singularName":"secret","namespaced":true,"kind":"Secret","verbs":["get","list"]}]}""";
    private static final String NOT_FOUND = "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404}";

    private final HttpServer server;
    private final Map<String, String> secrets = new ConcurrentHashMap<>();

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

    /** Serves {@code secret} (a rendered Secret object) from now on, in the namespace it is looked up in. */
    void holdSecret(JsonNode secret) {
        secrets.put(secret.path("metadata").path("name").asText(), secret.toString());
    }

    /** Back to an empty cluster. */
    void forgetSecrets() {
        secrets.clear();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String body = switch (path) {
                case "/api" -> API_VERSIONS;
                case "/api/v1" -> V1_RESOURCES;
                default -> path.matches("/api/v1/namespaces/[^/]+/secrets/[^/]+")
                        ? secrets.get(path.substring(path.lastIndexOf('/') + 1))
                        : null;
            };
            send(exchange, body == null ? 404 : 200, body == null ? NOT_FOUND : body);
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
