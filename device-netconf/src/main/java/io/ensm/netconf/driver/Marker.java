package io.ensm.netconf.driver;

import java.util.Optional;

/**
 * ensm's mark on what it writes: the description {@code ensm@<owner>:<connection-id>}, where the
 * owner is the name of the ensm cluster that wrote it. Reconciliation touches only marked
 * objects, and sweeps only those of its own owner, so configuration written by others, or by
 * another ensm on the same port, stays as it is. A shared segment's object carries the segment's
 * id ({@code segment.<service>}) in place of a connection id, and is treated like one: known while
 * the service has connections.
 *
 * <p>Marks written before they named an owner read {@code ensm:<connection-id>}: they are still
 * recognised (with an empty owner) for the connections ensm holds, and never swept. The new
 * prefix differs from the old one so that an ensm of the earlier kind does not read an owned mark
 * as a connection of its own and sweep it.
 */
public final class Marker {
    public static final String PREFIX = "ensm@";
    /** The prefix of marks that name no owner. */
    public static final String LEGACY_PREFIX = "ensm:";

    private Marker() {}

    /** The connection's mark; an empty owner writes the form without owner (only for state read from a box). */
    public static String description(String owner, String connectionId) {
        return owner.isEmpty() ? LEGACY_PREFIX + connectionId : PREFIX + owner + ":" + connectionId;
    }

    /** The mark a description carries, or empty when the description is not ensm's. */
    public static Optional<Mark> read(String description) {
        if (description == null) {
            return Optional.empty();
        }
        if (description.startsWith(PREFIX)) {
            int colon = description.indexOf(':', PREFIX.length());
            if (colon <= PREFIX.length() || colon == description.length() - 1) {
                return Optional.empty();
            }
            return Optional.of(new Mark(description.substring(PREFIX.length(), colon), description.substring(colon + 1)));
        }
        if (description.startsWith(LEGACY_PREFIX) && description.length() > LEGACY_PREFIX.length()) {
            return Optional.of(new Mark("", description.substring(LEGACY_PREFIX.length())));
        }
        return Optional.empty();
    }

    /** The connection id a description names, or empty when the description is not ensm's. */
    public static Optional<String> connectionId(String description) {
        return read(description).map(Mark::connectionId);
    }

    /**
     * @param owner        the owner the mark names; empty for a mark written before marks named one
     * @param connectionId the connection the object belongs to
     */
    public record Mark(String owner, String connectionId) {
        public boolean namesOwner() {
            return !owner.isEmpty();
        }
    }
}
