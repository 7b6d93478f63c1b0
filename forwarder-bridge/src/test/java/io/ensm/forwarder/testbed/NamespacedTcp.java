package io.ensm.forwarder.testbed;

import io.ensm.forwarder.netlink.NetworkNamespace;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A small TCP exchange between two namespaces: the server socket is opened inside one, the client
 * inside the other (a socket keeps the namespace it was made in); the client sends random bytes,
 * the server answers with their SHA-256, and the client compares. Sizes above the MTU make the
 * exchange prove that full-size segments cross, not just small packets.
 */
public final class NamespacedTcp {
    private NamespacedTcp() {}

    /** Runs one exchange of {@code bytes} bytes; returns normally only when the digests match. */
    public static void roundTrip(String serverNs, String serverIp, String clientNs, int bytes) throws Exception {
        InetAddress ip = InetAddress.ofLiteral(serverIp);
        try (ServerSocket server = NetworkNamespace.call(serverNs, () -> new ServerSocket(0, 1, ip))) {
            server.setSoTimeout(15_000);
            CompletableFuture<byte[]> served = CompletableFuture.supplyAsync(() -> serveOnce(server));
            byte[] payload = new byte[bytes];
            ThreadLocalRandom.current().nextBytes(payload);
            byte[] answer;
            try (Socket client = NetworkNamespace.call(clientNs, () -> {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(ip, server.getLocalPort()), 10_000);
                return s;
            })) {
                client.setSoTimeout(15_000);
                DataOutputStream out = new DataOutputStream(client.getOutputStream());
                out.writeInt(bytes);
                out.write(payload);
                out.flush();
                answer = new DataInputStream(client.getInputStream()).readNBytes(32);
            }
            served.get(20, TimeUnit.SECONDS);
            byte[] expected = MessageDigest.getInstance("SHA-256").digest(payload);
            if (!MessageDigest.isEqual(expected, answer)) {
                throw new AssertionError("TCP exchange " + clientNs + " -> " + serverIp + " in " + serverNs + ": the server saw other bytes");
            }
        }
    }

    private static byte[] serveOnce(ServerSocket server) {
        try (Socket s = server.accept()) {
            s.setSoTimeout(15_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] data = in.readNBytes(in.readInt());
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(data);
            s.getOutputStream().write(digest);
            s.getOutputStream().flush();
            return digest;
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("TCP server in namespace: " + e.getMessage(), e);
        }
    }
}
