package io.archway.source.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.kinds.ResourceKind;
import io.archway.source.ResourceStore;
import io.archway.translate.ResourceKey;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRouteBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KubernetesSourceTest {
    private final MockCluster cluster = new MockCluster();
    private final KubernetesClient kube = cluster.client();
    private final ResourceStore store = new ResourceStore();
    private final AtomicInteger rebuilds = new AtomicInteger();
    private KubernetesSource source;

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
        kube.close();
        cluster.close();
    }

    private static final Duration HOLDOFF = Duration.ofMillis(50);
    private static final Duration MAX_DELAY = Duration.ofMillis(300);

    private KubernetesSource source(Set<String> namespaces) {
        return source(namespaces, HOLDOFF, MAX_DELAY);
    }

    private KubernetesSource source(Set<String> namespaces, Duration holdoff, Duration maxDelay) {
        source = new KubernetesSource(kube, store, new KubernetesSource.Options(namespaces, holdoff, maxDelay),
                rebuilds::incrementAndGet);
        return source;
    }

    private static HTTPRoute route(String ns, String name, String backend) {
        return new HTTPRouteBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().addNewParentRef().withName("gw").endParentRef().addNewRule().addNewBackendRef()
                .withName(backend).withPort(80).endBackendRef().endRule().endSpec()
                .withNewStatus().addNewParent().withControllerName("someone.else/controller").withNewParentRef()
                .withName("gw").endParentRef().endParent().endStatus().build();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void syncsEveryKindBeforeTheFirstRebuildAndStripsWhatTheTranslatorDoesNotRead() throws Exception {
        kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
        kube.resources(HTTPRoute.class).inNamespace("shop").resource(route("shop", "web", "v1")).create();
        kube.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withName("v1").endMetadata()
                .withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();

        source(Set.of()).start().get(20, TimeUnit.SECONDS);

        assertThat(source.synced()).isTrue();
        Thread.sleep(MAX_DELAY.toMillis() + 200); // past the coalescer's maximum delay: a signal would have fired
        assertThat(rebuilds).as("the initial list requests no rebuild: the first is the caller's, after sync")
                .hasValue(0);
        assertThat(store.keys()).contains(new ResourceKey("Namespace", "", "shop"),
                new ResourceKey("HTTPRoute", "shop", "web"), new ResourceKey("Service", "shop", "v1"));
        HTTPRoute stored = store.view().httpRoutes().get(0);
        assertThat(stored.getStatus()).as("status is output, not input").isNull();
        assertThat(stored.getMetadata().getResourceVersion()).isNull();
        assertThat(source.cached(io.archway.kinds.ResourceKind.HTTP_ROUTE, "shop", "web").orElseThrow()
                .getMetadata().getResourceVersion()).as("the informer's cache keeps the full object").isNotNull();
    }

    /**
     * fabric8 calls an informer synced once its own cache holds the list; the event handler that
     * fills the store runs after, on another thread. The first rebuild follows start(): the store
     * must hold every listed object by then, not a part of them.
     */
    @Test
    void whenStartCompletesTheStoreHoldsEveryListedObject() throws Exception {
        int routes = 150;
        for (int i = 0; i < routes; i++) {
            // many rules: the handler's copy of each takes a while, the informer's cache put does not
            HTTPRouteBuilder big = new HTTPRouteBuilder(route("shop", "web-" + i, "v1"));
            for (int r = 0; r < 20; r++) {
                big.editSpec().addNewRule().addNewMatch().withNewPath().withType("PathPrefix").withValue("/p" + r)
                        .endPath().addNewHeader().withName("x-rule").withValue("r" + r).endHeader().endMatch()
                        .addNewBackendRef().withName("v" + r).withPort(80).endBackendRef().endRule().endSpec();
            }
            kube.resources(HTTPRoute.class).inNamespace("shop").resource(big.build()).create();
        }
        source(Set.of()).start().get(60, TimeUnit.SECONDS);
        assertThat(store.view().httpRoutes()).as("the first rebuild sees the whole list").hasSize(routes);
    }

    @Test
    void aBurstOfChangesGivesFewRebuildsAndStatusOnlyChangesNone() throws Exception {
        kube.resources(HTTPRoute.class).inNamespace("shop").resource(route("shop", "web", "v0")).create();
        kube.resources(HTTPRoute.class).inNamespace("shop").resource(route("shop", "web", "v0")).updateStatus();
        // A hold-off longer than the mock server takes per update even on a loaded machine, so the
        // burst must coalesce; at most one rebuild per maximum delay of the burst's duration.
        Duration holdoff = Duration.ofMillis(500);
        Duration maxDelay = Duration.ofMillis(1000);
        source(Set.of("shop"), holdoff, maxDelay).start().get(20, TimeUnit.SECONDS);
        long burstStart = System.nanoTime();
        for (int i = 1; i <= 100; i++) {
            HTTPRoute r = route("shop", "web", "v" + i);
            kube.resources(HTTPRoute.class).inNamespace("shop").resource(r).update();
        }
        long burstMillis = (System.nanoTime() - burstStart) / 1_000_000;
        await(() -> store.view().httpRoutes().get(0).getSpec().getRules().get(0).getBackendRefs().get(0).getName()
                .equals("v100"), "the last update is in the store");
        await(() -> rebuilds.get() > 0, "a rebuild was requested");
        Thread.sleep(maxDelay.toMillis() + 200); // past the maximum delay: the last batch has fired
        int afterBurst = rebuilds.get();
        assertThat(afterBurst).as("100 updates in %d ms coalesce", burstMillis)
                .isBetween(1, (int) (burstMillis / maxDelay.toMillis() + 2));

        HTTPRoute live = kube.resources(HTTPRoute.class).inNamespace("shop").withName("web").get();
        live.getStatus().getParents().get(0).setControllerName("another.one/controller");
        kube.resources(HTTPRoute.class).inNamespace("shop").resource(live).updateStatus();
        await(() -> source.cached(io.archway.kinds.ResourceKind.HTTP_ROUTE, "shop", "web").orElseThrow()
                .getMetadata().getResourceVersion().equals(
                        kube.resources(HTTPRoute.class).inNamespace("shop").withName("web").get().getMetadata()
                                .getResourceVersion()), "the informer saw the status write");
        Thread.sleep(maxDelay.toMillis() + 200);
        assertThat(rebuilds.get()).as("a status-only change does not rebuild").isEqualTo(afterBurst);
    }

    @Test
    void namespacesOutsideTheListAreNotRead() throws Exception {
        kube.resources(HTTPRoute.class).inNamespace("shop").resource(route("shop", "web", "v1")).create();
        kube.resources(HTTPRoute.class).inNamespace("other").resource(route("other", "web", "v1")).create();
        source(Set.of("shop")).start().get(20, TimeUnit.SECONDS);
        assertThat(store.view().httpRoutes()).extracting(r -> r.getMetadata().getNamespace()).containsExactly("shop");
    }

    @Test
    void informersReconnectAfterTheApiServerRestartsAndCatchUp() throws Exception {
        kube.resources(HTTPRoute.class).inNamespace("shop").resource(route("shop", "a", "v1")).create();
        source(Set.of()).start().get(20, TimeUnit.SECONDS);
        cluster.stop();
        Thread.sleep(300);
        cluster.restart();
        try (KubernetesClient other = cluster.client()) {
            // Created while the informer is still reconnecting: the new watch delivers it (the mock
            // server replays current objects; a real one replays from the resourceVersion or answers
            // 410 Gone, and the informer relists).
            other.resources(HTTPRoute.class).inNamespace("shop").resource(route("shop", "b", "v1")).create();
            await(() -> store.keys().contains(new ResourceKey("HTTPRoute", "shop", "b")), "the store caught up");
            other.resources(HTTPRoute.class).inNamespace("shop").withName("a").delete();
        }
        await(() -> !store.keys().contains(new ResourceKey("HTTPRoute", "shop", "a")), "the watch is live again");
        await(() -> rebuilds.get() > 0, "a rebuild was requested");
    }

    private static TLSRoute tlsRoute(String ns, String name) {
        return new TLSRouteBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().addNewParentRef().withName("gw").endParentRef().addToHostnames("a.example.com")
                .addNewRule().addNewBackendRef().withName("v1").withPort(443).endBackendRef().endRule().endSpec().build();
    }

    @Test
    void aCrdInstalledAfterTheStartIsReadFromThenOn() throws Exception {
        cluster.refuse("tlsroutes", 404); // the experimental channel's CRD is not installed
        kube.resources(HTTPRoute.class).inNamespace("shop").resource(route("shop", "web", "v1")).create();
        source = new KubernetesSource(kube, store, new KubernetesSource.Options(Set.of(), HOLDOFF, MAX_DELAY, null,
                Duration.ofMillis(200)), rebuilds::incrementAndGet);
        source.start().get(20, TimeUnit.SECONDS);
        assertThat(source.synced()).as("a kind the cluster does not serve does not hold the sync back").isTrue();
        assertThat(source.serves(ResourceKind.TLS_ROUTE)).isFalse();
        assertThat(source.serves(ResourceKind.HTTP_ROUTE)).isTrue();

        cluster.serve("tlsroutes"); // kubectl apply -f the CRD
        kube.resources(TLSRoute.class).inNamespace("shop").resource(tlsRoute("shop", "tls")).create();
        await(() -> store.keys().contains(new ResourceKey("TLSRoute", "shop", "tls")), "the new kind's objects are read");
        // The informer hands its first objects to the store before it reports itself synced, and
        // the kind counts as served from that report on: awaited, not asserted at once (it raced
        // once at a load average of 14).
        await(() -> source.serves(ResourceKind.TLS_ROUTE), "the new kind is served");
        await(() -> rebuilds.get() > 0, "a rebuild was requested");
        kube.resources(TLSRoute.class).inNamespace("shop").withName("tls").delete();
        await(() -> !store.keys().contains(new ResourceKey("TLSRoute", "shop", "tls")), "its watch is live");
    }

    @Test
    void anInformerThatCannotSyncIsNamedWithItsErrorUntilItSyncs() throws Exception {
        cluster.refuse("secrets", 403); // the service account may not list Secrets
        CompletableFuture<Void> started = source(Set.of()).start();
        await(() -> source.unsynced().size() == 1, "the other informers synced: " + source.unsynced());
        await(() -> source.unsynced().get(0).startsWith("Secret (all namespaces): 403 Forbidden: secrets refused"),
                "the unsynced informer is named with its error: " + source.unsynced());
        assertThat(started).as("no rebuild from a partial view").isNotDone();
        assertThat(source.synced()).isFalse();

        cluster.serve("secrets"); // the RBAC is fixed
        source.awaitSynced(Duration.ofMillis(500)); // logs the waiting informers every 500 ms meanwhile
        assertThat(source.synced()).isTrue();
        assertThat(source.unsynced()).isEmpty();
    }

    @Test
    void secretsAndConfigMapsAreKeptOnceInTheStoreNotAgainInTheInformers() throws Exception {
        kube.secrets().inNamespace("shop").resource(new SecretBuilder().withNewMetadata().withName("cert").endMetadata()
                .addToData("tls.crt", java.util.Base64.getEncoder().encodeToString("certificate".getBytes())).build()).create();
        kube.configMaps().inNamespace("shop").resource(new ConfigMapBuilder().withNewMetadata().withName("ca")
                .endMetadata().addToData("ca.crt", "bundle").build()).create();
        kube.resources(HTTPRoute.class).inNamespace("shop").resource(route("shop", "web", "v1")).create();
        source(Set.of()).start().get(20, TimeUnit.SECONDS);

        Secret stored = (Secret) store.get(new ResourceKey("Secret", "shop", "cert")).orElseThrow().object();
        assertThat(stored.getData()).as("the translator's copy").containsKey("tls.crt");
        HasMetadata informed = source.cached(ResourceKind.SECRET, "shop", "cert").orElseThrow();
        assertThat(((Secret) informed).getData()).as("the informer keeps the key and resourceVersion only").isNullOrEmpty();
        assertThat(informed.getMetadata().getResourceVersion()).isNotNull();
        assertThat(((ConfigMap) source.cached(ResourceKind.CONFIG_MAP, "shop", "ca").orElseThrow()).getData()).isNullOrEmpty();
        assertThat(((HTTPRoute) source.cached(ResourceKind.HTTP_ROUTE, "shop", "web").orElseThrow()).getSpec())
                .as("a kind whose status is written is kept whole: the writer compares against it").isNotNull();

        // changes and deletions still reach the store
        kube.secrets().inNamespace("shop").withName("cert").edit(s -> {
            s.setData(java.util.Map.of("tls.crt", java.util.Base64.getEncoder().encodeToString("renewed".getBytes())));
            return s;
        });
        await(() -> new String(java.util.Base64.getDecoder().decode(((Secret) store.get(new ResourceKey("Secret", "shop",
                "cert")).orElseThrow().object()).getData().get("tls.crt"))).equals("renewed"), "the renewal is stored");
        kube.configMaps().inNamespace("shop").withName("ca").delete();
        await(() -> store.get(new ResourceKey("ConfigMap", "shop", "ca")).isEmpty(), "the deletion is stored");
    }
}
