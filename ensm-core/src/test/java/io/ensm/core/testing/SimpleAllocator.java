package io.ensm.core.testing;

import io.ensm.core.endpoint.allocate.Allocator;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.BackendCapabilities;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A deterministic {@link Allocator} for element tests: the n-th allocation (from 0) of a service
 * with an IPv4 CIDR gets base+2n+1 (endpoint) and base+2n+2 (client) as /32s, VLAN id
 * first-of-range+n when the backend or the plan needs one, and VNI 5000+n for VXLAN plans. It
 * keeps what is held by connection id; {@link #failNext} makes the next allocation throw.
 */
public final class SimpleAllocator implements Allocator {
    private final java.util.List<Allocation> released = new java.util.ArrayList<>();
    public static final int FIRST_VNI = 5000;

    private final AtomicInteger counter = new AtomicInteger();
    private final AtomicInteger allocations = new AtomicInteger();
    private final AtomicInteger releases = new AtomicInteger();
    private final AtomicInteger restores = new AtomicInteger();
    private final Map<String, Allocation> held = new HashMap<>();
    private Supplier<RuntimeException> failure;

    @Override
    public Allocation allocate(String connectionId, ServiceSpec service, BackendCapabilities capabilities, PlanKind plan,
                               List<String> excludedPrefixes) {
        allocations.incrementAndGet();
        synchronized (this) {
            if (failure != null) {
                RuntimeException e = failure.get();
                failure = null;
                throw e;
            }
        }
        int n = counter.getAndIncrement();
        List<String> endpoint = List.of();
        List<String> client = List.of();
        if (!service.cidrs().isEmpty()) {
            endpoint = List.of(nth(service.cidrs().getFirst(), 2 * n + 1));
            client = List.of(nth(service.cidrs().getFirst(), 2 * n + 2));
        }
        Allocation a = new Allocation(endpoint, client, "", 0, 0);
        if (capabilities.needsVlan() || plan == PlanKind.FABRIC_VLAN) {
            a = a.withVlan(capabilities.vlanPool(), capabilities.vlans().first() + n);
        }
        if (plan.mechanismType().equals("VXLAN")) {
            a = a.withVni(FIRST_VNI + n);
        }
        synchronized (this) {
            held.put(connectionId, a);
        }
        return a;
    }

    /** As {@link #allocate}, with the caller's VNI for a VXLAN plan. */
    @Override
    public Allocation allocate(String connectionId, ServiceSpec service, BackendCapabilities capabilities, PlanKind plan,
                               List<String> excludedPrefixes, int callerVni) {
        Allocation a = allocate(connectionId, service, capabilities, plan, excludedPrefixes);
        if (callerVni != 0 && a.vni() != 0) {
            a = a.withVni(callerVni);
            synchronized (this) {
                held.put(connectionId, a);
            }
        }
        return a;
    }

    @Override
    public synchronized void release(String connectionId, String service, Allocation allocation) {
        releases.incrementAndGet();
        released.add(allocation);
        held.remove(connectionId);
    }

    @Override
    public synchronized void restore(String connectionId, String service, Allocation allocation) {
        restores.incrementAndGet();
        held.put(connectionId, allocation);
    }

    /** The next allocation throws what the supplier makes (e.g. a RESOURCE_EXHAUSTED status). */
    public synchronized SimpleAllocator failNext(Supplier<RuntimeException> failure) {
        this.failure = failure;
        return this;
    }

    public synchronized Map<String, Allocation> held() {
        return Map.copyOf(held);
    }

    public int allocateCalls() {
        return allocations.get();
    }

    /** Every allocation passed to release, in order. */
    public synchronized java.util.List<Allocation> released() {
        return java.util.List.copyOf(released);
    }

    public int releaseCalls() {
        return releases.get();
    }

    public int restoreCalls() {
        return restores.get();
    }

    private static String nth(String cidr, int offset) {
        String base = cidr.substring(0, cidr.indexOf('/'));
        String[] o = base.split("\\.");
        long v = 0;
        for (String part : o) {
            v = (v << 8) | Integer.parseInt(part);
        }
        v += offset;
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255) + "/32";
    }
}
