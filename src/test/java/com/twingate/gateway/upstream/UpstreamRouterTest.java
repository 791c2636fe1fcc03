package com.twingate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.config.ConfigLoader;
import com.twingate.gateway.config.UpstreamConfig;
import com.twingate.gateway.testkit.TestPki;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** (docs/upstream.md#routing): a token's resource address picks the upstream. */
class UpstreamRouterTest {

    @TempDir
    Path dir;

    private UpstreamRouter router(String upstreams) throws Exception {
        TestPki pki = TestPki.create("router", dir);
        TestPki.Issued cert = pki.issue("gw");
        String hocon = """
                twingate.network = acme
                tls { certificateFile = "%s", privateKeyFile = "%s" }
                kubernetes.upstreams = [ %s ]
                """.formatted(cert.certificateFile(), cert.privateKeyFile(), upstreams.replace("CA", pki.caFile().toString()));
        return new UpstreamRouter(ConfigLoader.parse(hocon, Map.of()));
    }

    @Test
    void resourceAddressesPickTheirUpstreamCaseInsensitively() throws Exception {
        UpstreamRouter router = router("""
                { name = prod, address = "prod:6443", caFile = "CA", bearerToken = a, resourceAddresses = ["prod.kube.internal"] },
                { name = dev, address = "dev:6443", caFile = "CA", bearerToken = b, resourceAddresses = ["dev.kube.internal", "10.0.0.7"] }
                """);

        assertThat(router.route("PROD.Kube.Internal")).map(UpstreamConfig::name).contains("prod");
        assertThat(router.route("10.0.0.7")).map(UpstreamConfig::name).contains("dev");
        assertThat(router.route("other.kube.internal")).isEmpty();
    }

    @Test
    void aSingleUpstreamWithoutAddressesServesEverything() throws Exception {
        UpstreamRouter router = router("{ name = only, address = \"k:6443\", caFile = \"CA\", bearerToken = a }");
        assertThat(router.route("anything.example")).map(UpstreamConfig::name).contains("only");
    }

    @Test
    void aSingleUpstreamWithAddressesServesOnlyThose() throws Exception {
        UpstreamRouter router = router("{ name = only, address = \"k:6443\", caFile = \"CA\", bearerToken = a, resourceAddresses = [k8s] }");
        assertThat(router.route("k8s")).isPresent();
        assertThat(router.route("other")).isEmpty();
    }
}
