package io.ensm.store.etcd.client;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Key and trust managers over PEM files that read the files again when one of them has changed
 * (size, modification time or inode), checked at each TLS handshake: a rotated client certificate
 * or CA bundle serves the next connection to a member without a restart. A rotation caught half
 * written, or a file that no longer passes the checks of {@link EtcdTls}, leaves the material
 * read last in use and logs one WARN per change.
 */
final class ReloadingTls {
    private static final Logger log = LoggerFactory.getLogger(ReloadingTls.class);

    private ReloadingTls() {}

    /** What was read from files, and how the files looked when it was. */
    private static final class Loaded<T> {
        private final List<Path> files;
        private final Supplier<T> read;
        private volatile Object stamp;
        private volatile T value;
        private volatile Object failedStamp;

        Loaded(List<Path> files, Supplier<T> read) {
            this.files = files;
            this.read = read;
            this.stamp = stamp(files);
            this.value = read.get(); // a bad file fails the start here
        }

        T current() {
            Object now = stamp(files);
            if (now.equals(stamp) || now.equals(failedStamp)) {
                return value;
            }
            synchronized (this) {
                if (!now.equals(stamp)) {
                    try {
                        value = read.get();
                        stamp = now;
                        failedStamp = null;
                        log.info("event=etcd-tls-reloaded files={}", files);
                    } catch (RuntimeException e) {
                        failedStamp = now;
                        // EtcdTls's messages name the file and the problem, never the contents.
                        log.warn("event=etcd-tls-reload-failed files={} problem=\"{}\" detail=\"the files read before stay in use\"", files,
                                e.getMessage());
                    }
                }
                return value;
            }
        }

        private static Object stamp(List<Path> files) {
            List<Object> out = new ArrayList<>();
            for (Path f : files) {
                try {
                    BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                    out.add(List.of(a.size(), a.lastModifiedTime().toMillis(), String.valueOf(a.fileKey())));
                } catch (IOException e) {
                    out.add("unreadable");
                }
            }
            return out;
        }
    }

    record KeyMaterial(PrivateKey key, X509Certificate[] chain) {}

    /** Presents the client certificate of the files as they are at the handshake. */
    static final class KeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "etcd-client";
        private final Loaded<KeyMaterial> material;

        KeyManager(Path certFile, Path keyFile, Supplier<KeyMaterial> read) {
            this.material = new Loaded<>(List.of(certFile, keyFile), read);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? material.current().chain().clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? material.current().key() : null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }

    /** Trusts the CAs of the file as it is at the handshake; the host name check is the JDK's, as the TLS engine asks for it. */
    static final class TrustManager extends X509ExtendedTrustManager {
        private final Loaded<X509ExtendedTrustManager> delegate;

        TrustManager(Path caFile, Supplier<X509Certificate[]> read) {
            this.delegate = new Loaded<>(List.of(caFile), () -> trusting(read.get()));
        }

        private static X509ExtendedTrustManager trusting(X509Certificate[] cas) {
            try {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                for (int i = 0; i < cas.length; i++) {
                    store.setCertificateEntry("ca-" + i, cas[i]);
                }
                TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                f.init(store);
                for (javax.net.ssl.TrustManager tm : f.getTrustManagers()) {
                    if (tm instanceof X509ExtendedTrustManager x) {
                        return x;
                    }
                }
                throw new IllegalStateException("the JDK offers no X.509 trust manager");
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot build a trust store: " + e.getMessage(), e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            delegate.current().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            delegate.current().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.current().checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            delegate.current().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            delegate.current().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.current().checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.current().getAcceptedIssuers();
        }
    }
}
