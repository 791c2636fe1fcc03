package com.twingate.gateway.upstream;

import com.twingate.gateway.config.TlsProvider;
import com.twingate.gateway.config.UpstreamConfig;
import com.twingate.gateway.tls.PemKeyStores;
import com.twingate.gateway.tls.TlsProviders;
import java.io.IOException;
import java.security.GeneralSecurityException;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * TLS towards one API server (docs/upstream.md): trusts only its {@code caFile} (never the system roots), checks its
 * name, and presents a client certificate when the upstream authenticates the gateway that way.
 */
public final class UpstreamTls {

    private UpstreamTls() {}

    public static SslContextFactory.Client clientContext(UpstreamConfig upstream, TlsProvider provider)
            throws IOException, GeneralSecurityException {
        SslContextFactory.Client tls = new SslContextFactory.Client();
        TlsProviders.use(tls, provider);
        tls.setTrustStore(PemKeyStores.trustStore(upstream.caFile()));
        tls.setEndpointIdentificationAlgorithm("HTTPS");
        if (upstream.clientCertificateFile().isPresent() && upstream.clientKeyFile().isPresent()) {
            tls.setKeyStore(PemKeyStores.keyStore(upstream.clientCertificateFile().get(), upstream.clientKeyFile().get()));
            tls.setKeyStorePassword(new String(PemKeyStores.password()));
            tls.setKeyManagerPassword(new String(PemKeyStores.password()));
        }
        return tls;
    }
}
