package io.ensm.openstack.expose;

import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.BackendException.Kind;

import java.util.List;
import java.util.Optional;

/**
 * How ensm marks the Neutron ports it creates: a tag with the connection id (the marker
 * reconciliation looks for), a tag with the endpoint and a tag with the owner, the ensm cluster
 * that made the port (together the scope of an orphan sweep). The name and description carry
 * the id as well, for people and for the short window before the tags are set on a Neutron that
 * cannot tag in the create request.
 *
 * <p>Ports tagged before marks named their owner have no owner tag: they are found by their
 * connection tag for a connection ensm holds, and never swept, since another ensm with an
 * endpoint of the same name in the project may have made them.
 */
public record Marker(String endpoint, String owner) {
    public static final String CONNECTION = "ensm-connection=";
    public static final String ENDPOINT = "ensm-endpoint=";
    public static final String OWNER = "ensm-owner=";
    /** Neutron's limit on a tag's length. */
    static final int MAX_TAG = 255;

    public Marker {
        if (endpoint.contains(",") || (ENDPOINT + endpoint).length() > MAX_TAG) {
            throw new IllegalArgumentException("endpoint name '" + endpoint + "' cannot be a Neutron tag (no commas, at most "
                    + (MAX_TAG - ENDPOINT.length()) + " characters)");
        }
    }

    public String connectionTag(String connectionId) {
        return CONNECTION + connectionId;
    }

    public String endpointTag() {
        return ENDPOINT + endpoint;
    }

    public String ownerTag() {
        return OWNER + owner;
    }

    public List<String> tags(String connectionId) {
        return List.of(connectionTag(connectionId), endpointTag(), ownerTag());
    }

    public String name(String connectionId) {
        return "ensm-" + connectionId;
    }

    public String description(String connectionId) {
        return "ensm connection " + connectionId + " of endpoint " + endpoint;
    }

    /** The connection id a port's tags name, if it carries ensm's marker. */
    public static Optional<String> connectionOf(List<String> tags) {
        return tags.stream().filter(t -> t.startsWith(CONNECTION)).map(t -> t.substring(CONNECTION.length())).findFirst();
    }

    /** Connection ids ensm makes are UUIDs; anything that cannot be a tag (or a tag filter) is refused. */
    public static void check(String connectionId) throws BackendException {
        if (connectionId.isEmpty() || connectionId.contains(",") || (CONNECTION + connectionId).length() > MAX_TAG) {
            throw new BackendException(Kind.REJECTED, "connection id '" + connectionId
                    + "' cannot mark a Neutron port (empty, a comma, or longer than " + (MAX_TAG - CONNECTION.length()) + " characters)");
        }
    }
}
