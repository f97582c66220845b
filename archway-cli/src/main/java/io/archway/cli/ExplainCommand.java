package io.archway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code archway explain route|request}: why a route attaches (or not), where a request goes (or why 404). */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Explains routing with the same translator and dispatcher the server uses.",
                "Works offline on a directory (--config DIR) or against a cluster (--kubernetes); says which on stderr."},
        subcommands = {ExplainRouteCommand.class, ExplainRequestCommand.class},
        footer = {"%nExit codes:%n  0  explained (also when the answer is 404 or the route is not attached)%n"
                + "  1  the HTTPRoute or Gateway named does not exist%n  2  bad command line%n"
                + "  3  runtime failure (directory unreadable, API server unreachable)%n"})
final class ExplainCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: route or request");
    }
}
