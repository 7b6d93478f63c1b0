package io.ensm.tf.vncdouble;

/**
 * OpenSDN's API server refuses a virtual-port-group created with its physical interfaces: it
 * would have to allocate the group's aggregated-Ethernet id, which it does only when interfaces
 * are added later (ref-update), so create first, then add them.
 */
final class PortGroupRules implements TypeRules {

    @Override
    public Runnable preCreate(ObjectStore store, ObjectStore.Obj vpg) {
        if (!ObjectStore.refUuids(vpg.fields, "physical-interface").isEmpty()) {
            throw ApiError.badRequest("API Infra do not support allocating AE-ID when Physical Interface refs are sent in VPG create"
                    + " request. Workaround: Create VPG first, then add Physical Interface to VPG");
        }
        return () -> {};
    }
}
