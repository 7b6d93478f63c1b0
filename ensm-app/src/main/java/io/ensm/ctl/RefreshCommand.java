package io.ensm.ctl;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Refreshes a saved connection as an NSM client does before its segment expires. */
@Command(name = "refresh", mixinStandardHelpOptions = true,
        description = {"Refreshes a saved connection (networkservice.NetworkService/Request).",
                "Sends the saved connection with the client's segment expiry renewed and its current mechanism "
                        + "as the only preference."})
final class RefreshCommand extends ClientCommand {

    @Option(names = "--from", required = true, paramLabel = "FILE", description = "Connection saved by request --save.")
    Path from;

    @Option(names = "--expires", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "New lifetime of the client's path segment; default ${DEFAULT-VALUE}.")
    Duration expires;

    @Option(names = "--save", paramLabel = "FILE", description = "Write the refreshed connection (JSON) to FILE.")
    Path save;

    @Override
    Duration tokenLifetime() {
        return expires;
    }

    @Override
    int call(ManagedChannel channel) {
        Connection saved = ConnectionFile.load(from);
        Connection refreshed = NetworkServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(root().timeout().toNanos(), TimeUnit.NANOSECONDS)
                .request(root().requests().refresh(saved, expires));
        ConnectionOutput.show(this, refreshed, save);
        return Ensmctl.EXIT_OK;
    }
}
