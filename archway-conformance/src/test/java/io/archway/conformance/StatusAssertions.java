package io.archway.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The upstream {@code conformance/utils/kubernetes} status helpers, evaluated once against the
 * resources the server reports (the caller polls). Each check returns null when satisfied,
 * otherwise what is still missing. Resources are JSON trees as {@code kubectl get -o json} shows.
 */
final class StatusAssertions {
    static final String GROUP = "gateway.networking.k8s.io";
    static final String SKIP_READINESS = "gateway-api/skip-this-for-readiness";

    /** Where resources come from (the server's StatusView in the real run; fakes in unit tests). */
    interface Source {
        List<JsonNode> list(String kind, String namespace);

        default JsonNode get(String kind, String namespace, String name) {
            for (JsonNode r : list(kind, namespace)) {
                JsonNode meta = r.path("metadata");
                if (meta.path("name").asText().equals(name)
                        && (namespace == null || meta.path("namespace").asText("").equals(namespace))) {
                    return r;
                }
            }
            return null;
        }
    }

    /**
     * Marks a result that ends the wait at once: upstream's poll function returned an error
     * (the object could not be fetched, or GatewayMustHaveCondition saw a stale condition), which
     * {@code wait.PollUntilContextTimeout} does not retry.
     */
    static final String FATAL = "fatal: ";

    /** A namespaced name from the extraction ({"name":..,"namespace":..}). */
    record NN(String namespace, String name) {
        static NN of(JsonNode n) {
            JsonNode ns = n.has("Namespace") ? n.path("Namespace") : n.path("namespace");
            JsonNode name = n.has("Name") ? n.path("Name") : n.path("name");
            return new NN(ns.isNull() || ns.isMissingNode() ? null : ns.asText(), name.asText());
        }

        @Override
        public String toString() {
            return namespace == null ? name : namespace + "/" + name;
        }
    }

    /** An expected condition; empty status or reason match anything. */
    record Cond(String type, String status, String reason) {
        static Cond of(JsonNode c) {
            return new Cond(c.path("Type").asText(c.path("type").asText()),
                    c.path("Status").asText(c.path("status").asText("")),
                    c.path("Reason").asText(c.path("reason").asText("")));
        }

        @Override
        public String toString() {
            return type + "=" + (status.isEmpty() ? "*" : status) + (reason.isEmpty() ? "" : "/" + reason);
        }
    }

    private StatusAssertions() {
    }

    // ---------------------------------------------------------------- primitives

    static boolean findCondition(JsonNode conditions, Cond want) {
        for (JsonNode c : conditions) {
            if (c.path("type").asText().equals(want.type())
                    && (want.status().isEmpty() || c.path("status").asText().equals(want.status()))
                    && (want.reason().isEmpty() || c.path("reason").asText().equals(want.reason()))) {
                return true;
            }
        }
        return false;
    }

    static String describe(JsonNode conditions) {
        List<String> out = new ArrayList<>();
        for (JsonNode c : conditions) {
            out.add(c.path("type").asText() + "=" + c.path("status").asText() + "/" + c.path("reason").asText()
                    + "@" + c.path("observedGeneration").asLong(0));
        }
        return out.toString();
    }

    /** ConditionsHaveLatestObservedGeneration. */
    static String latest(JsonNode obj, JsonNode conditions) {
        long gen = obj.path("metadata").path("generation").asLong(0);
        List<String> stale = new ArrayList<>();
        for (JsonNode c : conditions) {
            if (c.path("observedGeneration").asLong(0) != gen) {
                stale.add(c.path("type").asText() + " (generation " + c.path("observedGeneration").asLong(0) + ")");
            }
        }
        return stale.isEmpty() ? null
                : "expected observedGeneration to be updated to " + gen + " for all conditions, stale: " + stale;
    }

