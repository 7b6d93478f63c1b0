package io.ensm.store.etcd.client;

/** One write of a guarded transaction. */
public sealed interface Write {

    /** Writes the key, bound to the lease (0: none). */
    record Put(String key, byte[] value, long lease) implements Write {
        public Put {
            Keys.bytes(key);
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }
    }

    /** Deletes the key (nothing when it is absent). */
    record Delete(String key) implements Write {
        public Delete {
            Keys.bytes(key);
        }
    }
}
