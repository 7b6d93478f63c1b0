package io.ensm.core.testing;

import io.ensm.core.alloc.Claims;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link Claims} several allocators in one test share, as replicas share a store's claim keys. */
public final class SharedClaims implements Claims {
    private final Map<Claim, String> holders = new HashMap<>();

    @Override
    public synchronized Set<Claim> claim(String connectionId, List<Claim> claims) {
        Set<Claim> refused = new LinkedHashSet<>();
        for (Claim c : claims) {
            String holder = holders.get(c);
            if (holder != null && !holder.equals(connectionId)) {
                refused.add(c);
            }
        }
        if (refused.isEmpty()) {
            claims.forEach(c -> holders.put(c, connectionId));
        }
        return refused;
    }

    @Override
    public synchronized void release(String connectionId, List<Claim> claims) {
        claims.forEach(c -> holders.remove(c, connectionId));
    }

    public synchronized Map<Claim, String> holders() {
        return Map.copyOf(holders);
    }
}
