package io.archway.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code archway} command. */
@Command(name = "archway", mixinStandardHelpOptions = true, versionProvider = ArchwayCommand.Version.class,
        description = "Archway: a Kubernetes Gateway API gateway that runs from a directory of manifests.",
        footer = ExitCodes.HELP_FOOTER)
public final class ArchwayCommand implements Runnable {
    /**
     * The subcommands by name, in the order the usage lists them. picocli builds a command's model
     * by reflection when it is added, so a command line that names one (e.g. {@code archway serve
     * ...}) gets that one only: a replica's start-up does not build the fourteen others (issue 14,
     * start-up; picocli's classes are Java 5 bytecode, which no class-data archive holds). Any other
     * command line (help, a typo, none) gets them all.
     */
    static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

    private static Map<String, Class<?>> subcommands() {
        Map<String, Class<?>> all = new LinkedHashMap<>();
        all.put("serve", ServeCommand.class);
        all.put("get", GetCommand.class);
        all.put("weights", WeightsCommand.class);
        all.put("canary", CanaryCommand.class);
        all.put("validate", ValidateCommand.class);
        all.put("quickstart", QuickstartCommand.class);
        all.put("explain", ExplainCommand.class);
        all.put("help", CommandLine.HelpCommand.class);
        return all;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (no System.exit; for tests). */
    public static int execute(String... args) {
        return execute(null, null, args);
    }

    /** As {@link #execute(String...)}, writing to the given streams (null: System.out / System.err). */
    public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        configureLogging(args);
        configureBufferPool();
        CommandLine cli = new CommandLine(new ArchwayCommand());
        Class<?> named = args.length > 0 && !args[0].equals("help") ? SUBCOMMANDS.get(args[0]) : null;
        if (named != null) {
            cli.addSubcommand(named);
        } else {
            for (Class<?> command : SUBCOMMANDS.values()) {
                cli.addSubcommand(command);
            }
        }
        if (out != null) {
            cli.setOut(out);
        }
        if (err != null) {
            cli.setErr(err);
        }
        cli.setParameterExceptionHandler((ex, badArgs) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("error: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            c.getErr().flush();
            return ExitCodes.USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            String message = e.getMessage() != null ? e.getMessage().strip() : e.toString();
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
                message += " (" + root.getMessage() + ")";
            }
            commandLine.getErr().println("error: " + message);
            commandLine.getErr().flush();
            return exitCode(e);
        });
        return cli.execute(args);
    }

    /** The exit code of a failed command. */
    static int exitCode(Exception e) {
        if (e instanceof ClientOptions.CliFailure f) {
            return f.code;
        }
        if (e instanceof io.archway.client.ResourceNotFoundException
                || e instanceof io.archway.client.InvalidWeightsException) {
            return ExitCodes.INVALID;
        }
        if (e instanceof IllegalArgumentException) {
            return ExitCodes.USAGE;
        }
        return ExitCodes.FAILURE;
    }

    /**
     * Long-running commands log at info; one-shot commands only warnings, so that their output
     * stays clean. {@code -Dorg.slf4j.simpleLogger.defaultLogLevel=debug} overrides.
     */
    private static void configureLogging(String[] args) {
        String key = "org.slf4j.simpleLogger.defaultLogLevel";
        if (System.getProperty(key) != null) {
            return;
        }
        boolean longRunning = false;
        for (String a : args) {
            if (a.equals("serve") || a.equals("quickstart")) {
                longRunning = true;
                break;
            }
            if (!a.startsWith("-")) {
                break;
            }
        }
        System.setProperty(key, longRunning ? "info" : "warn");
    }

    /**
     * Netty's buffer pool takes a heap of 512 MiB or less for a small machine ("low memory"): no
     * magazines of the event loop's own, and every buffer above 16 KiB (epoll's receive buffers
     * grow to 64 KiB) allocated and freed outside the pool, a direct buffer and a Cleaner each. A proxy's
     * buffers are direct memory, not heap, and a pod given 512 MiB is the common case
     * (MaxRAMPercentage of a small limit), so the data plane pools whatever the heap's size
     * (docs/PERFORMANCE.md, "Buffer pool and whole responses, session 14").
     * {@code -Dio.netty.allocator.lowMemory=true} restores Netty's choice. Set before any buffer is
     * allocated: the pool reads it once.
     */
    private static void configureBufferPool() {
        String key = "io.netty.allocator.lowMemory";
        if (System.getProperty(key) == null) {
            System.setProperty(key, "false");
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ArchwayCommand.class.getPackage().getImplementationVersion();
            return new String[] {"archway " + (v != null ? v : "dev")};
        }
    }
}
