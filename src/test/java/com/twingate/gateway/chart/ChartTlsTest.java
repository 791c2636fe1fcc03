package com.twingate.gateway.chart;

import static com.twingate.gateway.chart.HelmChart.FULLNAME;
import static com.twingate.gateway.chart.HelmChart.NAMESPACE;
import static com.twingate.gateway.chart.Manifests.decoded;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gateway's certificate as Twingate's Kubernetes operator and kubectl need it: the Service annotated
 * so the operator creates the resource, a generated certificate naming the operator's resource address,
 * issued again only when its names change and then by the same CA.
 */
class ChartTlsTest {

    private static final String OPERATOR = """
            twingate:
              network: acme
              resource:
                enabled: true
                extraAnnotations:
                  resource.twingate.com/alias: myk8s.int
            """;
    @RegisterExtension
    static final HelmChart chart = new HelmChart();

    @Test
    void theServiceCarriesWhatTheTwingateOperatorLooksForAndNamesTheSecretWithTheCa() {
        Manifests objects = chart.render(OPERATOR + "service: {annotations: {team: platform}}");

        JsonNode annotations = objects.one("Service").path("metadata").path("annotations");
        assertThat(annotations.path("resource.twingate.com").asText()).isEqualTo("true");
        assertThat(annotations.path("resource.twingate.com/type").asText()).isEqualTo("Kubernetes");
        assertThat(annotations.path("resource.twingate.com/alias").asText()).isEqualTo("myk8s.int");
        assertThat(annotations.path("team").asText()).isEqualTo("platform");
        String secret = annotations.path("resource.twingate.com/tlsSecret").asText();
        assertThat(ChartTest.tlsVolume(objects).path("secret").path("secretName").asText()).isEqualTo(secret);
        X509Certificate ca = certificate(objects.named("Secret", secret).path("data").path("ca.crt"));
        X509Certificate leaf = certificate(objects.named("Secret", secret).path("data").path("tls.crt"));
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
    }

    @Test
    void withoutTheOperatorTheServiceHasNoneOfItsAnnotations() {
        JsonNode metadata = chart.render("twingate: {network: acme}").one("Service").path("metadata");

        assertThat(metadata.has("annotations")).isFalse();
    }

    @Test
    void anExistingSecretIsWhatTheOperatorIsPointedAt() {
        JsonNode annotations = chart.render(OPERATOR + "tls: {existingSecret: corp-tls}").one("Service").path("metadata").path("annotations");

        assertThat(annotations.path("resource.twingate.com/tlsSecret").asText()).isEqualTo("corp-tls");
    }

