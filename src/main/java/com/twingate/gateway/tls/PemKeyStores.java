package com.twingate.gateway.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Turns PEM files into the {@link KeyStore}s Jetty's TLS wants. Accepts every private-key form the
 * usual tools write: PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) and SEC1
 * ({@code EC PRIVATE KEY}), so a kind or minikube kubeconfig's client key works as it is.
 */
public final class PemKeyStores {

    /** The alias of the single entry in stores built here. */
    public static final String ALIAS = "gateway";
    private static final char[] NO_PASSWORD = new char[0];

    private PemKeyStores() {}

    /** A key store holding the certificate chain and its private key, which must belong together. */
    public static KeyStore keyStore(Path certificateChainPem, Path privateKeyPem)
            throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = certificates(certificateChainPem);
        PrivateKey key = privateKey(privateKeyPem);
        if (!publicKeyMatches(chain.getFirst(), key)) {
            throw new GeneralSecurityException(privateKeyPem + " is not the private key of the certificate in "
                    + certificateChainPem);
        }
        KeyStore store = emptyStore();
        store.setKeyEntry(ALIAS, key, NO_PASSWORD, chain.toArray(Certificate[]::new));
        return store;
    }

    /** A trust store holding every certificate in the file. */
    public static KeyStore trustStore(Path caPem) throws IOException, GeneralSecurityException {
        KeyStore store = emptyStore();
        List<X509Certificate> cas = certificates(caPem);
        for (int i = 0; i < cas.size(); i++) {
            store.setCertificateEntry("ca-" + i, cas.get(i));
        }
        return store;
    }

    /** The password of key stores built here (they are in memory only). */
    public static char[] password() {
        return NO_PASSWORD.clone();
    }

    public static List<X509Certificate> certificates(Path pem) throws IOException, CertificateException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> result = new ArrayList<>();
        try (var in = Files.newInputStream(pem)) {
            for (Certificate c : factory.generateCertificates(in)) {
                result.add((X509Certificate) c);
            }
        }
        if (result.isEmpty()) {
            throw new CertificateException("no certificate in " + pem);
        }
        return result;
    }

    public static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        try (Reader reader = Files.newBufferedReader(pem); PEMParser parser = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
                if (item instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
                if (item instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
        }
        throw new GeneralSecurityException("no unencrypted private key in " + pem);
    }

    private static boolean publicKeyMatches(X509Certificate certificate, PrivateKey key)
            throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new GeneralSecurityException("unsupported key algorithm " + key.getAlgorithm());
        };
        byte[] probe = "kubernetes-access-gateway key check".getBytes(StandardCharsets.US_ASCII);
        var signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        var verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(probe);
        return verifier.verify(signature);
    }

    private static KeyStore emptyStore() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }
}
