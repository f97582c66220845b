package io.archway.cli;

import io.archway.source.KubeJson;
import io.archway.translate.explain.RouteExplainer;
import io.archway.translate.explain.RouteExplanation;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code archway explain route [-n NS] NAME}. */
@Command(name = "route", mixinStandardHelpOptions = true,
        description = {"For each parentRef of an HTTPRoute: attached or not, listener by listener, and exactly why",
                "(sectionName, port, allowed kinds, namespace policy, hostname intersection), with the spec's",
                "condition reasons; then each backendRef (ResolvedRefs, RefNotPermitted, BackendNotFound, InvalidKind)."})
final class ExplainRouteCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ExplainSource source;

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", paramLabel = "NS",
            description = "Namespace of the HTTPRoute (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Parameters(index = "0", paramLabel = "NAME", description = "HTTPRoute name (or NS/NAME).")
    String name;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table (default: human-readable), yaml or json.")
    Printer.Format output;

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        String ns = namespace;
        String n = name;
        if (n.contains("/")) {
            ns = n.substring(0, n.indexOf('/'));
            n = n.substring(n.indexOf('/') + 1);
        }
        final ExplainSource.Loaded loaded = source.load(spec.commandLine());
        final Optional<RouteExplanation> e = new RouteExplainer(loaded.options()).explain(loaded.view(), ns, n);
        if (e.isEmpty()) {
            err.println("error: HTTPRoute " + ns + "/" + n + " not found");
            err.flush();
            return ExitCodes.INVALID;
        }
        if (output == Printer.Format.table) {
            out.print(human(e.get()));
        } else {
            out.print(Printer.render(KubeJson.mapper().valueToTree(e.get()), output));
        }
        out.flush();
        return ExitCodes.OK;
    }

    static String human(RouteExplanation e) {
        final StringBuilder sb = new StringBuilder();
        sb.append("HTTPRoute ").append(e.namespace()).append('/').append(e.name()).append("  hostnames: ")
                .append(e.hostnames().isEmpty() ? "(any)" : String.join(", ", e.hostnames())).append('\n');
        if (e.parents().isEmpty()) {
            sb.append("  no parentRefs\n");
        }
        for (RouteExplanation.Parent p : e.parents()) {
            sb.append("parentRef[").append(p.index()).append("] ").append(p.parentRef()).append('\n');
            if (!p.ours()) {
                sb.append("  ").append(p.message()).append('\n');
                continue;
            }
            sb.append("  Accepted=").append(p.accepted()).append(" ").append(p.reason())
                    .append(p.message() != null ? ": " + p.message() : "").append('\n');
            // The condition is True exactly when its reason is ResolvedRefs (the spec's success reason).
            sb.append("  ResolvedRefs=").append("ResolvedRefs".equals(p.resolvedRefs()) ? "True " : "False ")
                    .append(p.resolvedRefs())
                    .append(p.resolvedRefsMessage() != null ? ": " + p.resolvedRefsMessage() : "").append('\n');
            for (RouteExplanation.ListenerCheck l : p.listeners()) {
                sb.append("  listener ").append(l.name()).append(" (port ").append(l.port()).append(", ")
                        .append(l.protocol()).append(", hostname ").append(l.hostname() == null ? "(any)" : l.hostname())
                        .append("): ").append(l.attached() ? "ATTACHED as " + String.join(", ", l.effectiveHostnames())
                                : "not attached, " + l.reason()).append('\n');
                for (String w : l.why()) {
                    sb.append("      - ").append(w).append('\n');
                }
            }
        }
        if (!e.backends().isEmpty()) {
            sb.append("backendRefs:\n");
            for (RouteExplanation.Backend b : e.backends()) {
                sb.append("  rule ").append(b.rule()).append(" [").append(b.index()).append("] ").append(b.ref())
                        .append(" weight ").append(b.weight()).append(": ").append(b.reason())
                        .append(b.resolved() ? " (" + b.readyEndpoints() + " ready endpoint(s))" : ": " + b.message())
                        .append('\n');
            }
        }
        if (!e.problems().isEmpty()) {
            sb.append("problems:\n");
            e.problems().forEach(p -> sb.append("  ").append(p).append('\n'));
        }
        return sb.toString();
    }
}
