package io.archway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code archway} command. */
@Command(name = "archway", mixinStandardHelpOptions = true, versionProvider = ArchwayCommand.Version.class,
        description = "Archway: a Kubernetes Gateway API gateway that runs from a directory of manifests.",
        subcommands = {ServeCommand.class, GetCommand.class, WeightsCommand.class, CanaryCommand.class,
                ValidateCommand.class, QuickstartCommand.class, ExplainCommand.class,
                CommandLine.HelpCommand.class},
        footer = ExitCodes.HELP_FOOTER)
public final class ArchwayCommand implements Runnable {
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
        CommandLine cli = new CommandLine(new ArchwayCommand());
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

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ArchwayCommand.class.getPackage().getImplementationVersion();
            return new String[] {"archway " + (v != null ? v : "dev")};
        }
    }
}
