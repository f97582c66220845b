package io.archway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.archway.server.AdminServer;
import io.archway.server.Kinds;
import io.archway.source.KubeJson;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code archway get}: asks a running server's admin endpoint. */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = {"Shows resources and their status from a running 'archway serve' (via its admin endpoint).",
                "TYPE: gatewayclasses (gc), gateways (gtw), httproutes, or diagnostics."},
        footer = ExitCodes.HELP_FOOTER)
final class GetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TYPE", description = "gatewayclasses | gateways | httproutes | diagnostics")
    String type;

    @ArgGroup(exclusive = true)
    Scope scope = new Scope();

    static final class Scope {
        @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Namespace (default: default).")
        String namespace;

        @Option(names = {"-A", "--all-namespaces"}, description = "All namespaces.")
        boolean all;
    }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table (default), yaml or json.")
    Printer.Format output;

    @Option(names = "--admin", defaultValue = AdminServer.DEFAULT_HOST + ":" + AdminServer.DEFAULT_PORT,
            paramLabel = "HOST:PORT", description = "Admin endpoint of the server (default: ${DEFAULT-VALUE}).")
    String admin;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        InetSocketAddress address = ServeCommand.parseHostPort(admin);
        String base = "http://" + address.getHostString() + ":" + address.getPort();
        if ("diagnostics".equalsIgnoreCase(type) || "diag".equalsIgnoreCase(type)) {
            JsonNode d = fetch(base + "/api/v1/diagnostics", err);
            if (d == null) {
                return ExitCodes.FAILURE;
            }
            if (output != Printer.Format.table) {
                out.print(Printer.render(d, output));
            } else if (d.path("diagnostics").isEmpty()) {
                out.println("No problems (serving snapshot v" + d.path("servedVersion").asLong() + ").");
            } else {
                for (JsonNode x : d.path("diagnostics")) {
                    out.println(x.path("text").asText());
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
        String kind = Kinds.normalise(type).orElse(null);
        if (kind == null) {
            err.println("error: unknown resource type '" + type + "'; use gatewayclasses, gateways, httproutes or diagnostics");
            return ExitCodes.USAGE;
        }
        String ns = scope.all || Kinds.clusterScoped(kind) ? null : scope.namespace != null ? scope.namespace : "default";
        String url = base + "/api/v1/" + Kinds.plural(kind)
                + (ns == null ? "" : "?namespace=" + URLEncoder.encode(ns, StandardCharsets.UTF_8));
        JsonNode list = fetch(url, err);
        if (list == null) {
            return ExitCodes.FAILURE;
        }
        if (output != Printer.Format.table) {
            out.print(Printer.render(list, output));
            out.flush();
            return ExitCodes.OK;
        }
        Class<? extends HasMetadata> type = switch (kind) {
            case Kinds.GATEWAY_CLASS -> GatewayClass.class;
            case Kinds.GATEWAY -> Gateway.class;
            default -> HTTPRoute.class;
        };
        List<HasMetadata> items = new ArrayList<>();
        for (JsonNode item : list.path("items")) {
            items.add(KubeJson.mapper().treeToValue(item, type));
        }
        if (items.isEmpty()) {
            err.println(ns == null ? "No resources found" : "No resources found in " + ns + " namespace.");
            err.flush();
            return ExitCodes.OK;
        }
        out.print(Printer.table(kind, items, scope.all, Instant.now()));
        out.flush();
        return ExitCodes.OK;
    }

    /** GETs a JSON document; prints a helpful error and returns null when the server cannot be asked. */
    private JsonNode fetch(String url, PrintWriter err) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                err.println("error: " + url + " answered " + r.statusCode() + ": " + r.body().trim());
                err.flush();
                return null;
            }
            return KubeJson.mapper().readTree(r.body());
        } catch (ConnectException e) {
            err.println("error: cannot reach the archway admin endpoint at " + admin
                    + " (is 'archway serve' running? use --admin HOST:PORT)");
        } catch (IOException e) {
            err.println("error: asking " + url + ": " + e);
        }
        err.flush();
        return null;
    }
}
