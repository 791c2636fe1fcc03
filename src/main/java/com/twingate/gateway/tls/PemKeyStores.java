package com.twingate.gateway.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

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
            throw new PemException(privateKeyPem, "is not the private key of the certificate in " + certificateChainPem);
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

    /**
     * Every certificate in a PEM file, in order. A file that holds something else (a key, garbage, a
     * truncated block) is refused with a message that starts with the file and says what it found.
     */
    public static List<X509Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        List<X509Certificate> result = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (Object item : pemObjects(pem)) {
            if (item instanceof X509CertificateHolder holder) {
                try {
                    result.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new PemException(pem, "certificate " + (result.size() + 1) + " does not parse: " + e.getMessage());
                }
            } else {
                others.add(describe(item));
            }
        }
        if (result.isEmpty()) {
            throw new PemException(pem, others.isEmpty()
                    ? "holds no PEM certificate (no -----BEGIN CERTIFICATE----- block)"
                    : "holds no certificate, only " + String.join(", ", others));
        }
        return result;
    }

    public static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        List<String> others = new ArrayList<>();
        for (Object item : pemObjects(pem)) {
            switch (item) {
                case PEMKeyPair pair -> {
                    return converter.getKeyPair(pair).getPrivate();
                }
                case PrivateKeyInfo info -> {
                    return converter.getPrivateKey(info);
                }
                case PEMEncryptedKeyPair encrypted -> throw new PemException(pem, "holds an encrypted private key; give it unencrypted");
                case PKCS8EncryptedPrivateKeyInfo encrypted -> throw new PemException(pem, "holds an encrypted private key; give it unencrypted");
                default -> others.add(describe(item));
            }
        }
        throw new PemException(pem, others.isEmpty()
                ? "holds no unencrypted private key (no -----BEGIN ... PRIVATE KEY----- block)"
                : "holds no unencrypted private key, only " + String.join(", ", others));
    }

    /** The PEM blocks of a file, parsed; a block whose content is broken is refused naming the file. */
    private static List<Object> pemObjects(Path pem) throws IOException, PemException {
        List<Object> items = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(pem, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(reader)) {
            for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
                items.add(item);
            }
        } catch (PEMException | CharacterCodingException | RuntimeException broken) {
            throw new PemException(pem, "is not valid PEM: " + broken.getMessage());
        }
        return items;
    }

    private static String describe(Object item) {
        return switch (item) {
            case PEMKeyPair pair -> "a private key";
            case PrivateKeyInfo info -> "a private key";
            case PEMEncryptedKeyPair pair -> "an encrypted private key";
            case PKCS8EncryptedPrivateKeyInfo info -> "an encrypted private key";
            case X509CertificateHolder holder -> "a certificate";
            case SubjectPublicKeyInfo publicKey -> "a public key";
            default -> "a " + item.getClass().getSimpleName();
        };
    }

    /** A PEM file that does not hold what it should; the message names the file first. */
    public static final class PemException extends GeneralSecurityException {
        PemException(Path pem, String what) {
            super(pem + " " + what);
        }
    }

    private static boolean publicKeyMatches(X509Certificate certificate, PrivateKey key)
            throws GeneralSecurityException {
        if (!key.getAlgorithm().equals(certificate.getPublicKey().getAlgorithm())) {
            return false;
        }
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
