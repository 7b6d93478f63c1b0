package io.ensm.store.etcd.client;

import com.google.protobuf.ByteString;

import java.nio.charset.StandardCharsets;

/** Keys on the wire: UTF-8 bytes, and the range end that makes a range or watch cover a prefix. */
final class Keys {
    private Keys() {}

    static ByteString bytes(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("an etcd key must not be empty");
        }
        return ByteString.copyFromUtf8(key);
    }

    /**
     * The smallest key greater than every key with this prefix: the prefix with its last byte
     * below 0xff incremented and the bytes after it dropped.
     */
    static ByteString prefixEnd(String prefix) {
        byte[] b = prefix.getBytes(StandardCharsets.UTF_8);
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] != (byte) 0xff) {
                byte[] end = java.util.Arrays.copyOf(b, i + 1);
                end[i]++;
                return ByteString.copyFrom(end);
            }
        }
        // Every byte 0xff (or empty prefix): "\0" means every key from the start key on.
        return ByteString.copyFrom(new byte[] {0});
    }
}
