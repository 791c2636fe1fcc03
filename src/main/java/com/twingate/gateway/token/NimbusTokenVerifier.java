package com.twingate.gateway.token;

import com.google.inject.Inject;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.twingate.gateway.config.TwingateConfig;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * GAT verification with Nimbus JOSE+JWT (docs/token.md): ES256 only, {@code typ} GAT, the key named by
 * {@code kid} from the controller's JWK Set ({@link SigningKeys}: cached, refetched (rate-limited) for an
 * unknown kid, kept through an outage or a hang of the controller). Then every claim rule, in
 * {@link GatClaimsReader}.
 */
public final class NimbusTokenVerifier implements TokenVerifier {

    private static final JOSEObjectType GAT = new JOSEObjectType("GAT");

    private final SigningKeys keys;
    private final ConfigurableJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final GatClaimsReader claims;

    @Inject
    public NimbusTokenVerifier(TwingateConfig twingate) {
        this(twingate, JwksOptions.DEFAULT);
    }

    public NimbusTokenVerifier(TwingateConfig twingate, JwksOptions options) {
        this.keys = new SigningKeys(twingate.jwksUrl(), options, Clock.systemUTC());
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(GAT));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, keys));
        // Claims are checked by GatClaimsReader, whose messages name the rule that failed.
        processor.setJWTClaimsSetVerifier(null);
        this.claims = new GatClaimsReader(twingate);
    }

    @Override
    public GatClaims verify(String token) throws InvalidTokenException {
        JWTClaimsSet verified;
        try {
            verified = processor.process(token, null);
        } catch (ParseException e) {
            throw new InvalidTokenException("not a JWT");
        } catch (KeySourceException e) {
            throw new InvalidTokenException("signing keys unavailable: " + e.getMessage());
        } catch (BadJOSEException | JOSEException e) {
            throw new InvalidTokenException("rejected: " + e.getMessage());
        }
        return claims.read(verified, Instant.now());
    }

    /**
     * Starts fetching the key set so the first client need not wait for it, and returns at once: the
     * gateway listens whether or not the controller answers. The future completes when the fetch is over.
     */
    public CompletableFuture<Void> prefetch() {
        return keys.prefetch();
    }
}
