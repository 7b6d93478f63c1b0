package io.ensm.forwarder.bridge;

import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.BackendException;
import io.ensm.forwarder.netlink.Link;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The attachment's side of one cross-connect: the port that the bridge joins to the VXLAN.
 * The wiring looks up the leg's links together with its own in one round trip and hands them over.
 */
sealed interface AttachmentLeg permits UntaggedLeg, NamespaceLeg, VlanLeg {

    /**
     * What verify found for this leg.
     *
     * @param exists whether any link ensm made for it is there
     * @param intact whether it is exactly as connect leaves it
     */
    record State(boolean exists, boolean intact) {}

    /** The leg for an attachment, or empty when it needs nothing local. */
    static Optional<AttachmentLeg> of(Attachment attachment, WiringContext ctx) {
        return switch (attachment) {
            case Attachment.Untagged u -> Optional.of(new UntaggedLeg(ctx, u.interfaceName()));
            case Attachment.Namespace n -> Optional.of(new NamespaceLeg(ctx, n.netns(), n.interfaceName()));
            case Attachment.Vlan v -> Optional.of(new VlanLeg(ctx, v.uplink(), v.vlanId()));
            case Attachment.DeviceVxlan d -> Optional.empty();
            case Attachment.FabricVlan f -> Optional.empty();
        };
    }

    /** Refuses an attachment that cannot be valid whatever the kernel holds (a bad interface name). */
    void validate() throws BackendException;

    /** Names of links in the forwarder's namespace this leg reads. */
    List<String> linkNames();

    /**
     * Names the leg holds outside the forwarder's namespace (e.g. the interface name inside an
     * attachment namespace): a connect waits while a closed connection's deletion still holds one.
     */
    default List<String> reservations() {
        return List.of();
    }

    /** Checks what can be known before anything is written: missing interfaces, names taken by others. */
    void precheck(Optional<Link> bridge, Map<String, Optional<Link>> seen) throws BackendException;

    /** Creates or repairs the leg as a port of {@code bridgeIndex}, recording changes for rollback. */
    void apply(int bridgeIndex, Transaction tx) throws BackendException;

    State verify(Optional<Link> bridge, Map<String, Optional<Link>> seen) throws BackendException;

    /**
     * Undoes what deleting links does not (an untagged interface leaves the bridge) and returns
     * the links of the forwarder's namespace that ensm made for this leg, to be deleted.
     */
    List<Link> release(Optional<Link> bridge, Map<String, Optional<Link>> seen) throws BackendException;

    /** E.g. "veth into network namespace 'x' as nsm0", for logs. */
    String describe();
}
