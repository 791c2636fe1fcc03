package com.twingate.gateway.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.KeySetEndpoint;
import com.twingate.gateway.testkit.KeySetEndpoint.Mode;
import com.twingate.gateway.testkit.LogCapture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The key set against a controller endpoint on a real loopback socket that trickles, hangs or fails:
 * nothing waits past a fetch's deadline, cached keys keep verifying, and the log says each change once.
 */
class SigningKeysTest {

    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Duration MIN_REFETCH = Duration.ofSeconds(30);
    private static final Duration SHORT_FETCH = Duration.ofMillis(500);
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    private final MovableClock clock = new MovableClock(Instant.parse("2026-06-01T10:00:00Z"));
    private KeySetEndpoint endpoint;

    @AfterEach
    void stop() throws Exception {
        endpoint.close();
    }

    private SigningKeys keys(Mode mode, Duration fetchTimeout) throws Exception {
        endpoint = new KeySetEndpoint(mode);
        return new SigningKeys(endpoint.url(), new JwksOptions(TTL, MIN_REFETCH, fetchTimeout), clock);
    }

    private JWKSelector known() {
        return new JWKSelector(new JWKMatcher.Builder().keyID(endpoint.key().getKeyID()).build());
    }

    private static JWKSelector unknown() {
        return new JWKSelector(new JWKMatcher.Builder().keyID("rotated-away").build());
    }

    @Test
    void aTricklingKeySetIsAbandonedAtItsDeadlineAndTheReasonSaid() throws Exception {
        SigningKeys keys = keys(Mode.TRICKLE, SHORT_FETCH);

        assertThatThrownBy(() -> keys.get(known(), null))
                .isInstanceOf(KeySourceException.class)
                .hasMessage("nothing fetched from " + endpoint.url() + " yet: no complete answer within 500 ms");
        Await.until("the abandoned fetch's connection to close", DEADLINE, () -> endpoint.openConnections() == 0);
    }

    @Test
    void aHangingKeySetIsAbandonedAtItsDeadline() throws Exception {
        SigningKeys keys = keys(Mode.HANG, SHORT_FETCH);

        assertThatThrownBy(() -> keys.get(known(), null))
                .isInstanceOf(KeySourceException.class)
                .hasMessageEndingWith("no complete answer within 500 ms");
        Await.until("the abandoned fetch's connection to close", DEADLINE, () -> endpoint.openConnections() == 0);
    }

    @Test
    void prefetchReturnsAtOnceAndTheFetchEndsByItsDeadline() throws Exception {
        SigningKeys keys = keys(Mode.HANG, SHORT_FETCH);

        var fetch = keys.prefetch();
        assertThat(fetch).as("prefetch does not wait for the controller").isNotDone();
        Await.until("the prefetch to end by its deadline", DEADLINE, fetch::isDone);
        assertThat(warnings()).singleElement().satisfies(line -> assertThat(line.path("message").asText())
                .isEqualTo("cannot fetch signing keys from " + endpoint.url()
                        + ": no complete answer within 500 ms; tokens cannot be verified until it answers"));
    }

    @Test
    void cachedKeysAreServedAtOnceWhileTheirRefreshHangs() throws Exception {
        SigningKeys keys = keys(Mode.SERVE, Duration.ofSeconds(10));
        assertThat(keys.get(known(), null)).hasSize(1);

        endpoint.mode(Mode.HANG);
        clock.advance(TTL.plusSeconds(1));
        List<JWK> served = keys.get(known(), null);

        assertThat(served).as("the expired keys, while the refresh runs").hasSize(1);
        Await.until("the refresh to reach the endpoint", DEADLINE, () -> endpoint.requests() == 2);
        assertThat(endpoint.openConnections()).as("the refresh is still hanging").isEqualTo(1);
        for (int i = 0; i < 50; i++) {
            assertThat(keys.get(known(), null)).hasSize(1);
        }
        assertThat(endpoint.requests()).as("one refresh at a time").isEqualTo(2);
    }

    @Test
    void aFailingControllerIsLoggedOnceAndItsReturnOnce() throws Exception {
        SigningKeys keys = keys(Mode.SERVE, SHORT_FETCH);
        assertThat(keys.get(known(), null)).hasSize(1);

        endpoint.mode(Mode.UNAVAILABLE);
        clock.advance(TTL.plusSeconds(1));
        for (int attempt = 1; attempt <= 5; attempt++) {
            assertThat(keys.get(known(), null)).as("cached keys keep verifying, and start a refresh").hasSize(1);
            // An unknown kid waits for the running refresh, so each attempt is over before the next one.
            assertThat(keys.get(unknown(), null)).isEmpty();
            clock.advance(MIN_REFETCH);
        }
        endpoint.mode(Mode.SERVE);
        keys.get(unknown(), null);

        assertThat(endpoint.requests()).as("one first fetch, five failed refreshes, one that worked").isEqualTo(7);
        assertThat(messages()).containsExactly(
                "fetched 1 signing keys from " + endpoint.url(),
                "cannot fetch signing keys from " + endpoint.url() + ": HTTP 503; verifying with the 1 keys fetched at "
                        + "2026-06-01T10:00:00Z meanwhile",
                "signing keys from " + endpoint.url() + " are available again: 1 keys");
    }

    @Test
    void anEndpointThatRefusesConnectionsIsNamedSo() throws Exception {
        SigningKeys keys = keys(Mode.SERVE, SHORT_FETCH);
        endpoint.close();

        assertThatThrownBy(() -> keys.get(known(), null))
                .isInstanceOf(KeySourceException.class)
                .hasMessage("nothing fetched from " + endpoint.url() + " yet: cannot connect to 127.0.0.1:"
                        + endpoint.url().getPort() + " (refused or unreachable)");
    }

    @Test
    void withoutKeysTheReasonIsGivenAndRetriesAreRateLimited() throws Exception {
        SigningKeys keys = keys(Mode.UNAVAILABLE, SHORT_FETCH);

        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> keys.get(known(), null))
                    .isInstanceOf(KeySourceException.class)
                    .hasMessage("nothing fetched from " + endpoint.url() + " yet: HTTP 503");
        }
        assertThat(endpoint.requests()).as("at most two fetches per minRefetchInterval").isEqualTo(2);

        endpoint.mode(Mode.SERVE);
        clock.advance(MIN_REFETCH);
        assertThat(keys.get(known(), null)).hasSize(1);
        assertThat(messages()).containsExactly(
                "cannot fetch signing keys from " + endpoint.url() + ": HTTP 503; tokens cannot be verified until it answers",
                "signing keys from " + endpoint.url() + " are available again: 1 keys");
    }

    private List<JsonNode> warnings() {
        return lines().stream().filter(line -> line.path("levelname").asText().equals("warn")).toList();
    }

    private List<String> messages() {
        return lines().stream().map(line -> line.path("message").asText()).toList();
    }

    /** This test's lines: a refresh an earlier test left running may still end, and log, meanwhile. */
    private List<JsonNode> lines() {
        return logs.json().stream().filter(line -> line.path("logger").asText().equals("gateway.token")
                && line.path("message").asText().contains(endpoint.url().toString())).toList();
    }
}
