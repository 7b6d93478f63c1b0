package io.ensm.ctl;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Closes a connection (networkservice.NetworkService/Close). */
@Command(name = "close", mixinStandardHelpOptions = true,
        description = "Closes a connection (networkservice.NetworkService/Close), given its saved file or its id.")
final class CloseCommand extends ClientCommand {

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--from", required = true, paramLabel = "FILE", description = "Connection saved by request --save.")
        Path from;

        @ArgGroup(exclusive = false)
        ById byId;
    }

    static final class ById {
        @Option(names = "--id", required = true, paramLabel = "ID", description = "Connection id.")
        String id;

        @Option(names = "--service", required = true, paramLabel = "NAME", description = "Its network service.")
        String service;

        @Option(names = "--endpoint", paramLabel = "NSE", description = "Its network service endpoint.")
        String endpoint;
    }

    @Override
    int call(ManagedChannel channel) {
        Connection connection = target.from != null
                ? ConnectionFile.load(target.from)
                : root().requests().closing(target.byId.id, target.byId.service, target.byId.endpoint);
        NetworkServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(root().timeout().toNanos(), TimeUnit.NANOSECONDS)
                .close(connection);
        if (json()) {
            out().println(Json.line(Struct.newBuilder()
                    .putFields("id", Value.newBuilder().setStringValue(connection.getId()).build())
                    .putFields("closed", Value.newBuilder().setBoolValue(true).build())));
        } else {
            out().println("closed " + connection.getId());
        }
        out().flush();
        return Ensmctl.EXIT_OK;
    }
}