    static boolean conditionsMatch(List<Cond> expected, JsonNode actual) {
        if (actual.size() < expected.size()) {
            return false;
        }
        for (Cond c : expected) {
            if (!findCondition(actual, c)) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode need(Source s, String kind, NN nn) {
        return s.get(kind, nn.namespace(), nn.name());
    }

    // ---------------------------------------------------------------- GatewayClass

    static String gatewayClassAccepted(Source s, String name, String status) {
        JsonNode gwc = s.get("GatewayClass", null, name);
        if (gwc == null) {
            return FATAL + "GatewayClass " + name + " not found";
        }
        JsonNode conds = gwc.path("status").path("conditions");
        String stale = latest(gwc, conds);
        if (stale != null) {
            return "GatewayClass " + name + ": " + stale;
        }
        if (!findCondition(conds, new Cond("Accepted", status, ""))) {
            return "GatewayClass " + name + " has no Accepted" + (status.isEmpty() ? "" : "=" + status)
                    + " condition: " + describe(conds);
        }
        return null;
    }

    static String gatewayClassLatest(Source s, String name) {
        JsonNode gwc = s.get("GatewayClass", null, name);
        if (gwc == null) {
            return FATAL + "GatewayClass " + name + " not found";
        }
        String stale = latest(gwc, gwc.path("status").path("conditions"));
        return stale == null ? null : "GatewayClass " + name + ": " + stale;
    }

    // ---------------------------------------------------------------- Gateway

    static String gatewayLatest(Source s, NN gwNN) {
        JsonNode gw = need(s, "Gateway", gwNN);
        if (gw == null) {
            return FATAL + "Gateway " + gwNN + " not found";
        }
        String stale = latest(gw, gw.path("status").path("conditions"));
        return stale == null ? null : "Gateway " + gwNN + ": " + stale;
    }

    static String gatewayHasCondition(Source s, NN gwNN, Cond want) {
        JsonNode gw = need(s, "Gateway", gwNN);
        if (gw == null) {
            return FATAL + "Gateway " + gwNN + " not found";
        }
        JsonNode conds = gw.path("status").path("conditions");
        String stale = latest(gw, conds);
        if (stale != null) {
            // GatewayMustHaveCondition returns ConditionsHaveLatestObservedGeneration's error from
            // its poll function: a stale condition fails at once instead of being waited for
            return FATAL + "Gateway " + gwNN + ": " + stale;
        }
        return findCondition(conds, want) ? null
                : "Gateway " + gwNN + " lacks condition " + want + ", has " + describe(conds);
    }

    static String namespacesReady(Source s, List<String> namespaces) {
        for (String ns : namespaces) {
            for (JsonNode gw : s.list("Gateway", ns)) {
                if ("true".equals(gw.path("metadata").path("annotations").path(SKIP_READINESS).asText())) {
                    continue;
                }
                String name = ns + "/" + gw.path("metadata").path("name").asText();
                JsonNode conds = gw.path("status").path("conditions");
                String stale = latest(gw, conds);
                if (stale != null) {
                    return "Gateway " + name + ": " + stale;
                }
                if (!findCondition(conds, new Cond("Accepted", "True", ""))) {
                    return "Gateway " + name + " not Accepted: " + describe(conds);
                }
                if (!findCondition(conds, new Cond("Programmed", "True", ""))) {
                    return "Gateway " + name + " not Programmed: " + describe(conds);
                }
            }
            // Pods: the in-process echo pods are always Ready.
        }
        return null;
    }

    /** GatewayListenersMustHaveConditions over every listener in status. */
    static String listenersHaveConditions(Source s, NN gwNN, List<Cond> conds) {
        return listenersHaveConditions(s, gwNN, conds, List.of());
    }

    /** GatewayListenersMustHaveConditions over the named listeners (every listener when none is named). */
    static String listenersHaveConditions(Source s, NN gwNN, List<Cond> conds, List<String> names) {
        JsonNode gw = need(s, "Gateway", gwNN);
        if (gw == null) {
            return FATAL + "Gateway " + gwNN + " not found";
        }
        return namedListenersHave("Gateway " + gwNN, gw.path("status").path("listeners"), conds, names);
    }

    /** GatewayListenerMustHaveConditions: the named listener is in status and has every condition. */
    static String listenerHasConditions(Source s, NN gwNN, String listener, List<Cond> conds) {
        JsonNode gw = need(s, "Gateway", gwNN);
        if (gw == null) {
            return FATAL + "Gateway " + gwNN + " not found";
        }
        for (JsonNode l : gw.path("status").path("listeners")) {
            if (l.path("name").asText().equals(listener)) {
                for (Cond c : conds) {
                    if (!findCondition(l.path("conditions"), c)) {
                        return "Gateway " + gwNN + " listener " + listener + " lacks " + c + ", has "
                                + describe(l.path("conditions"));
                    }
                }
                return null;
            }
        }
        return "listener " + listener + " not found in Gateway " + gwNN + " status";
    }

    /** GatewayMustHaveAttachedListeners: status.attachedListenerSets. */
    static String attachedListenerSets(Source s, NN gwNN, long expected) {
        JsonNode gw = need(s, "Gateway", gwNN);
        if (gw == null) {
            return FATAL + "Gateway " + gwNN + " not found";
        }
        String stale = latest(gw, gw.path("status").path("conditions"));
        if (stale != null) {
            return "Gateway " + gwNN + ": " + stale;
        }
        long got = gw.path("status").path("attachedListenerSets").asLong(0);
        return got == expected ? null
                : "Gateway " + gwNN + ": expected status.attachedListenerSets " + expected + ", got " + got;
    }

    /** GatewayStatusMustHaveListeners: {Name, SupportedKinds[{Group,Kind}], Conditions[], AttachedRoutes}. */
    static String gatewayListeners(Source s, NN gwNN, JsonNode expected) {
        JsonNode gw = need(s, "Gateway", gwNN);
        if (gw == null) {
            return FATAL + "Gateway " + gwNN + " not found";
        }
        String stale = latest(gw, gw.path("status").path("conditions"));
        if (stale != null) {
            return "Gateway " + gwNN + ": " + stale;
        }
        return listenersMatch("Gateway", expected, gw.path("status").path("listeners"));
    }

    /**
     * gatewayListenersMatch and listenerSetListenersMatch (the same comparison): as many listeners
     * as expected, each by name with the expected supportedKinds among its own, its attachedRoutes
     * and its conditions.
     */
    static String listenersMatch(String kind, JsonNode expected, JsonNode actual) {
        if (expected.size() != actual.size()) {
            return "expected " + expected.size() + " " + kind + " status listeners, got " + actual.size() + ": "
                    + listenerSummary(actual);
        }
        for (JsonNode e : expected) {
            String name = e.path("Name").asText();
            JsonNode a = null;
            for (JsonNode l : actual) {
                if (l.path("name").asText().equals(name)) {
                    a = l;
                }
            }
            if (a == null) {
                return "expected status for listener " + name + " to be present: " + listenerSummary(actual);
            }
            JsonNode eKinds = e.path("SupportedKinds");
            JsonNode aKinds = a.path("supportedKinds");
            if (eKinds.size() == 0 && aKinds.size() != 0) {
                return "listener " + name + ": expected empty supportedKinds, got " + aKinds;
            }
            for (JsonNode ek : eKinds) {
                String eg = ek.path("Group").isNull() || ek.path("Group").isMissingNode() ? GROUP : ek.path("Group").asText();
                boolean found = false;
                for (JsonNode ak : aKinds) {
                    String ag = ak.path("group").isNull() || ak.path("group").isMissingNode() ? GROUP : ak.path("group").asText();
                    found |= eg.equals(ag) && ek.path("Kind").asText().equals(ak.path("kind").asText());
                }
                if (!found) {
                    return "listener " + name + ": expected " + eg + "/" + ek.path("Kind").asText()
                            + " in supportedKinds, got " + aKinds;
                }
            }
            long attached = a.path("attachedRoutes").asLong(0);
            if (attached != e.path("AttachedRoutes").asLong(0)) {
                return "listener " + name + ": expected attachedRoutes " + e.path("AttachedRoutes").asLong(0)
                        + ", got " + attached;
            }
            List<Cond> conds = new ArrayList<>();
            e.path("Conditions").forEach(c -> conds.add(Cond.of(c)));
            if (!conditionsMatch(conds, a.path("conditions"))) {
                return "listener " + name + ": expected conditions " + conds + ", got " + describe(a.path("conditions"));
            }
        }
        return null;
    }

    /**
     * The listeners of a Gateway's or ListenerSet's status that have every condition
     * (GatewayListenersMustHaveConditions, ListenerSetListenersMustHaveConditions): only those
     * named when names are given, and then each named one must be in status.
     */
    private static String namedListenersHave(String what, JsonNode listeners, List<Cond> conds, List<String> names) {
        java.util.Set<String> unmatched = new java.util.TreeSet<>(names);
        for (Cond c : conds) {
            for (JsonNode l : listeners) {
                String name = l.path("name").asText();
                if (!names.isEmpty() && !names.contains(name)) {
                    continue;
                }
                if (!findCondition(l.path("conditions"), c)) {
                    return what + " listener " + name + " lacks " + c + ", has " + describe(l.path("conditions"));
                }
                unmatched.remove(name);
            }
        }
        return unmatched.isEmpty() ? null : what + ": no status for listeners " + unmatched + ": " + listenerSummary(listeners);
    }

    // ---------------------------------------------------------------- ListenerSet

    /** ListenerSetMustHaveCondition: conditions at the latest generation, one matching (a missing set is waited for). */
    static String listenerSetHasCondition(Source s, NN lsNN, Cond want) {
        JsonNode ls = need(s, "ListenerSet", lsNN);
        if (ls == null) {
            return "ListenerSet " + lsNN + " not found";
        }
        JsonNode conds = ls.path("status").path("conditions");
        String stale = latest(ls, conds);
        if (stale != null) {
            return "ListenerSet " + lsNN + ": " + stale;
        }
        return findCondition(conds, want) ? null
                : "ListenerSet " + lsNN + " lacks condition " + want + ", has " + describe(conds);
    }

    /** ListenerSetListenersMustHaveConditions: as GatewayListenersMustHaveConditions, after the generation check. */
    static String listenerSetListenersHaveConditions(Source s, NN lsNN, List<Cond> conds, List<String> names) {
        JsonNode ls = need(s, "ListenerSet", lsNN);
        if (ls == null) {
            return "ListenerSet " + lsNN + " not found";
        }
        String stale = latest(ls, ls.path("status").path("conditions"));
        if (stale != null) {
            return "ListenerSet " + lsNN + ": " + stale;
        }
        return namedListenersHave("ListenerSet " + lsNN, ls.path("status").path("listeners"), conds, names);
    }

    /** ListenerSetStatusMustHaveListeners: a missing set ends the wait (upstream returns the fetch error). */
    static String listenerSetListeners(Source s, NN lsNN, JsonNode expected) {
        JsonNode ls = need(s, "ListenerSet", lsNN);
        if (ls == null) {
            return FATAL + "error fetching ListenerSet " + lsNN + ": not found";
        }
        String stale = latest(ls, ls.path("status").path("conditions"));
        if (stale != null) {
            return "ListenerSet " + lsNN + ": " + stale;
        }
        return listenersMatch("ListenerSet", expected, ls.path("status").path("listeners"));
    }

    private static String listenerSummary(JsonNode listeners) {
        List<String> out = new ArrayList<>();
        for (JsonNode l : listeners) {
            out.add(l.path("name").asText() + "(attached=" + l.path("attachedRoutes").asLong(0) + ", "
                    + describe(l.path("conditions")) + ")");
        }
        return out.toString();
    }

    static String gatewayZeroRoutes(Source s, NN gwNN) {
        JsonNode gw = need(s, "Gateway", gwNN);
        if (gw == null) {
            return FATAL + "Gateway " + gwNN + " not found";
        }
        String stale = latest(gw, gw.path("status").path("conditions"));
        if (stale != null) {
            return "Gateway " + gwNN + ": " + stale;
        }
        JsonNode ls = gw.path("status").path("listeners");
        if (ls.size() == 0 || (ls.size() == 1 && ls.get(0).path("attachedRoutes").asLong(0) == 0)) {
            return null;
        }
        return "Gateway " + gwNN + ": want zero listeners or exactly 1 listener with zero routes, got "
                + listenerSummary(ls);
    }

    /** WaitForGatewayAddress: first status address with a type, port of the first (or named) spec listener. */
    record Address(String ip, int port) {
    }

    static Object gatewayAddress(Source s, NN gwNN, List<String> listenerNames) {
        JsonNode gw = need(s, "Gateway", gwNN);
        if (gw == null) {
            return FATAL + "Gateway " + gwNN + " not found";
        }
        String stale = latest(gw, gw.path("status").path("conditions"));
        if (stale != null) {
            return "Gateway " + gwNN + ": " + stale;
        }
        JsonNode listeners = gw.path("spec").path("listeners");
        if (listeners.size() == 0) {
            return "Gateway " + gwNN + " has no listeners";
        }
        JsonNode listener = listeners.get(0);
        if (!listenerNames.isEmpty() && !listenerNames.get(0).isEmpty()) {
            for (JsonNode l : listeners) {
                if (l.path("name").asText().equals(listenerNames.get(0))) {
                    listener = l;
                    break;
                }
            }
        }
        for (JsonNode a : gw.path("status").path("addresses")) {
            if (a.hasNonNull("type") && !a.path("type").asText().isEmpty()) {
                return new Address(a.path("value").asText(), listener.path("port").asInt());
            }
        }
        return "Gateway " + gwNN + " has no status.addresses entry with a type: " + gw.path("status").path("addresses");
    }

    // ---------------------------------------------------------------- routes

    /** One expected parent (RouteParentStatus). */
    record Parent(String group, String kind, String namespace, String name, String controllerName, List<Cond> conds) {
    }

    static String routeParents(Source s, String kind, NN routeNN, List<Parent> expected, boolean namespaceRequired) {
        JsonNode route = need(s, kind, routeNN);
        if (route == null) {
            return FATAL + kind + " " + routeNN + " not found";
        }
        JsonNode actual = route.path("status").path("parents");
        for (JsonNode p : actual) {
            String stale = latest(route, p.path("conditions"));
            if (stale != null) {
                return kind + " " + routeNN + " parent " + p.path("parentRef").path("name").asText() + ": " + stale;
            }
        }
        return parentsMatch(kind, routeNN, expected, actual, namespaceRequired);
    }

    /**
     * One poll of RouteMustHaveParents (HTTP/TCP/UDPRouteMustHaveParents, and the routes of
     * Gateway*RoutesMustBeAccepted) exactly as upstream writes it: the observedGeneration check
     * runs over {@code actual}, the parents the <em>previous</em> poll read (upstream assigns
     * {@code actual} after the check), against the route fetched now; then {@code actual} becomes
     * this poll's parents and they must match. So the first poll checks no generation, and a
     * stale {@code actual} is never replaced: the wait then runs out.
     */
    static String routeParentsPolled(Source s, String kind, NN routeNN, List<Parent> expected, boolean namespaceRequired,
                                     JsonNode[] actual) {
        JsonNode route = need(s, kind, routeNN);
        if (route == null) {
            return FATAL + "error fetching " + kind + " " + routeNN + ": not found";
        }
        if (actual[0] != null) {
            for (JsonNode p : actual[0]) {
                String stale = latest(route, p.path("conditions"));
                if (stale != null) {
                    return kind + " " + routeNN + " parent " + p.path("parentRef").path("name").asText()
                            + " (as the previous poll saw it): " + stale;
                }
            }
        }
        actual[0] = route.path("status").path("parents");
        return parentsMatch(kind, routeNN, expected, actual[0], namespaceRequired);
    }

    /**
     * One poll of TLSRouteMustHaveParents: unlike RouteMustHaveParents it checks no
     * observedGeneration at all, only that the parents match (a missing route ends the wait).
     */
    static String tlsRouteParents(Source s, NN routeNN, List<Parent> expected, boolean namespaceRequired) {
        JsonNode route = need(s, "TLSRoute", routeNN);
        if (route == null) {
            return FATAL + "error fetching TLSRoute " + routeNN + ": not found";
        }
        return parentsMatch("TLSRoute", routeNN, expected, route.path("status").path("parents"), namespaceRequired);
    }

    /** parentsForRouteMatch: every expected parent has an actual one that matches it. */
    static String parentsMatch(String kind, NN routeNN, List<Parent> expected, JsonNode actual, boolean namespaceRequired) {
        for (Parent e : expected) {
            boolean matched = false;
            for (JsonNode a : actual) {
                JsonNode ref = a.path("parentRef");
                if (!a.path("controllerName").asText().equals(e.controllerName())) {
                    continue;
                }
                if (!Objects.equals(textOrNull(ref, "group"), e.group())) {
                    continue;
                }
                if (!Objects.equals(textOrNull(ref, "kind"), e.kind())) {
                    continue;
                }
                if (!ref.path("name").asText().equals(e.name())) {
                    continue;
                }
                String ans = textOrNull(ref, "namespace");
                if (!Objects.equals(ans, e.namespace()) && (namespaceRequired || ans != null)) {
                    continue;
                }
                if (!conditionsMatch(e.conds(), a.path("conditions"))) {
                    continue;
                }
                matched = true;
            }
            if (!matched) {
                return kind + " " + routeNN + ": no status.parents entry matching " + e + "; have " + parentsSummary(actual);
            }
        }
        return null;
    }

    static String parentsSummary(JsonNode parents) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : parents) {
            JsonNode ref = p.path("parentRef");
            out.add("{ref=" + textOrNull(ref, "group") + "/" + textOrNull(ref, "kind") + " " + textOrNull(ref, "namespace")
                    + "/" + ref.path("name").asText() + (ref.hasNonNull("sectionName") ? "#" + ref.path("sectionName").asText() : "")
                    + ", controller=" + p.path("controllerName").asText() + ", " + describe(p.path("conditions")) + "}");
        }
        return out.toString();
    }

