package io.ensm.core.spi;

/**
 * One cluster-leg cross-connect: the VXLAN from the caller's forwarder (VNI and remote end)
 * bridged to the backend's attachment.
 */
public record CrossConnect(String connectionId, int vni, String remoteIp, int remotePort, Attachment attachment, int mtu) {}
