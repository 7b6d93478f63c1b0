package io.ensm.ctl;

import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that opens one channel to the configured address, calls it and prints the answer. */
abstract class ClientCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        ManagedChannel channel = root().openChannel(tokenLifetime());
        try {
            return call(channel);
        } finally {
            root().releaseChannel(channel);
        }
    }

    /** How long the path tokens of this command live over mutual TLS; commands with --expires use it. */
    Duration tokenLifetime() {
        return Duration.ofMinutes(10);
    }

    /** Runs the command on an open channel and returns the exit code. */
    abstract int call(ManagedChannel channel);

    Ensmctl root() {
        return (Ensmctl) spec.root().userObject();
    }

    boolean json() {
        return root().output() == OutputFormat.json;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
