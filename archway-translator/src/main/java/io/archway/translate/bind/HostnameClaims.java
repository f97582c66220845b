package io.archway.translate.bind;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.Hostnames;
import io.archway.translate.ResourceKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one rule between HTTPRoutes and GRPCRoutes on a listener (GRPCRouteSpec.hostnames): when a
 * route of one kind and a route of the other attach to the same listener with intersecting
 * hostnames, exactly one of them is accepted there: the oldest by creation timestamp, then the
 * first by "{namespace}/{name}". The other one's check on that listener fails at
 * {@link ListenerCheck.Step#HOSTNAME_FREE_OF_OTHER_KIND}, so a route that loses on every listener
 * of a parent is not accepted by it, and one that keeps another listener stays accepted.
 */
final class HostnameClaims {
    /** Which of two competing routes wins: the oldest (unknown last), then "{namespace}/{name}". */
    private static final Comparator<RouteContext> SENIORITY = Comparator
            .comparing(RouteContext::created, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
            .thenComparing(r -> r.key().namespace() + "/" + r.key().name());

    private HostnameClaims() {
    }

    /** A route attached to a listener with its effective hostnames there. */
    private record Claim(int route, List<String> hostnames) {
    }

    /** Why one route lost one listener. */
    private record Loss(ResourceKey winner, List<String> shared) {
    }

    /**
     * Replaces, in {@code parents} (per route, parallel to {@code routes}), the checks of every
     * listener a route loses to a route of the other kind.
     */
    static void resolve(List<RouteContext> routes, List<List<RouteAttacher.ParentCheck>> parents) {
        if (routes.stream().filter(HostnameClaims::competes).map(RouteContext::kind).distinct().count() < 2) {
            return; // no HTTPRoute and GRPCRoute to compete
        }
        final Map<BoundListener, List<Claim>> byListener = new IdentityHashMap<>();
        for (int i = 0; i < routes.size(); i++) {
            final RouteContext route = routes.get(i);
            if (!competes(route) || route.notAccepted() != null) {
                continue;
            }
            for (RouteAttacher.ParentCheck parent : parents.get(i)) {
                if (!parent.parent().accepted()) {
                    continue;
                }
                for (ListenerCheck check : parent.checks()) {
                    if (check.attached()) {
                        byListener.computeIfAbsent(check.listener(), l -> new ArrayList<>())
                                .add(new Claim(i, check.effectiveHostnames()));
                    }
                }
            }
        }
        final Map<Integer, Map<BoundListener, Loss>> losses = new java.util.HashMap<>();
        byListener.forEach((listener, claims) -> {
            // Only routes of different kinds compete: each claim is paired with the other kind's
            // claims alone (in claim order, so the first winner found is the one a pass over all
            // pairs finds), which keeps a listener with thousands of HTTPRoutes and no GRPCRoute linear.
            final Map<String, List<Claim>> byKind = new java.util.HashMap<>();
            for (Claim c : claims) {
                byKind.computeIfAbsent(routes.get(c.route()).kind(), k -> new ArrayList<>()).add(c);
            }
            if (byKind.size() < 2) {
                return;
            }
            for (Claim a : claims) {
                final RouteContext ra = routes.get(a.route());
                for (Map.Entry<String, List<Claim>> kind : byKind.entrySet()) {
                    if (kind.getKey().equals(ra.kind())) {
                        continue;
                    }
                    for (Claim b : kind.getValue()) {
                        if (a.route() >= b.route()) {
                            continue;
                        }
                        final RouteContext rb = routes.get(b.route());
                        final List<String> shared = shared(a.hostnames(), b.hostnames());
                        if (shared.isEmpty()) {
                            continue;
                        }
                        final boolean aWins = SENIORITY.compare(ra, rb) <= 0;
                        final int loser = aWins ? b.route() : a.route();
                        losses.computeIfAbsent(loser, x -> new IdentityHashMap<>())
                                .putIfAbsent(listener, new Loss((aWins ? ra : rb).key(), shared));
                    }
                }
            }
        });
        losses.forEach((route, lost) -> {
            final List<RouteAttacher.ParentCheck> replaced = new ArrayList<>();
            for (RouteAttacher.ParentCheck parent : parents.get(route)) {
                final List<ListenerCheck> checks = new ArrayList<>();
                for (ListenerCheck check : parent.checks()) {
                    final Loss loss = check.attached() ? lost.get(check.listener()) : null;
                    checks.add(loss == null ? check : check.lostTo(loss.winner(), loss.shared()));
                }
                replaced.add(new RouteAttacher.ParentCheck(parent.index(), parent.ref(), parent.group(),
                        parent.kind(), parent.parent(), List.copyOf(checks)));
            }
            parents.set(route, replaced);
        });
    }

    private static boolean competes(RouteContext route) {
        return route.kind().equals(ResourceKind.HTTP_ROUTE.kind()) || route.kind().equals(ResourceKind.GRPC_ROUTE.kind());
    }

    /** The hostnames two routes both serve: of each intersecting pair, the more specific. */
    static List<String> shared(List<String> a, List<String> b) {
        final List<String> out = new ArrayList<>();
        for (String x : a) {
            for (String y : b) {
                final String common = Hostnames.matches(x, y) ? y : Hostnames.matches(y, x) ? x : null;
                if (common != null && !out.contains(common)) {
                    out.add(common);
                }
            }
        }
        return out;
    }
}
