package io.ensm.core.model;

/** The caller's VXLAN end, as its forwarder announced it in the mechanism's src_ip/src_port. */
public record VxlanPeer(String ip, int port) {}
