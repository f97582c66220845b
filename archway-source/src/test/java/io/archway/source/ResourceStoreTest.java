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
}
