package io.ensm.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Generic decoding of one protobuf message: field number -> values in wire order. Varints become Long,
 * length-delimited fields stay raw ByteString (string, bytes or nested message: the caller knows which),
 * fixed32/fixed64 become Integer/Long.
 */
public final class WireFields {
    private final Map<Integer, List<Object>> fields;

    private WireFields(Map<Integer, List<Object>> fields) {
        this.fields = fields;
    }

    public static WireFields parse(byte[] data) {
        return parse(ByteString.copyFrom(data));
    }

    public static WireFields parse(ByteString data) {
        Map<Integer, List<Object>> fields = new LinkedHashMap<>();
        CodedInputStream in = data.newCodedInput();
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                int number = WireFormat.getTagFieldNumber(tag);
                Object value = switch (WireFormat.getTagWireType(tag)) {
                    case WireFormat.WIRETYPE_VARINT -> in.readInt64();
                    case WireFormat.WIRETYPE_LENGTH_DELIMITED -> in.readBytes();
                    case WireFormat.WIRETYPE_FIXED32 -> in.readFixed32();
                    case WireFormat.WIRETYPE_FIXED64 -> in.readFixed64();
                    default -> throw new IllegalArgumentException("unsupported wire type in tag " + tag);
                };
                fields.computeIfAbsent(number, k -> new ArrayList<>()).add(value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new WireFields(fields);
    }

    public Set<Integer> numbers() {
        return fields.keySet();
    }

    public boolean has(int field) {
        return fields.containsKey(field);
    }

    public List<Object> values(int field) {
        return fields.getOrDefault(field, List.of());
    }

    /** proto3 omits defaults, so an absent string reads as "". */
    public String string(int field) {
        List<String> all = strings(field);
        return all.isEmpty() ? "" : all.getLast();
    }

    public List<String> strings(int field) {
        return values(field).stream().map(v -> ((ByteString) v).toString(StandardCharsets.UTF_8)).toList();
    }

    public long varint(int field) {
        List<Object> all = values(field);
        return all.isEmpty() ? 0 : (Long) all.getLast();
    }

    public boolean bool(int field) {
        return varint(field) != 0;
    }

    public WireFields message(int field) {
        List<WireFields> all = messages(field);
        return all.isEmpty() ? parse(ByteString.EMPTY) : all.getLast();
    }

    public List<WireFields> messages(int field) {
        return values(field).stream().map(v -> parse((ByteString) v)).toList();
    }

    /** map<string,string>: entries are messages {key=1, value=2}. */
    public Map<String, String> stringMap(int field) {
        Map<String, String> out = new LinkedHashMap<>();
        messages(field).forEach(e -> out.put(e.string(1), e.string(2)));
        return out;
    }

    /** map<string,Message>: value (field 2) stays raw for the caller to decode. */
    public Map<String, WireFields> messageMap(int field) {
        Map<String, WireFields> out = new LinkedHashMap<>();
        messages(field).forEach(e -> out.put(e.string(1), e.message(2)));
        return out;
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
