package com.twingate.gateway.chart;

import static com.twingate.gateway.chart.ChartTest.texts;
import static com.twingate.gateway.chart.ChartTest.tlsVolume;
import static com.twingate.gateway.chart.HelmChart.FULLNAME;
import static com.twingate.gateway.chart.HelmChart.NAMESPACE;
import static com.twingate.gateway.chart.HelmChart.RELEASE;
import static com.twingate.gateway.chart.Manifests.YAML;
import static com.twingate.gateway.chart.Manifests.decoded;
import static com.twingate.gateway.chart.Manifests.stream;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Twingate's own helm-unittest cases for its gateway chart (Twingate/kubernetes-access-gateway,
 * deploy/gateway/tests/*_test.yaml), each with its values as written there (only {@code twingate.network},
 * which their suites leave to the schema, is set) and asserting the same fields, rendered by this
 * chart. Their chart is named {@code gateway}, so where they expect {@code RELEASE-NAME-gateway} this
 * chart's name is {@value HelmChart#FULLNAME}. Where this chart does more (the gateway's ConfigMap and
 * tmp volume, the Service DNS names in the certificate), the assertion says so.
 */
class ChartTwingateCasesTest {

    @RegisterExtension
    static final HelmChart chart = new HelmChart();

    /** tests/deployment_test.yaml */
    @Nested
    class Deployment {

        @Test
        void shouldKeepTlsSecretVolumeAndVolumeMountWhenOtherVolumesAreSpecified() {
            Manifests objects = render("""
                    volumes:
                      - name: config-vol
                        mountPath: /etc/config
                    volumeMounts:
                      - name: config-vol
                        configMap:
                          name: log-config
                    """);

            JsonNode volumes = objects.podSpec().path("volumes");
            assertThat(tlsVolume(objects).path("secret").path("secretName").asText()).isEqualTo(FULLNAME + "-tls");
            assertThat(volumes.get(volumes.size() - 1)).isEqualTo(yaml("{name: config-vol, mountPath: /etc/config}"));
            JsonNode mounts = objects.container().path("volumeMounts");
            assertThat(stream(mounts).filter(m -> m.path("name").asText().equals("tls")).findFirst().orElseThrow())
                    .isEqualTo(yaml("{name: tls, mountPath: /etc/gateway/tls, readOnly: true}"));
            assertThat(mounts.get(mounts.size() - 1)).isEqualTo(yaml("{name: config-vol, configMap: {name: log-config}}"));
        }

        @Test
        void shouldUseTlsExistingSecretIfProvided() {
            Manifests objects = render("""
                    tls:
                      existingSecret: "my-tls-secret"
                    """);

            assertThat(tlsVolume(objects)).isEqualTo(yaml("{name: tls, secret: {secretName: my-tls-secret}}"));
        }

        @Test
        void shouldAddExtraEnvironmentVariables() {
            Manifests objects = render("""
                    extraEnvVars:
                      - name: FOO
                        value: "bar"
                    """);

            assertThat(stream(objects.container().path("env"))).contains(yaml("{name: FOO, value: bar}"));
        }
    }

    /** tests/service_test.yaml */
    @Nested
    class Service {

        @Test
        void addAnnotationsForTwingateResourceCrd() {
            Manifests objects = render("""
                    twingate:
                      resource:
                        enabled: true
                        extraAnnotations:
                          resource.twingate.com/name: "My Kubernetes API server"
                    """);

            assertThat(objects.one("Service").path("metadata").path("annotations")).isEqualTo(yaml("""
                    resource.twingate.com: "true"
                    resource.twingate.com/type: Kubernetes
                    resource.twingate.com/tlsSecret: %s-tls
                    resource.twingate.com/name: "My Kubernetes API server"
                    """.formatted(FULLNAME)));
        }

        @Test
        void addServiceAnnotations() {
            Manifests objects = render("""
                    service:
                      annotations:
                        networking.gke.io/load-balancer-type: "Internal"
                    """);

            assertThat(objects.one("Service").path("metadata").path("annotations"))
                    .isEqualTo(yaml("networking.gke.io/load-balancer-type: Internal"));
        }

        @Test
        void shouldRequireServiceType() {
            refused("""
                    service:
                      type: null
                    """).hasMessageContaining("at '/service': missing property 'type'");
        }

