package com.twingate.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import javax.net.ssl.KeyManagerFactory;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemKeyStoresTest {

    @TempDir
    Path dir;

    @Test
    void loadsAnEcPairInPkcs8AndServesItThroughAKeyManager() throws Exception {
        HeldCertificate held = new HeldCertificate.Builder().commonName("ec").ecdsa256().build();
        KeyStore store = PemKeyStores.keyStore(write("ec.crt", held.certificatePem()), write("ec.key", held.privateKeyPkcs8Pem()));

        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, PemKeyStores.password());
        assertThat(kmf.getKeyManagers()).isNotEmpty();
        assertThat(store.getKey(PemKeyStores.ALIAS, PemKeyStores.password())).isInstanceOf(PrivateKey.class);
    }

    @Test
    void loadsAnRsaKeyInPkcs1AsKubeconfigsCarryIt() throws Exception {
        HeldCertificate held = new HeldCertificate.Builder().commonName("rsa").rsa2048().build();
        KeyStore store = PemKeyStores.keyStore(write("rsa.crt", held.certificatePem()), write("rsa.key", held.privateKeyPkcs1Pem()));

        assertThat(store.getCertificateChain(PemKeyStores.ALIAS)).hasSize(1);
    }

    @Test
    void refusesAKeyThatIsNotTheCertificates() throws Exception {
        HeldCertificate one = new HeldCertificate.Builder().commonName("one").ecdsa256().build();
        HeldCertificate other = new HeldCertificate.Builder().commonName("other").ecdsa256().build();
        Path cert = write("one.crt", one.certificatePem());
        Path key = write("other.key", other.privateKeyPkcs8Pem());

        assertThatThrownBy(() -> PemKeyStores.keyStore(cert, key))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("other.key").hasMessageContaining("one.crt");
    }

    @Test
    void refusesFilesWithoutPemContent() throws Exception {
        Path empty = write("empty.pem", "not a certificate\n");
        assertThatThrownBy(() -> PemKeyStores.trustStore(empty)).isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> PemKeyStores.privateKey(empty)).hasMessageContaining("no unencrypted private key");
    }

    @Test
    void trustStoreHoldsEveryCertificateOfABundle() throws Exception {
        HeldCertificate a = new HeldCertificate.Builder().certificateAuthority(0).commonName("a").build();
        HeldCertificate b = new HeldCertificate.Builder().certificateAuthority(0).commonName("b").build();
        KeyStore trust = PemKeyStores.trustStore(write("bundle.pem", a.certificatePem() + b.certificatePem()));
        assertThat(trust.size()).isEqualTo(2);
    }

    private Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }
}
