package io.ensm.core.spi;

/**
 * One cluster-leg cross-connect: the VXLAN from the caller's forwarder (VNI and remote end)
 * bridged to the backend's attachment.
 *
 * @param segment for a connection of a shared segment, the id the segment's shared links are
 *                marked with ({@link io.ensm.core.model.Segment#markerId}); the forwarder bridges
 *                all the segment's tunnels to one attachment. Null for a point-to-point connection.
 */
public record CrossConnect(String connectionId, int vni, String remoteIp, int remotePort, Attachment attachment, int mtu,
                           String segment) {

    /** A point-to-point connection's cross-connect. */
    public CrossConnect(String connectionId, int vni, String remoteIp, int remotePort, Attachment attachment, int mtu) {
        this(connectionId, vni, remoteIp, remotePort, attachment, mtu, null);
    }

    /** Whether the connection is one of a shared segment's. */
    public boolean isSegment() {
        return segment != null;
    }
}
