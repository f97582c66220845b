package io.archway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.archway.kinds.ResourceKind;
import io.archway.source.KubeJson;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Renders resources as kubectl does: a table, or a {@code List} in YAML or JSON. */
final class Printer {
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build();

    private Printer() {
    }

    enum Format { table, yaml, json }

    /** A kubectl-style List document of the given items. */
    static ObjectNode list(List<? extends HasMetadata> items) {
        ObjectNode list = KubeJson.mapper().createObjectNode();
        list.put("apiVersion", "v1");
        ArrayNode arr = list.putArray("items");
        for (HasMetadata item : items) {
            arr.add((JsonNode) KubeJson.mapper().valueToTree(item));
        }
        list.put("kind", "List");
        list.putObject("metadata").put("resourceVersion", "");
        return list;
    }

    static String render(JsonNode node, Format format) {
        try {
            return format == Format.json ? KubeJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n"
                    : YAML.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A human table of items of {@code kinds} (several: route kinds, with a KIND column);
     * {@code allNamespaces} adds a NAMESPACE column.
     */
    static String table(List<ResourceKind> kinds, List<? extends HasMetadata> items, boolean allNamespaces, Instant now) {
        List<String[]> rows = new ArrayList<>();
        ResourceKind kind = kinds.get(0);
        boolean kindColumn = kinds.size() > 1;
        boolean ns = allNamespaces && !kind.clusterScoped();
        switch (kind) {
            case GATEWAY_CLASS -> {
                rows.add(new String[] {"NAME", "CONTROLLER", "ACCEPTED", "AGE"});
                for (HasMetadata o : items) {
                    GatewayClass gc = (GatewayClass) o;
                    rows.add(new String[] {name(o), gc.getSpec() == null ? "" : orEmpty(gc.getSpec().getControllerName()),
                            condition(gc.getStatus() == null ? null : gc.getStatus().getConditions(), "Accepted"),
                            age(o, now)});
                }
            }
            case GATEWAY -> {
                rows.add(new String[] {"NAME", "CLASS", "ADDRESS", "PROGRAMMED", "ROUTES", "AGE"});
                for (HasMetadata o : items) {
                    Gateway g = (Gateway) o;
                    String address = g.getStatus() == null || g.getStatus().getAddresses() == null ? ""
                            : String.join(",", g.getStatus().getAddresses().stream().map(GatewayStatusAddress::getValue)
                                    .filter(Objects::nonNull).toList());
                    rows.add(new String[] {name(o), g.getSpec() == null ? "" : orEmpty(g.getSpec().getGatewayClassName()),
                            address, condition(g.getStatus() == null ? null : g.getStatus().getConditions(), "Programmed"),
                            attachedRoutes(g), age(o, now)});
                }
            }
            case LISTENER_SET -> {
                rows.add(new String[] {"NAME", "GATEWAY", "ACCEPTED", "PROGRAMMED", "LISTENERS", "ROUTES", "AGE"});
                for (HasMetadata o : items) {
                    ListenerSet ls = (ListenerSet) o;
                    var conditions = ls.getStatus() == null ? null : ls.getStatus().getConditions();
                    rows.add(new String[] {name(o), parentGateway(ls), condition(conditions, "Accepted"),
                            condition(conditions, "Programmed"), listenersAccepted(ls), attachedRoutes(ls), age(o, now)});
                }
            }
            default -> {
                if (!kind.isRoute()) {
                    throw new IllegalArgumentException("no table for " + kind.kind());
                }
                rows.add(kindColumn ? new String[] {"KIND", "NAME", "HOSTNAMES", "PARENTS", "ACCEPTED", "REFS", "AGE"}
                        : new String[] {"NAME", "HOSTNAMES", "PARENTS", "ACCEPTED", "REFS", "AGE"});
                for (HasMetadata o : items) {
                    List<String> hostnames = hostnames(o);
                    String[] row = {name(o), hostnames.isEmpty() ? "*" : String.join(",", hostnames),
                            parents(o), parentsAccepted(o), refs(o), age(o, now)};
                    if (kindColumn) {
                        String[] wide = new String[row.length + 1];
                        wide[0] = o.getKind() != null ? o.getKind() : ResourceKind.of(o).map(ResourceKind::kind).orElse("");
                        System.arraycopy(row, 0, wide, 1, row.length);
                        row = wide;
                    }
                    rows.add(row);
                }
            }
        }
        if (ns) {
            int at = kindColumn ? 1 : 0;
            for (int i = 0; i < rows.size(); i++) {
                String[] row = rows.get(i);
                String[] wide = new String[row.length + 1];
                System.arraycopy(row, 0, wide, 0, at);
                wide[at] = i == 0 ? "NAMESPACE" : orEmpty(items.get(i - 1).getMetadata().getNamespace());
                System.arraycopy(row, at, wide, at + 1, row.length - at);
                rows.set(i, wide);
            }
        }
        return format(rows);
    }

    /** Sum of attachedRoutes over the listeners; "-" without status. */
    static String attachedRoutes(Gateway g) {
        if (g.getStatus() == null || g.getStatus().getListeners() == null || g.getStatus().getListeners().isEmpty()) {
            return "-";
        }
        int n = 0;
        for (ListenerStatus l : g.getStatus().getListeners()) {
            n += l.getAttachedRoutes() == null ? 0 : l.getAttachedRoutes();
        }
        return Integer.toString(n);
    }

    /** The Gateway a ListenerSet attaches to, as ns/name (ns only when not the set's). */
    static String parentGateway(ListenerSet ls) {
        var ref = ls.getSpec() == null ? null : ls.getSpec().getParentRef();
        if (ref == null) {
            return "";
        }
        String ns = ref.getNamespace() == null || ref.getNamespace().equals(ls.getMetadata().getNamespace()) ? ""
                : ref.getNamespace() + "/";
        return ns + orEmpty(ref.getName());
    }

    /** "accepted/declared" listeners of a ListenerSet; "-" without status. */
    static String listenersAccepted(ListenerSet ls) {
        if (ls.getStatus() == null || ls.getStatus().getListeners() == null) {
            return "-";
        }
        long accepted = ls.getStatus().getListeners().stream()
                .filter(l -> "True".equals(condition(l.getConditions(), "Accepted"))).count();
        int declared = ls.getSpec() == null || ls.getSpec().getListeners() == null ? 0 : ls.getSpec().getListeners().size();
        return accepted + "/" + declared;
    }

    /** Sum of attachedRoutes over a ListenerSet's listeners; "-" without status. */
    static String attachedRoutes(ListenerSet ls) {
        if (ls.getStatus() == null || ls.getStatus().getListeners() == null || ls.getStatus().getListeners().isEmpty()) {
            return "-";
        }
        return Integer.toString(ls.getStatus().getListeners().stream()
                .mapToInt(l -> l.getAttachedRoutes() == null ? 0 : l.getAttachedRoutes()).sum());
    }

    /** spec.hostnames of a route of any kind (all route kinds share the fields read here). */
    static List<String> hostnames(HasMetadata route) {
        return routeList(route, "/spec/hostnames", String.class);
    }

    static List<ParentReference> parentRefs(HasMetadata route) {
        return routeList(route, "/spec/parentRefs", ParentReference.class);
    }

    /** The route's status parents; null when the route has no status at all. */
    static List<RouteParentStatus> statusParents(HasMetadata route) {
        List<RouteParentStatus> p = routeList(route, "/status/parents", RouteParentStatus.class);
        return p.isEmpty() ? null : p;
    }

    private static <T> List<T> routeList(HasMetadata route, String pointer, Class<T> type) {
        JsonNode node = KubeJson.mapper().valueToTree(route).at(pointer);
        return node.isArray() ? KubeJson.mapper().convertValue(node,
                KubeJson.mapper().getTypeFactory().constructCollectionType(List.class, type)) : List.of();
    }

    /** The parentRefs, as ns/name#section:port (ns only when not the route's). */
    static String parents(HasMetadata route) {
        List<String> out = new ArrayList<>();
        for (ParentReference p : parentRefs(route)) {
            out.add((p.getNamespace() != null && !p.getNamespace().equals(route.getMetadata().getNamespace())
                    ? p.getNamespace() + "/" : "") + p.getName()
                    + (p.getSectionName() != null ? "#" + p.getSectionName() : "")
                    + (p.getPort() != null ? ":" + p.getPort() : ""));
        }
        return out.isEmpty() ? "-" : String.join(",", out);
    }

    /** "accepted/total" over the route's parentRefs; "-" when the route carries no status. */
    static String parentsAccepted(HasMetadata route) {
        List<RouteParentStatus> parents = statusParents(route);
        if (parents == null) {
            return "-";
        }
        int accepted = 0;
        for (RouteParentStatus p : parents) {
            if ("True".equals(condition(p.getConditions(), "Accepted"))) {
                accepted++;
            }
        }
        return accepted + "/" + Math.max(parentRefs(route).size(), accepted);
    }

    /** ResolvedRefs at a glance: "Resolved", the reason of the first one not True, or "-" without status. */
    static String refs(HasMetadata route) {
        List<RouteParentStatus> parents = statusParents(route);
        if (parents == null) {
            return "-";
        }
        for (RouteParentStatus p : parents) {
            if (p.getConditions() == null) {
                continue;
            }
            for (Condition c : p.getConditions()) {
                if ("ResolvedRefs".equals(c.getType()) && !"True".equals(c.getStatus())) {
                    return c.getReason() != null ? c.getReason() : "Unresolved";
                }
            }
        }
        return "Resolved";
    }

    static String condition(List<Condition> conditions, String type) {
        if (conditions == null) {
            return "Unknown";
        }
        for (Condition c : conditions) {
            if (type.equals(c.getType())) {
                return c.getStatus();
            }
        }
        return "Unknown";
    }

    static String age(HasMetadata o, Instant now) {
        String ts = o.getMetadata().getCreationTimestamp();
        if (ts == null) {
            return "<unknown>";
        }
        try {
            Duration d = Duration.between(Instant.parse(ts), now);
            long s = Math.max(0, d.getSeconds());
            if (s < 120) {
                return s + "s";
            }
            if (s < 3600) {
                return s / 60 + "m";
            }
            if (s < 48 * 3600) {
                return s / 3600 + "h" + (s < 10 * 3600 && s % 3600 >= 60 ? (s % 3600) / 60 + "m" : "");
            }
            return s / 86400 + "d";
        } catch (DateTimeParseException e) {
            return "<unknown>";
        }
    }

    private static String name(HasMetadata o) {
        return o.getMetadata().getName();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    static String format(List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] row : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                line.append(row[i]);
                if (i < cols - 1) {
                    line.append(" ".repeat(width[i] - row[i].length() + 3));
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
