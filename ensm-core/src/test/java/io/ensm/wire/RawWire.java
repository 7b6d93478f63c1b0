package io.ensm.wire;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Calls any gRPC method with raw bytes, so tests can talk to ensm the way a foreign NSM peer would: full
 * method names and payload bytes come from the wire facts alone, not from generated stubs.
 */
public final class RawWire {
    public static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private RawWire() {}

    /** @param fullMethodName e.g. {@code "registry.NetworkServiceEndpointRegistry/Register"} */
    public static MethodDescriptor<byte[], byte[]> method(String fullMethodName, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setFullMethodName(fullMethodName)
                .setType(type)
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
    }

    public static byte[] unary(Channel channel, String fullMethodName, byte[] request) {
        return ClientCalls.blockingUnaryCall(channel, method(fullMethodName, MethodDescriptor.MethodType.UNARY),
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
    }

    /** Reads a server stream to its end (for calls that complete, such as Find without watch). */
    public static List<byte[]> serverStreamToEnd(Channel channel, String fullMethodName, byte[] request) {
        Iterator<byte[]> it = ClientCalls.blockingServerStreamingCall(channel,
                method(fullMethodName, MethodDescriptor.MethodType.SERVER_STREAMING),
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
        List<byte[]> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /** Starts a server stream that stays open (watch, monitor); cancel the returned call to end it. */
    public static ClientCall<byte[], byte[]> serverStream(
            Channel channel, String fullMethodName, byte[] request, StreamObserver<byte[]> responses) {
        ClientCall<byte[], byte[]> call = channel.newCall(
                method(fullMethodName, MethodDescriptor.MethodType.SERVER_STREAMING), CallOptions.DEFAULT);
        ClientCalls.asyncServerStreamingCall(call, request, responses);
        return call;
    }
}
