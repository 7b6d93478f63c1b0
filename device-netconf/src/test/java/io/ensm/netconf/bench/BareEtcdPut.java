package io.ensm.netconf.bench;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.ensm.wire.RawWire;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One etcd commit with nothing of ensm around it: a Put of etcd's v3 KV service sent to the first
 * member (where ensm's etcd client sends its calls while that member answers), its request encoded
 * here by hand so that this module needs no etcd classes. {@link #deletePrefix} returns how many
 * keys it removed, which shows the puts were applied.
 */
final class BareEtcdPut implements AutoCloseable {
    private static final MethodDescriptor<byte[], byte[]> PUT = RawWire.method("etcdserverpb.KV/Put", MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<byte[], byte[]> DELETE_RANGE = RawWire.method("etcdserverpb.KV/DeleteRange", MethodDescriptor.MethodType.UNARY);

    private final ManagedChannel channel;

    /** {@code endpoints}: the cluster's client URLs, comma-separated (plain http). */
    BareEtcdPut(String endpoints) {
        URI first = URI.create(endpoints.split(",")[0].strip());
        channel = NettyChannelBuilder.forAddress(first.getHost(), first.getPort()).usePlaintext().build();
    }

    /** Puts the value under the key and returns how long the call took, in nanoseconds. */
    long put(String key, byte[] value) {
        byte[] request = message(out -> {
            out.writeByteArray(1, key.getBytes(StandardCharsets.UTF_8));
            out.writeByteArray(2, value);
        });
        long t0 = System.nanoTime();
        ClientCalls.blockingUnaryCall(channel, PUT, options(), request);
        return System.nanoTime() - t0;
    }

    /** Deletes every key under the prefix; returns how many there were. */
    long deletePrefix(String prefix) {
        byte[] from = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] end = from.clone();
        end[end.length - 1]++;
        byte[] reply = ClientCalls.blockingUnaryCall(channel, DELETE_RANGE, options(), message(out -> {
            out.writeByteArray(1, from);
            out.writeByteArray(2, end);
        }));
        try {
            CodedInputStream in = CodedInputStream.newInstance(reply);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag >>> 3 == 2) { // DeleteRangeResponse.deleted
                    return in.readInt64();
                }
                in.skipField(tag);
            }
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable DeleteRange reply", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Fields fields) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            fields.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
