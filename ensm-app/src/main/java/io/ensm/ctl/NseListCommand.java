package io.ensm.ctl;

import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceEndpointQuery;
import io.ensm.api.registry.NetworkServiceEndpointRegistryGrpc;
import io.ensm.api.registry.NetworkServiceEndpointResponse;
import io.ensm.api.registry.NetworkServiceLabels;
import io.grpc.ManagedChannel;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Lists (or watches) the registered endpoints through NetworkServiceEndpointRegistry/Find. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"Lists network service endpoints (registry.NetworkServiceEndpointRegistry/Find).",
                "With --service and --label the registry matches the labels of that service; "
                        + "without --service the labels are matched against any service of the endpoint."})
final class NseListCommand extends ClientCommand {

    @Option(names = "--service", paramLabel = "NAME", description = "Only endpoints offering this network service.")
    String service;

    @Option(names = "--label", paramLabel = "K=V", description = "Only endpoints with this label (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--watch", description = "Keep streaming changes until interrupted; deletions are marked.")
    boolean watch;

    @Override
    int call(ManagedChannel channel) {
        NetworkServiceEndpoint.Builder template = NetworkServiceEndpoint.newBuilder();
        if (service != null) {
            template.addNetworkServiceNames(service);
            if (!labels.isEmpty()) {
                template.putNetworkServiceLabels(service, NetworkServiceLabels.newBuilder().putAllLabels(labels).build());
            }
        }
        NetworkServiceEndpointQuery query = NetworkServiceEndpointQuery.newBuilder()
                .setNetworkServiceEndpoint(template)
                .setWatch(watch)
                .build();
        var stub = NetworkServiceEndpointRegistryGrpc.newBlockingStub(channel);
        if (!watch) {
            stub = stub.withDeadlineAfter(root().timeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        Iterator<NetworkServiceEndpointResponse> responses = stub.find(query);
        Table table = new Table("NAME", "SERVICES", "URL", "EXPIRES", "LABELS");
        if (watch && !json()) {
            // a watch prints rows as they arrive, so its columns are not aligned
            out().println(Table.joined("EVENT", "NAME", "SERVICES", "URL", "EXPIRES", "LABELS"));
            out().flush();
        }
        while (responses.hasNext()) {
            NetworkServiceEndpointResponse response = responses.next();
            if (!matchesLabels(response.getNetworkServiceEndpoint())) {
                continue;
            }
            if (json()) {
                out().println(Json.line(response));
                out().flush();
            } else if (watch) {
                out().println(Table.joined(response.getDeleted() ? "DELETED" : "UPDATED",
                        Table.joined(row(response.getNetworkServiceEndpoint()))));
                out().flush();
            } else {
                table.add(row(response.getNetworkServiceEndpoint()));
            }
        }
        if (!json() && !watch) {
            table.print(out());
        }
        return Ensmctl.EXIT_OK;
    }

    private boolean matchesLabels(NetworkServiceEndpoint nse) {
        if (labels.isEmpty()) {
            return true;
        }
        return nse.getNetworkServiceLabelsMap().entrySet().stream()
                .filter(e -> service == null || service.equals(e.getKey()))
                .anyMatch(e -> e.getValue().getLabelsMap().entrySet().containsAll(labels.entrySet()));
    }

    private static String[] row(NetworkServiceEndpoint nse) {
        String services = nse.getNetworkServiceNamesList().isEmpty() ? "-" : String.join(",", nse.getNetworkServiceNamesList());
        return new String[] {Text.orDash(nse.getName()), services, Text.orDash(nse.getUrl()),
                Text.timestamp(nse.getExpirationTime()), labels(nse)};
    }

    /** Labels per service as {@code service:k=v,k=v}, services separated by ';'. */
    private static String labels(NetworkServiceEndpoint nse) {
        if (nse.getNetworkServiceLabelsMap().isEmpty()) {
            return "-";
        }
        return new TreeMap<>(nse.getNetworkServiceLabelsMap()).entrySet().stream()
                .map(e -> e.getKey() + ":" + Text.pairs(e.getValue().getLabelsMap()))
                .collect(Collectors.joining(";"));
    }
}
