package io.archway.translate.golden;

import io.archway.snapshot.ListenerEntry;
import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.Translation;
import io.archway.translate.Translator;
import io.archway.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small inline translation case for rule tests outside the golden folder: YAML documents read
 * like a golden {@code .in.yaml} (our GatewayClass, the {@code default} Namespace, the
 * {@code default/echo} Service and the TLS Secrets of {@code _include} are always there), translated
 * once, with accessors that print conditions as {@code Type=Status/Reason}.
 */
public final class SpecCase {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final String PRELUDE = "kind: ArchwayTestOptions\nincludes:\n  - _include/archway-class.yaml\n"
            + "  - _include/tls-secrets.yaml\n";

    private final GoldenInput input;
    private final Translation translation;

    private SpecCase(GoldenInput input) {
        this.input = input;
        this.translation = new Translator(input.options).translate(input.view, 1);
    }

    /** @param yaml Kubernetes documents separated by {@code ---} */
    public static SpecCase of(String yaml) {
        return withOptions("", yaml);
    }

    /** @param options extra ArchwayTestOptions lines, e.g. {@code adoptUnknownGatewayClasses: true\n} */
    public static SpecCase withOptions(String options, String yaml) {
        try {
            return new SpecCase(GoldenInput.read(GOLDEN, "spec-case.yaml", PRELUDE + options + "---\n" + yaml));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The GatewayClass's conditions, type to {@code Status/Reason}. */
    public Map<String, String> gatewayClassConditions(String name) {
        final var s = translation.status().gatewayClasses().get(new ResourceKey("GatewayClass", "", name));
        if (s == null) {
            throw new AssertionError("no status for GatewayClass " + name);
        }
        return conditions(s.getConditions());
    }

    public ResourceView view() {
        return input.view;
    }

    public TranslatorOptions options() {
        return input.options;
    }

    public Translation translation() {
        return translation;
    }

    public GatewayStatus gateway(String namespaceName) {
        final GatewayStatus s = translation.status().gateways().get(key("Gateway", namespaceName));
        if (s == null) {
            throw new AssertionError("no status for Gateway " + namespaceName);
        }
        return s;
    }

    public ListenerStatus listener(String namespaceName, String listener) {
        return gateway(namespaceName).getListeners().stream().filter(l -> l.getName().equals(listener)).findFirst()
                .orElseThrow(() -> new AssertionError("no listener " + listener + " in " + namespaceName));
    }

    /** The listener's conditions, type to {@code Status/Reason}, in the order written. */
    public Map<String, String> listenerConditions(String namespaceName, String listener) {
        return conditions(listener(namespaceName, listener).getConditions());
    }

    public Map<String, String> gatewayConditions(String namespaceName) {
        return conditions(gateway(namespaceName).getConditions());
    }

    /** null when we wrote no status for the route. */
    public HTTPRouteStatus route(String namespaceName) {
        return translation.status().httpRoutes().get(key("HTTPRoute", namespaceName));
    }

    /** The conditions of the route's parent status entry {@code index}, type to {@code Status/Reason}. */
    public Map<String, String> routeParentConditions(String namespaceName, int index) {
        final HTTPRouteStatus s = route(namespaceName);
        if (s == null) {
            throw new AssertionError("no status for HTTPRoute " + namespaceName);
        }
        final RouteParentStatus parent = s.getParents().get(index);
        return conditions(parent.getConditions());
    }

    /** Every listener entry of the snapshot, in socket then precedence order. */
    public List<ListenerEntry> servedListeners() {
        return translation.snapshot().ports().stream()
                .map(p -> p.kind() instanceof io.archway.snapshot.HttpPort h ? h.listeners() : List.<ListenerEntry>of())
                .flatMap(List::stream).toList();
    }

    public List<String> diagnostics() {
        return translation.diagnostics().stream().map(Diagnostic::toString).toList();
    }

    private static Map<String, String> conditions(List<Condition> conditions) {
        final Map<String, String> out = new LinkedHashMap<>();
        conditions.forEach(c -> out.put(c.getType(), c.getStatus() + "/" + c.getReason()));
        return out;
    }

    private static ResourceKey key(String kind, String namespaceName) {
        final String[] nn = namespaceName.split("/", 2);
        return new ResourceKey(kind, nn[0], nn[1]);
    }
}
