package com.twingate.gateway.server;

import com.twingate.gateway.config.TlsConfig;
import com.twingate.gateway.lifecycle.RepeatingTask;
import com.twingate.gateway.tls.PemKeyStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the certificate pair and swaps it into the running TLS context for new handshakes (docs/client-protocol.md#outer-tls).
 * Compares file contents rather than modification times: Kubernetes swaps Secret volumes through a
 * symlink, and a rewrite within the same second keeps the same mtime. A pair that does not load (half
 * written, mismatched, broken) is logged once and the old pair stays in use; files that cannot be read
 * are logged when that starts and when it ends, not on every check.
 */
public final class CertificateReloader extends RepeatingTask {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

    private final TlsConfig tls;
    private final SslContextFactory.Server context;
    private byte[] loadedDigest;
    private byte[] lastSeenDigest;
    private boolean unreadable;

    public CertificateReloader(TlsConfig tls, SslContextFactory.Server context, Scheduler scheduler) {
        super(scheduler, tls.reloadInterval());
        this.tls = tls;
        this.context = context;
    }

    @Override
    protected void doStart() throws Exception {
        loadedDigest = digest();
        lastSeenDigest = loadedDigest;
        startRepeating();
    }

    @Override
    protected void runOnce() {
        try {
            byte[] current = digest();
            if (unreadable) {
                unreadable = false;
                LOG.info("can read {} and {} again", tls.certificateFile(), tls.privateKeyFile());
            }
            if (Arrays.equals(current, lastSeenDigest)) {
                return;
            }
            lastSeenDigest = current;
            if (Arrays.equals(current, loadedDigest)) {
                return;
            }
            reload(current);
        } catch (IOException e) {
            if (!unreadable) {
                unreadable = true;
                LOG.warn("cannot read {} or {}; keeping the current certificate until they can be read: {}",
                        tls.certificateFile(), tls.privateKeyFile(), e.toString());
            }
        }
    }

    private void reload(byte[] digest) {
        KeyStore keyStore;
        try {
            keyStore = PemKeyStores.keyStore(tls.certificateFile(), tls.privateKeyFile());
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.error("the changed certificate pair {} / {} does not load; keeping the current certificate: {}",
                    tls.certificateFile(), tls.privateKeyFile(), e.getMessage());
            return;
        }
        try {
            context.reload(factory -> GatewayTls.useKeyStore(factory, keyStore));
            loadedDigest = digest;
            LOG.info("reloaded the gateway certificate from {}", tls.certificateFile());
        } catch (Exception e) {
            LOG.error("swapping in the changed certificate failed; keeping the current certificate", e);
        }
    }

    private byte[] digest() throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(read(tls.certificateFile()));
            sha.update((byte) 0);
            sha.update(read(tls.privateKeyFile()));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static byte[] read(Path file) throws IOException {
        return Files.readAllBytes(file);
    }
}
