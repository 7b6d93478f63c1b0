package io.ensm.core.fuzz;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.testing.Requests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the byte seeds of {@link RequestPathFuzzTest}: requests an NSC, a manager or an operator
 * really sends, and Closes of the close target's live connection. Run it with the test class path
 * and the inputs folder ({@code src/test/resources/io/ensm/core/fuzz/RequestPathFuzzTestInputs})
 * as argument; the files are committed, so this runs only when the seeds should change.
 */
public final class SeedCorpus {
    private SeedCorpus() {}

    public static void main(String[] args) throws IOException {
        java.nio.file.Path inputs = Paths.get(args[0]);
        write(inputs.resolve("requestBytes"), requests());
        write(inputs.resolve("closeBytes"), closes());
    }

    private static Map<String, byte[]> requests() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("nsc-vxlan", Requests.request().id("nsc-1").build().toByteArray());
        seeds.put("nsc-vlan-labels", Requests.request().id("nsc-2").mechanisms(Requests.vlan()).label("site", "lab")
                .excluded("172.16.0.0/30").build().toByteArray());
        seeds.put("nsc-named-endpoint-device-vxlan", Requests.request().id("nsc-3").endpoint("router-2")
                .mechanisms(Requests.vxlan("2001:db8::1", 4789)).build().toByteArray());
        seeds.put("routed-ip-payload", Requests.request().id("nsc-4").service("routed").payload("IP")
                .label("app", "db").mechanisms(Requests.vlan()).build().toByteArray());
        seeds.put("bare-no-addresses", Requests.request().id("nsc-5").service("bare").expires(null).build().toByteArray());
        seeds.put("refresh-with-own-segment", liveRequest("nsc-6", "own-6").toByteArray());
        seeds.put("unsupported-mechanisms", Requests.request().id("nsc-7")
                .mechanisms(Requests.mechanism("KERNEL"), Requests.mechanism("MEMIF")).build().toByteArray());
        // once logged as two lines; refusal messages are one printable line now
        seeds.put("service-name-with-newline", Requests.request().id("nsc-8").service("x\nevent=forged").build().toByteArray());
        return seeds;
    }

    private static Map<String, byte[]> closes() {
        Connection live = liveRequest("nsc-a", "own-a").getConnection();
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("close-as-nsc", live.toByteArray());
        seeds.put("close-by-own-id", Connection.newBuilder().setId("own-a").build().toByteArray());
        seeds.put("close-at-own-segment", live.toBuilder().setId("own-a")
                .setPath(live.getPath().toBuilder().setIndex(1)).build().toByteArray());
        seeds.put("close-unknown", Requests.request().id("nsc-z").connection().toByteArray());
        return seeds;
    }

    /** A request whose path already names ensm's segment, as a refresh carries it. */
    static NetworkServiceRequest liveRequest(String nscId, String ownId) {
        NetworkServiceRequest r = Requests.request().id(nscId).build();
        Path path = r.getConnection().getPath().toBuilder()
                .addPathSegments(PathSegment.newBuilder().setName(FuzzWorld.NAME).setId(ownId)).build();
        return r.toBuilder().setConnection(r.getConnection().toBuilder().setPath(path)).build();
    }

    private static void write(java.nio.file.Path dir, Map<String, byte[]> seeds) throws IOException {
        Files.createDirectories(dir);
        for (var e : seeds.entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
    }
}
