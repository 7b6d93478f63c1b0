package io.ensm.ctl;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.MonitorConnectionGrpc;
import io.ensm.api.connection.MonitorScopeSelector;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Prints connection events (connection.MonitorConnection/MonitorConnections) until the stream ends. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Prints connection events (connection.MonitorConnection/MonitorConnections) until interrupted.",
                "Text: one line per connection: EVENT ID STATE SERVICE ENDPOINT.",
                "The initial state may come as several INITIAL_STATE_TRANSFER events; together they are every connection in scope."})
final class WatchCommand extends ClientCommand {

    @Option(names = "--service", paramLabel = "NAME", description = "Only connections of this network service (repeatable).")
    List<String> services = new ArrayList<>();

    @Override
    int call(ManagedChannel channel) {
        MonitorScopeSelector selector = MonitorScopeSelector.newBuilder().addAllNetworkServices(services).build();
        Iterator<ConnectionEvent> events = MonitorConnectionGrpc.newBlockingStub(channel).monitorConnections(selector);
        while (events.hasNext()) {
            ConnectionEvent event = events.next();
            if (json()) {
                out().println(Json.line(event));
            } else if (event.getConnectionsCount() == 0) {
                out().println(Table.joined(event.getType().name(), "-"));
            } else {
                for (Connection c : new TreeMap<>(event.getConnectionsMap()).values()) {
                    out().println(Table.joined(event.getType().name(), c.getId(), c.getState().name(),
                            Text.orDash(c.getNetworkService()), Text.orDash(c.getNetworkServiceEndpointName())));
                }
            }
            out().flush();
        }
        return Ensmctl.EXIT_OK;
    }
}
