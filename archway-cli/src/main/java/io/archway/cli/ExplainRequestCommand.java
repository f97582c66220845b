package io.archway.cli;

import io.archway.source.KubeJson;
import io.archway.translate.ResourceView;
import io.archway.translate.explain.RequestExplainer;
import io.archway.translate.explain.RequestExplanation;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code archway explain request --host H --path P ... [--sni NAME]}, or {@code --port N [--sni NAME]}
 * for L4 sockets.
 */
@Command(name = "request", mixinStandardHelpOptions = true,
        description = {"Where a request goes: the listener, route, rule and match that win (and the ones that lost,",
                "and why), the filters in order, the backends with their weights; or why the answer is 404.",
                "Without --host: where a connection to a TCP, UDP or TLS passthrough socket goes (the listener,",
                "the route that serves it and the attached routes that lose, the backends; --sni picks the TLS",
                "listener and route as the proxy does), or why it is closed. With --host, --sni is the name an",
                "HTTPS connection was opened with: a Host for another listener is misdirected (421)."})
final class ExplainRequestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ExplainSource source;

    @Option(names = "--gateway", paramLabel = "NS/NAME", description = "Only the sockets of this Gateway (default: all).")
    String gateway;

    @Option(names = "--port", paramLabel = "PORT", description = "Only this listener port.")
    Integer port;

    @Option(names = "--host", paramLabel = "HOST",
            description = "Host header (may carry :port). Without it: a connection to the L4 sockets.")
    String host;

    @Option(names = "--sni", paramLabel = "NAME",
            description = "Server name a TLS client sends: without --host, a connection to the TLS sockets; with "
                    + "--host, the name the HTTPS connection was opened with (421 when the Host selects another listener).")
    String sni;

    @Option(names = "--path", defaultValue = "/", paramLabel = "PATH",
            description = "Path, may carry ?query (default: ${DEFAULT-VALUE}).")
    String path;

    @Option(names = {"-X", "--method"}, defaultValue = "GET", paramLabel = "METHOD",
            description = "Method (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--grpc", paramLabel = "SERVICE/METHOD",
            description = "A gRPC call, e.g. com.example.User/Login: POST /SERVICE/METHOD with content-type "
                    + "application/grpc (instead of --path and --method); GRPCRoutes match it.")
    String grpc;

    @Option(names = {"-H", "--header"}, paramLabel = "NAME:VALUE", description = "A request header; repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--query", paramLabel = "NAME=VALUE", description = "A query parameter (appended); repeatable.")
    List<String> query = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table (default: human-readable), yaml or json.")
    Printer.Format output;

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final Map<String, List<String>> h = new LinkedHashMap<>();
        for (String header : headers) {
            final int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "-H wants NAME:VALUE, got " + header);
            }
            h.computeIfAbsent(header.substring(0, colon).trim(), k -> new ArrayList<>())
                    .add(header.substring(colon + 1).trim());
        }
        if (grpc != null) {
            // gRPC over HTTP2: a call is a POST to /<service>/<method> with content-type application/grpc.
            final int slash = grpc.indexOf('/', grpc.startsWith("/") ? 1 : 0);
            final String call = grpc.startsWith("/") ? grpc.substring(1) : grpc;
            if (slash < 0 || call.indexOf('/') <= 0 || call.indexOf('/') != call.lastIndexOf('/')
                    || call.endsWith("/")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--grpc wants SERVICE/METHOD, got " + grpc);
            }
            if (spec.commandLine().getParseResult().hasMatchedOption("--path")
                    || spec.commandLine().getParseResult().hasMatchedOption("--method")) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--grpc sets the path and the method: give --grpc or --path/--method");
            }
            path = "/" + call;
            method = "POST";
            if (h.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("content-type"))) {
                h.put("content-type", new ArrayList<>(List.of("application/grpc")));
            }
        }
        final StringBuilder target = new StringBuilder(path.startsWith("/") ? path : "/" + path);
        for (String q : query) {
            if (!q.contains("=")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--query wants NAME=VALUE, got " + q);
            }
            target.append(target.indexOf("?") < 0 ? '?' : '&').append(q);
        }
        if (gateway != null && !gateway.contains("/")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--gateway wants NS/NAME, got " + gateway);
        }
        final ExplainSource.Loaded loaded = source.load(spec.commandLine());
        final ResourceView view = loaded.view();
        if (gateway != null && view.gateways().stream().noneMatch(g -> gateway.equals(
                g.getMetadata().getNamespace() + "/" + g.getMetadata().getName()))) {
            err.println("error: Gateway " + gateway + " not found");
            err.flush();
            return ExitCodes.INVALID;
        }
        final RequestExplanation e = new RequestExplainer(loaded.options()).explain(view, host == null
                ? RequestExplainer.Query.connection(gateway, port, sni)
                : new RequestExplainer.Query(gateway, port, host, method, target.toString(), h, sni));
        if (output == Printer.Format.table) {
            out.print(human(e));
        } else {
            out.print(Printer.render(KubeJson.mapper().valueToTree(e), output));
        }
        out.flush();
        return ExitCodes.OK;
    }

    static String human(RequestExplanation e) {
        final StringBuilder sb = new StringBuilder();
        sb.append("request: ").append(e.request()).append('\n');
        if (e.answers().isEmpty() && e.connections().isEmpty()) {
            sb.append(e.notFound()).append('\n');
        }
        for (RequestExplanation.ConnectionAnswer a : e.connections()) {
            connection(sb, a);
        }
        for (RequestExplanation.PortAnswer a : e.answers()) {
            sb.append('\n').append("socket ").append(a.address()).append(':').append(a.port()).append(" (")
                    .append(a.protocol()).append(") of ").append(String.join(", ", a.gateways())).append('\n');
            sb.append("  answer: ").append(a.status() == 200 ? "200 " : "").append(a.outcome()).append('\n');
            sb.append("  listener: ").append(a.listener() == null ? "(none)" : a.listener()).append('\n');
            for (RequestExplanation.Candidate c : a.listeners()) {
                if (!c.selected()) {
                    sb.append("      - ").append(c.name()).append(" [").append(c.hostname()).append("]: ")
                            .append(c.reason()).append('\n');
                }
            }
            if (a.listener() != null) {
                sb.append("  virtual host: ").append(a.virtualHost() == null ? "(none)" : a.virtualHost()).append('\n');
                for (RequestExplanation.Candidate c : a.virtualHosts()) {
                    if (!c.selected()) {
                        sb.append("      - ").append(c.hostname()).append(": ").append(c.reason()).append('\n');
                    }
                }
            }
            if (a.route() != null) {
                sb.append("  route: ").append(a.route().route()).append(" rule ").append(a.route().rule())
                        .append(" match ").append(a.route().matchIndex()).append(": ").append(a.route().match())
                        .append('\n');
            }
            if (!a.entries().isEmpty()) {
                sb.append("  entries, in precedence order:\n");
                for (RequestExplanation.Entry x : a.entries()) {
                    sb.append(String.format("    #%-2d %-16s %s rule %s match %d [%s]: %s%n", x.position(), x.outcome(),
                            x.route(), x.rule(), x.matchIndex(), x.match(), x.reason()));
                }
            }
            if (a.route() != null) {
                sb.append("  filters:").append(a.filters().isEmpty() ? " (none)" : "").append('\n');
                for (int i = 0; i < a.filters().size(); i++) {
                    sb.append("    ").append(i + 1).append(". ").append(a.filters().get(i)).append('\n');
                }
                sb.append("  backends:").append(a.backends().isEmpty() ? " (none)" : "").append('\n');
                for (RequestExplanation.Backend b : a.backends()) {
                    sb.append("    ").append(b.backend()).append("  weight ").append(b.weight()).append("  ")
                            .append(b.share()).append("  ").append(b.valid() ? b.readyEndpoints()
                                    + " ready endpoint(s)" : "invalid: " + b.invalidReason()).append('\n');
                    for (String f : b.filters()) {
                        sb.append("      filter ").append(f).append('\n');
                    }
                }
            }
        }
        return sb.toString();
    }

    private static void connection(StringBuilder sb, RequestExplanation.ConnectionAnswer a) {
        sb.append('\n').append("socket ").append(a.address()).append(':').append(a.port()).append(" (")
                .append(a.protocol()).append(") of ").append(String.join(", ", a.gateways())).append('\n');
        if (a.serverName() != null) {
            sb.append("  server name: ").append(a.serverName()).append('\n');
        }
        sb.append("  answer: ").append(a.outcome()).append('\n');
        sb.append("  listener: ").append(a.listener() == null ? "(none)" : a.listener()).append('\n');
        for (RequestExplanation.Candidate c : a.listeners()) {
            if (!c.selected()) {
                sb.append("      - ").append(c.name()).append(" [").append(c.hostname()).append("]: ")
                        .append(c.reason()).append('\n');
            }
        }
        sb.append("  route: ").append(a.route() == null ? "(none)" : a.route() + " rule " + a.rule()).append('\n');
        for (RequestExplanation.Candidate c : a.routes()) {
            if (!c.selected()) {
                sb.append("      - ").append(c.name()).append(" [").append(c.hostname()).append("]: ")
                        .append(c.reason()).append('\n');
            }
        }
        for (RequestExplanation.OtherRoute o : a.otherRoutes()) {
            sb.append("      - ").append(o.route()).append(": ").append(o.reason()).append('\n');
        }
        if (a.route() != null) {
            sb.append("  backends:").append(a.backends().isEmpty() ? " (none)" : "").append('\n');
            for (RequestExplanation.Backend b : a.backends()) {
                sb.append("    ").append(b.backend()).append("  weight ").append(b.weight()).append("  ")
                        .append(b.share()).append("  ").append(b.valid() ? b.readyEndpoints()
                                + " ready endpoint(s)" + (b.endpoints().isEmpty() ? ""
                                : " " + String.join(", ", b.endpoints())) : "invalid: " + b.invalidReason())
                        .append('\n');
            }
        }
    }
}
