package io.archway.cli;

import io.archway.admission.Admission;
import io.archway.admission.CrdChannel;
import io.archway.kinds.ResourceKind;
import io.archway.server.OfflineStatus;
import io.archway.server.StatusView;
import io.archway.source.ResourceStore;
import io.archway.source.file.DirectorySource;
import io.archway.source.file.ManifestFiles;
import io.archway.source.file.ManifestLoader;
import io.archway.translate.Diagnostic;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.SourceLocation;
import io.archway.translate.Translation;
import io.archway.translate.Translator;
import io.archway.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntryStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code archway validate DIR}: load and translate offline; no sockets. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Checks a directory of manifests offline (no sockets): every file must parse, every object"
                + " must be admitted as a Kubernetes API server with the Gateway API CRDs would admit it (schema and"
                + " CEL rules), and every GatewayClass, Gateway and route of ours must be Accepted with its references"
                + " resolved.",
                "Problems are printed one per line as FILE:LINE: ... FIELD: MESSAGE and the exit code is 1."},
        footer = ExitCodes.HELP_FOOTER)
final class ValidateCommand implements Callable<Integer> {
    private static final Set<String> REQUIRED = Set.of("Accepted", "ResolvedRefs");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Directory of manifests, read recursively.")
    Path dir;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table (default: problems and a summary), yaml or json (the resources with status; problems"
                    + " go to stderr).")
    Printer.Format output;

    @Option(names = "--controller-name", defaultValue = TranslatorOptions.DEFAULT_CONTROLLER_NAME,
            description = "GatewayClass controllerName that marks a class as ours (default: ${DEFAULT-VALUE}).")
    String controllerName;

    @Option(names = "--no-adopt", description = "Gateways whose class is not in the directory are not ours.")
    boolean noAdopt;

