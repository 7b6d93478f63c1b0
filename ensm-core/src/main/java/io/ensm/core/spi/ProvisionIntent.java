package io.ensm.core.spi;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.VxlanPeer;

/**
 * Everything a backend needs to provision one connection. It carries the connection id so that
 * every object the backend writes can be marked with it (and found again by reconciliation).
 *
 * @param peer the caller's VXLAN end; null unless the plan tunnels
 */
public record ProvisionIntent(String connectionId, EndpointSpec endpoint, PlanKind plan,
                              Allocation allocation, VxlanPeer peer, int mtu) {}
