package com.twingate.gateway.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Which TLS implementation terminates the gateway's TLS and speaks it to the API servers ({@code tls.provider}). */
public enum TlsProvider {
    /** The JDK's own (SunJSSE): no native code. */
    JDK,
    /** Conscrypt: Google's provider over BoringSSL, native code shipped in the jar (Linux, macOS, Windows on x86-64). */
    CONSCRYPT;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<TlsProvider> of(String value) {
        return Arrays.stream(values()).filter(provider -> provider.key().equalsIgnoreCase(value)).findFirst();
    }
}
