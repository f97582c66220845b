package io.archway.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The object-level store every source feeds (the file layer is tested in ManifestFilesTest). */
class ResourceStoreTest {
    private final ResourceStore store = new ResourceStore();

    private static SourcedObject ns(String name, String label) {
        Namespace n = new NamespaceBuilder().withNewMetadata().withName(name).addToLabels("l", label)
                .withGeneration(3L).endMetadata().build();
        return new SourcedObject(new ResourceKey("Namespace", "", name), n, null);
    }

    @Test
    void upsertOfAnEqualObjectChangesNothing() {
        assertThat(store.upsert(ns("a", "1"))).isTrue();
        long revision = store.revision();
        ResourceView view = store.view();
        assertThat(store.upsert(ns("a", "1"))).as("same JSON, another instance").isFalse();
        assertThat(store.revision()).isEqualTo(revision);
        assertThat(store.view()).isSameAs(view);
        assertThat(store.upsert(ns("a", "2"))).isTrue();
        assertThat(store.revision()).isGreaterThan(revision);
        assertThat(store.view().namespaces()).singleElement()
                .satisfies(n -> assertThat(n.getMetadata().getLabels()).containsEntry("l", "2"));
        assertThat(store.view().namespaces().get(0).getMetadata().getGeneration())
                .as("the store stamps nothing: on a cluster the API server owns generation").isEqualTo(3L);
    }

    @Test
    void deleteRemovesAndViewsStayImmutable() {
        store.upsert(ns("b", "1"));
        store.upsert(ns("a", "1"));
        ResourceView before = store.view();
        assertThat(before.namespaces()).extracting(n -> n.getMetadata().getName()).containsExactly("a", "b");
        assertThat(store.delete(new ResourceKey("Namespace", "", "a"))).isTrue();
        assertThat(store.delete(new ResourceKey("Namespace", "", "a"))).isFalse();
        assertThat(store.view().namespaces()).extracting(n -> n.getMetadata().getName()).containsExactly("b");
        assertThat(before.namespaces()).hasSize(2);
        assertThat(store.keys()).containsExactly(new ResourceKey("Namespace", "", "b"));
    }

    @Test
    void reportedProblemsCountAsARevisionOnlyWhenNew() {
        Diagnostic d = new Diagnostic(Diagnostic.Severity.ERROR, new ResourceKey("Namespace", "", "a"), "", "bad", null);
        long revision = store.revision();
        assertThat(store.report(List.of(d))).isTrue();
        assertThat(store.revision()).isGreaterThan(revision);
        long after = store.revision();
        assertThat(store.report(List.of(d))).isFalse();
        assertThat(store.revision()).isEqualTo(after);
        assertThat(store.diagnostics()).containsExactly(d);
    }

    /**
     * The view is incremental per kind (only the kinds changed since the last view are copied): after
     * every random change it equals the view built from scratch from every object (same objects in
     * the same order, same locations), and the views taken before stay as they were.
     */
    @Test
    void incrementalViewEqualsAFullOneOverRandomChanges() {
        java.util.Random random = new java.util.Random(14);
        java.util.Map<ResourceKey, SourcedObject> all = new java.util.TreeMap<>();
        java.util.List<ResourceView> views = new java.util.ArrayList<>();
        java.util.List<java.util.List<String>> seen = new java.util.ArrayList<>();
        for (int step = 0; step < 600; step++) {
            int what = random.nextInt(4);
            String name = "o" + random.nextInt(40);
            SourcedObject o = switch (random.nextInt(3)) {
                case 0 -> ns(name, String.valueOf(random.nextInt(3)));
                case 1 -> route(name, random.nextInt(3));
                default -> service(name, random.nextInt(3));
            };
            if (what == 0) {
                store.delete(o.key());
                all.remove(o.key());
            } else {
                store.upsert(o);
                all.put(o.key(), store.get(o.key()).orElseThrow()); // the stored instance (an equal upsert keeps it)
            }
            if (random.nextInt(3) == 0) { // a burst of changes may come between two views
                continue;
            }
            ResourceView view = store.view();
            java.util.Map<ResourceKey, io.archway.translate.SourceLocation> locations = new java.util.HashMap<>();
            all.values().forEach(x -> {
                if (x.location() != null) {
                    locations.put(x.key(), x.location());
                }
            });
            ResourceView full = ResourceView.of(all.values().stream().map(SourcedObject::object).toList(), locations);
            assertThat(view.objects().keySet()).as("step %d", step).isEqualTo(full.objects().keySet());
            for (var e : full.objects().entrySet()) {
                assertThat(view.list(e.getKey())).as("step %d, %s", step, e.getKey())
                        .containsExactlyElementsOf(e.getValue());
            }
            assertThat(view.locations()).as("step %d", step).isEqualTo(full.locations());
            for (ResourceKey key : all.keySet()) {
                assertThat(view.locationOf(key)).as("step %d, %s", step, key)
                        .isEqualTo(full.locationOf(key));
            }
            views.add(view);
            seen.add(describe(view));
        }
        for (int i = 0; i < views.size(); i++) {
            assertThat(describe(views.get(i))).as("view %d unchanged by later changes", i).isEqualTo(seen.get(i));
        }
    }

    private static java.util.List<String> describe(ResourceView view) {
        java.util.List<String> out = new java.util.ArrayList<>();
        view.objects().forEach((kind, list) -> list.forEach(o -> out.add(kind + " " + o.getMetadata().getNamespace()
                + "/" + o.getMetadata().getName() + " " + System.identityHashCode(o))));
        return out;
    }

    private static SourcedObject route(String name, int variant) {
        io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute r = new io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder()
                .withNewMetadata().withNamespace(variant == 2 ? "b" : "a").withName(name)
                .addToLabels("v", String.valueOf(variant)).endMetadata().build();
        return new SourcedObject(new ResourceKey("HTTPRoute", r.getMetadata().getNamespace(), name), r,
                new io.archway.translate.SourceLocation("routes/" + name + ".yaml", variant + 1));
    }

    private static SourcedObject service(String name, int variant) {
        io.fabric8.kubernetes.api.model.Service s = new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata().withNamespace("a").withName(name).addToLabels("v", String.valueOf(variant))
                .endMetadata().build();
        return new SourcedObject(new ResourceKey("Service", "a", name), s,
                variant == 0 ? null : new io.archway.translate.SourceLocation("services.yaml", variant));
    }
}
