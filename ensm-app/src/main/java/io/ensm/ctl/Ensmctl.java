package io.ensm.ctl;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** ensmctl: a command-line NSM client for the ensm service or any NSM registry or endpoint. */
@Command(name = "ensmctl",
        mixinStandardHelpOptions = true,
        version = "ensmctl 0.1.0",
        description = "Talks the Network Service Mesh v1 API to an ensm service (or any NSM registry or endpoint).",
        subcommands = {
                NseCommand.class,
                NsCommand.class,
                RequestCommand.class,
                RefreshCommand.class,
                CloseCommand.class,
                ListCommand.class,
                ShowCommand.class,
                WatchCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:the server answered with a gRPC error, e.g. NOT_FOUND, INVALID_ARGUMENT, PERMISSION_DENIED (printed as 'error: CODE: description')",
                "2:invalid command line (unknown option, malformed value)",
                "3:the server could not be reached or did not answer in time (UNAVAILABLE, DEADLINE_EXCEEDED)",
                "4:a connection file could not be read or written"})
public final class Ensmctl implements Runnable {

    public static final int EXIT_OK = 0;
    public static final int EXIT_RPC = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_UNREACHABLE = 3;
    public static final int EXIT_FILE = 4;

    @Option(names = "--address", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT",
            defaultValue = "${env:ENSM_ADDRESS:-127.0.0.1:5003}",
            description = "ensm (NSM) gRPC address; default ${DEFAULT-VALUE} (env ENSM_ADDRESS).")
    String address;

    @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "DURATION", defaultValue = "15s",
            converter = DurationConverter.class,
            description = "Deadline of each call (the NSM request timeout); e.g. 90s, 10m, PT15S. Default ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT", defaultValue = "text",
            description = "Output format: ${COMPLETION-CANDIDATES}. json is protobuf JSON with proto field names, "
                    + "one object per line. Default ${DEFAULT-VALUE}.")
    OutputFormat output;

    @Option(names = "--tls-svid", scope = ScopeType.INHERIT, paramLabel = "FILE", defaultValue = "${env:ENSMCTL_TLS_SVID}",
            description = "mTLS: PEM SVID certificate chain, leaf first (env ENSMCTL_TLS_SVID). With --tls-key and --tls-bundle.")
    Path tlsSvid;

    @Option(names = "--tls-key", scope = ScopeType.INHERIT, paramLabel = "FILE", defaultValue = "${env:ENSMCTL_TLS_KEY}",
            description = "mTLS: PEM PKCS#8 private key of the SVID (env ENSMCTL_TLS_KEY).")
    Path tlsKey;

    @Option(names = "--tls-bundle", scope = ScopeType.INHERIT, paramLabel = "FILE", defaultValue = "${env:ENSMCTL_TLS_BUNDLE}",
            description = "mTLS: PEM trust bundle of the trust domain (env ENSMCTL_TLS_BUNDLE).")
    Path tlsBundle;

    @Option(names = "--spiffe-socket", scope = ScopeType.INHERIT, paramLabel = "ADDRESS",
            defaultValue = "${env:SPIFFE_ENDPOINT_SOCKET}",
            description = "mTLS: SPIFFE Workload API address, e.g. unix:///run/spire/sockets/agent.sock "
                    + "(env SPIFFE_ENDPOINT_SOCKET). Ignored when PEM files are given.")
    String spiffeSocket;

    @Option(names = "--plaintext", scope = ScopeType.INHERIT,
            description = "No TLS even if SPIFFE_ENDPOINT_SOCKET is set (ensm on loopback without ensm.tls.mode).")
    boolean plaintext;

    @Spec
    CommandSpec spec;

    private final ChannelFactory channels;
    private final Clock clock;
    private final String segmentName;

    public Ensmctl() {
        this(new ChannelFactory(), Clock.systemUTC(), RequestFactory.defaultSegmentName());
    }

    public Ensmctl(ChannelFactory channels, Clock clock, String segmentName) {
        this.channels = channels;
        this.clock = clock;
        this.segmentName = segmentName;
    }

    public static void main(String[] args) {
        System.exit(commandLine(new Ensmctl()).execute(args));
    }

    /** The configured command line; tests set their own out/err writers on it. */
    public static CommandLine commandLine(Ensmctl root) {
        CommandLine cmd = new CommandLine(root);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setParameterExceptionHandler(Ensmctl::usageError);
        cmd.setExecutionExceptionHandler((ex, command, parseResult) -> failure(ex, command.getErr()));
        return cmd;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing command: one of nse, ns, request, refresh, close, list, show, watch");
    }

    ManagedChannel openChannel(Duration tokenLifetime) {
        return channels.open(address, tls(), tokenLifetime);
    }

    void releaseChannel(ManagedChannel channel) {
        channels.release(channel);
    }

    private ClientTls tls() {
        if (plaintext) {
            return ClientTls.plaintext();
        }
        boolean files = tlsSvid != null || tlsKey != null || tlsBundle != null;
        return new ClientTls(tlsSvid, tlsKey, tlsBundle, files ? null : spiffeSocket);
    }

    Duration timeout() {
        return timeout;
    }

    OutputFormat output() {
        return output;
    }

    RequestFactory requests() {
        return new RequestFactory(clock, segmentName);
    }

    private static int usageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        String message = ex.getMessage() == null ? "invalid command line" : ex.getMessage();
        err.println("error: " + (message.startsWith("Error: ") ? message.substring("Error: ".length()) : message));
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return EXIT_USAGE;
    }

    static int failure(Exception ex, PrintWriter err) throws Exception {
        if (ex instanceof StatusRuntimeException sre) {
            Status status = sre.getStatus();
            String description = status.getDescription() == null ? "" : status.getDescription();
            Throwable cause = status.getCause();
            if (cause != null && cause.getMessage() != null) {
                // client-side failures (refused, reset) carry the detail only in the cause
                description = description.isEmpty() ? cause.getMessage() : description + ": " + cause.getMessage();
            }
            err.println("error: " + status.getCode() + ": " + description);
            err.flush();
            return switch (status.getCode()) {
                case UNAVAILABLE, DEADLINE_EXCEEDED -> EXIT_UNREACHABLE;
                default -> EXIT_RPC;
            };
        }
        if (ex instanceof CliFailure failure) {
            err.println("error: " + failure.getMessage());
            err.flush();
            return failure.exitCode();
        }
        throw ex;
    }
}