    @Option(names = "--address", defaultValue = "0.0.0.0", paramLabel = "IP",
            description = "Address reported in Gateway status (default: ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--crd-channel", paramLabel = "CHANNEL", defaultValue = "experimental",
            description = "Gateway API v1.6.1 CRD channel that admits the objects: experimental (default: every"
                    + " version and field) or standard (experimental fields pruned, as on a standard-channel cluster).")
    String crdChannel;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isDirectory(dir)) {
            err.println("error: " + dir + " is not a directory");
            err.flush();
            return ExitCodes.FAILURE;
        }
        CrdChannel channel;
        try {
            channel = CrdChannel.parse(crdChannel);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        ManifestFiles manifests = DirectorySource.loadOnce(dir, new ManifestLoader(Admission.of(channel)));
        ResourceStore store = manifests.store();
        ResourceView view = store.view();
        Translation translation = new Translator(new TranslatorOptions(controllerName,
                new GatewayAddressing.Shared(address), !noAdopt)).translate(view, 1, java.time.Instant.now());
        StatusView status = OfflineStatus.of(view, translation, store.diagnostics(), Clock.systemUTC());

        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Diagnostic d : status.diagnostics()) {
            (d.severity() == Diagnostic.Severity.ERROR ? problems : warnings).add(d.toString());
        }
        List<HasMetadata> all = new ArrayList<>();
        int ours = 0;
        for (ResourceKind kind : StatusView.KINDS) {
            for (HasMetadata o : status.list(kind.kind(), null)) {
                all.add(o);
                if (check(kind, o, view, problems)) {
                    ours++;
                } else if (o instanceof Gateway g) {
                    String where = view.locationOf(new ResourceKey(kind.kind(), g.getMetadata().getNamespace(),
                            g.getMetadata().getName())).map(l -> l + ": ").orElse("");
                    warnings.add(where + "warning: Gateway " + g.getMetadata().getNamespace() + "/"
                            + g.getMetadata().getName() + " is not served by Archway: its class '"
                            + (g.getSpec() == null ? null : g.getSpec().getGatewayClassName())
                            + "' belongs to another controller (ours is " + controllerName + ")");
                }
            }
        }
        PrintWriter report = output == Printer.Format.table ? out : err;
        if (output != Printer.Format.table) {
            out.print(Printer.render(Printer.list(all), output));
            out.flush();
        }
        for (String w : warnings) {
            report.println(w);
        }
        for (String p : problems) {
            report.println(p);
        }
        StringBuilder counts = new StringBuilder(manifests.files().size() + " file(s), " + view.gatewayClasses().size()
                + " GatewayClass(es), " + view.gateways().size() + " Gateway(s), " + view.httpRoutes().size()
                + " HTTPRoute(s)");
        for (io.archway.kinds.ResourceKind kind : io.archway.kinds.ResourceKind.routes()) {
            if (kind != io.archway.kinds.ResourceKind.HTTP_ROUTE && !view.list(kind).isEmpty()) {
                counts.append(", ").append(view.list(kind).size()).append(' ').append(kind.kind()).append("(s)");
            }
        }
        if (problems.isEmpty()) {
            report.println("OK: " + counts + "; " + (ours == 0 ? "none of them is served by Archway."
                    : ours + " of ours, all Accepted with references resolved."));
        } else {
            report.println("INVALID: " + problems.size() + " problem(s) in " + counts + ".");
        }
        report.flush();
        return problems.isEmpty() ? ExitCodes.OK : ExitCodes.INVALID;
    }

    /** Adds a problem per required condition that is not True; returns true when the object has our status. */
    private static boolean check(ResourceKind kind, HasMetadata o, ResourceView view, List<String> problems) {
        ResourceKey key = new ResourceKey(kind.kind(), kind.clusterScoped() ? "" : o.getMetadata().getNamespace(),
                o.getMetadata().getName());
        String where = view.locationOf(key).map(SourceLocation::toString).map(s -> s + ": ").orElse("");
        String subject = where + key;
        if (o instanceof GatewayClass gc && gc.getStatus() != null) {
            conditions(subject, gc.getStatus().getConditions(), problems);
            return true;
        }
        if (o instanceof Gateway g && g.getStatus() != null) {
            conditions(subject, g.getStatus().getConditions(), problems);
            if (g.getStatus().getListeners() != null) {
                for (ListenerStatus ls : g.getStatus().getListeners()) {
                    conditions(subject + " listener " + ls.getName(), ls.getConditions(), problems);
                }
            }
            return true;
        }
        if (o instanceof ListenerSet set && set.getStatus() != null) {
            conditions(subject, set.getStatus().getConditions(), problems);
            if (set.getStatus().getListeners() != null) {
                for (ListenerEntryStatus ls : set.getStatus().getListeners()) {
                    conditions(subject + " listener " + ls.getName(), ls.getConditions(), problems);
                }
            }
            return true;
        }
        if (kind.isRoute()) {
            // every route kind's status is its parents alone
            List<RouteParentStatus> parents = io.archway.source.KubeJson.mapper().convertValue(
                    io.archway.source.KubeJson.mapper().valueToTree(o).path("status").path("parents"),
                    new com.fasterxml.jackson.core.type.TypeReference<List<RouteParentStatus>>() { });
            if (parents == null || parents.isEmpty()) {
                return false;
            }
            for (RouteParentStatus p : parents) {
                conditions(subject + " parent " + parent(p.getParentRef()), p.getConditions(), problems);
            }
            return true;
        }
        return false;
    }

    private static void conditions(String subject, List<Condition> conditions, List<String> problems) {
        if (conditions == null) {
            return;
        }
        for (Condition c : conditions) {
            if (REQUIRED.contains(c.getType()) && !"True".equals(c.getStatus())) {
                problems.add(subject + ": " + c.getType() + "=" + c.getStatus()
                        + (c.getReason() != null ? " (" + c.getReason() + ")" : "")
                        + (c.getMessage() != null && !c.getMessage().isEmpty() ? ": " + c.getMessage() : ""));
            }
        }
    }

    private static String parent(ParentReference p) {
        if (p == null) {
            return "?";
        }
        return (p.getNamespace() != null ? p.getNamespace() + "/" : "") + p.getName()
                + (p.getSectionName() != null ? "#" + p.getSectionName() : "")
                + (p.getPort() != null ? ":" + p.getPort() : "");
    }
}
