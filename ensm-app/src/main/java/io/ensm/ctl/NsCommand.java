package io.ensm.ctl;

import picocli.CommandLine.Command;

/** Groups the network service commands. */
@Command(name = "ns", description = "Network services in the registry.",
        subcommands = NsListCommand.class, mixinStandardHelpOptions = true)
final class NsCommand {
}