    @Test
    void theGeneratedCertificateNamesTheOperatorsResourceAddressTheAliasTheServiceAndTheExtraNames() throws Exception {
        Manifests objects = chart.render(OPERATOR + "tls: {dnsNames: [kube.acme.internal], ipAddresses: [10.1.2.3]}\nclusterDomain: corp.local");

        X509Certificate leaf = certificate(objects.named("Secret", FULLNAME + "-tls").path("data").path("tls.crt"));

        List<String> names = leaf.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))).toList();
        assertThat(names).containsExactlyInAnyOrder("kubernetes", "kubernetes.default", "kubernetes.default.svc",
                "kubernetes.default.svc.corp.local", "myk8s.int", "kube.acme.internal",
                FULLNAME, FULLNAME + "." + NAMESPACE, FULLNAME + "." + NAMESPACE + ".svc", FULLNAME + "." + NAMESPACE + ".svc.corp.local",
                "10.1.2.3");
        leaf.checkValidity();
        leaf.verify(certificate(objects.named("Secret", FULLNAME + "-tls").path("data").path("ca.crt")).getPublicKey());
    }

    @Test
    void anUpgradeWithTheSameNamesKeepsTheCertificate() {
        Manifests installed = chart.render(OPERATOR);
        installed.ofKind("Secret").forEach(chart.cluster()::holdSecret);

        Manifests upgraded = chart.render(OPERATOR + "replicaCount: 3");

        assertThat(upgraded.named("Secret", FULLNAME + "-tls")).isEqualTo(installed.named("Secret", FULLNAME + "-tls"));
        assertThat(upgraded.named("Secret", FULLNAME + "-ca")).isEqualTo(installed.named("Secret", FULLNAME + "-ca"));
    }

    @Test
    void aChangedNameIssuesANewCertificateFromTheSameCaSoKubeconfigsKeepTrustingIt() throws Exception {
        Manifests installed = chart.render(OPERATOR);
        installed.ofKind("Secret").forEach(chart.cluster()::holdSecret);

        for (String changed : List.of(OPERATOR + "clusterDomain: corp.local", OPERATOR + "tls: {dnsNames: [new.acme.internal]}",
                OPERATOR + "tls: {ipAddresses: [10.9.9.9]}", OPERATOR.replace("myk8s.int", "other.int"))) {
            Manifests upgraded = chart.render(changed);

            JsonNode before = installed.named("Secret", FULLNAME + "-tls");
            JsonNode after = upgraded.named("Secret", FULLNAME + "-tls");
            assertThat(after.path("data").path("tls.crt")).as(changed).isNotEqualTo(before.path("data").path("tls.crt"));
            assertThat(after.path("data").path("ca.crt")).as(changed).isEqualTo(before.path("data").path("ca.crt"));
            certificate(after.path("data").path("tls.crt")).verify(certificate(before.path("data").path("ca.crt")).getPublicKey());
            assertThat(podAnnotations(upgraded)).as("%s: the gateway reloads the certificate, the pods stay", changed)
                    .isEqualTo(podAnnotations(installed));
        }
    }

    @Test
    void aLostCaSecretMeansANewCaAndACertificateItSigned() throws Exception {
        Manifests installed = chart.render(OPERATOR);
        chart.cluster().holdSecret(installed.named("Secret", FULLNAME + "-tls"));

        Manifests upgraded = chart.render(OPERATOR);

        JsonNode after = upgraded.named("Secret", FULLNAME + "-tls");
        assertThat(after.path("data").path("ca.crt")).isNotEqualTo(installed.named("Secret", FULLNAME + "-tls").path("data").path("ca.crt"));
        certificate(after.path("data").path("tls.crt")).verify(certificate(after.path("data").path("ca.crt")).getPublicKey());
    }

    @Test
    void certManagerIssuesTheSameNamesAndTheDeploymentMountsWhatItWrites() {
        Manifests objects = chart.render(OPERATOR + "tls: {autoGenerated: {engine: certManager}, ipAddresses: [10.1.2.3]}");

        assertThat(objects.fromTemplate("tls-secret.yaml")).isEmpty();
        JsonNode certificate = objects.named("Certificate", FULLNAME + "-crt").path("spec");
        assertThat(ChartTest.texts(certificate.path("dnsNames"))).containsExactly("kubernetes", "kubernetes.default",
                "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "myk8s.int",
                FULLNAME, FULLNAME + "." + NAMESPACE, FULLNAME + "." + NAMESPACE + ".svc", FULLNAME + "." + NAMESPACE + ".svc.cluster.local");
        assertThat(ChartTest.texts(certificate.path("ipAddresses"))).containsExactly("10.1.2.3");
        assertThat(ChartTest.tlsVolume(objects).path("secret").path("secretName").asText()).isEqualTo(certificate.path("secretName").asText());
        assertThat(objects.one("Service").path("metadata").path("annotations").path("resource.twingate.com/tlsSecret").asText())
                .isEqualTo(certificate.path("secretName").asText());
        assertThat(objects.named("Certificate", FULLNAME + "-ca-crt").path("spec").path("isCA").asBoolean()).isTrue();
    }

    @Test
    void noCertificateAtAllIsRefusedWithWhatToSet() {
        chart.assertRefused("twingate: {network: acme}\ntls: {autoGenerated: {enabled: false}}")
                .hasMessageContaining("tls: the gateway needs a certificate: set tls.existingSecret, or tls.cert and tls.key, or tls.autoGenerated.enabled=true");
    }

    @Test
    void aGivenCertificateThatAutoGenerationOverridesIsNamedInTheNotes() {
        String notes = chart.notes("twingate: {network: acme}\ntls: {cert: A, key: B}");

        assertThat(notes).contains("WARNING: tls.cert/tls.key are not used: tls.autoGenerated is enabled", "tls.autoGenerated.enabled=false");
    }

    private static JsonNode podAnnotations(Manifests objects) {
        return objects.deployment().path("spec").path("template").path("metadata").path("annotations");
    }

    static X509Certificate certificate(JsonNode base64Pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(decoded(base64Pem).getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new AssertionError("not a PEM certificate", e);
        }
    }
}
