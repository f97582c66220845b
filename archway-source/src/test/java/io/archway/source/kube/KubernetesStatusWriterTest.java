package io.archway.source.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.source.KubeJson;
import io.archway.source.ResourceStore;
import io.archway.source.SourcedObject;
import io.archway.source.file.ManifestLoader;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.Translation;
import io.archway.translate.Translator;
import io.archway.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The status writer against the mock API server: skip when equal, 409, parents of others, leader hand-over, bursts. */
class KubernetesStatusWriterTest {
    static final String MANIFESTS = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: archway}
            spec: {controllerName: archway.io/gateway-controller}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: shop}
            spec:
              gatewayClassName: archway
              listeners: [{name: http, protocol: HTTP, port: 80}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: web, namespace: shop}
            spec:
              parentRefs: [{name: gw}]
              rules: [{backendRefs: [{name: v1, port: 80}]}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: v1, namespace: shop}
            spec: {ports: [{port: 80}]}
            """;
    static final String OTHER = "someone.else/controller";

    private final MockCluster cluster = new MockCluster();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    private final Translator translator = new Translator(new TranslatorOptions(
            TranslatorOptions.DEFAULT_CONTROLLER_NAME, new GatewayAddressing.Shared("127.0.0.1"), true));
    private final AtomicLong version = new AtomicLong();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        cluster.close();
    }

    /** One replica: a client, a source, a writer; {@code publish} translates the store and publishes. */
    private final class Replica {
        final KubernetesClient kube = cluster.client();
        final ResourceStore store = new ResourceStore();
        final AtomicLong rebuilds = new AtomicLong();
        final KubernetesSource source;
        final KubernetesStatusWriter writer;

        Replica() throws Exception {
            this(Duration.ofMillis(20), Duration.ofMillis(200));
        }

        Replica(Duration holdoff, Duration maxDelay) throws Exception {
            closing.add(kube);
            source = new KubernetesSource(kube, store, new KubernetesSource.Options(Set.of(), holdoff, maxDelay),
                    this::publish);
            closing.add(source);
            writer = new KubernetesStatusWriter(kube, source, TranslatorOptions.DEFAULT_CONTROLLER_NAME, clock);
            closing.add(writer);
            source.start().get(20, TimeUnit.SECONDS);
        }

        void publish() {
            rebuilds.incrementAndGet();
            Translation t = translator.translate(store.view(), version.incrementAndGet(), Instant.EPOCH);
            writer.publish(store.view(), t.status(), t.diagnostics(), t.snapshot().version());
        }

        /** Waits until the writer is idle and the informer has seen every status written. */
        void settle() throws Exception {
            writer.awaitIdle();
            await(() -> statusOf(Gateway.class, "gw").equals(cachedStatus(Gateway.class, "gw"))
                    && statusOf(HTTPRoute.class, "web").equals(cachedStatus(HTTPRoute.class, "web")),
                    "the informer caught up with the writes");
        }

        String cachedStatus(Class<? extends HasMetadata> type, String name) {
            var kind = io.archway.kinds.ResourceKind.of(type).orElseThrow();
            return source.cached(kind, "shop", name).map(o -> String.valueOf(KubeJson.mapper().valueToTree(o).get("status")))
                    .orElse("absent");
        }

        String statusOf(Class<? extends HasMetadata> type, String name) {
            HasMetadata o = kube.resources(type).inNamespace("shop").withName(name).get();
            return String.valueOf(KubeJson.mapper().valueToTree(o).get("status"));
        }
    }

    private void load(KubernetesClient kube) {
        for (SourcedObject o : new ManifestLoader().parse("m.yaml", MANIFESTS).objects()) {
            kube.resource(o.object()).create();
        }
        HTTPRoute web = kube.resources(HTTPRoute.class).inNamespace("shop").withName("web").get();
        web.setStatus(new io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatusBuilder()
                .addToParents(otherControllersParent()).build());
        kube.resources(HTTPRoute.class).inNamespace("shop").resource(web).updateStatus();
    }

    private static RouteParentStatus otherControllersParent() {
        return new RouteParentStatusBuilder().withControllerName(OTHER).withNewParentRef().withName("their-gw")
                .endParentRef().addToConditions(new io.fabric8.kubernetes.api.model.ConditionBuilder().withType("Accepted")
                        .withStatus("True").withReason("Accepted").withLastTransitionTime("2025-01-01T00:00:00Z")
                        .withMessage("").withObservedGeneration(1L).build())
                .build();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    private static Condition condition(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    private HTTPRoute web(KubernetesClient kube) {
        return kube.resources(HTTPRoute.class).inNamespace("shop").withName("web").get();
    }

    /** A user's edit: read, change, write; again on a conflict with the status writer. */
    private void updateWeb(KubernetesClient kube, java.util.function.Consumer<HTTPRoute> change) {
        for (int attempt = 0; ; attempt++) {
            HTTPRoute w = web(kube);
            change.accept(w);
            try {
                kube.resource(w).update();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt > 10) {
                    throw e;
                }
            }
        }
    }

    @Test
    void writesWhatChangedOnlyKeepsOtherControllersParentsAndTransitionTimes() throws Exception {
        try (KubernetesClient admin = cluster.client()) {
            load(admin);
        }
        Replica r = new Replica();
        r.writer.startLeading();
        r.publish();
        r.settle();
        assertThat(r.writer.writes()).as("GatewayClass, Gateway, HTTPRoute").isEqualTo(3);

        GatewayClass gc = r.kube.resources(GatewayClass.class).withName("archway").get();
        assertThat(condition(gc.getStatus().getConditions(), "Accepted").getStatus()).isEqualTo("True");
        assertThat(gc.getStatus().getSupportedFeatures()).as("supportedFeatures").isNotEmpty();
        Gateway gw = r.kube.resources(Gateway.class).inNamespace("shop").withName("gw").get();
        assertThat(condition(gw.getStatus().getConditions(), "Programmed").getStatus()).isEqualTo("True");
        assertThat(condition(gw.getStatus().getConditions(), "Programmed").getLastTransitionTime())
                .isEqualTo("2026-01-01T00:00:00Z");
        HTTPRoute web = web(r.kube);
        assertThat(web.getStatus().getParents()).extracting(RouteParentStatus::getControllerName)
                .containsExactly(OTHER, TranslatorOptions.DEFAULT_CONTROLLER_NAME);
        assertThat(web.getStatus().getParents().get(0)).as("another controller's entry is untouched")
                .isEqualTo(otherControllersParent());
        Condition accepted = condition(web.getStatus().getParents().get(1).getConditions(), "Accepted");
        assertThat(accepted.getStatus()).isEqualTo("True");

        // The same translation again: nothing differs, nothing is written.
        now.set(Instant.parse("2026-01-01T00:05:00Z"));
        long skippedBefore = r.writer.skipped();
        r.publish();
        r.settle();
        assertThat(r.writer.writes()).isEqualTo(3);
        assertThat(r.writer.skipped() - skippedBefore).isEqualTo(3);
        assertThat(cluster.statusWrites()).as("the server saw 3 status writes (plus the test's own)").hasSize(4);

        // A spec change: the route's status is written once more, Accepted keeps its time.
        updateWeb(r.kube, w -> w.getSpec().getRules().get(0).getBackendRefs().get(0).setPort(81));
        long generation = web(r.kube).getMetadata().getGeneration();
        await(() -> Objects.equals(r.store.view().httpRoutes().get(0).getMetadata().getGeneration(), generation),
                "the store has the new generation");
        r.publish();
        r.settle();
        HTTPRoute after = web(r.kube);
        Condition acceptedAfter = condition(after.getStatus().getParents().get(1).getConditions(), "Accepted");
        assertThat(acceptedAfter.getObservedGeneration()).isEqualTo(generation);
        assertThat(acceptedAfter.getLastTransitionTime()).as("status unchanged: time kept")
                .isEqualTo(accepted.getLastTransitionTime());
        assertThat(after.getStatus().getParents().get(0)).isEqualTo(otherControllersParent());
    }

    /**
     * A BackendTLSPolicy's status.ancestors: ours written (one per Gateway a route using its target
     * attaches to), another controller's entry kept in place; written again only when it changes.
     */
    @Test
    void writesBackendTlsPolicyAncestorsBesideOtherControllers() throws Exception {
        try (KubernetesClient admin = cluster.client()) {
            load(admin);
            for (SourcedObject o : new ManifestLoader().parse("p.yaml", """
                    apiVersion: gateway.networking.k8s.io/v1
                    kind: BackendTLSPolicy
                    metadata: {name: tls, namespace: shop}
                    spec:
                      targetRefs: [{group: "", kind: Service, name: v1}]
                      validation: {hostname: v1.shop.test, wellKnownCACertificates: System}
                    """).objects()) {
                admin.resource(o.object()).create();
            }
            BackendTLSPolicy policy = admin.resources(BackendTLSPolicy.class).inNamespace("shop").withName("tls").get();
            policy.setStatus(new PolicyStatusBuilder().addToAncestors(otherControllersAncestor()).build());
            admin.resources(BackendTLSPolicy.class).inNamespace("shop").resource(policy).updateStatus();
        }
        Replica r = new Replica();
        await(() -> r.store.view().list(io.archway.kinds.ResourceKind.BACKEND_TLS_POLICY).size() == 1, "the store has the policy");
        r.writer.startLeading();
        r.publish();
        r.writer.awaitIdle();
        BackendTLSPolicy written = r.kube.resources(BackendTLSPolicy.class).inNamespace("shop").withName("tls").get();
        assertThat(written.getStatus().getAncestors()).extracting(PolicyAncestorStatus::getControllerName)
                .containsExactly(OTHER, TranslatorOptions.DEFAULT_CONTROLLER_NAME);
        assertThat(written.getStatus().getAncestors().get(0)).as("another controller's entry is untouched")
                .isEqualTo(otherControllersAncestor());
        PolicyAncestorStatus ours = written.getStatus().getAncestors().get(1);
        assertThat(ours.getAncestorRef().getName()).isEqualTo("gw");
        assertThat(condition(ours.getConditions(), "Accepted").getStatus()).isEqualTo("True");

        long writes = r.writer.writes();
        await(() -> r.cachedStatus(BackendTLSPolicy.class, "tls").equals(r.statusOf(BackendTLSPolicy.class, "tls")),
                "the informer caught up with the policy's status");
        r.publish();
        r.writer.awaitIdle();
        assertThat(r.writer.writes()).as("unchanged: nothing written again").isEqualTo(writes);
    }

    private static PolicyAncestorStatus otherControllersAncestor() {
        return new PolicyAncestorStatusBuilder().withControllerName(OTHER).withNewAncestorRef().withName("their-gw")
                .endAncestorRef().addToConditions(new io.fabric8.kubernetes.api.model.ConditionBuilder()
                        .withType("Accepted").withStatus("True").withReason("Accepted")
                        .withLastTransitionTime("2025-01-01T00:00:00Z").withMessage("").withObservedGeneration(1L).build())
                .build();
    }

    @Test
    void aRouteThatDetachesLosesOurParentEntryAndKeepsAnotherControllers() throws Exception {
        try (KubernetesClient admin = cluster.client()) {
            load(admin);
        }
        Replica r = new Replica();
        r.writer.startLeading();
        r.publish();
        r.settle();
        assertThat(web(r.kube).getStatus().getParents()).extracting(RouteParentStatus::getControllerName)
                .containsExactly(OTHER, TranslatorOptions.DEFAULT_CONTROLLER_NAME);

        // the route now names only a Gateway that is not ours (none of that name exists here)
        updateWeb(r.kube, w -> w.getSpec().getParentRefs().get(0).setName("their-gw"));
        await(() -> r.store.view().httpRoutes().get(0).getSpec().getParentRefs().get(0).getName().equals("their-gw"),
                "the store has the change");
        r.publish();
        r.settle();
        assertThat(web(r.kube).getStatus().getParents()).as("our entry removed, theirs untouched")
                .containsExactly(otherControllersParent());
    }

    @Test
    void aConflictIsRetriedWithAFreshRead() throws Exception {
        try (KubernetesClient admin = cluster.client()) {
            load(admin);
        }
        Replica r = new Replica();
        cluster.failNextWrite("/namespaces/shop/gateways/gw/status", 409);
        r.writer.startLeading();
        r.publish();
        r.settle();
        assertThat(r.writer.conflicts()).isEqualTo(1);
        assertThat(r.writer.writes()).isEqualTo(3);
        Gateway gw = r.kube.resources(Gateway.class).inNamespace("shop").withName("gw").get();
        assertThat(condition(gw.getStatus().getConditions(), "Accepted").getStatus()).isEqualTo("True");
    }

    @Test
    void nothingIsWrittenWhileNotLeading() throws Exception {
        try (KubernetesClient admin = cluster.client()) {
            load(admin);
        }
        Replica r = new Replica();
        r.publish();
        r.writer.awaitIdle();
        assertThat(r.writer.writes()).isZero();
        assertThat(cluster.statusWrites()).hasSize(1); // the test's own
    }

    @Test
    void aLeaderHandOverWritesEachStatusOnce() throws Exception {
        try (KubernetesClient admin = cluster.client()) {
            load(admin);
        }
        Replica a = new Replica();
        Replica b = new Replica();
        LeaderElection ea = new LeaderElection(a.kube, "default", "archway-test", "a", Duration.ofSeconds(3),
                a.writer::startLeading, a.writer::stopLeading);
        closing.add(ea);
        ea.start();
        await(ea::leader, "a leads");
        LeaderElection eb = new LeaderElection(b.kube, "default", "archway-test", "b", Duration.ofSeconds(3),
                b.writer::startLeading, b.writer::stopLeading);
        closing.add(eb);
        eb.start();
        a.publish();
        b.publish();
        a.settle();
        b.settle();
        assertThat(eb.leader()).isFalse();
        assertThat(a.writer.writes()).isEqualTo(3);
        assertThat(b.writer.writes()).isZero();

        ea.close(); // releases the lease; traffic would go on: only writes stop
        await(eb::leader, "b leads");
        b.settle();
        assertThat(b.writer.writes()).as("b finds a's status current").isZero();
        assertThat(cluster.statusWrites()).as("each status written once (plus the test's own)").hasSize(4);

        updateWeb(b.kube, w -> w.getSpec().getRules().get(0).getBackendRefs().get(0).setPort(81));
        await(() -> b.store.view().httpRoutes().get(0).getSpec().getRules().get(0).getBackendRefs().get(0).getPort() == 81
                && a.store.view().httpRoutes().get(0).getSpec().getRules().get(0).getBackendRefs().get(0).getPort() == 81,
                "both stores have the change");
        a.publish();
        b.publish();
        a.settle();
        b.settle();
        assertThat(a.writer.writes()).as("a no longer writes").isEqualTo(3);
        assertThat(b.writer.writes()).isEqualTo(1);
        assertThat(cluster.statusWrites()).hasSize(5);
    }

    @Test
    void aBurstOfRouteUpdatesGivesBoundedStatusWritesAndMemory() throws Exception {
        try (KubernetesClient admin = cluster.client()) {
            load(admin);
        }
        // A hold-off longer than the mock server takes per update even on a loaded machine, so the
        // burst coalesces: at most one rebuild per maximum delay of the burst's duration.
        Duration maxDelay = Duration.ofMillis(1000);
        Replica r = new Replica(Duration.ofMillis(500), maxDelay);
        r.writer.startLeading();
        r.publish();
        r.settle();
        long writesBefore = r.writer.writes();
        long rebuildsBefore = r.rebuilds.get();
        long passesBefore = r.writer.passes();
        long burstStart = System.nanoTime();
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        int updates = 1000;
        HTTPRoute w = web(r.kube);
        for (int i = 0; i < updates; i++) {
            w.getSpec().getRules().get(0).getBackendRefs().get(0).setPort(1000 + i);
            try {
                w = r.kube.resource(w).update(); // one request per update while the writer does not interfere
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                int port = 1000 + i;
                updateWeb(r.kube, x -> x.getSpec().getRules().get(0).getBackendRefs().get(0).setPort(port));
                w = web(r.kube);
            }
        }
        long burstMillis = (System.nanoTime() - burstStart) / 1_000_000;
        long finalGeneration = web(r.kube).getMetadata().getGeneration();
        await(() -> {
            HTTPRoute last = web(r.kube);
            return last.getStatus().getParents().stream().filter(p -> p.getControllerName()
                    .equals(TranslatorOptions.DEFAULT_CONTROLLER_NAME)).anyMatch(p -> p.getConditions().stream()
                    .allMatch(c -> c.getObservedGeneration() == finalGeneration));
        }, "the last generation's status is written");
        r.settle();
        long writes = r.writer.writes() - writesBefore;
        System.gc();
        long heapGrowth = rt.totalMemory() - rt.freeMemory() - heapBefore;
        assertThat(finalGeneration).as("the mock server bumps generation on spec changes").isGreaterThan(updates);
        long rebuilds = r.rebuilds.get() - rebuildsBefore;
        long passes = r.writer.passes() - passesBefore;
        assertThat(rebuilds).as("%d updates in %d ms coalesce", updates, burstMillis)
                .isBetween(1L, burstMillis / maxDelay.toMillis() + 3).isLessThan(updates / 5);
        assertThat(passes).as("at most one pass per rebuild").isLessThanOrEqualTo(rebuilds);
        assertThat(writes).as("at most one write (the route's) per pass").isLessThanOrEqualTo(passes);
        assertThat(r.store.size()).as("GatewayClass, Gateway, HTTPRoute, Service").isEqualTo(4);
        assertThat(heapGrowth).as("no per-update state kept").isLessThan(64L << 20);
    }
}
