package io.ensm.openstack.keystone;

import java.util.Objects;

/** A Keystone project or domain, named either by id or by name (clouds.yaml allows both). */
public record Ref(String value, boolean isId) {
    public Ref {
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("is empty");
        }
    }

    public static Ref name(String name) {
        return new Ref(name, false);
    }

    public static Ref id(String id) {
        return new Ref(id, true);
    }

    @Override
    public String toString() {
        return (isId ? "id " : "") + value;
    }
}
