package com.twingate.gateway.server;

import com.twingate.gateway.config.TlsConfig;
import com.twingate.gateway.tls.PemKeyStores;
import com.twingate.gateway.tls.TlsProviders;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The gateway's server TLS (docs/client-protocol.md): TLS 1.3 only, the configured PEM pair and provider, for both outer and
 * inner TLS.
 */
public final class GatewayTls {

    private GatewayTls() {}

    public static SslContextFactory.Server serverContext(TlsConfig tls) throws IOException, GeneralSecurityException {
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setIncludeProtocols("TLSv1.3");
        // Clients reach the gateway by IP or by names the certificate may not list; the Twingate Client
        // authenticates with the token, not with SNI.
        factory.setSniRequired(false);
        factory.setRenegotiationAllowed(false);
        TlsProviders.use(factory, tls.provider());
        useKeyStore(factory, PemKeyStores.keyStore(tls.certificateFile(), tls.privateKeyFile()));
        return factory;
    }

    static void useKeyStore(SslContextFactory factory, KeyStore keyStore) {
        factory.setKeyStore(keyStore);
        factory.setKeyStorePassword(new String(PemKeyStores.password()));
        factory.setKeyManagerPassword(new String(PemKeyStores.password()));
    }
}