        @Test
        void shouldNotAllowOtherServiceType() {
            refused("""
                    service:
                      type: ExternalName
                    """).hasMessageContaining("at '/service/type': value must be one of 'ClusterIP', 'NodePort', 'LoadBalancer'");
        }

        @Test
        void shouldSupportNodePortTypeWithCustomNodePort() {
            Manifests objects = render("""
                    service:
                      type: NodePort
                      nodePort: 30000
                    """);

            assertThat(objects.one("Service").path("spec").path("ports").get(0).path("nodePort").asInt()).isEqualTo(30000);
        }

        @Test
        void shouldIgnoreNodePortForClusterIpType() {
            Manifests objects = render("""
                    service:
                      type: ClusterIP
                      nodePort: 30000
                    """);

            assertThat(objects.one("Service").path("spec").path("ports").get(0).has("nodePort")).isFalse();
        }
    }

    /** tests/pdb_test.yaml */
    @Nested
    class PodDisruptionBudget {

        @Test
        void shouldNotRenderPodDisruptionBudgetWhenDisabled() {
            assertThat(render("", Map.of("pdb.create", false)).fromTemplate("pdb.yaml")).isEmpty();
        }

        @Test
        void shouldRenderPodDisruptionBudgetWithMinAvailable() {
            JsonNode spec = render("", Map.of("pdb.create", true, "pdb.minAvailable", 1)).one("PodDisruptionBudget").path("spec");

            assertThat(spec.path("minAvailable").asInt()).isEqualTo(1);
            assertThat(spec.has("maxUnavailable")).isFalse();
        }

        @Test
        void shouldRenderPodDisruptionBudgetWithMaxUnavailable() {
            JsonNode spec = render("", Map.of("pdb.create", true, "pdb.maxUnavailable", 1)).one("PodDisruptionBudget").path("spec");

            assertThat(spec.path("maxUnavailable").asInt()).isEqualTo(1);
            assertThat(spec.has("minAvailable")).isFalse();
        }

        @Test
        void shouldHaveCorrectMetadata() {
            JsonNode metadata = render("", Map.of("pdb.create", true)).one("PodDisruptionBudget").path("metadata");

            assertThat(metadata.path("name").asText()).isEqualTo(FULLNAME);
            assertThat(metadata.path("labels").isEmpty()).isFalse();
        }

        @Test
        void shouldHaveCorrectSelectorLabels() {
            JsonNode labels = render("", Map.of("pdb.create", true)).one("PodDisruptionBudget")
                    .path("spec").path("selector").path("matchLabels");

            assertThat(labels.path("app.kubernetes.io/name").asText()).isEqualTo("kubernetes-access-gateway");
            assertThat(labels.path("app.kubernetes.io/instance").asText()).isEqualTo(RELEASE);
        }
    }

    /** tests/extra-objects_test.yaml (and its snapshot) */
    @Nested
    class ExtraObjects {

        @Test
        void shouldNotRenderAnyDocumentByDefault() {
            assertThat(render("").fromTemplate("extra-objects.yaml")).isEmpty();
        }

        @Test
        void shouldRenderASingleInlineManifestAndInterpolateReleaseValuesViaTpl() {
            List<JsonNode> objects = render("""
                    extraObjects:
                      - apiVersion: v1
                        kind: ConfigMap
                        metadata:
                          name: my-config
                          namespace: '{{ .Release.Namespace }}'
                        data:
                          key: value
                    """).fromTemplate("extra-objects.yaml");

            assertThat(objects).containsExactly(yaml("""
                    apiVersion: v1
                    data: {key: value}
                    kind: ConfigMap
                    metadata: {name: my-config, namespace: %s}
                    """.formatted(NAMESPACE)));
        }

        @Test
        void shouldRenderMultipleInlineManifests() {
            List<JsonNode> objects = render("""
                    extraObjects:
                      - apiVersion: v1
                        kind: ConfigMap
                        metadata:
                          name: cm-one
                        data:
                          key: value
                      - apiVersion: v1
                        kind: ConfigMap
                        metadata:
                          name: cm-two
                        data:
                          key: value
                    """).fromTemplate("extra-objects.yaml");

            assertThat(objects).containsExactly(
                    yaml("{apiVersion: v1, data: {key: value}, kind: ConfigMap, metadata: {name: cm-one}}"),
                    yaml("{apiVersion: v1, data: {key: value}, kind: ConfigMap, metadata: {name: cm-two}}"));
        }

