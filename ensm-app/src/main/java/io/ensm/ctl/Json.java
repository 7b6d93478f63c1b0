package io.ensm.ctl;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/** Protobuf JSON with the proto field names, as ensmctl prints and saves it. */
public final class Json {

    private static final JsonFormat.Printer LINE = JsonFormat.printer()
            .preservingProtoFieldNames()
            .omittingInsignificantWhitespace();
    private static final JsonFormat.Printer PRETTY = JsonFormat.printer().preservingProtoFieldNames();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private Json() {
    }

    /** One message on a single line. */
    public static String line(MessageOrBuilder message) {
        try {
            return LINE.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
        }
    }

    /** One message, indented, for files. */
    public static String pretty(MessageOrBuilder message) {
        try {
            return PRETTY.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
        }
    }

    public static <B extends Message.Builder> B merge(String json, B builder) throws InvalidProtocolBufferException {
        PARSER.merge(json, builder);
        return builder;
    }
}
