package io.ensm.core.authz;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A failed policy and why, in words an operator can act on. Reasons name segments, SPIFFE IDs and
 * times, never token contents.
 */
public record Refusal(Policy policy, String reason) {

    /** PERMISSION_DENIED naming the policy, as the caller sees it. */
    public StatusRuntimeException toStatus() {
        return Status.PERMISSION_DENIED
                .withDescription("authorization policy " + policy.policyName() + " failed: " + reason)
                .asRuntimeException();
    }
}
