package com.twingate.gateway.kubectl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.twingate.gateway.config.ConfigLoader;
import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.config.UpstreamConfig;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.KubeconfigUpstream;
import com.twingate.gateway.testkit.Kubectl;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.kubeapi.KubeApiStandIn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local run's {@code --kubeconfig FILE} (README.md#the-local-run): the current context of a real
 * kubeconfig becomes the gateway's upstream, with its CA and credential.
 */
class KubeconfigUpstreamTest {

    @TempDir
    Path dir;

    @Test
    void aTokenKubeconfigPutsThatClusterBehindTheGateway() throws Exception {
        TestPki apiPki = TestPki.create("cluster", dir);
        String token = "admin-token-for-the-real-cluster";
        try (KubeApiStandIn cluster = KubeApiStandIn.start(apiPki.issue("cluster"), token, Files.createDirectories(dir.resolve("pods")))) {
            cluster.cluster().addPod("default", "from-the-real-cluster");
            Path kubeconfig = Files.writeString(dir.resolve("admin.kubeconfig"), """
                    apiVersion: v1
                    kind: Config
                    current-context: admin
                    contexts:
                    - {name: other, context: {cluster: nowhere, user: nobody}}
                    - {name: admin, context: {cluster: kind, user: kind-admin}}
                    clusters:
                    - name: kind
                      cluster: {server: "https://%s", certificate-authority-data: %s}
                    users:
                    - name: kind-admin
                      user: {token: %s}
                    """.formatted(cluster.address(), base64(Files.readString(apiPki.caFile())), token));
            Path upstreamDir = Files.createDirectories(dir.resolve("upstream"));
            try (GatewayHarness harness = GatewayHarness.start(dir, KubeconfigUpstream.hocon("cluster", kubeconfig, upstreamDir))) {
                Kubectl kubectl = Kubectl.of(Kubectl.installedVersions().getLast(), harness.uri("").toString(),
                        harness.pki().caFile(), null, dir);
                assertThat(kubectl.run(Duration.ofSeconds(60), "get", "pods").assertSuccess().stdout())
                        .contains("from-the-real-cluster");
                assertThat(cluster.impersonations().getLast().user()).isEqualTo("alice@example.com");
            }
        }
    }

    @Test
    void aClientCertificateKubeconfigBecomesTheUpstreamsCertificateAndKey() throws Exception {
        TestPki pki = TestPki.create("kind", dir);
        TestPki.Issued admin = pki.issue("kind-admin");
        Path kubeconfig = Files.writeString(dir.resolve("kind.kubeconfig"), """
                apiVersion: v1
                kind: Config
                current-context: kind-kind
                contexts: [{name: kind-kind, context: {cluster: kind-kind, user: kind-kind}}]
                clusters: [{name: kind-kind, cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: %s}}]
                users: [{name: kind-kind, user: {client-certificate-data: %s, client-key-data: %s}}]
                """.formatted(base64(Files.readString(pki.caFile())), base64(Files.readString(admin.certificateFile())),
                base64(Files.readString(admin.privateKeyFile()))));
        String upstream = KubeconfigUpstream.hocon("kind", kubeconfig, dir);
        GatewayConfig config = ConfigLoader.parse("""
                twingate { network = acme, host = test, jwksUrl = "http://127.0.0.1:1/jwks" }
                tls { certificateFile = "%s", privateKeyFile = "%s" }
                kubernetes.upstreams = [ %s ]
                """.formatted(admin.certificateFile(), admin.privateKeyFile(), upstream), Map.of());
        UpstreamConfig kind = config.kubernetes().upstreams().getFirst();
        assertThat(kind.address()).isEqualTo("127.0.0.1:6443");
        assertThat(Files.readString(kind.clientCertificateFile().orElseThrow())).isEqualTo(Files.readString(admin.certificateFile()));
        assertThat(Files.readString(kind.clientKeyFile().orElseThrow())).isEqualTo(Files.readString(admin.privateKeyFile()));
    }

    @Test
    void aKubeconfigWithAnExecPluginIsRefusedWithTheReason() throws Exception {
        Path kubeconfig = Files.writeString(dir.resolve("gke.kubeconfig"), """
                current-context: gke
                contexts: [{name: gke, context: {cluster: gke, user: gke}}]
                clusters: [{name: gke, cluster: {server: "https://10.0.0.1", certificate-authority-data: %s}}]
                users: [{name: gke, user: {exec: {command: gke-gcloud-auth-plugin}}}]
                """.formatted(base64("not a real CA")));
        assertThatThrownBy(() -> KubeconfigUpstream.hocon("gke", kubeconfig, dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("user 'gke'").hasMessageContaining("exec");
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
