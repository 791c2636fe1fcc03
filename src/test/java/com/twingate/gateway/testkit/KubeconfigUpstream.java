package com.twingate.gateway.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A real cluster as the gateway's upstream for the local run (README.md#the-local-run): the current context of a
 * kubeconfig becomes one {@code kubernetes.upstreams} entry, its credential (token or client
 * certificate) becoming the gateway's. Inline {@code *-data} fields are written to files, since the
 * gateway's configuration names files.
 */
public final class KubeconfigUpstream {

    private KubeconfigUpstream() {}

    /**
     * The HOCON of one upstream named {@code name}, or an {@link IllegalArgumentException} saying what
     * in the kubeconfig the gateway cannot use.
     */
    public static String hocon(String name, Path kubeconfig, Path directory) throws IOException {
        JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(kubeconfig.toFile());
        if (config == null) {
            throw new IllegalArgumentException(kubeconfig + " is empty");
        }
        String contextName = config.path("current-context").asText("");
        JsonNode context = named(config, "contexts", contextName, kubeconfig).path("context");
        JsonNode cluster = named(config, "clusters", context.path("cluster").asText(), kubeconfig).path("cluster");
        JsonNode user = named(config, "users", context.path("user").asText(), kubeconfig).path("user");
        Path base = kubeconfig.toAbsolutePath().getParent();

        URI server = URI.create(cluster.path("server").asText(""));
        if (!"https".equals(server.getScheme()) || server.getHost() == null) {
            throw new IllegalArgumentException("cluster server '" + server + "' in " + kubeconfig + " is not an https URL");
        }
        int port = server.getPort() < 0 ? 443 : server.getPort();
        String host = server.getHost().contains(":") && !server.getHost().startsWith("[") ? "[" + server.getHost() + "]" : server.getHost();
        Path caFile = file(cluster, "certificate-authority", directory.resolve(name + "-ca.crt"), base);
        if (caFile == null) {
            throw new IllegalArgumentException("cluster '" + context.path("cluster").asText() + "' in " + kubeconfig
                    + " has no certificate-authority(-data); the gateway trusts only a given CA for an upstream");
        }

        List<String> fields = new ArrayList<>();
        fields.add("name = \"" + name + "\"");
        fields.add("address = \"" + host + ":" + port + "\"");
        fields.add("caFile = \"" + caFile + "\"");
        Path certificate = file(user, "client-certificate", directory.resolve(name + "-client.crt"), base);
        Path key = file(user, "client-key", directory.resolve(name + "-client.key"), base);
        if (user.hasNonNull("token")) {
            Path tokenFile = Files.writeString(directory.resolve(name + ".token"), user.get("token").asText());
            fields.add("bearerTokenFile = \"" + tokenFile + "\"");
        } else if (user.hasNonNull("tokenFile")) {
            fields.add("bearerTokenFile = \"" + base.resolve(user.get("tokenFile").asText()) + "\"");
        } else if (certificate != null && key != null) {
            fields.add("clientCertificateFile = \"" + certificate + "\"");
            fields.add("clientKeyFile = \"" + key + "\"");
        } else {
            throw new IllegalArgumentException("user '" + context.path("user").asText() + "' in " + kubeconfig
                    + " has neither a token nor a client certificate and key (exec and auth-provider plugins are not supported)");
        }
        return "{ " + String.join(", ", fields) + " }";
    }

    private static JsonNode named(JsonNode config, String list, String name, Path kubeconfig) {
        for (JsonNode entry : config.path(list)) {
            if (name.equals(entry.path("name").asText())) {
                return entry;
            }
        }
        throw new IllegalArgumentException(kubeconfig + " has no entry '" + name + "' in " + list
                + " (current-context '" + config.path("current-context").asText("") + "')");
    }

    /** {@code field} as a path (relative to the kubeconfig), or {@code field-data} written to {@code target}. */
    private static Path file(JsonNode node, String field, Path target, Path base) throws IOException {
        if (node.hasNonNull(field + "-data")) {
            return Files.write(target, Base64.getDecoder().decode(node.get(field + "-data").asText()));
        }
        return node.hasNonNull(field) ? base.resolve(node.get(field).asText()) : null;
    }
}
