package io.ensm.core.testing;

import io.ensm.core.endpoint.provision.StepFailure;
import io.ensm.core.spi.BackendException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Looks for secrets in captured output (logs, error messages, health or metrics text). Each
 * secret has a label; a finding names the label and the line number, never the value, so the
 * failure report does not leak what it found. Register every form a secret may take: the value,
 * and for keys every base64 line of the PEM and the base64 of the raw bytes.
 *
 * <p>Backends add their own secrets (device passwords, OpenStack and TF credentials) with
 * {@link #secret} and run their failure paths inside an {@link OutputCapture}.
 */
public final class SecretScan {
    /** Shorter values match too much ordinary text to be meaningful. */
    private static final int MIN_LENGTH = 8;

    private final Map<String, String> secrets = new LinkedHashMap<>();

    public static SecretScan of() {
        return new SecretScan();
    }

    /** A secret value under a label used in findings. Values shorter than 8 characters are refused. */
    public SecretScan secret(String label, String value) {
        Objects.requireNonNull(value, label);
        if (value.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("secret '" + label + "' is shorter than " + MIN_LENGTH
                    + " characters: use a longer test value so that a match means a leak");
        }
        secrets.put(label + (secrets.containsKey(label) ? "#" + secrets.size() : ""), value);
        return this;
    }

    /**
     * A password or token as a program may pass it on: the value itself, URL-encoded (a query or
     * userinfo), and base64 at each of the three alignments it can take inside a longer base64
     * text (an HTTP Basic header, a serialized blob), so that a match anywhere means a leak.
     */
    public SecretScan password(String label, String value) {
        secret(label, value);
        String urlEncoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
        if (!urlEncoded.equals(value)) {
            secret(label + " (URL-encoded)", urlEncoded);
        }
        byte[] raw = value.getBytes(StandardCharsets.UTF_8);
        for (int shift = 0; shift < 3; shift++) {
            byte[] shifted = new byte[shift + raw.length];
            System.arraycopy(raw, 0, shifted, shift, raw.length);
            String b64 = Base64.getEncoder().encodeToString(shifted);
            // only the characters whose six bits all come from the value
            int from = (8 * shift + 5) / 6;
            int to = 8 * (shift + raw.length) / 6;
            secret(label + " (base64, offset " + shift + ")", b64.substring(from, to));
        }
        return this;
    }

    /**
     * A random test secret of 24 characters: letters and digits with a few characters that URL
     * encoding changes, so the encoded form differs from the value.
     */
    public static String randomSecret() {
        String letters = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 21; i++) {
            b.append(letters.charAt(random.nextInt(letters.length())));
        }
        b.insert(7, '+').insert(14, '/').insert(20, '%');
        return b.toString();
    }

    /** A private key: its raw encoding in base64 and every line of its PEM body. */
    public SecretScan privateKey(String label, java.security.PrivateKey key, List<String> pemLines) {
        secret(label + " (base64)", Base64.getEncoder().encodeToString(key.getEncoded()));
        for (int i = 0; i < pemLines.size(); i++) {
            if (pemLines.get(i).length() >= MIN_LENGTH) {
                secret(label + " (PEM line " + (i + 1) + ")", pemLines.get(i));
            }
        }
        return this;
    }

    /** A JWT: the whole token and its signature part (the payload alone is not secret). */
    public SecretScan token(String label, String token) {
        secret(label, token);
        String[] parts = token.split("\\.");
        if (parts.length == 3) {
            secret(label + " (signature)", parts[2]);
        }
        return this;
    }

    /** "label at line N" for every secret found in the text; empty when clean. */
    public List<String> findings(String text) {
        List<String> found = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (Map.Entry<String, String> s : secrets.entrySet()) {
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].contains(s.getValue())) {
                    found.add(s.getKey() + " at line " + (i + 1));
                }
            }
        }
        return found;
    }

    /** Fails naming what leaked and where, without printing the secret. */
    public void assertClean(String what, String text) {
        if (secrets.isEmpty()) {
            throw new AssertionError("no secrets registered: the scan of " + what + " would prove nothing");
        }
        List<String> f = findings(text);
        if (!f.isEmpty()) {
            throw new AssertionError(what + " contains secrets: " + f);
        }
    }

    public int size() {
        return secrets.size();
    }

    /** Every message and type of the exception and its causes, as a stack trace would show them. */
    public static String chain(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t).append('\n');
        }
        return b.toString();
    }

    /**
     * What a failed provisioning shows: the exception's chain (for logs) and the gRPC status ensm
     * answers the caller with, for the endpoint named {@code endpoint}.
     */
    public static List<String> shown(String endpoint, BackendException e) {
        return List.of(chain(e),
                new StepFailure("backend provision", e).toStatus("endpoint '" + endpoint + "'").getStatus().toString());
    }
}
