package com.twingate.gateway.connect;

import com.twingate.gateway.config.TlsProvider;
import com.twingate.gateway.tls.TlsProviders;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * Binds a token to one TLS session (docs/client-protocol.md): the client signs the outer session's exported keying
 * material (RFC 8446 §7.5) with the private half of the token's {@code cpk}, so a token lifted from
 * one connection is useless on any other.
 */
public final class ProofOfPossession {

    static final String EXPORTER_LABEL = "EXPERIMENTAL_twingate_gat";
    static final int EXPORTER_LENGTH = 32;

    private ProofOfPossession() {}

    /** The keying material both ends derive from the outer TLS session, whichever provider runs it. */
    public static byte[] keyingMaterial(SSLEngine outerTls) throws SSLException {
        return TlsProviders.exportKeyingMaterial(outerTls, EXPORTER_LABEL, EXPORTER_LENGTH);
    }

    /**
     * @param signatureBase64 standard base64 of an ASN.1 DER ECDSA P-256 signature
     * @param provider        whose implementation verifies it
     * @return whether it is a valid signature of {@code keyingMaterial} by {@code clientKey}
     */
    public static boolean verify(String signatureBase64, byte[] keyingMaterial, ECPublicKey clientKey, TlsProvider provider) {
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(signatureBase64.trim());
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        try {
            // SHA256withECDSA hashes the keying material itself: feeding it a pre-hashed digest would
            // verify something the client never signed.
            Signature verifier = TlsProviders.signature("SHA256withECDSA", provider);
            verifier.initVerify(clientKey);
            verifier.update(keyingMaterial);
            return verifier.verify(signature);
        } catch (GeneralSecurityException malformed) {
            return false;
        }
    }
}