        @Test
        void shouldRenderMultiDocumentStringFormEntries() {
            List<JsonNode> objects = render("""
                    extraObjects:
                      - |
                        apiVersion: v1
                        kind: ConfigMap
                        metadata:
                          name: cm-multi-one
                          namespace: {{ .Release.Namespace }}
                        ---
                        apiVersion: v1
                        kind: ConfigMap
                        metadata:
                          name: cm-multi-two
                          namespace: {{ .Release.Namespace }}
                    """).fromTemplate("extra-objects.yaml");

            assertThat(objects).containsExactly(
                    yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: cm-multi-one, namespace: %s}}".formatted(NAMESPACE)),
                    yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: cm-multi-two, namespace: %s}}".formatted(NAMESPACE)));
        }
    }

    /** tests/cert_test.yaml (and its snapshot): the gateway's certificate from cert-manager. */
    @Nested
    class CertManagerCertificate {

        @Test
        void shouldNotRenderWhenEngineIsHelm() {
            assertThat(render("tls: {autoGenerated: {enabled: true, engine: helm}}").ofKind("Certificate")).isEmpty();
        }

        @Test
        void shouldNotRenderWhenAutoGeneratedIsBooleanTrue() {
            assertThat(render("tls: {autoGenerated: true}").ofKind("Certificate")).isEmpty();
        }

        @Test
        void shouldNotRenderWhenExistingSecretIsSet() {
            assertThat(render("""
                    tls:
                      autoGenerated:
                        enabled: true
                        engine: cert-manager
                      existingSecret: my-tls-secret
                    """).ofKind("Certificate")).isEmpty();
        }

        @Test
        void shouldRenderLeafCertificateWithDefaultValues() {
            JsonNode spec = render("tls: {autoGenerated: {enabled: true, engine: cert-manager}}")
                    .named("Certificate", FULLNAME + "-crt").path("spec");

            assertThat(spec.path("secretName").asText()).isEqualTo(FULLNAME + "-tls");
            assertThat(spec.path("duration").asText()).isEqualTo("2160h");
            assertThat(spec.path("renewBefore").asText()).isEqualTo("360h");
            assertThat(spec.path("commonName").asText()).isEqualTo(FULLNAME);
            assertThat(texts(spec.path("subject").path("organizations"))).containsExactly("Twingate");
            assertThat(spec.path("privateKey")).isEqualTo(yaml("{rotationPolicy: Always, algorithm: RSA, size: 2048}"));
            assertThat(spec.path("issuerRef")).isEqualTo(yaml("{name: %s-ca-issuer, kind: Issuer}".formatted(FULLNAME)));
            assertThat(texts(spec.path("dnsNames"))).startsWith("kubernetes", "kubernetes.default", "kubernetes.default.svc",
                    "kubernetes.default.svc.cluster.local");
        }

        @Test
        void shouldIncludeResourceAliasCustomDnsNamesAndIpAddresses() {
            JsonNode spec = render("""
                    twingate:
                      resource:
                        enabled: true
                        extraAnnotations:
                          resource.twingate.com/alias: my-alias.int
                    tls:
                      autoGenerated:
                        enabled: true
                        engine: cert-manager
                      dnsNames:
                        - foo.int
                      ipAddresses:
                        - 1.1.1.1
                    """).named("Certificate", FULLNAME + "-crt").path("spec");

            // Theirs ends there; this chart adds the Service's own names after them.
            assertThat(texts(spec.path("dnsNames"))).startsWith("kubernetes", "kubernetes.default", "kubernetes.default.svc",
                    "kubernetes.default.svc.cluster.local", "my-alias.int", "foo.int")
                    .endsWith(FULLNAME, FULLNAME + "." + NAMESPACE, FULLNAME + "." + NAMESPACE + ".svc",
                            FULLNAME + "." + NAMESPACE + ".svc.cluster.local");
            assertThat(texts(spec.path("ipAddresses"))).containsExactly("1.1.1.1");
        }

        @Test
        void shouldRespectLeafDurationRenewBeforeKeyAlgorithmAndKeySizeOverrides() {
            JsonNode spec = render("""
                    tls:
                      autoGenerated:
                        enabled: true
                        engine: cert-manager
                        certManager:
                          duration: 720h
                          renewBefore: 168h
                          keyAlgorithm: ECDSA
                          keySize: 256
                    """).named("Certificate", FULLNAME + "-crt").path("spec");

            assertThat(spec.path("duration").asText()).isEqualTo("720h");
            assertThat(spec.path("renewBefore").asText()).isEqualTo("168h");
            assertThat(spec.path("privateKey").path("algorithm").asText()).isEqualTo("ECDSA");
            assertThat(spec.path("privateKey").path("size").asInt()).isEqualTo(256);
        }
    }

    /** tests/ca-cert_test.yaml (and its snapshot): the CA that signs it. */
    @Nested
    class CertManagerCa {

        private static final String CERT_MANAGER = "tls: {autoGenerated: {enabled: true, engine: cert-manager}}\n";

        @Test
        void shouldNotRenderWhenAutoGeneratedIsDisabled() {
            // Theirs renders nothing and a Secret with an empty certificate; this chart refuses outright,
            // since the gateway cannot start without one.
            refused("tls: {autoGenerated: {enabled: false, engine: cert-manager}}")
                    .hasMessageContaining("the gateway needs a certificate");
        }

        @Test
        void shouldNotRenderWhenEngineIsHelm() {
            assertThat(render("tls: {autoGenerated: {engine: helm}}").kinds()).doesNotContain("Certificate", "Issuer");
        }

        @Test
        void shouldNotRenderWhenExistingSecretIsProvided() {
            assertThat(render(CERT_MANAGER + "tls: {existingSecret: my-tls-secret}").kinds()).doesNotContain("Certificate", "Issuer");
        }

        @Test
        void shouldRenderUsingSelfSignedCa() {
            Manifests objects = render(CERT_MANAGER);

            assertThat(objects.named("Issuer", FULLNAME + "-selfsigned-issuer").path("spec")).isEqualTo(yaml("selfSigned: {}"));
            assertThat(objects.named("Certificate", FULLNAME + "-ca-crt").path("spec")).isEqualTo(yaml("""
                    secretName: %1$s-ca-crt
                    commonName: %1$s-ca
                    isCA: true
                    privateKey: {rotationPolicy: Always}
                    issuerRef: {name: %1$s-selfsigned-issuer, kind: Issuer}
                    """.formatted(FULLNAME)));
            assertThat(objects.named("Issuer", FULLNAME + "-ca-issuer").path("spec")).isEqualTo(yaml("ca: {secretName: %s-ca-crt}".formatted(FULLNAME)));
        }

        @Test
        void shouldUseExistingIssuerWhenProvided() {
            Manifests objects = render("""
                    tls:
                      autoGenerated:
                        enabled: true
                        engine: cert-manager
                        certManager:
                          existingIssuer: existing-issuer
                          existingIssuerKind: ClusterIssuer
                    """);

            assertThat(objects.named("Certificate", FULLNAME + "-ca-crt").path("spec").path("issuerRef"))
                    .isEqualTo(yaml("{name: existing-issuer, kind: ClusterIssuer}"));
            // 1 Certificate + 1 Issuer for the CA (and no self-signed Issuer); then the gateway's own Certificate.
            assertThat(objects.names()).filteredOn(name -> name.startsWith("Issuer/") || name.startsWith("Certificate/"))
                    .containsExactlyInAnyOrder("Certificate/" + FULLNAME + "-ca-crt", "Issuer/" + FULLNAME + "-ca-issuer",
                            "Certificate/" + FULLNAME + "-crt");
        }
    }

    /** tests/tls-secret_test.yaml: its suite sets tls.cert, tls.key and tls.ca for every case. */
    @Nested
    class TlsSecret {

        private static final String TLS = """
                tls:
                  cert: "my-tls-cert"
                  key: "my-tls-key"
                  ca: "my-ca-cert"
                """;
        private static final String SUITE = TLS;

        @Test
        void shouldNotRenderWhenExistingSecretIsProvided() {
            assertThat(render(SUITE, Map.of("tls.existingSecret", "my-tls-secret")).fromTemplate("tls-secret.yaml")).isEmpty();
        }

        @Test
        void shouldUseProvidedCertificatesWhenAutoGeneratedIsFalse() {
            JsonNode secret = render(SUITE, Map.of("tls.autoGenerated", false)).named("Secret", FULLNAME + "-tls");

            assertThat(secret.path("data")).isEqualTo(yaml("""
                    tls.crt: bXktdGxzLWNlcnQ=
                    tls.key: bXktdGxzLWtleQ==
                    ca.crt: bXktY2EtY2VydA==
                    """));
        }

        @Test
        void shouldGenerateTlsAndCaCertificatesWhenAutoGeneratedIsTrue() {
            JsonNode secret = render(SUITE, Map.of("tls.autoGenerated", true)).named("Secret", FULLNAME + "-tls");

            for (String key : List.of("tls.crt", "tls.key", "ca.crt")) {
                assertThat(secret.path("data").path(key).asText()).matches("^([A-Za-z0-9+/=]{20,})$");
            }
            assertThat(decoded(secret.path("data").path("tls.crt"))).startsWith("-----BEGIN CERTIFICATE-----");
        }

        @Test
        void shouldNotReGenerateCertificatesWhenAutoGeneratedIsTrueAndTheAlternativeNamesHaveNotChanged() {
            Manifests first = render(SUITE, Map.of("tls.autoGenerated", true));
            keepInCluster(first);

            JsonNode again = render(SUITE, Map.of("tls.autoGenerated", true)).named("Secret", FULLNAME + "-tls");

            JsonNode before = first.named("Secret", FULLNAME + "-tls");
            assertThat(again.path("metadata").path("annotations")).isEqualTo(before.path("metadata").path("annotations"));
            assertThat(again.path("data")).isEqualTo(before.path("data"));
        }

        @Test
        void shouldReGenerateCertificatesWhenAutoGeneratedIsTrueButTheAlternativeNamesHaveChanged() {
            Manifests first = render(SUITE, Map.of("tls.autoGenerated", true));
            keepInCluster(first);

            JsonNode again = render(SUITE + "  dnsNames:\n    - my-cluster.int\n", Map.of("tls.autoGenerated", true))
                    .named("Secret", FULLNAME + "-tls");

            assertNewCertificateFromTheSameCa(first.named("Secret", FULLNAME + "-tls"), again);
        }

        @Test
        void shouldReGenerateCertificatesWhenAutoGeneratedIsTrueButTheResourceAliasHasChanged() {
            String alias = """
                    twingate:
                      network: acme
                      resource:
                        enabled: true
                        extraAnnotations:
                          resource.twingate.com/alias: %s
                    """;
            Manifests first = render(TLS + alias.formatted("old-alias.int"), Map.of("tls.autoGenerated", true));
            keepInCluster(first);

            JsonNode again = render(TLS + alias.formatted("new-alias.int"), Map.of("tls.autoGenerated", true))
                    .named("Secret", FULLNAME + "-tls");

            assertNewCertificateFromTheSameCa(first.named("Secret", FULLNAME + "-tls"), again);
        }

        private static void keepInCluster(Manifests release) {
            release.ofKind("Secret").forEach(chart.cluster()::holdSecret);
        }

        private static void assertNewCertificateFromTheSameCa(JsonNode before, JsonNode after) {
            String hash = "checksum/alternativeNames";
            assertThat(after.path("metadata").path("annotations").path(hash).asText())
                    .matches("[0-9a-f]{64}")
                    .isNotEqualTo(before.path("metadata").path("annotations").path(hash).asText());
            assertThat(after.path("data").path("tls.crt")).isNotEqualTo(before.path("data").path("tls.crt"));
            assertThat(after.path("data").path("tls.key")).isNotEqualTo(before.path("data").path("tls.key"));
            assertThat(after.path("data").path("ca.crt")).isEqualTo(before.path("data").path("ca.crt"));
        }
    }

    /** tests/gateway-configmap_test.yaml: what reaches the gateway's configuration (HOCON here, YAML there). */
    @Nested
    class GatewayConfigMap {

        @Test
        void shouldSetCommonSettings() {
            Config config = hocon(render("""
                    twingate:
                      network: "acme"
                      host: "test"
                    auditLog:
                      flushInterval: "10s"
                      flushSizeThreshold: 200
                    containerPorts:
                      https: 8000
                      metrics: 9000
                    """));

            assertThat(config.getString("twingate.network")).isEqualTo("acme");
            assertThat(config.getString("twingate.host")).isEqualTo("test");
            assertThat(config.getInt("port")).isEqualTo(8000);
            assertThat(config.getInt("metricsPort")).isEqualTo(9000);
            assertThat(config.getString("auditLog.flushInterval")).isEqualTo("10s");
            assertThat(config.getLong("auditLog.flushSizeThreshold")).isEqualTo(200);
            assertThat(config.getString("tls.certificateFile")).isEqualTo("/etc/gateway/tls/tls.crt");
            assertThat(config.getString("tls.privateKeyFile")).isEqualTo("/etc/gateway/tls/tls.key");
        }

        @Test
        void shouldErrorWhenNetworkIsNotProvided() {
            chart.assertRefused("twingate: {network: \"\"}").hasMessageContaining("twingate.network is required");
        }

        @Test
        void shouldIncludeKubernetesSettingsWithInClusterUpstream() {
            Config config = hocon(render("""
                    kubernetes:
                      enabled: true
                      upstreams:
                        - name: "k8s api server"
                          inCluster: true
                    """));

            assertThat(config.getList("kubernetes.upstreams").unwrapped()).containsExactly(Map.of("name", "k8s api server", "inCluster", true));
        }

        @Test
        void shouldIncludeKubernetesSettingsWithOutOfClusterUpstream() {
            Config config = hocon(render("""
                    kubernetes:
                      enabled: true
                      upstreams:
                        - name: "k8s api server"
                          inCluster: false
                          address: "10.0.0.1:443"
                          bearerTokenFile: "/token"
                          caFile: "/ca.crt"
                    """));

            assertThat(config.getList("kubernetes.upstreams").unwrapped()).containsExactly(Map.of("name", "k8s api server",
                    "inCluster", false, "address", "10.0.0.1:443", "bearerTokenFile", "/token", "caFile", "/ca.crt"));
        }

        /** Their three cases, each leaving one required property out. */
        @ParameterizedTest(name = "should error when out-of-cluster Kubernetes upstream doesn't have {0}")
        @ValueSource(strings = {"address", "bearerToken", "caFile"})
        void shouldErrorWhenOutOfClusterKubernetesUpstreamLacksARequiredProperty(String missing) {
            String upstream = Stream.of("address: \"10.0.0.1:443\"", "bearerToken: \"token\"", "caFile: \"/ca.crt\"")
                    .filter(property -> !property.startsWith(missing + ":"))
                    .collect(Collectors.joining("\n      ", "kubernetes:\n  enabled: true\n  upstreams:\n    - name: \"k8s api server\"\n      inCluster: false\n      ", "\n"));

            refused(upstream).hasMessageContaining("at '/kubernetes/upstreams/0': missing property '" + missing + "'");
        }

        private static Config hocon(Manifests objects) {
            return ConfigFactory.parseString(objects.gatewayConfiguration().orElseThrow());
        }
    }

    /** tests/podmonitor_test.yaml, servicemonitor_test.yaml, prometheusrule_test.yaml, configmap-grafana-dashboard_test.yaml */
    @Nested
    class Monitoring {

        @Test
        void shouldEnablePrometheusPodMonitor() {
            JsonNode monitor = render("metrics: {podMonitor: {enabled: true}}").one("PodMonitor");

            assertThat(monitor.path("metadata").path("name").asText()).isEqualTo(FULLNAME);
            assertStandardLabels(monitor);
            JsonNode endpoint = monitor.path("spec").path("podMetricsEndpoints").get(0);
            assertThat(endpoint.path("interval").asText()).isEqualTo("30s");
            assertThat(endpoint.path("port").asText()).isEqualTo("metrics");
            assertThat(monitor.path("spec").path("selector").path("matchLabels")).isEqualTo(selectorLabels());
        }

        @Test
        void shouldEnablePrometheusServiceMonitor() {
            JsonNode monitor = render("metrics: {serviceMonitor: {enabled: true}}").one("ServiceMonitor");

            assertThat(monitor.path("metadata").path("name").asText()).isEqualTo(FULLNAME);
            assertStandardLabels(monitor);
            JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
            assertThat(endpoint.path("interval").asText()).isEqualTo("30s");
            // Theirs names the pod port (targetPort: metrics); this chart the Service port of the same name.
            assertThat(endpoint.path("port").asText()).isEqualTo("metrics");
            assertThat(monitor.path("spec").path("selector").path("matchLabels")).isEqualTo(selectorLabels());
        }

        @Test
        void serviceMonitorShouldSetEachEndpointSetting() {
            JsonNode endpoint = render("""
                    metrics:
                      serviceMonitor:
                        enabled: true
                        interval: 60s
                        scrapeTimeout: 60s
                        relabelings:
                          - foo: bar
                        metricRelabelings:
                          - foo: bar
                        honorLabels: true
                        additionalLabels:
                          foo: bar
                    """).one("ServiceMonitor").path("spec").path("endpoints").get(0);

            assertThat(endpoint.path("interval").asText()).isEqualTo("60s");
            assertThat(endpoint.path("scrapeTimeout").asText()).isEqualTo("60s");
            assertThat(stream(endpoint.path("relabelings"))).contains(yaml("foo: bar"));
            assertThat(stream(endpoint.path("metricRelabelings"))).contains(yaml("foo: bar"));
            assertThat(endpoint.path("honorLabels").asBoolean()).isTrue();
        }

        @Test
        void serviceMonitorShouldSetAdditionalLabels() {
            JsonNode monitor = render("metrics: {serviceMonitor: {enabled: true, additionalLabels: {foo: bar}}}")
                    .one("ServiceMonitor");

            assertThat(monitor.path("metadata").path("labels").path("foo").asText()).isEqualTo("bar");
        }

        @Test
        void shouldEnablePrometheusRule() {
            JsonNode rule = render("""
                    metrics:
                      prometheusRule:
                        enabled: true
                        rules:
                          - alert: TestAlert
                            expr: vector(1)
                    """).one("PrometheusRule");

            assertThat(rule.path("metadata").path("name").asText()).isEqualTo(FULLNAME);
            assertStandardLabels(rule);
            assertThat(rule.path("spec")).isEqualTo(yaml("""
                    groups:
                      - name: %s
                        rules:
                          - alert: TestAlert
                            expr: vector(1)
                    """.formatted(FULLNAME)));
        }

        @Test
        void shouldCreateGrafanaDashboard() {
            JsonNode dashboard = render("metrics: {grafanaDashboard: {enabled: true, labels: {grafana_dashboard: \"1\"}}}")
                    .named("ConfigMap", FULLNAME + "-dashboard");

            assertThat(dashboard.path("metadata").path("labels").path("grafana_dashboard").asText()).isEqualTo("1");
            assertThat(dashboard.path("data").path("kubernetes-access-gateway.json").asText()).contains("\"panels\"");
        }

        private static void assertStandardLabels(JsonNode object) {
            JsonNode labels = object.path("metadata").path("labels");
            assertThat(labels.path("app.kubernetes.io/instance").asText()).isEqualTo(RELEASE);
            assertThat(labels.path("app.kubernetes.io/managed-by").asText()).isEqualTo("Helm");
            assertThat(labels.path("app.kubernetes.io/name").asText()).isEqualTo("kubernetes-access-gateway");
            assertThat(labels.path("app.kubernetes.io/version").asText()).isEqualTo("0.1.0");
            assertThat(labels.path("helm.sh/chart").asText()).startsWith("kubernetes-access-gateway-");
        }

        private static JsonNode selectorLabels() {
            return yaml("{app.kubernetes.io/instance: %s, app.kubernetes.io/name: kubernetes-access-gateway}".formatted(RELEASE));
        }
    }

    /** Their suites leave twingate.network to the schema's required list; this chart needs it set. */
    private static Manifests render(String values) {
        return render(values, Map.of());
    }

    private static Manifests render(String values, Map<String, Object> sets) {
        Map<String, Object> withNetwork = new HashMap<>(sets);
        withNetwork.put("twingate.network", "acme");
        return chart.render(values, withNetwork);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> refused(String values) {
        return chart.assertRefused(values, Map.of("twingate.network", "acme"));
    }

    static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
