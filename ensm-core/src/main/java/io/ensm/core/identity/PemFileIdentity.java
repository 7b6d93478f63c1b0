package io.ensm.core.identity;

import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.exception.BundleNotFoundException;
import io.spiffe.exception.X509BundleException;
import io.spiffe.exception.X509SvidException;
import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.svid.x509svid.X509SvidValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An identity read from PEM files: the SVID certificate chain (leaf first), its PKCS#8 private key,
 * and the trust bundle of its trust domain, as spiffe-helper or cert-manager write them. The files
 * are read again every {@code reloadInterval}; when their content changed and loads cleanly, the
 * new SVID replaces the old one. A half-written or broken set keeps the old SVID and is reported
 * once per distinct content, without key material.
 */
public final class PemFileIdentity extends RotatingIdentity {
    private static final Logger log = LoggerFactory.getLogger(PemFileIdentity.class);

    private final Path svidFile;
    private final Path keyFile;
    private final Path bundleFile;
    private final ScheduledExecutorService reloader;
    private byte[] loadedDigest = new byte[0];
    private byte[] rejectedDigest = new byte[0];

    private PemFileIdentity(Path svidFile, Path keyFile, Path bundleFile, Duration reloadInterval) {
        this.svidFile = svidFile;
        this.keyFile = keyFile;
        this.bundleFile = bundleFile;
        Contents files = read();
        install(files);
        loadedDigest = files.digest();
        if (reloadInterval == null || reloadInterval.isZero()) {
            reloader = null;
        } else {
            reloader = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("ensm-svid-reload").daemon().factory());
            long every = Math.max(1, reloadInterval.toMillis());
            reloader.scheduleWithFixedDelay(this::reloadQuietly, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Loads the three files now and re-reads them every {@code reloadInterval} (zero: never).
     *
     * @throws IdentityException naming the file and what is wrong with it
     */
    public static PemFileIdentity load(Path svidFile, Path keyFile, Path bundleFile, Duration reloadInterval) {
        return new PemFileIdentity(svidFile, keyFile, bundleFile, reloadInterval);
    }

    @Override
    public String describe() {
        return "pem-files svid=" + svidFile + " key=" + keyFile + " bundle=" + bundleFile;
    }

    /** Reads the files and installs them if their content changed. Returns true when a new SVID was installed. */
    public synchronized boolean reload() {
        Contents files = read();
        if (Arrays.equals(files.digest(), loadedDigest)) {
            return false;
        }
        install(files);
        loadedDigest = files.digest();
        rejectedDigest = new byte[0];
        return true;
    }

    private void reloadQuietly() {
        Contents files;
        try {
            files = read();
        } catch (IdentityException e) {
            log.warn("event=svid-reload-failed source=\"{}\" reason=\"{}\" keeping=current", describe(), e.getMessage());
            return;
        }
        synchronized (this) {
            byte[] digest = files.digest();
            if (Arrays.equals(digest, loadedDigest) || Arrays.equals(digest, rejectedDigest)) {
                return;
            }
            try {
                install(files);
                loadedDigest = digest;
                rejectedDigest = new byte[0];
            } catch (IdentityException e) {
                // Writers replace the files one by one: the next pass usually sees a complete set.
                rejectedDigest = digest;
                log.warn("event=svid-reload-rejected source=\"{}\" reason=\"{}\" keeping=current", describe(), e.getMessage());
            }
        }
    }

    private record Contents(byte[] chain, byte[] key, byte[] bundle, byte[] digest) {}

    private Contents read() {
        byte[] chain = bytes(svidFile, "SVID certificate chain");
        byte[] key = bytes(keyFile, "SVID private key");
        byte[] bundle = bytes(bundleFile, "trust bundle");
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(chain);
            sha.update(key);
            sha.update(bundle);
            return new Contents(chain, key, bundle, sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private void install(Contents files) {
        X509Svid svid = parseSvid(files.chain(), files.key());
        X509Bundle bundle;
        try {
            bundle = X509Bundle.parse(svid.getSpiffeId().getTrustDomain(), files.bundle());
        } catch (X509BundleException e) {
            throw new IdentityException("cannot read the trust bundle " + bundleFile + ": " + e.getMessage());
        }
        try {
            X509SvidValidator.verifyChain(svid.getChain(), bundle);
        } catch (CertificateException | BundleNotFoundException e) {
            throw new IdentityException("the SVID in " + svidFile + " (" + svid.getSpiffeId()
                    + ") does not verify against the trust bundle " + bundleFile + ": " + e.getMessage());
        }
        install(svid, bundle);
    }

    private X509Svid parseSvid(byte[] chain, byte[] key) {
        if (new String(key, StandardCharsets.US_ASCII).contains("BEGIN EC PRIVATE KEY")) {
            throw new IdentityException("the key in " + keyFile + " is in SEC1 form ('BEGIN EC PRIVATE KEY'); SPIFFE needs "
                    + "PKCS#8 ('BEGIN PRIVATE KEY'): convert it with 'openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW'");
        }
        try {
            return X509Svid.parse(chain, key);
        } catch (X509SvidException | RuntimeException e) {
            throw new IdentityException("cannot load the SVID from " + svidFile + " and " + keyFile + ": " + e.getMessage());
        }
    }

    private static byte[] bytes(Path file, String what) {
        try {
            return java.nio.file.Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IdentityException("the " + what + " file " + file + " does not exist");
        } catch (IOException e) {
            throw new IdentityException("cannot read the " + what + " file " + file + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (reloader != null) {
            reloader.shutdownNow();
        }
    }
}
