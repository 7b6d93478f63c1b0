package io.ensm.tf.backend;

import io.ensm.tf.vnc.FqName;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Names and uuids of the objects of one connection, derived from the endpoint and connection id
 * alone. ensm sets the uuid when it creates an object (the API accepts a client-chosen uuid), so
 * it can read, repair or delete its objects directly by uuid without a name lookup first, even
 * after a crash.
 */
final class ObjectIds {
    /** What TF accepts in a name and is readable; anything else is replaced by a hash. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    static final String V4 = "v4";
    static final String V6 = "v6";

    private ObjectIds() {}

    static String interfaceUuid(String endpoint, String connectionId) {
        return uuid(endpoint, connectionId, "virtual-machine-interface");
    }

    /**
     * A segment's interface: one per owner, endpoint and segment. Unlike a connection id, a
     * segment's id ({@code segment.<service>}) is not unique across endpoints (two uplinks of one
     * ensm may serve the same segment) or ensm clusters, so both go into the uuid and the name.
     */
    static String segmentInterfaceUuid(String owner, String endpoint, String marker) {
        return uuid(owner + "/" + endpoint, marker, "virtual-machine-interface");
    }

    static FqName segmentInterfaceName(FqName project, String owner, String endpoint, String marker) {
        return project.child("ensm-" + token(owner + "." + endpoint + "." + marker));
    }

    static String instanceIpUuid(String endpoint, String connectionId, String family) {
        return uuid(endpoint, connectionId, "instance-ip/" + family);
    }

    /** Every instance-ip uuid this connection could have, whichever families it had. */
    static List<String> allInstanceIpUuids(String endpoint, String connectionId) {
        return List.of(instanceIpUuid(endpoint, connectionId, V4), instanceIpUuid(endpoint, connectionId, V6));
    }

    static FqName interfaceName(FqName project, String connectionId) {
        return project.child("ensm-" + token(connectionId));
    }

    /** Instance-ips hang off the config root: their fq_name is their name. */
    static FqName instanceIpName(String connectionId, String family) {
        return FqName.of("ensm-" + token(connectionId) + "-" + family);
    }

    private static String token(String connectionId) {
        return SAFE.matcher(connectionId).matches() ? connectionId
                : UUID.nameUUIDFromBytes(connectionId.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String uuid(String endpoint, String connectionId, String what) {
        String seed = "ensm/" + endpoint + "/" + connectionId + "/" + what;
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
