package com.twingate.gateway.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import com.twingate.gateway.config.ConfigLoader;
import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.testkit.TestPki;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart (docs/deployment.md#helm-chart, docs/deployment.md#monitoring-values), rendered by the
 * real Helm engine and checked as parsed objects.
 */
class ChartTest {

    private static final Path CHART = Path.of("chart");
    private static final ObjectMapper YAML = new YAMLMapper();
    private static StubKubeApi kubeApi;

    @TempDir
    Path dir;

    @BeforeAll
    static void startStubApi() throws IOException {
        kubeApi = new StubKubeApi();
    }

    @AfterAll
    static void stopStubApi() {
        kubeApi.close();
    }

    @Test
    void lintIsCleanForTheShippedValuesAndEveryMonitoringCombination() throws Exception {
        assertLintClean(CHART);
        for (Map<String, Object> overrides : List.<Map<String, Object>>of(
                Map.of("podMonitor", Map.of("enabled", true, "additionalLabels", Map.of("release", "prometheus"))),
                Map.of("serviceMonitor", Map.of("enabled", true)),
                Map.of("prometheusRule", Map.of("enabled", true, "rules", List.of(Map.of("alert", "A", "expr", "up == 0")))),
                Map.of("grafanaDashboard", Map.of("enabled", true)))) {
            assertLintClean(chartCopyWithMetrics(overrides));
        }
    }

    @Test
    void defaultRenderIsAHardenedDeploymentWithEverythingItNeeds() throws Exception {
        List<JsonNode> objects = render(Map.of("twingate.network", "acme"));

        assertThat(kinds(objects)).contains("Deployment", "Service", "ServiceAccount", "ClusterRole", "ClusterRoleBinding",
                "Secret", "ConfigMap", "PodDisruptionBudget").doesNotContain("PodMonitor", "ServiceMonitor", "PrometheusRule");
        JsonNode pod = one(objects, "Deployment").path("spec").path("template");
        JsonNode container = pod.path("spec").path("containers").get(0);
        JsonNode security = container.path("securityContext");
        assertThat(security.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(security.path("allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(texts(security.path("capabilities").path("drop"))).containsExactly("ALL");
        assertThat(pod.path("spec").path("securityContext").path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
        for (String probe : List.of("livenessProbe", "readinessProbe")) {
            JsonNode get = container.path(probe).path("httpGet");
            assertThat(get.path("path").asText()).isEqualTo("/healthz");
            assertThat(get.path("scheme").asText()).isEqualTo("HTTPS");
            assertThat(get.path("port").asText()).isEqualTo("https");
        }
        assertThat(portNames(container.path("ports"))).containsExactlyInAnyOrder("https", "metrics");
        assertThat(portNames(one(objects, "Service").path("spec").path("ports"))).containsExactlyInAnyOrder("https", "metrics");
        assertThat(pod.path("metadata").path("annotations").has("checksum/config")).isTrue();
        assertThat(pod.path("metadata").path("annotations").has("checksum/tls")).isTrue();

        JsonNode rules = one(objects, "ClusterRole").path("rules");
        assertThat(rules).hasSize(1);
        assertThat(texts(rules.get(0).path("verbs"))).containsExactly("impersonate");
        assertThat(texts(rules.get(0).path("resources"))).containsExactlyInAnyOrder("users", "groups", "serviceaccounts");
    }

    @Test
    void generatedCertificateCoversTheServiceNamesTheAliasAndExtraNames() throws Exception {
        List<JsonNode> objects = render(Map.of("twingate.network", "acme", "tls.dnsNames[0]", "kube.acme.internal",
                "tls.ipAddresses[0]", "10.1.2.3",
                "twingate.resource.extraAnnotations.resource\\.twingate\\.com/alias", "myk8s.int"));
        String fullname = one(objects, "Deployment").path("metadata").path("name").asText();
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(Base64.getDecoder().decode(one(objects, "Secret").path("data").path("tls.crt").asText())));

        List<String> names = certificate.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))).toList();
        assertThat(names).contains(fullname, fullname + ".default", fullname + ".default.svc", fullname + ".default.svc.cluster.local",
                "myk8s.int", "kube.acme.internal", "10.1.2.3");
    }

    @Test
    void podMonitorSelectsTheGatewayPodsAndNamesTheirMetricsPort() throws Exception {
        List<JsonNode> objects = render(Map.of("twingate.network", "acme", "metrics.podMonitor.enabled", true,
                "metrics.podMonitor.additionalLabels.release", "prometheus", "metrics.podMonitor.interval", "15s",
                "metrics.podMonitor.scrapeTimeout", "10s", "metrics.podMonitor.honorLabels", true,
                "metrics.podMonitor.relabelings[0].targetLabel", "cluster", "metrics.podMonitor.relabelings[0].replacement", "prod"));
        JsonNode monitor = one(objects, "PodMonitor");
        JsonNode podLabels = one(objects, "Deployment").path("spec").path("template").path("metadata").path("labels");
        JsonNode containerPorts = one(objects, "Deployment").path("spec").path("template").path("spec").path("containers").get(0).path("ports");

        assertThat(monitor.path("metadata").path("labels").path("release").asText()).isEqualTo("prometheus");
        monitor.path("spec").path("selector").path("matchLabels").fields().forEachRemaining(label ->
                assertThat(podLabels.path(label.getKey()).asText()).isEqualTo(label.getValue().asText()));
        JsonNode endpoint = monitor.path("spec").path("podMetricsEndpoints").get(0);
        assertThat(portNames(containerPorts)).contains(endpoint.path("port").asText());
        assertThat(endpoint.path("interval").asText()).isEqualTo("15s");
        assertThat(endpoint.path("scrapeTimeout").asText()).isEqualTo("10s");
        assertThat(endpoint.path("honorLabels").asBoolean()).isTrue();
        assertThat(endpoint.path("relabelings").get(0).path("targetLabel").asText()).isEqualTo("cluster");
    }

    @Test
    void serviceMonitorSelectsTheServiceAndNamesItsPort() throws Exception {
        List<JsonNode> objects = render(Map.of("twingate.network", "acme", "metrics.serviceMonitor.enabled", true,
                "metrics.serviceMonitor.additionalLabels.release", "kube-prometheus",
                "metrics.serviceMonitor.metricRelabelings[0].action", "keep",
                "metrics.serviceMonitor.metricRelabelings[0].regex", "twingate_.*"));
        JsonNode monitor = one(objects, "ServiceMonitor");
        JsonNode service = one(objects, "Service");

        assertThat(monitor.path("metadata").path("labels").path("release").asText()).isEqualTo("kube-prometheus");
        monitor.path("spec").path("selector").path("matchLabels").fields().forEachRemaining(label ->
                assertThat(service.path("metadata").path("labels").path(label.getKey()).asText()).isEqualTo(label.getValue().asText()));
        JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
        assertThat(portNames(service.path("spec").path("ports"))).contains(endpoint.path("port").asText());
        assertThat(endpoint.path("metricRelabelings").get(0).path("action").asText()).isEqualTo("keep");
    }

    @Test
    void bothMonitorsTogetherRefuseToRender() {
        assertThatThrownBy(() -> render(Map.of("twingate.network", "acme", "metrics.podMonitor.enabled", true,
                "metrics.serviceMonitor.enabled", true)))
                .hasMessageContaining("enable only one");
    }

    @Test
    void prometheusRuleHoldsTheGivenRules() throws Exception {
        List<JsonNode> objects = render(Map.of("twingate.network", "acme", "metrics.prometheusRule.enabled", true,
                "metrics.prometheusRule.additionalLabels.role", "alert-rules",
                "metrics.prometheusRule.rules[0].alert", "GatewayDown",
                "metrics.prometheusRule.rules[0].expr", "up{job=\"gateway\"} == 0",
                "metrics.prometheusRule.rules[0].for", "5m"));
        JsonNode rule = one(objects, "PrometheusRule");

        assertThat(rule.path("metadata").path("labels").path("role").asText()).isEqualTo("alert-rules");
        JsonNode first = rule.path("spec").path("groups").get(0).path("rules").get(0);
        assertThat(first.path("alert").asText()).isEqualTo("GatewayDown");
        assertThat(first.path("expr").asText()).isEqualTo("up{job=\"gateway\"} == 0");
        assertThat(first.path("for").asText()).isEqualTo("5m");
    }

    @Test
    void valuesCarryTheRepositorysAlertRulesCommented() throws Exception {
        String values = Files.readString(CHART.resolve("values.yaml"));
        int start = values.indexOf("# Example rules");
        StringBuilder uncommented = new StringBuilder();
        for (String line : values.substring(values.indexOf('\n', start) + 1).lines().toList()) {
            if (!line.startsWith("      #")) {
                break;
            }
            uncommented.append(line.length() > 8 ? line.substring(8) : "").append('\n');
        }
        JsonNode fromValues = YAML.readTree(uncommented.toString());
        JsonNode fromFile = YAML.readTree(Path.of("prometheus/alert-rules.yaml").toFile()).path("groups").get(0).path("rules");
        assertThat(fromValues).isEqualTo(fromFile);
    }

    @Test
    void grafanaDashboardConfigMapIsLabelledAndByteEqualToTheRepositorysDashboard() throws Exception {
        List<JsonNode> objects = render(Map.of("twingate.network", "acme", "metrics.grafanaDashboard.enabled", true));
        JsonNode dashboard = objects.stream().filter(o -> o.path("kind").asText().equals("ConfigMap")
                && o.path("metadata").path("name").asText().endsWith("-dashboard")).findFirst().orElseThrow();

        assertThat(dashboard.path("metadata").path("labels").path("grafana_dashboard").asText()).isEqualTo("1");
        assertThat(dashboard.path("data").path("kubernetes-access-gateway.json").asText())
                .isEqualTo(Files.readString(Path.of("grafana-dashboards/kubernetes-access-gateway.json")));
        assertThat(Files.readAllBytes(CHART.resolve("dashboards/kubernetes-access-gateway.json")))
                .isEqualTo(Files.readAllBytes(Path.of("grafana-dashboards/kubernetes-access-gateway.json")));
    }

    @Test
    void anExistingTlsSecretIsUsedAndNoneIsGenerated() throws Exception {
        List<JsonNode> objects = render(Map.of("twingate.network", "acme", "tls.existingSecret", "corp-tls"));

        assertThat(kinds(objects)).doesNotContain("Secret");
        JsonNode volumes = one(objects, "Deployment").path("spec").path("template").path("spec").path("volumes");
        assertThat(stream(volumes).filter(v -> v.path("name").asText().equals("tls")).findFirst().orElseThrow()
                .path("secret").path("secretName").asText()).isEqualTo("corp-tls");
    }

    @Test
    void replicasAndChecksumsFollowTheValues() throws Exception {
        JsonNode two = one(render(Map.of("twingate.network", "acme", "replicaCount", 2, "tls.cert", "A", "tls.key", "B")), "Deployment");
        JsonNode otherConfig = one(render(Map.of("twingate.network", "beta", "replicaCount", 2, "tls.cert", "A", "tls.key", "B")), "Deployment");
        JsonNode otherTls = one(render(Map.of("twingate.network", "acme", "replicaCount", 2, "tls.cert", "C", "tls.key", "B")), "Deployment");

        assertThat(two.path("spec").path("replicas").asInt()).isEqualTo(2);
        assertThat(annotation(otherConfig, "checksum/config")).isNotEqualTo(annotation(two, "checksum/config"));
        assertThat(annotation(otherConfig, "checksum/tls")).isEqualTo(annotation(two, "checksum/tls"));
        assertThat(annotation(otherTls, "checksum/tls")).isNotEqualTo(annotation(two, "checksum/tls"));
        assertThat(annotation(otherTls, "checksum/config")).isEqualTo(annotation(two, "checksum/config"));
    }

    @Test
    void theRenderedConfigurationPassesTheGatewaysOwnLoader() throws Exception {
        List<JsonNode> objects = render(Map.of("twingate.network", "acme", "extraConfig", "auditLog.flushInterval = 5m"));
        String hocon = objects.stream().filter(o -> o.path("kind").asText().equals("ConfigMap") && o.path("data").has("gateway.conf"))
                .findFirst().orElseThrow().path("data").path("gateway.conf").asText();
        TestPki pki = TestPki.create("chart", dir);
        TestPki.Issued pair = pki.issue("gateway");
        Path serviceAccount = Files.createDirectories(dir.resolve("serviceaccount"));
        Files.copy(pki.caFile(), serviceAccount.resolve("ca.crt"));
        Files.writeString(serviceAccount.resolve("token"), "projected-token");
        String local = hocon.replace("/etc/gateway/tls/tls.crt", pair.certificateFile().toString())
                .replace("/etc/gateway/tls/tls.key", pair.privateKeyFile().toString())
                + "\nkubernetes.serviceAccountDirectory = \"" + serviceAccount + "\"\n";

        GatewayConfig config = ConfigLoader.parse(local, Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443"));

        assertThat(config.twingate().network()).isEqualTo("acme");
        assertThat(config.port()).isEqualTo(8443);
        assertThat(config.metricsPort()).isEqualTo(9090);
        assertThat(config.kubernetes().upstreams().getFirst().address()).isEqualTo("10.96.0.1:443");
        assertThat(config.auditLog().flushInterval()).hasMinutes(5);
    }

    @Test
    void theSchemaRejectsAWrongTypeForEachMonitoringKey() {
        Map<String, Object> wrong = new java.util.LinkedHashMap<>();
        for (String monitor : List.of("podMonitor", "serviceMonitor")) {
            String prefix = "metrics." + monitor + ".";
            wrong.put(prefix + "enabled", "yes-please");
            wrong.put(prefix + "additionalLabels", "release=prometheus");
            wrong.put(prefix + "interval", 30);
            wrong.put(prefix + "scrapeTimeout", 10);
            wrong.put(prefix + "relabelings", "none");
            wrong.put(prefix + "metricRelabelings", "none");
            wrong.put(prefix + "honorLabels", "sometimes");
        }
        wrong.put("metrics.prometheusRule.enabled", "on");
        wrong.put("metrics.prometheusRule.additionalLabels", "role=alerts");
        wrong.put("metrics.prometheusRule.rules", "alert: x");
        wrong.put("metrics.grafanaDashboard.enabled", "on");
        wrong.put("metrics.grafanaDashboard.labels", "grafana_dashboard=1");
        wrong.forEach((key, value) -> assertThatThrownBy(() -> render(Map.of("twingate.network", "acme", key, value)))
                .as("a %s value for %s", value.getClass().getSimpleName(), key)
                .hasMessageContaining(key.substring(key.lastIndexOf('.') + 1)));
    }

    private static List<JsonNode> render(Map<String, Object> values) throws IOException {
        TemplateCommand template = new Helm(CHART).template().withName("gw").withNamespace("default");
        values.forEach(template::set);
        String manifests = template.call();
        List<JsonNode> objects = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(manifests)) {
            Iterator<JsonNode> documents = YAML.readValues(parser, JsonNode.class);
            documents.forEachRemaining(document -> {
                if (document != null && document.has("kind")) {
                    objects.add(document);
                }
            });
        }
        return objects;
    }

    private Path chartCopyWithMetrics(Map<String, Object> metricsOverrides) throws IOException {
        Path copy = dir.resolve("chart-" + metricsOverrides.keySet().iterator().next());
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(CHART.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        ObjectNode values = (ObjectNode) YAML.readTree(CHART.resolve("values.yaml").toFile());
        ObjectNode metrics = (ObjectNode) values.path("metrics");
        metricsOverrides.forEach((monitor, settings) -> ((ObjectNode) metrics.path(monitor)).setAll((ObjectNode) YAML.valueToTree(settings)));
        values.with("twingate").put("network", "acme");
        YAML.writeValue(copy.resolve("values.yaml").toFile(), values);
        return copy;
    }

    private static void assertLintClean(Path chart) {
        LintResult lint = new Helm(chart).lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint %s: %s", chart, lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).as("helm lint %s", chart).noneMatch(message -> message.contains("[ERROR]") || message.contains("[WARNING]"));
    }

    private static JsonNode one(List<JsonNode> objects, String kind) {
        List<JsonNode> matching = objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
        assertThat(matching).as("rendered %s objects", kind).hasSize(1);
        return matching.getFirst();
    }

    private static List<String> kinds(List<JsonNode> objects) {
        return objects.stream().map(o -> o.path("kind").asText()).toList();
    }

    private static List<String> portNames(JsonNode ports) {
        return stream(ports).map(p -> p.path("name").asText()).toList();
    }

    private static List<String> texts(JsonNode array) {
        return stream(array).map(JsonNode::asText).toList();
    }

    private static String annotation(JsonNode deployment, String name) {
        return deployment.path("spec").path("template").path("metadata").path("annotations").path(name).asText();
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }
}
