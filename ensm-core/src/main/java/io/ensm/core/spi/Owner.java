package io.ensm.core.spi;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who owns what ensm writes on a box, a VIM or a host: the name every marker carries, so that two
 * ensm instances sharing a box port, a Neutron project, a TF network or a host never take each
 * other's objects for orphans. It is the cluster's name ({@code ensm.cluster}, by default
 * {@code ensm.name}): all replicas of one cluster share it and so recognise each other's work.
 *
 * <p>The name is safe in every marker: letters, digits, '-', '_' and '.', at most 63, starting and
 * ending with a letter or digit (no ':', ',', '=' or '@', which the markers use as separators).
 */
public record Owner(String name) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    public Owner {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("owner name '" + name + "' must be 1-63 letters, digits, '-', '_' or '.',"
                    + " starting and ending with a letter or digit");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
