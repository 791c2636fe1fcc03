package com.twingate.gateway.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.twingate.gateway.config.ConfigException;
import com.twingate.gateway.config.ConfigLoader;
import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.testkit.TestPki;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** What {@code helm template} printed, as parsed objects, each with the template it came from. */
final class Manifests {

    static final ObjectMapper YAML = new YAMLMapper();
    private static final String SOURCE = "# Source: ";

    record Manifest(String template, JsonNode object) {}

    private final List<Manifest> manifests;

    private Manifests(List<Manifest> manifests) {
        this.manifests = List.copyOf(manifests);
    }

    static Manifests parse(String rendered) {
        List<Manifest> manifests = new ArrayList<>();
        String template = "";
        StringBuilder document = new StringBuilder();
        for (String line : (rendered + "\n---").lines().toList()) {
            if (line.equals("---")) {
                add(manifests, template, document.toString());
                document.setLength(0);
            } else if (line.startsWith(SOURCE)) {
                template = line.substring(line.indexOf("/templates/") + "/templates/".length());
            } else {
                document.append(line).append('\n');
            }
        }
        return new Manifests(manifests);
    }

    private static void add(List<Manifest> manifests, String template, String document) {
        try {
            JsonNode object = YAML.readTree(document);
            if (object != null && object.has("kind")) {
                manifests.add(new Manifest(template, object));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not YAML, from " + template + ":\n" + document, e);
        }
    }

    List<JsonNode> all() {
        return manifests.stream().map(Manifest::object).toList();
    }

    List<String> kinds() {
        return manifests.stream().map(m -> m.object().path("kind").asText()).toList();
    }

    List<JsonNode> ofKind(String kind) {
        return all().stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    /** The only object of this kind; fails when there are none or several. */
    JsonNode one(String kind) {
        List<JsonNode> matching = ofKind(kind);
        assertThat(matching).as("rendered %s objects", kind).hasSize(1);
        return matching.getFirst();
    }

    Optional<JsonNode> find(String kind, String name) {
        return ofKind(kind).stream().filter(o -> o.path("metadata").path("name").asText().equals(name)).findFirst();
    }

    JsonNode named(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in " + names()));
    }

    /** The objects one template produced, e.g. {@code extra-objects.yaml}. */
    List<JsonNode> fromTemplate(String template) {
        return manifests.stream().filter(m -> m.template().equals(template)).map(Manifest::object).toList();
    }

    List<String> names() {
        return manifests.stream().map(m -> m.object().path("kind").asText() + "/" + m.object().path("metadata").path("name").asText()).toList();
    }

    JsonNode deployment() {
        return one("Deployment");
    }

    JsonNode podSpec() {
        return deployment().path("spec").path("template").path("spec");
    }

    JsonNode container() {
        return podSpec().path("containers").get(0);
    }

    /** The HOCON in the gateway's ConfigMap, when it was rendered. */
    Optional<String> gatewayConfiguration() {
        return ofKind("ConfigMap").stream().filter(o -> o.path("data").has("gateway.conf"))
                .map(o -> o.path("data").path("gateway.conf").asText()).findFirst();
    }

    static Stream<JsonNode> stream(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }

    static String decoded(JsonNode base64) {
        return new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
    }

    /**
     * Hands gateway.conf to the gateway's own loader the way the pod would see it: every file it names
     * is written under {@code dir}, with the content of the rendered Secret mounted at that path when there
     * is one (a key the Secret lacks fails the test: the pod would not have the file), and otherwise a
     * stand-in — a test CA, key pair or token — for files the user mounts or cert-manager writes.
     */
    GatewayConfig loadInGateway(Path dir) throws ConfigException {
        try {
            Files.createDirectories(dir);
            String hocon = gatewayConfiguration().orElseThrow();
            Config parsed = ConfigFactory.parseString(hocon);
            TestPki pki = TestPki.create("pod", dir);
            Map<String, Path> files = new LinkedHashMap<>();
            pemPair(parsed.getString("tls.certificateFile"), parsed.getString("tls.privateKeyFile"), pki, "gateway", dir, files);
            for (Config upstream : parsed.getConfigList("kubernetes.upstreams")) {
                if (upstream.hasPath("caFile")) {
                    String caFile = upstream.getString("caFile");
                    files.put(caFile, mounted(caFile, dir).filter(Manifests::isPem).map(f -> f.path).orElse(pki.caFile()));
                }
                if (upstream.hasPath("bearerTokenFile")) {
                    String tokenFile = upstream.getString("bearerTokenFile");
                    files.put(tokenFile, mounted(tokenFile, dir).map(f -> f.path).orElseGet(() -> write(dir.resolve("token"), "token")));
                }
                if (upstream.hasPath("clientCertificateFile")) {
                    pemPair(upstream.getString("clientCertificateFile"), upstream.getString("clientKeyFile"), pki, "client", dir, files);
                }
            }
            String local = hocon;
            for (Map.Entry<String, Path> file : files.entrySet()) {
                local = local.replace("\"" + file.getKey() + "\"", "\"" + file.getValue() + "\"");
            }
            Path serviceAccount = Files.createDirectories(dir.resolve("serviceaccount"));
            Files.copy(pki.caFile(), serviceAccount.resolve("ca.crt"));
            write(serviceAccount.resolve("token"), "projected-token");
            local += "\nkubernetes.serviceAccountDirectory = \"" + serviceAccount + "\"\n";
            return ConfigLoader.parse(local, Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record PodFile(Path path, String content) {}

    private void pemPair(String certificate, String key, TestPki pki, String name, Path dir, Map<String, Path> files) {
        Optional<PodFile> mountedCertificate = mounted(certificate, dir).filter(Manifests::isPem);
        Optional<PodFile> mountedKey = mounted(key, dir).filter(Manifests::isPem);
        if (mountedCertificate.isPresent() && mountedKey.isPresent()) {
            files.put(certificate, mountedCertificate.get().path());
            files.put(key, mountedKey.get().path());
        } else {
            TestPki.Issued standIn = pki.issue(name);
            files.put(certificate, standIn.certificateFile());
            files.put(key, standIn.privateKeyFile());
        }
    }

    private static boolean isPem(PodFile file) {
        return file.content().contains("-----BEGIN ");
    }

    /** The file at {@code podPath} from the rendered Secret the gateway container mounts there, if any. */
    private Optional<PodFile> mounted(String podPath, Path dir) {
        JsonNode container = container();
        for (JsonNode mount : (Iterable<JsonNode>) stream(container.path("volumeMounts"))::iterator) {
            String mountPath = mount.path("mountPath").asText();
            if (!podPath.startsWith(mountPath + "/")) {
                continue;
            }
            Optional<JsonNode> secret = stream(podSpec().path("volumes"))
                    .filter(v -> v.path("name").asText().equals(mount.path("name").asText()))
                    .map(v -> v.path("secret").path("secretName").asText())
                    .flatMap(name -> find("Secret", name).stream())
                    .findFirst();
            if (secret.isEmpty()) {
                return Optional.empty();
            }
            String key = podPath.substring(mountPath.length() + 1);
            JsonNode data = secret.get().path("data").path(key);
            assertThat(data.isMissingNode()).as("%s: Secret %s mounted at %s has no key %s", podPath,
                    secret.get().path("metadata").path("name").asText(), mountPath, key).isFalse();
            String content = decoded(data);
            return Optional.of(new PodFile(write(dir.resolve(mount.path("name").asText() + "-" + key.replace('/', '_')), content), content));
        }
        return Optional.empty();
    }

    private static Path write(Path file, String content) {
        try {
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
