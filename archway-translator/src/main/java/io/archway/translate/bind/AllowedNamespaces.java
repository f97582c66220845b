package io.archway.translate.bind;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A namespace policy ({@code from} Same, All, None or Selector: a label selector evaluated against
 * Namespace labels; a namespace without a Namespace object has none), in one of its three places:
 * a Gateway listener's {@code allowedRoutes.namespaces} (Same: the Gateway's namespace; the
 * default), a ListenerSet listener's (Same: the ListenerSet's namespace, GEP-1713), and a
 * Gateway's {@code allowedListeners.namespaces} (which ListenerSets may attach; default None).
 */
public final class AllowedNamespaces {
    /**
     * Where a policy is written.
     *
     * @param field the spec field, for explanations
     * @param owner the kind whose namespace Same means
     * @param subject what the policy admits, for explanations
     * @param defaultFrom {@code from} when unset
     */
    public record Scope(String field, String owner, String subject, String defaultFrom) {
    }

    public static final Scope GATEWAY_ROUTES = new Scope("allowedRoutes.namespaces", "Gateway", "route", "Same");
    public static final Scope LISTENER_SET_ROUTES = new Scope("allowedRoutes.namespaces", "ListenerSet", "route", "Same");
    public static final Scope LISTENER_SETS = new Scope("allowedListeners.namespaces", "Gateway", "ListenerSet", "None");

    private final Scope scope;
    private final String from;
    private final String ownerNamespace;
    private final LabelSelector selector;
    private final Function<String, Map<String, String>> namespaceLabels;

    /** A Gateway listener's {@code allowedRoutes.namespaces}. */
    AllowedNamespaces(String from, String gatewayNamespace, LabelSelector selector,
                      Function<String, Map<String, String>> namespaceLabels) {
        this(GATEWAY_ROUTES, from, gatewayNamespace, selector, namespaceLabels);
    }

    /**
     * @param from null for the scope's default
     * @param ownerNamespace the namespace Same means
     * @param namespaceLabels the labels of a namespace's Namespace object, null when it has none
     */
    AllowedNamespaces(Scope scope, String from, String ownerNamespace, LabelSelector selector,
                      Function<String, Map<String, String>> namespaceLabels) {
        this.scope = scope;
        this.from = from == null || from.isEmpty() ? scope.defaultFrom() : from;
        this.ownerNamespace = ownerNamespace;
        this.selector = selector;
        this.namespaceLabels = namespaceLabels;
    }

    /**
     * A Gateway's {@code spec.allowedListeners.namespaces}: which namespaces' ListenerSets may
     * attach to it (GEP-1713: absent means None). Also read by the data-plane provisioner, which
     * exposes the ports of the attached sets' listeners.
     *
     * @param namespaceLabels the labels of a namespace's Namespace object, null when it has none
     */
    public static AllowedNamespaces listenerSetsOf(Gateway gateway, Function<String, Map<String, String>> namespaceLabels) {
        final var allowed = gateway.getSpec() == null || gateway.getSpec().getAllowedListeners() == null ? null
                : gateway.getSpec().getAllowedListeners().getNamespaces();
        return new AllowedNamespaces(LISTENER_SETS, allowed == null ? null : allowed.getFrom(),
                gateway.getMetadata().getNamespace(), allowed == null ? null : allowed.getSelector(), namespaceLabels);
    }

    /**
     * Whether {@code other} admits the same namespaces: the same policy, read against the same
     * Namespaces (the caller's to know: both made from one view's Namespace objects).
     */
    public boolean sameAs(AllowedNamespaces other) {
        return scope.equals(other.scope) && from.equals(other.from) && Objects.equals(ownerNamespace, other.ownerNamespace)
                && Objects.equals(selector, other.selector);
    }

    /** The effective {@code from}: as written, or the scope's default. */
    public String from() {
        return from;
    }

    public boolean allows(String routeNamespace) {
        switch (from) {
            case "All":
                return true;
            case "Selector":
                return selector != null && matches(selector, labelsOf(routeNamespace));
            case "None":
                return false;
            default:
                return Objects.equals(ownerNamespace, routeNamespace);
        }
    }

    private Map<String, String> labelsOf(String namespace) {
        final Map<String, String> labels = namespaceLabels.apply(namespace);
        return labels == null ? Map.of() : labels;
    }

    /** The policy in words, with the labels compared for a Selector, for {@code archway explain}. */
    public String describe(String routeNamespace) {
        switch (from) {
            case "All":
            case "None":
                return scope.field() + ".from " + from;
            case "Selector": {
                final Map<String, String> labels = namespaceLabels.apply(routeNamespace);
                return scope.field() + ".from Selector " + describe(selector) + " vs labels of namespace "
                        + routeNamespace + " " + (labels == null ? "(no Namespace object: no labels)"
                        : new java.util.TreeMap<>(labels).toString());
            }
            default:
                return scope.field() + ".from " + from + ": " + scope.owner() + " namespace " + ownerNamespace
                        + ", " + scope.subject() + " namespace " + routeNamespace;
        }
    }

    private static String describe(LabelSelector sel) {
        if (sel == null) {
            return "(no selector)";
        }
        final List<String> parts = new java.util.ArrayList<>();
        if (sel.getMatchLabels() != null) {
            new java.util.TreeMap<>(sel.getMatchLabels()).forEach((k, v) -> parts.add(k + "=" + v));
        }
        if (sel.getMatchExpressions() != null) {
            sel.getMatchExpressions().forEach(e -> parts.add(e.getKey() + " " + e.getOperator()
                    + (e.getValues() == null ? "" : " " + e.getValues())));
        }
        return "{" + String.join(", ", parts) + "}";
    }

    /** Kubernetes label selector semantics: all matchLabels and all matchExpressions must hold. */
    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
                if (!Objects.equals(labels.get(e.getKey()), e.getValue())) {
                    return false;
                }
            }
        }
        final List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
        if (expressions != null) {
            for (LabelSelectorRequirement r : expressions) {
                final List<String> values = r.getValues() == null ? List.of() : r.getValues();
                final String value = labels.get(r.getKey());
                final boolean ok;
                switch (String.valueOf(r.getOperator())) {
                    case "In":
                        ok = value != null && values.contains(value);
                        break;
                    case "NotIn":
                        ok = value == null || !values.contains(value);
                        break;
                    case "Exists":
                        ok = value != null;
                        break;
                    case "DoesNotExist":
                        ok = value == null;
                        break;
                    default:
                        ok = false;
                }
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
