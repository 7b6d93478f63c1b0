package io.ensm.ctl;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.model.Payload;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Requests a connection as an NSM client does (networkservice.NetworkService/Request). */
@Command(name = "request", mixinStandardHelpOptions = true,
        description = {"Requests a connection to a network service (networkservice.NetworkService/Request).",
                "The client's path segment is 'ensmctl-<hostname>' with the connection id and expiry now+--expires.",
                "Mechanism SPEC is TYPE[:k=v[,k=v...]], e.g. VXLAN:src_ip=192.0.2.1,src_port=4789, VLAN or KERNEL; "
                        + "REMOTE class for VXLAN, VLAN, WIREGUARD, IPSEC, SRV6 and LOCAL for KERNEL, MEMIF, VFIO. "
                        + "Default: VXLAN:src_ip=127.0.0.1,src_port=4789."})
final class RequestCommand extends ClientCommand {

    @Option(names = "--service", required = true, paramLabel = "NAME", description = "Network service to connect to.")
    String service;

    @Option(names = "--endpoint", paramLabel = "NSE", description = "Ask for this network service endpoint.")
    String endpoint;

    @Option(names = "--mechanism", paramLabel = "SPEC", converter = MechanismSpec.class,
            description = "Mechanism preference, most preferred first (repeatable).")
    List<Mechanism> mechanisms = new ArrayList<>();

    @Option(names = "--label", paramLabel = "K=V", description = "Connection label (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--payload", paramLabel = "PAYLOAD", description = "Payload: ${COMPLETION-CANDIDATES}.")
    Payload payload;

    @Option(names = "--expires", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "Lifetime of the client's path segment; default ${DEFAULT-VALUE}.")
    Duration expires;

    @Option(names = "--id", paramLabel = "ID", description = "Connection id; default a new UUID.")
    String id;

    @Option(names = "--exclude", paramLabel = "PREFIX", converter = PrefixConverter.class,
            description = "IP prefix the endpoint must not allocate from (repeatable).")
    List<String> excluded = new ArrayList<>();

    @Option(names = "--save", paramLabel = "FILE", description = "Write the granted connection (JSON) to FILE.")
    Path save;

    @Override
    Duration tokenLifetime() {
        return expires;
    }

    @Override
    int call(ManagedChannel channel) {
        NetworkServiceRequest request = root().requests().request(new RequestFactory.Ask(
                id, service, endpoint, labels, payload == null ? null : payload.name(), expires, excluded, mechanisms));
        Connection granted = NetworkServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(root().timeout().toNanos(), TimeUnit.NANOSECONDS)
                .request(request);
        ConnectionOutput.show(this, granted, save);
        return Ensmctl.EXIT_OK;
    }
}