    private static String textOrNull(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    /** HTTPRouteMustHaveCondition: some parent naming gwNN (namespace unset or equal) has the condition. */
    static String routeHasCondition(Source s, String kind, NN routeNN, NN gwNN, Cond want) {
        JsonNode route = need(s, kind, routeNN);
        if (route == null) {
            return FATAL + kind + " " + routeNN + " not found";
        }
        boolean found = false;
        JsonNode parents = route.path("status").path("parents");
        for (JsonNode p : parents) {
            String stale = latest(route, p.path("conditions"));
            if (stale != null) {
                return kind + " " + routeNN + " parent " + p.path("parentRef").path("name").asText() + ": " + stale;
            }
            JsonNode ref = p.path("parentRef");
            String ns = textOrNull(ref, "namespace");
            if (ref.path("name").asText().equals(gwNN.name()) && (ns == null || ns.equals(gwNN.namespace()))
                    && findCondition(p.path("conditions"), want)) {
                found = true;
            }
        }
        return found ? null : kind + " " + routeNN + ": no parent " + gwNN + " with " + want + "; have "
                + parentsSummary(parents);
    }

    /**
     * BackendTLSPolicyMustHaveCondition for one poll: every ancestor up to the matching one has
     * its conditions at the latest generation, and the ancestor naming the Gateway (namespace
     * optional) has the condition.
     */
    static String policyHasCondition(Source s, String kind, NN policyNN, NN gwNN, Cond want) {
        JsonNode policy = need(s, kind, policyNN);
        if (policy == null) {
            return FATAL + kind + " " + policyNN + " not found";
        }
        JsonNode ancestors = policy.path("status").path("ancestors");
        List<String> seen = new ArrayList<>();
        for (JsonNode a : ancestors) {
            JsonNode ref = a.path("ancestorRef");
            String stale = latest(policy, a.path("conditions"));
            if (stale != null) {
                return kind + " " + policyNN + " ancestor " + ref.path("name").asText() + ": " + stale;
            }
            String ns = textOrNull(ref, "namespace");
            if (ref.path("name").asText().equals(gwNN.name()) && (ns == null || ns.equals(gwNN.namespace()))
                    && findCondition(a.path("conditions"), want)) {
                return null;
            }
            seen.add(ref.path("name").asText() + " " + describe(a.path("conditions")));
        }
        return kind + " " + policyNN + ": no ancestor " + gwNN + " with " + want + "; have " + seen;
    }

    /** BackendTLSPolicyMustHaveLatestConditions: every ancestor's conditions at the latest generation. */
    static String policyLatest(Source s, String kind, NN policyNN) {
        JsonNode policy = need(s, kind, policyNN);
        if (policy == null) {
            return FATAL + kind + " " + policyNN + " not found";
        }
        for (JsonNode a : policy.path("status").path("ancestors")) {
            String stale = latest(policy, a.path("conditions"));
            if (stale != null) {
                return kind + " " + policyNN + ": " + stale;
            }
        }
        return null;
    }

    static String routeLatest(Source s, String kind, NN routeNN) {
        JsonNode route = need(s, kind, routeNN);
        if (route == null) {
            return FATAL + kind + " " + routeNN + " not found";
        }
        for (JsonNode p : route.path("status").path("parents")) {
            String stale = latest(route, p.path("conditions"));
            if (stale != null) {
                return kind + " " + routeNN + ": " + stale;
            }
        }
        return null;
    }

    /**
     * HTTPRouteMustHaveNoAcceptedParents for one poll: "empty" (needs confirming by a second poll),
     * null (one parent, Accepted=False), or what is wrong.
     */
    static String routeNoAcceptedParents(Source s, String kind, NN routeNN) {
        JsonNode route = need(s, kind, routeNN);
        if (route == null) {
            return FATAL + kind + " " + routeNN + " not found";
        }
        JsonNode parents = route.path("status").path("parents");
        if (parents.size() == 0) {
            return "empty";
        }
        if (parents.size() > 1) {
            return kind + " " + routeNN + ": expected at most one parent, got " + parentsSummary(parents);
        }
        String stale = latest(route, parents.get(0).path("conditions"));
        if (stale != null) {
            return kind + " " + routeNN + ": " + stale;
        }
        return conditionsMatch(List.of(new Cond("Accepted", "False", "")), parents.get(0).path("conditions")) ? null
                : kind + " " + routeNN + ": parent is accepted: " + parentsSummary(parents);
    }
}
