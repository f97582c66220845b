package io.archway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.source.ResourceStore;
import io.archway.source.file.ManifestFiles;
import io.archway.source.file.ManifestLoader;
import io.archway.translate.ResourceKey;
import io.archway.translate.StatusReport;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class StandaloneStatusViewTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final StandaloneStatusView view = new StandaloneStatusView(new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    });

    private final ResourceStore store = new ResourceStore();
    private final ManifestFiles files = new ManifestFiles(store);

    private static GatewayStatus status(String accepted, String programmed) {
        return new GatewayStatusBuilder()
                .addToConditions(cond("Accepted", accepted), cond("Programmed", programmed))
                .addNewListener().withName("http").withAttachedRoutes(0).addToConditions(cond("Programmed", programmed))
                .endListener().build();
    }

    private static Condition cond(String type, String status) {
        return new ConditionBuilder().withType(type).withStatus(status).withReason(type).withObservedGeneration(1L).build();
    }

    private void publish(GatewayStatus st) {
        publish("default", st);
    }

    private void publish(String ns, GatewayStatus st) {
        view.publish(store.view(), new StatusReport(Map.of(),
                Map.of(new ResourceKey("Gateway", ns, "gw"), st), Map.of(), Map.of(), Map.of()), List.of(), 1);
    }

    private Gateway listed() {
        return (Gateway) view.list("Gateway", null).get(0);
    }

    @Test
    void lastTransitionTimeKeptWhileStatusUnchanged() {
        files.apply(new ManifestLoader().parse("g.yaml", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw}
                spec: {gatewayClassName: x, listeners: [{name: http, protocol: HTTP, port: 80}]}
                """));
        GatewayStatus fromTranslator = status("True", "False");
        publish(fromTranslator);
        assertThat(fromTranslator.getConditions().get(0).getLastTransitionTime())
                .as("the translator's object is not mutated").isNull();
        assertThat(listed().getStatus().getConditions()).extracting(Condition::getLastTransitionTime)
                .containsExactly("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z");

        now.set(Instant.parse("2026-01-01T00:01:00Z"));
        publish(status("True", "True"));
        assertThat(listed().getStatus().getConditions()).extracting(Condition::getLastTransitionTime)
                .containsExactly("2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z");
        assertThat(listed().getStatus().getListeners().get(0).getConditions().get(0).getLastTransitionTime())
                .isEqualTo("2026-01-01T00:01:00Z");

        now.set(Instant.parse("2026-01-01T00:02:00Z"));
        publish(status("True", "True"));
        assertThat(listed().getStatus().getConditions()).extracting(Condition::getLastTransitionTime)
                .containsExactly("2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z");
    }

    /**
     * The view keeps the times, not the stamped JSON, and sets them back by position when read: each
     * condition keeps its own time, and a second condition of a type in the same entry, which
     * {@code stampTransitions} does not stamp, is listed without one rather than taking another's.
     */
    @Test
    void stampedTimesAreSetBackOnTheirOwnConditions() {
        files.apply(new ManifestLoader().parse("g.yaml", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw}
                spec: {gatewayClassName: x, listeners: [{name: http, protocol: HTTP, port: 80}]}
                """));
        publish(status("True", "False"));
        now.set(Instant.parse("2026-01-01T00:01:00Z"));
        GatewayStatus duplicated = status("True", "True");
        duplicated.getConditions().add(cond("Programmed", "True"));
        publish(duplicated);
        assertThat(listed().getStatus().getConditions()).extracting(Condition::getType, Condition::getLastTransitionTime)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("Accepted", "2026-01-01T00:00:00Z"),
                        org.assertj.core.groups.Tuple.tuple("Programmed", null),
                        org.assertj.core.groups.Tuple.tuple("Programmed", "2026-01-01T00:01:00Z"));
        assertThat(listed().getStatus().getListeners().get(0).getConditions().get(0).getLastTransitionTime())
                .isEqualTo("2026-01-01T00:01:00Z");
    }

    @Test
    void listReturnsDeepCopies() {
        files.apply(new ManifestLoader().parse("g.yaml", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: a}
                spec: {gatewayClassName: x, listeners: [{name: http, protocol: HTTP, port: 80}]}
                """));
        publish("a", status("True", "True"));
        Gateway g = listed();
        g.getSpec().setGatewayClassName("changed");
        g.getStatus().getConditions().clear();
        assertThat(listed().getSpec().getGatewayClassName()).isEqualTo("x");
        assertThat(store.view().gateways().get(0).getSpec().getGatewayClassName()).isEqualTo("x");
        assertThat(view.list("gateways", "a")).hasSize(1);
        assertThat(view.list("gateways", "b")).isEmpty();
    }

    /**
     * {@link StandaloneStatusView#publish} walks each kind beside what it published last and reuses
     * an entry whose object and status are the same instances: over random route changes (edited,
     * removed, added, with a memoized translation handing out unchanged routes' status instances, or
     * editing the previous translation in place), and a Gateway change now and then that changes the
     * status of routes whose objects did not change (routes from another namespace allowed or not),
     * every listed route is the store's current object with the report's current status.
     */
    @Test
    void incrementalPublishListsTheCurrentObjectsWithTheirCurrentStatus() {
        String gateway = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GatewayClass
                metadata: {name: archway}
                spec: {controllerName: %s}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec: {gatewayClassName: archway, listeners: [{name: http, protocol: HTTP, port: 80,
                  allowedRoutes: {namespaces: {from: %s}}}]}
                """;
        files.apply(new ManifestLoader().parse("gw.yaml", gateway.formatted(
                io.archway.translate.TranslatorOptions.DEFAULT_CONTROLLER_NAME, "Same")));
        io.archway.translate.Translator translator = new io.archway.translate.Translator(
                new io.archway.translate.TranslatorOptions(io.archway.translate.TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                        new io.archway.translate.GatewayAddressing.Shared("127.0.0.1"), true));
        io.archway.translate.TranslationMemo memo = new io.archway.translate.TranslationMemo();
        java.util.Random random = new java.util.Random(14);
        for (int step = 0; step < 150; step++) {
            int route = random.nextInt(30);
            if (step % 10 == 9) {
                files.apply(new ManifestLoader().parse("gw.yaml", gateway.formatted(
                        io.archway.translate.TranslatorOptions.DEFAULT_CONTROLLER_NAME, step % 20 == 9 ? "All" : "Same")));
            } else if (random.nextInt(5) == 0) {
                files.remove("r" + route + ".yaml");
            } else {
                files.apply(new ManifestLoader().parse("r" + route + ".yaml", """
                        apiVersion: gateway.networking.k8s.io/v1
                        kind: HTTPRoute
                        metadata: {name: route-%d, namespace: %s}
                        spec:
                          parentRefs: [{name: gw, namespace: default, sectionName: %s}]
                          hostnames: ["h%d.example.com"]
                        """.formatted(route, route % 3 == 0 ? "other" : "default",
                        random.nextInt(4) == 0 ? "nope" : "http", random.nextInt(3))));
            }
            io.archway.translate.ResourceView current = store.view();
            io.archway.translate.Translation t = translator.translate(current, step, null, memo);
            view.publish(current, t.status(), List.of(), step);
            List<String> expected = new java.util.ArrayList<>();
            for (io.fabric8.kubernetes.api.model.HasMetadata o : current.httpRoutes()) {
                ResourceKey key = new ResourceKey("HTTPRoute", o.getMetadata().getNamespace(), o.getMetadata().getName());
                expected.add(describe(o, io.archway.source.ObjectStatus.of(t.status(),
                        io.archway.kinds.ResourceKind.HTTP_ROUTE, key).orElse(null)));
            }
            List<String> listed = new java.util.ArrayList<>();
            for (io.fabric8.kubernetes.api.model.HasMetadata o : view.list("HTTPRoute", null)) {
                listed.add(describe(o, io.archway.source.KubeJson.mapper().valueToTree(o).get("status")));
            }
            assertThat(listed).as("step %d", step).containsExactlyElementsOf(expected);
        }
    }

    /** An object's namespace, name, spec and status, without lastTransitionTime (the clock stands still here). */
    private static String describe(io.fabric8.kubernetes.api.model.HasMetadata o, com.fasterxml.jackson.databind.JsonNode status) {
        com.fasterxml.jackson.databind.node.ObjectNode tree = io.archway.source.KubeJson.mapper().valueToTree(o);
        tree.remove("status");
        String st = status == null || status.isNull() ? "none" : status.toString().replaceAll("\"lastTransitionTime\":\"[^\"]*\",?", "");
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName() + " " + tree.get("spec")
                + " generation " + o.getMetadata().getGeneration() + " " + st;
    }
}
