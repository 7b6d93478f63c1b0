package io.ensm.ctl;

import picocli.CommandLine.Command;

/** Groups the network service endpoint commands. */
@Command(name = "nse", description = "Network service endpoints in the registry.",
        subcommands = NseListCommand.class, mixinStandardHelpOptions = true)
final class NseCommand {
}
