package io.ensm.ctl;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.MonitorScopeSelector;
import io.ensm.api.connection.PathSegment;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Shows one connection ensm holds, found through connection.MonitorConnection by its path. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"Shows one connection ensm holds: its mechanism, addresses, routes and path with expiries.",
                "ID is the id of any segment of the connection's path, e.g. ensm's as 'list' prints it.",
                "--from asks with the whole path of a connection saved by 'request --save', as NSM's own monitor clients do;"
                        + " over mutual TLS that is how a caller sees a connection it requested."})
final class ShowCommand extends ClientCommand {

    static final class Which {
        @Parameters(index = "0", paramLabel = "ID", description = "A path segment id of the connection.")
        String id;

        @Option(names = "--from", paramLabel = "FILE", description = "Connection saved by request --save.")
        Path from;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    @Option(names = "--settle", paramLabel = "DURATION", defaultValue = "500ms", converter = DurationConverter.class,
            description = "How long to wait for more initial-state events after one arrived. Default ${DEFAULT-VALUE}.")
    Duration settle;

    @Override
    int call(ManagedChannel channel) {
        MonitorScopeSelector.Builder selector = MonitorScopeSelector.newBuilder();
        String asked;
        if (which.from != null) {
            Connection saved = ConnectionFile.load(which.from);
            saved.getPath().getPathSegmentsList().forEach(s ->
                    selector.addPathSegments(PathSegment.newBuilder().setName(s.getName()).setId(s.getId())));
            asked = "the path of " + which.from;
        } else {
            selector.addPathSegments(PathSegment.newBuilder().setId(which.id));
            asked = "a path segment with id '" + which.id + "'";
        }
        var connections = MonitorSnapshot.take(channel, selector.build(), root().timeout(), settle);
        Connection found = which.id != null && connections.containsKey(which.id)
                ? connections.get(which.id)
                : connections.values().stream().findFirst().orElseThrow(() ->
                        Status.NOT_FOUND.withDescription("no connection in scope has " + asked).asRuntimeException());
        ConnectionOutput.show(this, found, null);
        return Ensmctl.EXIT_OK;
    }
}
