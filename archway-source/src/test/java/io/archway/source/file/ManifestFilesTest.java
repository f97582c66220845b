package io.archway.source.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.source.ResourceStore;
import io.archway.translate.ResourceKey;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ManifestFilesTest {
    private final ManifestLoader loader = new ManifestLoader();
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final ResourceStore store = new ResourceStore();
    private final ManifestFiles files = new ManifestFiles(store, new Clock() {
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
    });

    private static String gateway(String port, String labels) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata:
                  name: gw
                  generation: 7
                  labels: {%s}
                spec:
                  gatewayClassName: archway
                  listeners:
                  - name: http
                    protocol: HTTP
                    port: %s
                """.formatted(labels, port);
    }

    private Gateway gw() {
        return store.view().gateways().get(0);
    }

    private boolean load(String file, String content) {
        return files.apply(loader.parse(file, content));
    }

    @Test
    void generationStartsAtOneAndBumpsOnSpecChangeOnly() {
        assertThat(load("g.yaml", gateway("80", "a: b"))).isTrue();
        assertThat(gw().getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(gw().getMetadata().getCreationTimestamp()).isEqualTo("2026-01-01T00:00:00Z");

        now.set(Instant.parse("2026-01-01T00:05:00Z"));
        long revision = store.revision();
        assertThat(load("g.yaml", gateway("80", "a: b"))).as("identical reload changes nothing").isFalse();
        assertThat(store.revision()).as("no rebuild for an identical reload").isEqualTo(revision);
        assertThat(gw().getMetadata().getGeneration()).isEqualTo(1L);

        assertThat(load("g.yaml", gateway("80", "a: c"))).as("a label change is visible").isTrue();
        assertThat(gw().getMetadata().getGeneration()).as("metadata change keeps the generation").isEqualTo(1L);

        load("g.yaml", gateway("81", "a: c"));
        assertThat(gw().getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(gw().getMetadata().getCreationTimestamp()).as("stable across reloads")
                .isEqualTo("2026-01-01T00:00:00Z");

        load("g.yaml", gateway("81", "a: c"));
        assertThat(gw().getMetadata().getGeneration()).isEqualTo(2L);
        load("g.yaml", gateway("80", "a: c"));
        assertThat(gw().getMetadata().getGeneration()).isEqualTo(3L);
    }

    /**
     * The generation follows the admitted object, as the API server's for a custom resource: what
     * admission makes of two files decides, not how they are written. Written differently (keys
     * reordered, flow style, JSON, comments), with a default written out or an unknown field that is
     * pruned: the same spec, the same generation. Any change of the spec: one more.
     */
    @Test
    void theGenerationBumpsExactlyWhenTheAdmittedSpecChanges() {
        load("g.yaml", gateway("80", ""));
        assertThat(gw().getMetadata().getGeneration()).isEqualTo(1L);

        load("g.yaml", """
                # the same Gateway, written another way
                kind: Gateway
                spec: {listeners: [{port: 80, protocol: HTTP, name: http}], gatewayClassName: archway}
                metadata: {name: gw, annotations: {note: reordered}}
                apiVersion: gateway.networking.k8s.io/v1
                """);
        assertThat(gw().getMetadata().getGeneration()).as("reordered, flow style, an annotation").isEqualTo(1L);
        load("g.yaml", """
                {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "gw"},
                 "spec": {"gatewayClassName": "archway", "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}]}}
                """);
        assertThat(gw().getMetadata().getGeneration()).as("JSON").isEqualTo(1L);
        load("g.yaml", gateway("80", "").replace("    port: 80\n", """
                    port: 80
                    allowedRoutes:
                      namespaces:
                        from: Same
                """));
        assertThat(gw().getMetadata().getGeneration()).as("the CRD's default written out").isEqualTo(1L);
        load("g.yaml", gateway("80", "").replace("    port: 80\n", "    port: 80\n    colour: blue\n"));
        assertThat(gw().getMetadata().getGeneration()).as("an unknown field, pruned by admission").isEqualTo(1L);
        load("g.yaml", gateway("80", "") + "status:\n  conditions: []\n");
        assertThat(gw().getMetadata().getGeneration()).as("status is not spec").isEqualTo(1L);

        load("g.yaml", gateway("80", "").replace("    port: 80\n", """
                    port: 80
                    allowedRoutes:
                      namespaces:
                        from: All
                """));
        assertThat(gw().getMetadata().getGeneration()).as("a value other than the default").isEqualTo(2L);
        load("g.yaml", gateway("80", "").replace("name: http", "name: web"));
        assertThat(gw().getMetadata().getGeneration()).as("a name in a list").isEqualTo(3L);
        load("g.yaml", gateway("80", "").replace("  listeners:", "  addresses:\n  - value: 10.0.0.1\n  listeners:"));
        assertThat(gw().getMetadata().getGeneration()).as("a field added").isEqualTo(4L);
        load("g.yaml", gateway("80", ""));
        assertThat(gw().getMetadata().getGeneration()).as("and removed again").isEqualTo(5L);
    }

    /** A move seen in one batch (a rename) is not a delete: the object keeps its generation. */
    @Test
    void objectMovingToAnotherFileKeepsItsGeneration() {
        load("a.yaml", gateway("80", ""));
        load("a.yaml", gateway("81", ""));
        now.set(Instant.parse("2026-01-01T00:05:00Z"));
        files.applyAll(List.of(loader.parse("b.yaml", gateway("81", ""))), List.of("a.yaml"));
        assertThat(gw().getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(gw().getMetadata().getCreationTimestamp()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(store.view().locationOf(new ResourceKey("Gateway", "default", "gw")).orElseThrow().file())
                .isEqualTo("b.yaml");
    }

    /**
     * As the API server: a deleted object defined again is a new object, at generation 1 with a new
     * creationTimestamp, not its old generation continued.
     */
    @Test
    void aDeletedObjectDefinedAgainStartsAtGenerationOne() {
        load("a.yaml", gateway("80", ""));
        load("a.yaml", gateway("81", ""));
        assertThat(gw().getMetadata().getGeneration()).isEqualTo(2L);
        files.remove("a.yaml");
        assertThat(store.view().gateways()).isEmpty();
        now.set(Instant.parse("2026-01-01T00:05:00Z"));
        load("b.yaml", gateway("82", ""));
        assertThat(gw().getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(gw().getMetadata().getCreationTimestamp()).isEqualTo("2026-01-01T00:05:00Z");
    }

    @Test
    void badReloadKeepsLastGoodAndReportsTheError() {
        load("g.yaml", gateway("80", ""));
        load("other.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n");
        long revision = store.revision();

        boolean changed = load("g.yaml", gateway("eighty", ""));

        assertThat(changed).isFalse();
        assertThat(store.revision()).as("new diagnostics need a rebuild").isGreaterThan(revision);
        long afterError = store.revision();
        load("g.yaml", gateway("eighty", ""));
        assertThat(store.revision()).as("the same error again").isEqualTo(afterError);
        assertThat(gw().getSpec().getListeners().get(0).getPort()).isEqualTo(80);
        assertThat(files.hasErrors()).isTrue();
        // refused by admission as the API server refuses it: the type error, and the note that the CEL
        // rules were not checked because of it
        assertThat(store.diagnostics()).hasSize(2).first().satisfies(d -> {
            assertThat(d.location().toString()).isEqualTo("g.yaml:12");
            assertThat(d.field()).isEqualTo("spec.listeners[0].port");
        });

        load("g.yaml", gateway("90", ""));
        assertThat(files.hasErrors()).isFalse();
        assertThat(store.diagnostics()).isEmpty();
        assertThat(gw().getSpec().getListeners().get(0).getPort()).isEqualTo(90);
        assertThat(gw().getMetadata().getGeneration()).isEqualTo(2L);
    }

    /** Each file's problems stay listed, in file order, while other files change, until it is fixed or gone. */
    @Test
    void diagnosticsListTheFilesWithProblemsInFileOrderWhicheverFileChanges() {
        load("d.yaml", "kind: [");
        load("a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n");
        load("b.yaml", "kind: [");
        assertThat(store.diagnostics()).extracting(d -> d.location().toString().substring(0, 6))
                .containsExactly("b.yaml", "d.yaml");
        load("a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team2\n");
        assertThat(store.diagnostics()).extracting(d -> d.location().toString().substring(0, 6))
                .containsExactly("b.yaml", "d.yaml");
        load("b.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n");
        assertThat(store.diagnostics()).extracting(d -> d.location().toString().substring(0, 6))
                .containsExactly("d.yaml");
        files.remove("d.yaml");
        assertThat(store.diagnostics()).isEmpty();
    }

    @Test
    void firstLoadFailingYieldsNothing() {
        load("g.yaml", gateway("eighty", ""));
        assertThat(store.view().gateways()).isEmpty();
        assertThat(files.files()).containsExactly("g.yaml");
        files.remove("g.yaml");
        assertThat(store.diagnostics()).isEmpty();
    }

    @Test
    void duplicateAcrossFilesLaterFileWinsWithWarning() {
        load("a.yaml", gateway("80", ""));
        load("b.yaml", gateway("81", ""));
        assertThat(gw().getSpec().getListeners().get(0).getPort()).isEqualTo(81);
        assertThat(store.diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("also defined at a.yaml:1"));
    }

    @Test
    void aDuplicateResolvesFileByFileWhicheverFileChanges() {
        // The winner is re-resolved for the changed file's keys only: every order of changes must
        // still give the later file's definition, and the earlier one back when the later goes.
        load("b.yaml", gateway("81", ""));
        load("a.yaml", gateway("80", ""));
        load("c.yaml", gateway("82", ""));
        assertThat(gw().getSpec().getListeners().get(0).getPort()).isEqualTo(82);
        assertThat(store.diagnostics()).extracting(d -> d.message().substring(0, d.message().indexOf(';')))
                .containsExactly("also defined at a.yaml:1", "also defined at b.yaml:1");
        load("a.yaml", gateway("90", ""));
        assertThat(gw().getSpec().getListeners().get(0).getPort()).isEqualTo(82);
        files.remove("c.yaml");
        assertThat(gw().getSpec().getListeners().get(0).getPort()).isEqualTo(81);
        load("b.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n");
        assertThat(gw().getSpec().getListeners().get(0).getPort()).isEqualTo(90);
        assertThat(store.diagnostics()).isEmpty();
        files.remove("a.yaml");
        assertThat(store.view().gateways()).isEmpty();
        assertThat(store.view().namespaces()).hasSize(1);
    }

    @Test
    void viewIsImmutableSnapshot() {
        load("g.yaml", gateway("80", ""));
        var before = store.view();
        load("g.yaml", gateway("81", ""));
        assertThat(before.gateways().get(0).getSpec().getListeners().get(0).getPort()).isEqualTo(80);
        assertThat(before).isNotSameAs(store.view());
    }

    @Test
    void applyAllReadsManyFilesAndForgetsTheGoneOnesInOneChange() {
        load("old.yaml", gateway("80", ""));
        java.util.List<io.archway.source.LoadedFile> read = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            read.add(loader.parse("ns-" + i + ".yaml", """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: ns-%d
                    """.formatted(i)));
        }
        assertThat(files.applyAll(read, java.util.List.of("old.yaml"))).isTrue();
        assertThat(store.keys()).hasSize(50).contains(new ResourceKey("Namespace", "", "ns-0"),
                new ResourceKey("Namespace", "", "ns-49"));
        assertThat(store.view().gateways()).as("the gone file's Gateway is forgotten").isEmpty();
        assertThat(files.files()).hasSize(50).doesNotContain("old.yaml");
        assertThat(files.applyAll(read, java.util.List.of())).as("the same content again changes nothing").isFalse();
    }

    @Test
    void filesAtNamesTheFileOrEverythingBelowTheDirectoryAndNoNeighbour() {
        for (String f : java.util.List.of("a.yaml", "routes/r-1.yaml", "routes/r-1.yaml.bak", "routes/r-10.yaml",
                "routes/sub/r-2.yaml", "routes-old/r-1.yaml", "routes.yaml", "z.yaml")) {
            load(f, """
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: %s
                    """.formatted(f.replaceAll("[^a-z0-9]", "-")));
        }
        assertThat(files.filesAt("routes/r-1.yaml", "/")).containsExactly("routes/r-1.yaml");
        assertThat(files.filesAt("routes/r-1", "/")).as("a prefix of names is no file").isEmpty();
        assertThat(files.filesAt("routes", "/")).containsExactly("routes/r-1.yaml", "routes/r-1.yaml.bak",
                "routes/r-10.yaml", "routes/sub/r-2.yaml");
        assertThat(files.filesAt("routes/sub", "/")).containsExactly("routes/sub/r-2.yaml");
        assertThat(files.filesAt("z.yaml", "/")).containsExactly("z.yaml");
        assertThat(files.filesAt("gone.yaml", "/")).isEmpty();
    }
}
