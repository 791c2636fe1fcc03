package com.twingate.gateway.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import javax.net.ssl.SSLContext;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * A throw-away certificate authority for tests: issues certificates for 127.0.0.1/localhost and
 * writes them as the PEM files the gateway reads.
 */
public final class TestPki {

    /** Distinct serials, so a test can tell certificates apart (the builder's default is always 1). */
    private static final SecureRandom SERIALS = new SecureRandom();

    private final HeldCertificate ca;
    private final Path caFile;
    private final Path directory;

    private TestPki(HeldCertificate ca, Path caFile, Path directory) {
        this.ca = ca;
        this.caFile = caFile;
        this.directory = directory;
    }

    public static TestPki create(String name, Path directory) {
        HeldCertificate ca = new HeldCertificate.Builder()
                .certificateAuthority(0)
                .commonName(name + " test CA")
                .ecdsa256()
                .build();
        Path caFile = directory.resolve(name + "-ca.crt");
        write(caFile, ca.certificatePem());
        return new TestPki(ca, caFile, directory);
    }

    /** The CA certificate as a PEM file (what an upstream's {@code caFile} or a client's trust needs). */
    public Path caFile() {
        return caFile;
    }

    /** A leaf certificate for localhost, 127.0.0.1 and any extra names, signed by this CA. */
    public Issued issue(String name, String... extraNames) {
        return issue(name, false, extraNames);
    }

    /** The same, with an RSA-2048 key (what the chart generates) instead of ECDSA P-256. */
    public Issued issueRsa2048(String name) {
        return issue(name, true);
    }

    private Issued issue(String name, boolean rsa, String... extraNames) {
        HeldCertificate.Builder builder = new HeldCertificate.Builder()
                .commonName(name)
                .addSubjectAlternativeName("localhost")
                .addSubjectAlternativeName("127.0.0.1");
        builder = (rsa ? builder.rsa2048() : builder.ecdsa256())
                .serialNumber(SERIALS.nextLong(1, Long.MAX_VALUE))
                .signedBy(ca);
        for (String extra : extraNames) {
            builder.addSubjectAlternativeName(extra);
        }
        HeldCertificate leaf = builder.build();
        Path cert = directory.resolve(name + ".crt");
        Path key = directory.resolve(name + ".key");
        write(cert, leaf.certificatePem());
        write(key, leaf.privateKeyPkcs8Pem());
        return new Issued(leaf, cert, key);
    }

    /** A client-side TLS context that trusts only this CA. */
    public SSLContext trust() {
        return new HandshakeCertificates.Builder().addTrustedCertificate(ca.certificate()).build().sslContext();
    }

    public HeldCertificate ca() {
        return ca;
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A certificate, its key, and where both were written. */
    public record Issued(HeldCertificate held, Path certificateFile, Path privateKeyFile) {
        /** For a server (e.g. a TLS MockWebServer upstream) presenting this certificate. */
        public HandshakeCertificates serverCertificates() {
            return new HandshakeCertificates.Builder().heldCertificate(held).build();
        }
    }
}
