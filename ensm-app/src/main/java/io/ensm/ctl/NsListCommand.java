package io.ensm.ctl;

import io.ensm.api.registry.NetworkService;
import io.ensm.api.registry.NetworkServiceQuery;
import io.ensm.api.registry.NetworkServiceRegistryGrpc;
import io.ensm.api.registry.NetworkServiceResponse;
import io.grpc.ManagedChannel;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Lists (or watches) the registered network services through NetworkServiceRegistry/Find. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "Lists network services (registry.NetworkServiceRegistry/Find).")
final class NsListCommand extends ClientCommand {

    @Option(names = "--watch", description = "Keep streaming changes until interrupted; deletions are marked.")
    boolean watch;

    @Override
    int call(ManagedChannel channel) {
        NetworkServiceQuery query = NetworkServiceQuery.newBuilder()
                .setNetworkService(NetworkService.getDefaultInstance())
                .setWatch(watch)
                .build();
        var stub = NetworkServiceRegistryGrpc.newBlockingStub(channel);
        if (!watch) {
            stub = stub.withDeadlineAfter(root().timeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        Iterator<NetworkServiceResponse> responses = stub.find(query);
        Table table = new Table("NAME", "PAYLOAD", "MATCHES");
        if (watch && !json()) {
            out().println(Table.joined("EVENT", "NAME", "PAYLOAD", "MATCHES"));
            out().flush();
        }
        while (responses.hasNext()) {
            NetworkServiceResponse response = responses.next();
            NetworkService ns = response.getNetworkService();
            String[] row = {Text.orDash(ns.getName()), Text.orDash(ns.getPayload()), Integer.toString(ns.getMatchesCount())};
            if (json()) {
                out().println(Json.line(response));
                out().flush();
            } else if (watch) {
                out().println(Table.joined(response.getDeleted() ? "DELETED" : "UPDATED", Table.joined(row)));
                out().flush();
            } else {
                table.add(row);
            }
        }
        if (!json() && !watch) {
            table.print(out());
        }
        return Ensmctl.EXIT_OK;
    }
}
