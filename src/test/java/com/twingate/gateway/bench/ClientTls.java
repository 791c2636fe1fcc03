package com.twingate.gateway.bench;

import com.twingate.gateway.testkit.TestPki;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.tls.HandshakeCertificates;

/**
 * The client's TLS, one context per connection: each kubectl command is a new process with no TLS
 * session to resume, so every handshake the benchmark makes is a full one, on every path alike.
 * (A shared context would resume TLS 1.3 sessions and skip the certificate work.)
 */
final class ClientTls {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509TrustManager trust;

    ClientTls(TestPki pki) {
        this.trust = new HandshakeCertificates.Builder().addTrustedCertificate(pki.ca().certificate()).build().trustManager();
    }

    /** A new context trusting only the PKI's CA, with an empty session cache. */
    SSLContext fresh() {
        try {
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(null, new TrustManager[] {trust}, RANDOM);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK 25 has TLS 1.3", e);
        }
    }
}
