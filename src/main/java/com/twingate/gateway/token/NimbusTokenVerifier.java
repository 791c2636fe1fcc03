package com.twingate.gateway.token;

import com.google.inject.Inject;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.twingate.gateway.config.TwingateConfig;
import java.net.MalformedURLException;
import java.text.ParseException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GAT verification with Nimbus JOSE+JWT [§3]: ES256 only, {@code typ} GAT, the key named by
 * {@code kid} from the controller's JWK Set — cached, refetched (rate-limited) for an unknown kid, and
 * kept through an outage of the controller. Then every claim rule, in {@link GatClaimsReader}.
 */
public final class NimbusTokenVerifier implements TokenVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(NimbusTokenVerifier.class);
    private static final JOSEObjectType GAT = new JOSEObjectType("GAT");
    private static final int MAX_JWKS_BYTES = 1024 * 1024;

    private final TwingateConfig twingate;
    private final JWKSource<SecurityContext> keys;
    private final ConfigurableJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final GatClaimsReader claims;

    @Inject
    public NimbusTokenVerifier(TwingateConfig twingate) {
        this(twingate, JwksOptions.DEFAULT);
    }

    public NimbusTokenVerifier(TwingateConfig twingate, JwksOptions options) {
        this.twingate = twingate;
        int timeoutMillis = Math.toIntExact(options.httpTimeout().toMillis());
        try {
            this.keys = JWKSourceBuilder.<SecurityContext>create(twingate.jwksUrl().toURL(),
                            new DefaultResourceRetriever(timeoutMillis, timeoutMillis, MAX_JWKS_BYTES))
                    .cache(options.cacheTtl().toMillis(), options.httpTimeout().toMillis())
                    .refreshAheadCache(false)
                    .rateLimited(options.minRefetchInterval().toMillis())
                    .retrying(false)
                    .outageTolerantForever()
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("twingate.jwksUrl is not a URL: " + twingate.jwksUrl(), e);
        }
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

    /** Fetches the key set once so the first client does not wait for it; a failure is only logged. */
    public void prefetch() {
        try {
            int count = keys.get(new JWKSelector(new JWKMatcher.Builder().build()), null).size();
            LOG.info("fetched {} signing keys from {}", count, twingate.jwksUrl());
        } catch (KeySourceException e) {
            LOG.warn("cannot fetch signing keys from {} yet; will retry on the first token: {}",
                    twingate.jwksUrl(), e.getMessage());
        }
    }
}
