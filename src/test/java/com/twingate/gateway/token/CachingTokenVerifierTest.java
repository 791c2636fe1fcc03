package com.twingate.gateway.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.twingate.gateway.testkit.ClientKeys;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A token is verified once and then answered from memory until it expires; refusals are never remembered. */
class CachingTokenVerifierTest {

    private static final Instant START = Instant.parse("2026-11-25T10:00:00Z");
    private static final ECPublicKey KEY = (ECPublicKey) ClientKeys.newP256().getPublic();

    private final MovableClock clock = new MovableClock(START);
    private final CountingVerifier nimbus = new CountingVerifier();
    private final CachingTokenVerifier verifier = new CachingTokenVerifier(nimbus, clock);

    @Test
    void aTokenIsVerifiedOnceForManyConnections() throws Exception {
        GatClaims first = verifier.verify("token-a");
        GatClaims second = verifier.verify("token-a");

        assertThat(second).isSameAs(first);
        assertThat(nimbus.verified).containsExactly("token-a");
    }

    @Test
    void eachTokenIsVerifiedOnItsOwn() throws Exception {
        verifier.verify("token-a");
        verifier.verify("token-b");

        assertThat(nimbus.verified).containsExactly("token-a", "token-b");
    }

    @Test
    void aRefusedTokenIsVerifiedAgainEveryTime() {
        nimbus.refuse = true;

        assertThatThrownBy(() -> verifier.verify("bad")).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> verifier.verify("bad")).isInstanceOf(InvalidTokenException.class);
        assertThat(nimbus.verified).containsExactly("bad", "bad");
    }

    @Test
    void aRememberedTokenIsRefusedOnceExpired() throws Exception {
        verifier.verify("token-a");
        clock.set(START.plus(CountingVerifier.LIFETIME));

        assertThatThrownBy(() -> verifier.verify("token-a"))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("expired");
        // Forgotten: a later attempt goes to the real verifier (which refuses it on its own rules).
        nimbus.refuse = true;
        assertThatThrownBy(() -> verifier.verify("token-a")).isInstanceOf(InvalidTokenException.class);
        assertThat(nimbus.verified).containsExactly("token-a", "token-a");
    }

    @Test
    void aFullCacheMakesRoomAndKeepsAnswering() throws Exception {
        for (int i = 0; i < CachingTokenVerifier.MAX_TOKENS + 10; i++) {
            verifier.verify("token-" + i);
        }
        int calls = nimbus.verified.size();
        verifier.verify("token-" + (CachingTokenVerifier.MAX_TOKENS + 9));

        assertThat(nimbus.verified).hasSize(calls);
    }

    /** Valid for an hour from {@code START}; refuses everything when told to. */
    private final class CountingVerifier implements TokenVerifier {
        static final Duration LIFETIME = Duration.ofHours(1);
        final List<String> verified = new ArrayList<>();
        boolean refuse;

        @Override
        public GatClaims verify(String token) throws InvalidTokenException {
            verified.add(token);
            if (refuse) {
                throw new InvalidTokenException("refused");
            }
            return new GatClaims("twingate-local", List.of("acme"), START.plus(LIFETIME), START, START.plus(LIFETIME.dividedBy(2)),
                    KEY, new GatClaims.User("u-1", "alice", List.of()), Optional.empty(),
                    new GatClaims.Resource("r-1", "127.0.0.1"));
        }
    }
}
