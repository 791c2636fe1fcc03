package com.twingate.gateway.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mints Gateway Access Tokens as the controller would, valid by default, and in every broken shape
 * the gateway must refuse.
 */
public final class GatBuilder {

    private enum Signing { CONTROLLER, UNKNOWN_KEY, NONE, HS256_WITH_PUBLIC_KEY }

    private final ECKey signingKey;
    private final Map<String, Object> claims = new LinkedHashMap<>();
    private String typ = "GAT";
    private String kid;
    private Signing signing = Signing.CONTROLLER;

    GatBuilder(ECKey signingKey, String issuer, String network, KeyPair clientKey) {
        this.signingKey = signingKey;
        this.kid = signingKey.getKeyID();
        Instant now = Instant.now();
        claims.put("iss", issuer);
        claims.put("aud", List.of(network));
        claims.put("exp", Date.from(now.plusSeconds(3600)));
        claims.put("iat", Date.from(now));
        claims.put("nbf", Date.from(now));
        claims.put("rnw", Date.from(now.plusSeconds(1800)));
        claims.put("ver", "1");
        claims.put("cpk", ClientKeys.cpkOf(clientKey.getPublic()));
        user("user-1", "alice@example.com", "developers");
        claims.put("device", Map.of("id", "device-1"));
        resourceAddress("127.0.0.1");
    }

    public GatBuilder user(String id, String username, String... groups) {
        claims.put("user", Map.of("id", id, "username", username, "groups", List.of(groups)));
        return this;
    }

    public GatBuilder resourceAddress(String address) {
        claims.put("resource", Map.of("id", "resource-1", "address", address));
        return this;
    }

    public GatBuilder expiresAt(Instant expiry) {
        claims.put("exp", Date.from(expiry));
        return this;
    }

    /** Any claim, any value (Instants become numeric dates). */
    public GatBuilder claim(String name, Object value) {
        claims.put(name, value instanceof Instant instant ? Date.from(instant) : value);
        return this;
    }

    public GatBuilder without(String claim) {
        claims.remove(claim);
        return this;
    }

    public GatBuilder typ(String type) {
        this.typ = type;
        return this;
    }

    public GatBuilder kid(String keyId) {
        this.kid = keyId;
        return this;
    }

    public GatBuilder signedByUnknownKey() {
        signing = Signing.UNKNOWN_KEY;
        return this;
    }

    public GatBuilder algNone() {
        signing = Signing.NONE;
        return this;
    }

    /** The classic key-confusion attack: HMAC keyed with the controller's public key. */
    public GatBuilder hs256WithPublicKey() {
        signing = Signing.HS256_WITH_PUBLIC_KEY;
        return this;
    }

    public String mint() {
        JWTClaimsSet.Builder set = new JWTClaimsSet.Builder();
        claims.forEach(set::claim);
        JWTClaimsSet claimsSet = set.build();
        try {
            return switch (signing) {
                case CONTROLLER -> sign(claimsSet, signingKey, kid);
                case UNKNOWN_KEY -> sign(claimsSet, ControllerStandIn.newSigningKey("unknown-" + kid), "unknown-" + kid);
                case NONE -> new PlainJWT(new PlainHeader.Builder().type(new JOSEObjectType(typ)).build(), claimsSet).serialize();
                case HS256_WITH_PUBLIC_KEY -> {
                    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256)
                            .type(new JOSEObjectType(typ)).keyID(kid).build(), claimsSet);
                    jwt.sign(new MACSigner(signingKey.toECPublicKey().getEncoded()));
                    yield jwt.serialize();
                }
            };
        } catch (JOSEException e) {
            throw new IllegalStateException("minting a test token failed", e);
        }
    }

    private String sign(JWTClaimsSet claimsSet, ECKey key, String keyId) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256)
                .type(new JOSEObjectType(typ)).keyID(keyId).build(), claimsSet);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }
}
