package io.archway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.archway.client.AdminAddress;
import io.archway.client.ArchwayClient;
import io.archway.client.RouteRef;
import io.archway.kinds.ResourceKind;
import io.archway.server.StatusView;
import io.archway.source.KubeJson;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code archway get}: lists resources with their status. */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = {"Shows resources with attachment and conditions at a glance.",
                "TYPE: gatewayclasses (gc), gateways (gtw), listenersets (lset), routes (HTTPRoutes and"
                        + " GRPCRoutes), httproutes, grpcroutes, or diagnostics.",
                "Without --config or --kubernetes it asks a running 'archway serve' (its admin endpoint);"
                        + " with --config DIR it reads the directory (statuses from the admin endpoint when it"
                        + " answers); with --kubernetes the API server of the kubeconfig."},
        footer = ExitCodes.HELP_FOOTER)
final class GetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TYPE",
            description = "gatewayclasses | gateways | listenersets | routes | httproutes | grpcroutes | diagnostics")
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

    @Mixin
    ClientOptions where;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String t = type.toLowerCase(Locale.ROOT);
        boolean diagnostics = t.equals("diagnostics") || t.equals("diag");
        // One kind of the status view's, or every route kind the client reads ("routes").
        List<ResourceKind> kinds = t.equals("routes") || t.equals("route") ? RouteRef.KINDS
                : StatusView.kind(t).map(List::of).orElse(List.of());
        if (kinds.isEmpty() && !diagnostics) {
            err.println("error: unknown resource type '" + type + "'; use gatewayclasses, gateways, listenersets,"
                    + " routes, httproutes, grpcroutes or diagnostics");
            err.flush();
            return ExitCodes.USAGE;
        }
        try (ClientOptions.Connection c = where.open(spec.commandLine(), false)) {
            if (diagnostics) {
                return diagnostics(c, out, err);
            }
            String ns = scope.all || kinds.get(0).clusterScoped() ? null
                    : scope.namespace != null ? scope.namespace : "default";
            List<HasMetadata> items = new ArrayList<>();
            for (ResourceKind kind : kinds) {
                items.addAll(items(c, kind, ns, err));
            }
            if (c.mode() == ClientOptions.Mode.DIRECTORY && c.adminReachable()) {
                stampCreation(items, ns, err);
            }
            items.sort(Comparator.comparing((HasMetadata o) -> String.valueOf(o.getMetadata().getNamespace()))
                    .thenComparing(o -> String.valueOf(o.getKind())).thenComparing(o -> o.getMetadata().getName()));
            if (output != Printer.Format.table) {
                out.print(Printer.render(Printer.list(items), output));
                out.flush();
                return ExitCodes.OK;
            }
            if (items.isEmpty()) {
                err.println(ns == null ? "No resources found" : "No resources found in " + ns + " namespace.");
                err.flush();
                return ExitCodes.OK;
            }
            out.print(Printer.table(kinds, items, scope.all, Instant.now()));
            out.flush();
            return ExitCodes.OK;
        }
    }

    /**
     * Files carry no creationTimestamp; the running server stamps one when it first serves a
     * resource. Copies it onto the directory's resources (for AGE), best effort.
     */
    private void stampCreation(List<HasMetadata> items, String ns, PrintWriter err) {
        java.util.Map<String, String> stamps = new java.util.HashMap<>();
        try {
            for (ResourceKind kind : List.of(ResourceKind.GATEWAY, ResourceKind.HTTP_ROUTE, ResourceKind.GRPC_ROUTE)) {
                if (items.stream().noneMatch(o -> kind.kind().equals(o.getKind()))) {
                    continue;
                }
                List<? extends HasMetadata> served = admin(kind, ns, err);
                for (HasMetadata o : served) {
                    stamps.put(o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName(),
                            o.getMetadata().getCreationTimestamp());
                }
            }
        } catch (RuntimeException e) {
            return;
        }
        for (HasMetadata o : items) {
            if (o.getMetadata().getCreationTimestamp() == null) {
                o.getMetadata().setCreationTimestamp(stamps.get(o.getKind() + "/" + o.getMetadata().getNamespace() + "/"
                        + o.getMetadata().getName()));
            }
        }
    }

    /**
     * The resources of {@code kind}: from the client's typed lists when there is a client, from the
     * API server for GatewayClasses in Kubernetes mode (the client has no list of them), else from
     * the admin endpoint.
     */
    private List<? extends HasMetadata> items(ClientOptions.Connection c, ResourceKind kind, String ns, PrintWriter err) {
        ArchwayClient client = c.client();
        if (kind == ResourceKind.GATEWAY_CLASS && c.kube() != null) {
            return c.kube().resources(GatewayClass.class).list().getItems();
        }
        if (kind == ResourceKind.LISTENER_SET && c.kube() != null) {
            return ns == null ? c.kube().resources(ListenerSet.class).inAnyNamespace().list().getItems()
                    : c.kube().resources(ListenerSet.class).inNamespace(ns).list().getItems();
        }
        if (client == null) {
            return admin(kind, ns, err);
        }
        return switch (kind) {
            case GATEWAY -> client.listGateways(ns);
            case HTTP_ROUTE -> client.listHttpRoutes(ns);
            case GRPC_ROUTE -> client.listGrpcRoutes(ns);
            default -> kind.isRoute() ? client.listRoutes(kind, ns) : admin(kind, ns, err);
        };
    }

    private int diagnostics(ClientOptions.Connection c, PrintWriter out, PrintWriter err) {
        if (c.mode() == ClientOptions.Mode.KUBERNETES) {
            err.println("error: diagnostics come from a standalone 'archway serve' (its admin endpoint); in Kubernetes"
                    + " mode read the resources' status conditions");
            err.flush();
            return ExitCodes.USAGE;
        }
        JsonNode d = fetch("/api/v1/diagnostics", err);
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

    /** The items of {@code GET /api/v1/PLURAL}; a 404 (an older server) is an empty list. */
    private List<HasMetadata> admin(ResourceKind kind, String ns, PrintWriter err) {
        String plural = kind.plural();
        JsonNode list = fetch("/api/v1/" + plural
                + (ns == null ? "" : "?namespace=" + URLEncoder.encode(ns, StandardCharsets.UTF_8)), err);
        List<HasMetadata> items = new ArrayList<>();
        if (list == null) {
            return items;
        }
        for (JsonNode item : list.path("items")) {
            try {
                items.add(KubeJson.mapper().treeToValue(item, kind.modelClass()));
            } catch (IOException e) {
                throw new ClientOptions.CliFailure(ExitCodes.FAILURE, "cannot read " + plural + " from the admin endpoint: "
                        + e.getMessage());
            }
        }
        return items;
    }

    /** GETs a JSON document from the admin endpoint; null on 404; a CliFailure when it cannot be asked. */
    private JsonNode fetch(String path, PrintWriter err) {
        String url = AdminAddress.parse(where.admin) + path;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 404 && !path.contains("diagnostics")) {
                return null;
            }
            if (r.statusCode() != 200) {
                throw new ClientOptions.CliFailure(ExitCodes.FAILURE, url + " answered " + r.statusCode() + ": "
                        + r.body().trim());
            }
            return KubeJson.mapper().readTree(r.body());
        } catch (ConnectException e) {
            throw new ClientOptions.CliFailure(ExitCodes.FAILURE, "cannot reach the archway admin endpoint at "
                    + where.admin + " (is 'archway serve' running? use --admin HOST:PORT, or --config DIR to read"
                    + " the manifests directly)");
        } catch (IOException e) {
            throw new ClientOptions.CliFailure(ExitCodes.FAILURE, "asking " + url + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientOptions.CliFailure(ExitCodes.FAILURE, "interrupted");
        }
    }
}
