package io.ensm.core.replica;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Optional;

/**
 * Which live replica should hold an endpoint: the one with the highest hash of (replica,
 * endpoint), as in rendezvous (highest random weight) hashing. Every replica computes the same
 * answer from the same member list, and when a replica joins or leaves only the endpoints it
 * gains or held move; the others stay where they are.
 */
public final class Rendezvous {
    private Rendezvous() {}

    /** The replica that should hold {@code endpoint} among {@code replicas}; empty when there are none. */
    public static Optional<String> choose(String endpoint, Collection<String> replicas) {
        String best = null;
        long bestWeight = 0;
        for (String r : replicas) {
            long w = weight(r, endpoint);
            // Ties (a 64-bit collision) go to the smaller name, so every replica still agrees.
            if (best == null || Long.compareUnsigned(w, bestWeight) > 0 || w == bestWeight && r.compareTo(best) < 0) {
                best = r;
                bestWeight = w;
            }
        }
        return Optional.ofNullable(best);
    }

    /** A stable 64-bit weight: the first 8 bytes of SHA-256 over both names (the same on every JVM). */
    static long weight(String replica, String endpoint) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(replica.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            byte[] d = sha.digest(endpoint.getBytes(StandardCharsets.UTF_8));
            long w = 0;
            for (int i = 0; i < 8; i++) {
                w = (w << 8) | (d[i] & 0xFF);
            }
            return w;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
