package io.ensm.ctl;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.MonitorScopeSelector;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Lists the connections in scope, once, from the initial state of connection.MonitorConnection/MonitorConnections. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"Lists the connections ensm holds now (the initial state of connection.MonitorConnection/MonitorConnections).",
                "Text: one row per connection: ID STATE SERVICE ENDPOINT MECHANISM VLAN/VNI SRC DST EXPIRES;"
                        + " EXPIRES is the earliest expiry on the connection's path.",
                "Over mutual TLS, listing every connection needs a caller ID in ensm.tls.monitor-all-callers."})
final class ListCommand extends ClientCommand {

    @Option(names = "--service", paramLabel = "NAME", description = "Only connections of this network service (repeatable).")
    List<String> services = new ArrayList<>();

    @Option(names = "--settle", paramLabel = "DURATION", defaultValue = "500ms", converter = DurationConverter.class,
            description = "How long to wait for more initial-state events after one arrived (a large state comes in several). Default ${DEFAULT-VALUE}.")
    Duration settle;

    @Override
    int call(ManagedChannel channel) {
        MonitorScopeSelector selector = MonitorScopeSelector.newBuilder().addAllNetworkServices(services).build();
        var connections = MonitorSnapshot.take(channel, selector, root().timeout(), settle);
        if (json()) {
            connections.values().forEach(c -> out().println(Json.line(c)));
            out().flush();
            return Ensmctl.EXIT_OK;
        }
        Table table = new Table(ConnectionRow.HEADER);
        for (Connection c : connections.values()) {
            table.add(ConnectionRow.of(c));
        }
        table.print(out());
        return Ensmctl.EXIT_OK;
    }
}
