package com.twingate.gateway.token;

import com.nimbusds.jose.jwk.Curve;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** The {@code cpk} claim: standard base64 of a PEM {@code PUBLIC KEY} block holding an EC P-256 key (docs/token.md). */
final class ClientPublicKey {

    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";

    private ClientPublicKey() {}

    static ECPublicKey parse(String cpk) throws InvalidTokenException {
        String pem;
        try {
            pem = new String(Base64.getDecoder().decode(cpk), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("cpk is not standard base64");
        }
        int begin = pem.indexOf(BEGIN);
        int end = pem.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new InvalidTokenException("cpk does not hold a PEM PUBLIC KEY block");
        }
        String body = pem.substring(begin + BEGIN.length(), end).replaceAll("\\s", "");
        PublicKey key;
        try {
            key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new InvalidTokenException("cpk is not an EC public key");
        }
        if (!(key instanceof ECPublicKey ec) || !Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
            throw new InvalidTokenException("cpk is not an EC P-256 public key");
        }
        return ec;
    }
}
