package com.twingate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.connect.ClientIdentity;
import com.twingate.gateway.token.GatClaims;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

/** Each header rule of (docs/upstream.md), tried with the ways a client might dress a header up. */
class HeaderRulesTest {

    private static final ClientIdentity ALICE = new ClientIdentity(
            new GatClaims.User("u-1", "alice", List.of("devs", "ops")), Optional.empty(),
            new GatClaims.Resource("r", "kube"), Optional.of("c-1"), Instant.now().plusSeconds(60), "main",
            new InetSocketAddress("127.0.0.1", 1));

    @Test
    void identityHeadersInAnyCaseAreReplacedByTheGatewaysOwn() {
        HttpFields client = HttpFields.build()
                .add("AUTHORIZATION", "Bearer stolen").add("impersonate-user", "admin")
                .add("Impersonate-Group", "system:masters").add("iMpErSoNaTe-GrOuP", "root")
                .add("Impersonate-Uid", "0").add("Impersonate-Extra-Scopes", "all").add("IMPERSONATE-EXTRA-reason", "x")
                .add("Proxy-Authorization", "Bearer other").add("Accept", "application/json");

        HttpFields upstream = HeaderRules.forUpstream(client, ALICE, Optional.of("sa-token"), "kube:6443", false);

        assertThat(upstream.getValuesList("Authorization")).containsExactly("Bearer sa-token");
        assertThat(upstream.getValuesList("Impersonate-User")).containsExactly("alice");
        assertThat(upstream.getValuesList("Impersonate-Group")).containsExactly("devs", "ops");
        assertThat(upstream.getFieldNamesCollection()).noneMatch(name -> name.toLowerCase().startsWith("impersonate-extra")
                || name.equalsIgnoreCase("impersonate-uid") || name.equalsIgnoreCase("proxy-authorization"));
        assertThat(upstream.get("Accept")).isEqualTo("application/json");
        assertThat(upstream.get("Host")).isEqualTo("kube:6443", false);
    }

    @Test
    void withAClientCertificateUpstreamNoAuthorizationIsSentAtAll() {
        HttpFields upstream = HeaderRules.forUpstream(HttpFields.build().add("Authorization", "Bearer mine"), ALICE,
                Optional.empty(), "kube:6443", false);
        assertThat(upstream.contains("Authorization")).isFalse();
    }

    @Test
    void hopByHopHeadersAndThoseNamedByConnectionAreDropped() {
        HttpFields client = HttpFields.build()
                .add("Connection", "keep-alive, X-Sneaky").add("X-Sneaky", "Impersonate-User: admin")
                .add("Keep-Alive", "timeout=5").add("TE", "trailers").add("Transfer-Encoding", "chunked")
                .add("Upgrade", "h2c").add("Proxy-Connection", "keep-alive");

        HttpFields upstream = HeaderRules.forUpstream(client, ALICE, Optional.of("t"), "kube:6443", false);

        assertThat(upstream.getFieldNamesCollection()).containsExactlyInAnyOrder("Host", "Authorization", "Impersonate-User",
                "Impersonate-Group");
    }

    @Test
    void anUpgradeKeepsItsConnectionAndUpgradePair() {
        HttpFields client = HttpFields.build().add("Connection", "Upgrade").add("Upgrade", "SPDY/3.1")
                .add("X-Stream-Protocol-Version", "v4.channel.k8s.io");

        assertThat(HeaderRules.isUpgrade(client)).isTrue();
        HttpFields upstream = HeaderRules.forUpstream(client, ALICE, Optional.of("t"), "kube:6443", false);
        assertThat(upstream.get("Connection")).isEqualTo("Upgrade");
        assertThat(upstream.get("Upgrade")).isEqualTo("SPDY/3.1");
        assertThat(upstream.get("X-Stream-Protocol-Version")).isEqualTo("v4.channel.k8s.io");
    }

    @Test
    void anUpgradeHeaderWithoutConnectionUpgradeIsNotAnUpgrade() {
        assertThat(HeaderRules.isUpgrade(HttpFields.build().add("Upgrade", "websocket"))).isFalse();
        assertThat(HeaderRules.isUpgrade(HttpFields.build().add("Connection", "keep-alive, Upgrade").add("Upgrade", "websocket"))).isTrue();
    }
}
