package io.archway.translate.bind;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Listener {@code allowedRoutes.namespaces}: Same (the default), All, or Selector (a label
 * selector evaluated against Namespace labels; a namespace without a Namespace object has none).
 */
public final class AllowedNamespaces {
    private final String from;
    private final String gatewayNamespace;
    private final LabelSelector selector;
    private final Function<String, Map<String, String>> namespaceLabels;

    /**
     * @param namespaceLabels the labels of a namespace's Namespace object, null when it has none
     */
    AllowedNamespaces(String from, String gatewayNamespace, LabelSelector selector,
                      Function<String, Map<String, String>> namespaceLabels) {
        this.from = from == null ? "Same" : from;
        this.gatewayNamespace = gatewayNamespace;
        this.selector = selector;
        this.namespaceLabels = namespaceLabels;
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
                return Objects.equals(gatewayNamespace, routeNamespace);
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
                return "allowedRoutes.namespaces.from All";
            case "None":
                return "allowedRoutes.namespaces.from None";
            case "Selector": {
                final Map<String, String> labels = namespaceLabels.apply(routeNamespace);
                return "allowedRoutes.namespaces.from Selector " + describe(selector) + " vs labels of namespace "
                        + routeNamespace + " " + (labels == null ? "(no Namespace object: no labels)"
                        : new java.util.TreeMap<>(labels).toString());
            }
            default:
                return "allowedRoutes.namespaces.from Same: Gateway namespace " + gatewayNamespace
                        + ", route namespace " + routeNamespace;
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
