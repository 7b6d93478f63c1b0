package io.ensm.tf.vncdouble;

import tools.jackson.databind.node.ObjectNode;

/**
 * What TF's API server does for one resource type beyond the generic CRUD (its
 * {@code pre_dbe_create}/{@code post_dbe_create} hooks): checks that may refuse the change, and
 * changes to other objects that follow it. A check throws {@link ApiError}; the follow-up runs only
 * once the change is stored, so a refused request changes nothing.
 */
interface TypeRules {
    TypeRules NONE = new TypeRules() {};

    /** Checks a new object (its fields may be completed) and returns what to do once it is stored. */
    default Runnable preCreate(ObjectStore store, ObjectStore.Obj created) {
        return () -> {};
    }

    /** Checks an update; {@code merged} is the object's fields after it. */
    default Runnable preUpdate(ObjectStore store, ObjectStore.Obj current, ObjectNode merged) {
        return () -> {};
    }
}
