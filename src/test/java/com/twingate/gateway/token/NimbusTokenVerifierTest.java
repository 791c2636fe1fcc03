package com.twingate.gateway.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.twingate.gateway.config.TwingateConfig;
import com.twingate.gateway.testkit.ClientKeys;
import com.twingate.gateway.testkit.ControllerStandIn;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every rule of (docs/token.md) and the key-set behaviour: cache, refetch on unknown kid (rate-limited), outages. */
class NimbusTokenVerifierTest {

    private static final Duration MIN_REFETCH = Duration.ofSeconds(2);

    private ControllerStandIn controller;
    private NimbusTokenVerifier verifier;
    private final KeyPair client = ClientKeys.newP256();

    @BeforeEach
    void start() throws Exception {
        controller = new ControllerStandIn("acme");
        verifier = new NimbusTokenVerifier(
                new TwingateConfig("acme", "test", controller.jwksUrl(), ControllerStandIn.ISSUER),
                new JwksOptions(Duration.ofHours(1), MIN_REFETCH, Duration.ofSeconds(2)));
    }

    @AfterEach
    void stop() {
        controller.close();
    }

    @Test
    void validTokenYieldsItsClaims() throws Exception {
        GatClaims claims = verifier.verify(controller.token(client).user("u-1", "bob", "a", "b")
                .resourceAddress("kube.example.com").mint());

        assertThat(claims.user()).isEqualTo(new GatClaims.User("u-1", "bob", List.of("a", "b")));
        assertThat(claims.resource().address()).isEqualTo("kube.example.com");
        assertThat(claims.clientPublicKey().getEncoded()).isEqualTo(client.getPublic().getEncoded());
        assertThat(claims.deviceId()).contains("device-1");
        assertThat(claims.expiresAt()).isAfter(Instant.now());
    }

    @Test
    void groupsAndDeviceAreOptional() throws Exception {
        GatClaims claims = verifier.verify(controller.token(client)
                .claim("user", Map.of("id", "u-2", "username", "carol")).without("device").mint());
        assertThat(claims.user().groups()).isEmpty();
        assertThat(claims.deviceId()).isEmpty();
    }

    @Test
    void rejectsEveryBrokenToken() {
        assertRejected(controller.token(client).algNone().mint(), "");
        assertRejected(controller.token(client).hs256WithPublicKey().mint(), "");
        assertRejected(controller.token(client).signedByUnknownKey().mint(), "");
        assertRejected(controller.token(client).typ("JWT").mint(), "typ");
        assertRejected(controller.token(client).claim("iss", "twingate").mint(), "iss");
        assertRejected(controller.token(client).claim("aud", List.of("other")).mint(), "aud");
        assertRejected(controller.token(client).expiresAt(Instant.now().minusSeconds(1)).mint(), "expired");
        assertRejected(controller.token(client).without("exp").mint(), "missing claim exp");
        assertRejected(controller.token(client).claim("iat", Instant.now().plusSeconds(600)).mint(), "iat");
        assertRejected(controller.token(client).claim("ver", "2").mint(), "ver");
        assertRejected(controller.token(client).without("ver").mint(), "ver");
        assertRejected(controller.token(client).without("rnw").mint(), "missing claim rnw");
        assertRejected(controller.token(client).claim("rnw", "soon").mint(), "wrong type");
        assertRejected(controller.token(client).without("cpk").mint(), "missing claim cpk");
        assertRejected(controller.token(client).claim("cpk", "%%%").mint(), "cpk");
        assertRejected(controller.token(client).claim("cpk", Base64.getEncoder().encodeToString("no pem".getBytes())).mint(), "cpk");
        assertRejected(controller.token(client).without("user").mint(), "missing claim user");
        assertRejected(controller.token(client).claim("user", Map.of("id", "u")).mint(), "missing claim user.username");
        assertRejected(controller.token(client).claim("user", Map.of("username", "u")).mint(), "missing claim user.id");
        assertRejected(controller.token(client).claim("user", Map.of("id", "u", "username", "n", "groups", "g")).mint(), "groups");
        assertRejected(controller.token(client).without("resource").mint(), "missing claim resource");
        assertRejected(controller.token(client).claim("resource", Map.of("id", "r")).mint(), "resource.address");
        assertRejected("definitely.not.a-jwt", "");
    }

    @Test
    void cpkMustBeAP256Key() throws Exception {
        var generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(new java.security.spec.ECGenParameterSpec("secp384r1"));
        KeyPair p384 = generator.generateKeyPair();
        assertRejected(controller.token(client).claim("cpk", ClientKeys.cpkOf(p384.getPublic())).mint(), "P-256");
    }

    @Test
    void unknownKidTriggersARefetchAfterKeyRotation() throws Exception {
        verifier.verify(controller.token(client).mint());
        int fetchesBefore = controller.fetchCount();

        controller.rotateKey();
        assertThat(verifier.verify(controller.token(client).mint()).user().username()).isEqualTo("alice@example.com");
        assertThat(controller.fetchCount()).isEqualTo(fetchesBefore + 1);
    }

    @Test
    void knownKeysAreServedFromTheCache() throws Exception {
        verifier.verify(controller.token(client).mint());
        int fetches = controller.fetchCount();
        for (int i = 0; i < 20; i++) {
            verifier.verify(controller.token(client).mint());
        }
        assertThat(controller.fetchCount()).isEqualTo(fetches);
    }

    @Test
    void refetchesForUnknownKidsAreRateLimited() throws Exception {
        verifier.verify(controller.token(client).mint());
        int fetches = controller.fetchCount();
        for (int i = 0; i < 25; i++) {
            assertRejected(controller.token(client).signedByUnknownKey().mint(), "");
        }
        assertThat(controller.fetchCount() - fetches).as("fetches within one minRefetchInterval").isLessThanOrEqualTo(1);
    }

    @Test
    void cachedKeysKeepWorkingThroughAControllerOutage() throws Exception {
        verifier.verify(controller.token(client).mint());
        controller.setAvailable(false);

        assertThat(verifier.verify(controller.token(client).mint()).user().username()).isEqualTo("alice@example.com");
    }

    @Test
    void prefetchWarmsTheCacheAndSurvivesAnUnreachableController() {
        verifier.prefetch().join();
        assertThat(controller.fetchCount()).isEqualTo(1);

        controller.setAvailable(false);
        NimbusTokenVerifier cold = new NimbusTokenVerifier(
                new TwingateConfig("acme", "test", controller.jwksUrl(), ControllerStandIn.ISSUER), JwksOptions.DEFAULT);
        cold.prefetch().join();
        assertThatThrownBy(() -> cold.verify(controller.token(client).mint()))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessage("signing keys unavailable: nothing fetched from " + controller.jwksUrl() + " yet: HTTP 503");
    }

    private void assertRejected(String token, String reasonContains) {
        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining(reasonContains)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token));
    }
}
