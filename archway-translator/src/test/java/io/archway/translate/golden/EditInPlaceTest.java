package io.archway.translate.golden;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.translate.ResourceView;
import io.archway.translate.Translation;
import io.archway.translate.TranslationMemo;
import io.archway.translate.Translator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * A translation edited in place ({@link TranslationMemo}: the previous translation's results with
 * a few routes recompiled and their virtual hosts rebuilt) equals the full translation of the same
 * view, snapshot, status and diagnostics, over random edit sequences on a Gateway with many routes
 * per hostname: routes edited in place (weights, rules, paths that tie with other routes', backends
 * that do not exist), several at once, hostnames and parentRefs changed (the route attaches
 * elsewhere), routes added and removed, equal copies, and a listener added and removed; and
 * the memo then reaches the current binding alone (no removed listener, no earlier binding). The
 * golden inputs' sequences ({@link IncrementalTranslationTest}) cover the other kinds.
 */
class EditInPlaceTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final int ROUTES = 80;
    private static final int HOSTNAMES = 6;
    private static final int EDITS = 150;
    private static final List<String> OPTIONAL_LISTENERS = List.of("wild", "extra", "all");

    @RepeatedTest(4)
    void editedInPlaceEqualsFull(RepetitionInfo repetition) throws IOException {
        final Random random = new Random(14 + repetition.getCurrentRepetition());
        java.util.Set<String> listeners = new java.util.TreeSet<>(List.of("wild"));
        final GoldenInput base = GoldenInput.read(GOLDEN, "edit-in-place.yaml", base(listeners));
        final List<HasMetadata> objects = new ArrayList<>();
        base.view.objects().values().forEach(objects::addAll);
        final List<Integer> names = new ArrayList<>();
        for (int i = 0; i < ROUTES; i++) {
            objects.add(route(i, random));
            names.add(i);
        }
        final Translator translator = new Translator(base.options);
        final TranslationMemo memo = new TranslationMemo();
        int next = ROUTES;
        int routeSteps = 0; // steps that changed routes alone, each to be edited in place
        int addedOrRemoved = 0;
        int listenerSteps = 0;
        for (int step = 0; step <= EDITS; step++) {
            String edit = "none";
            final int what = step == 0 ? -1 : random.nextInt(22);
            if (what >= 0 && what < 12) { // the common change: one to three routes edited in place
                final StringBuilder b = new StringBuilder("edited");
                for (int n = 1 + (what < 3 ? random.nextInt(3) : 0); n > 0; n--) {
                    final int at = random.nextInt(names.size());
                    replace(objects, names.get(at), route(names.get(at), random));
                    b.append(' ').append(names.get(at));
                }
                edit = b.toString();
            } else if (what == 12) {
                final int at = random.nextInt(names.size());
                replace(objects, names.get(at), copy(find(objects, names.get(at))));
                edit = "equal copy of " + names.get(at);
            } else if (what == 13 || what == 14) {
                names.add(next);
                objects.add(random.nextInt(objects.size() + 1), route(next, random));
                edit = "added " + next++;
            } else if ((what == 15 || what == 17) && names.size() > 1) {
                final Integer gone = names.remove(random.nextInt(names.size()));
                objects.remove(find(objects, gone));
                edit = "removed " + gone;
            } else if (what == 18 || what == 19) { // several at once: added, removed, edited
                final StringBuilder b = new StringBuilder("mixed");
                for (int n = 2 + random.nextInt(4); n > 0; n--) {
                    final int kind = random.nextInt(3);
                    if (kind == 0 || names.size() < 3) {
                        names.add(next);
                        objects.add(random.nextInt(objects.size() + 1), route(next, random));
                        b.append(" +").append(next++);
                    } else if (kind == 1) {
                        final Integer gone = names.remove(random.nextInt(names.size()));
                        objects.remove(find(objects, gone));
                        b.append(" -").append(gone);
                    } else {
                        final int at = random.nextInt(names.size());
                        replace(objects, names.get(at), route(names.get(at), random));
                        b.append(" ~").append(names.get(at));
                    }
                }
                edit = b.toString();
            } else if (what == 16 || what == 20) { // one or two listeners added or removed
                listeners = new java.util.TreeSet<>(listeners);
                for (int n = 1 + random.nextInt(2); n > 0; n--) {
                    final String l = OPTIONAL_LISTENERS.get(random.nextInt(OPTIONAL_LISTENERS.size()));
                    if (!listeners.remove(l)) {
                        listeners.add(l);
                    }
                }
                final HasMetadata gateway = GoldenInput.read(GOLDEN, "gateway.yaml", gateway(listeners)).view
                        .gateways().get(0);
                objects.replaceAll(o -> o.getKind().equals("Gateway") ? gateway : o);
                edit = "listeners " + listeners;
            }
            final ResourceView view = ResourceView.of(objects, base.view.locations());
            final Translation full = translator.translate(view, step, null);
            final int inPlaceBefore = inPlace(memo);
            final Translation edited = translator.translate(view, step, null, memo);
            assertThat(edited).as("step %d (%s)", step, edit).isEqualTo(full);
            // What the memo keeps is the current binding's: one Gateway and its listeners, each
            // once (a removed listener, or the binding before a listener change, kept reachable
            // from kept outcomes grew with every listener added or removed).
            final java.util.Set<String> served = new java.util.TreeSet<>(listeners);
            served.add("http");
            assertThat(bindingsReachable(memo)).as("step %d (%s): bindings the memo reaches", step, edit)
                    .isEqualTo("1 Gateway, listeners " + served);
            if (step > 0 && !edit.equals("none")) {
                // The path under test was taken: every change to routes alone, and every listener
                // added or removed, is edited in place.
                assertThat(inPlace(memo)).as("step %d (%s): %s", step, edit, memo.stats()).isEqualTo(inPlaceBefore + 1);
                routeSteps += edit.startsWith("listeners") ? 0 : 1;
                addedOrRemoved += edit.startsWith("added") || edit.startsWith("removed") || edit.startsWith("mixed") ? 1 : 0;
                listenerSteps += edit.startsWith("listeners") ? 1 : 0;
            }
        }
        assertThat(routeSteps).isGreaterThan(EDITS / 2);
        assertThat(addedOrRemoved).isGreaterThan(EDITS / 8);
        assertThat(listenerSteps).isGreaterThan(EDITS / 20);
    }

    /**
     * The {@link io.archway.translate.bind.BoundGateway} and
     * {@link io.archway.translate.bind.BoundListener} instances reachable from {@code memo}, walking
     * its fields (the JDK's maps, collections and arrays through their public API): how many
     * Gateways, and the listeners' names, a name twice when two instances of it are reached.
     */
    private static String bindingsReachable(TranslationMemo memo) {
        final java.util.Set<Object> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        final java.util.ArrayDeque<Object> todo = new java.util.ArrayDeque<>(List.of(memo));
        final List<String> listeners = new ArrayList<>();
        int gateways = 0;
        while (!todo.isEmpty()) {
            final Object o = todo.pop();
            if (!seen.add(o)) {
                continue;
            }
            if (o instanceof io.archway.translate.bind.BoundGateway) {
                gateways++;
            } else if (o instanceof io.archway.translate.bind.BoundListener l) {
                listeners.add(l.name());
            }
            if (o instanceof java.util.Map<?, ?> map) {
                map.forEach((k, v) -> {
                    push(todo, k);
                    push(todo, v);
                });
            } else if (o instanceof Iterable<?> items) {
                items.forEach(x -> push(todo, x));
            } else if (o instanceof Object[] array) {
                java.util.Arrays.stream(array).forEach(x -> push(todo, x));
            } else if (!o.getClass().getName().startsWith("java.")) {
                for (Class<?> c = o.getClass(); !c.getName().startsWith("java."); c = c.getSuperclass()) {
                    for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                        if (!java.lang.reflect.Modifier.isStatic(f.getModifiers()) && !f.getType().isPrimitive()) {
                            f.setAccessible(true);
                            try {
                                push(todo, f.get(o));
                            } catch (IllegalAccessException e) {
                                throw new AssertionError(e);
                            }
                        }
                    }
                }
            }
        }
        java.util.Collections.sort(listeners);
        return gateways + " Gateway, listeners " + listeners;
    }

    private static void push(java.util.ArrayDeque<Object> todo, Object o) {
        if (o != null) {
            todo.push(o);
        }
    }

    private static int inPlace(TranslationMemo memo) {
        return Integer.parseInt(memo.stats().replaceAll(".*, (\\d+) edited in place", "$1"));
    }

    private static void replace(List<HasMetadata> objects, int name, HasMetadata route) {
        objects.set(objects.indexOf(find(objects, name)), route);
    }

    private static HasMetadata find(List<HasMetadata> objects, int name) {
        return objects.stream().filter(o -> o.getKind().equals("HTTPRoute")
                && o.getMetadata().getName().equals("route-" + name)).findFirst().orElseThrow();
    }

    private static HasMetadata copy(HasMetadata o) {
        return GoldenInput.SERIALIZATION.clone(o);
    }

    /**
     * Route {@code i}, drawn at random: mostly on its own hostname with one to three rules, at times
     * on two hostnames or none (every listener's), on one listener by sectionName, on a path another
     * route also matches, to a Service that does not exist, with a parentRef to a missing Gateway.
     */
    private static HasMetadata route(int i, Random random) throws IOException {
        final StringBuilder b = new StringBuilder("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata:
                  name: route-%d
                  namespace: %s
                  generation: %d
                spec:
                  parentRefs:
                  - name: scale
                    namespace: default
                """.formatted(i, random.nextInt(12) == 0 ? "other" : "default", 1 + random.nextInt(3)));
        if (random.nextInt(6) == 0) {
            b.append("    sectionName: ").append(random.nextBoolean() ? "http"
                    : OPTIONAL_LISTENERS.get(random.nextInt(OPTIONAL_LISTENERS.size()))).append('\n');
        }
        if (random.nextInt(15) == 0) {
            b.append("  - name: missing\n");
        }
        final int hostnames = random.nextInt(10);
        if (hostnames < 8) {
            b.append("  hostnames: [\"host-").append((i + (hostnames == 7 ? 1 : 0)) % HOSTNAMES).append(".example.com\"")
                    .append(hostnames == 0 ? ", \"host-" + random.nextInt(HOSTNAMES) + ".example.com\"" : "")
                    .append("]\n");
        }
        b.append("  rules:\n");
        for (int k = random.nextInt(3); k >= 0; k--) {
            b.append("""
                      - matches:
                        - path:
                            type: PathPrefix
                            value: /%s
                        filters:
                        - type: ResponseHeaderModifier
                          responseHeaderModifier:
                            set:
                            - name: x-variant
                              value: "%d"
                        backendRefs:
                        - name: svc-%d
                          port: 80
                          weight: %d
                        - name: svc-1
                          port: 80
                          weight: %d
                      """.formatted(random.nextInt(4) == 0 ? "shared" : "r" + i + "/" + k, random.nextInt(100),
                    random.nextInt(10) == 0 ? 9 : 0, random.nextInt(3), random.nextInt(3)).indent(2));
        }
        return GoldenInput.read(GOLDEN, "route-" + i + ".yaml", b.toString()).view.httpRoutes().get(0);
    }

    private static String base(java.util.Set<String> listeners) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GatewayClass
                metadata:
                  name: archway
                spec:
                  controllerName: archway.io/gateway-controller
                ---
                """ + gateway(listeners) + """
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: svc-0
                  namespace: default
                spec:
                  ports:
                  - name: http
                    port: 80
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: svc-1
                  namespace: default
                spec:
                  ports:
                  - name: http
                    port: 80
                """;
    }

    /**
     * Listener "http" (any hostname), and of the others those in {@code listeners}: "wild"
     * (*.example.com), "extra" (host-1.example.com), "all" (any hostname, routes from every namespace).
     */
    private static String gateway(java.util.Set<String> listeners) {
        final StringBuilder b = new StringBuilder("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata:
                  name: scale
                  namespace: default
                spec:
                  gatewayClassName: archway
                  listeners:
                  - name: http
                    protocol: HTTP
                    port: 80
                """);
        if (listeners.contains("wild")) {
            b.append("""
                      - name: wild
                        protocol: HTTP
                        port: 8080
                        hostname: "*.example.com"
                    """);
        }
        if (listeners.contains("extra")) {
            b.append("""
                      - name: extra
                        protocol: HTTP
                        port: 8081
                        hostname: host-1.example.com
                    """);
        }
        if (listeners.contains("all")) {
            b.append("""
                      - name: all
                        protocol: HTTP
                        port: 8082
                        allowedRoutes:
                          namespaces:
                            from: All
                    """);
        }
        return b.toString();
    }
}
