package io.ensm.core.endpoint.negotiate;

import io.ensm.api.connection.Mechanism;
import io.ensm.core.chain.Failures;
import io.ensm.core.model.IpLiteral;
import io.ensm.core.model.VxlanPeer;

/** Reads the caller's VXLAN end from NSM's mechanism parameters ({@code src_ip}, {@code src_port}). */
public final class VxlanParameters {
    public static final String SRC_IP = "src_ip";
    public static final String SRC_PORT = "src_port";
    public static final String DST_IP = "dst_ip";
    public static final String DST_PORT = "dst_port";
    public static final String VNI = "vni";
    public static final String MTU = "MTU";

    private VxlanParameters() {}

    static VxlanPeer peerOf(Mechanism m) {
        String ip = m.getParametersOrDefault(SRC_IP, "");
        if (!IpLiteral.isValid(ip)) {
            throw Failures.invalid("mechanism VXLAN parameter src_ip '" + ip + "' is not an IP address");
        }
        String portText = m.getParametersOrDefault(SRC_PORT, "");
        int port = Negotiate.DEFAULT_VXLAN_PORT;
        if (!portText.isEmpty()) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw Failures.invalid("mechanism VXLAN parameter src_port '" + portText + "' is not a UDP port");
            }
        }
        return new VxlanPeer(ip, port);
    }
}
