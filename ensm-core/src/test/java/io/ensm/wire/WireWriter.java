package io.ensm.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Hand-encodes one protobuf message field by field. Field numbers are passed in by the caller, so bytes built
 * here depend only on the wire facts, never on the project's generated classes.
 */
public final class WireWriter {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    public static WireWriter message() {
        return new WireWriter();
    }

    public WireWriter string(int field, String value) {
        return io(() -> out.writeString(field, value));
    }

    public WireWriter bool(int field, boolean value) {
        return io(() -> out.writeBool(field, value));
    }

    /** uint32 and enum values are both plain varints on the wire. */
    public WireWriter uint32(int field, int value) {
        return io(() -> out.writeUInt32(field, value));
    }

    public WireWriter int32(int field, int value) {
        return io(() -> out.writeInt32(field, value));
    }

    public WireWriter int64(int field, long value) {
        return io(() -> out.writeInt64(field, value));
    }

    public WireWriter enumValue(int field, int value) {
        return io(() -> out.writeEnum(field, value));
    }

    public WireWriter message(int field, WireWriter nested) {
        return bytes(field, nested.toBytes());
    }

    public WireWriter bytes(int field, byte[] value) {
        return io(() -> out.writeByteArray(field, value));
    }

    /** A map field is a repeated message of {key=1, value=2}. */
    public WireWriter mapEntry(int field, String key, String value) {
        return message(field, message().string(1, key).string(2, value));
    }

    public WireWriter mapEntry(int field, String key, WireWriter value) {
        return message(field, message().string(1, key).message(2, value));
    }

    public WireWriter map(int field, Map<String, String> entries) {
        entries.forEach((k, v) -> mapEntry(field, k, v));
        return this;
    }

    /** google.protobuf.Timestamp: seconds=1, nanos=2. */
    public static WireWriter timestamp(long seconds, int nanos) {
        return message().int64(1, seconds).int32(2, nanos);
    }

    public byte[] toBytes() {
        io(out::flush);
        return bytes.toByteArray();
    }

    public ByteString toByteString() {
        return ByteString.copyFrom(toBytes());
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private WireWriter io(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
