package com.twingate.gateway.tls;

import com.twingate.gateway.config.TlsProvider;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.util.Optional;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.conscrypt.Conscrypt;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The one place that knows what each {@code tls.provider} needs: how Jetty's TLS contexts use it, and
 * how a session's keying material is exported (the proof of possession signs it).
 */
public final class TlsProviders {

    private TlsProviders() {}

    /** Why {@code provider} cannot run on this machine, if it cannot (Conscrypt's native library did not load). */
    public static Optional<String> unavailable(TlsProvider provider) {
        if (provider == TlsProvider.JDK) {
            return Optional.empty();
        }
        try {
            if (Conscrypt.isAvailable()) {
                return Optional.empty();
            }
            Conscrypt.checkAvailability();
            return Optional.of("conscrypt is not available on " + platform());
        } catch (Throwable notLoaded) {
            return Optional.of("conscrypt's native library does not load on " + platform() + ": " + notLoaded.getMessage());
        }
    }

    /** Makes {@code factory} create its engines with {@code provider}. */
    public static void use(SslContextFactory factory, TlsProvider provider) {
        if (provider == TlsProvider.CONSCRYPT) {
            factory.setProvider(Registered.CONSCRYPT.getName());
            // With the JDK's default (PKIX) key manager Conscrypt's TLS 1.3 server finds no certificate; SunX509's it does.
            factory.setKeyManagerFactoryAlgorithm("SunX509");
        }
    }

    /** A signature algorithm of {@code provider}: Conscrypt's (BoringSSL) when it runs the TLS, else the JDK's. */
    public static Signature signature(String algorithm, TlsProvider provider) throws NoSuchAlgorithmException {
        return provider == TlsProvider.CONSCRYPT ? Signature.getInstance(algorithm, Registered.CONSCRYPT)
                : Signature.getInstance(algorithm);
    }

    /** RFC 8446 §7.5 keying material of the engine's session, without context (TLS 1.3 treats none and empty alike). */
    public static byte[] exportKeyingMaterial(SSLEngine engine, String label, int length) throws SSLException {
        if (Conscrypt.isConscrypt(engine)) {
            byte[] material = Conscrypt.exportKeyingMaterial(engine, label, null, length);
            if (material == null) {
                throw new SSLException("the TLS session has no keying material to export yet");
            }
            return material;
        }
        if (!(engine.getSession() instanceof ExtendedSSLSession session)) {
            throw new SSLException("TLS session cannot export keying material: " + engine.getSession().getClass().getName());
        }
        return session.exportKeyingMaterialData(label, null, length);
    }

    private static String platform() {
        return System.getProperty("os.name") + "/" + System.getProperty("os.arch");
    }

    /**
     * Conscrypt, registered once and last: only contexts that ask for it by name use it, never the
     * JDK's own lookups (signatures, key factories).
     */
    private static final class Registered {
        static final Provider CONSCRYPT = register();

        private static Provider register() {
            Provider provider = Conscrypt.newProvider();
            Security.addProvider(provider);
            return Security.getProvider(provider.getName());
        }
    }
}
