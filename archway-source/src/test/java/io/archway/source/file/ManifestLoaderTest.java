package io.archway.source.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.source.LoadedFile;
import io.archway.source.SourcedObject;
import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceKey;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestLoaderTest {
    private final ManifestLoader loader = new ManifestLoader();

    private static final String MULTI = """
            # leading comment
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata:
              name: archway
              namespace: ignored
            spec:
              controllerName: archway.io/gateway-controller
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata:
              name: gw
              generation: 42
            spec:
              gatewayClassName: archway
              listeners:
              - name: http
                protocol: HTTP
                port: 8080
            ---

            # a comment before the next document
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: app
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: svc
              namespace: apps
            spec:
              ports:
              - port: 80
            """;

    @Test
    void multiDocumentFileWithLineNumbersAndDefaults() {
        LoadedFile f = loader.parse("dir/multi.yaml", MULTI);

        assertThat(f.errors()).isEmpty();
        assertThat(f.skipped()).isEqualTo(1);
        assertThat(f.objects()).extracting(SourcedObject::key).containsExactly(
                new ResourceKey("GatewayClass", "", "archway"),
                new ResourceKey("Gateway", "default", "gw"),
                new ResourceKey("Service", "apps", "svc"));
        assertThat(f.objects()).extracting(o -> o.location().toString())
                .containsExactly("dir/multi.yaml:2", "dir/multi.yaml:10", "dir/multi.yaml:29");
        GatewayClass gc = (GatewayClass) f.objects().get(0).object();
        assertThat(gc.getMetadata().getNamespace()).isNull();
        assertThat(gc.getSpec().getControllerName()).isEqualTo("archway.io/gateway-controller");
        Gateway gw = (Gateway) f.objects().get(1).object();
        assertThat(gw.getMetadata().getNamespace()).isEqualTo("default");
        assertThat(gw.getMetadata().getGeneration()).as("a manifest's own generation is ignored").isNull();
        assertThat(gw.getSpec().getListeners().get(0).getPort()).isEqualTo(8080);
        assertThat(f.objects().get(2).object()).isInstanceOf(Service.class);
    }

    @Test
    void documentMarkersWithCommentsContentAndEndsSplitTheFile() {
        LoadedFile f = loader.parse("markers.yaml", """
                apiVersion: v1
                kind: Service
                metadata: {name: a}
                --- # the second
                apiVersion: v1
                kind: Service
                metadata: {name: b}
                ...
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: c}
                --- {apiVersion: v1, kind: Service, metadata: {name: d}}
                """);

        assertThat(f.errors()).isEmpty();
        assertThat(f.objects()).extracting(o -> o.key().name() + "@" + o.location().line())
                .containsExactly("a@1", "b@5", "c@10", "d@13");
    }

    @Test
    void v1beta1AndV1alpha2AreConvertedToV1() {
        LoadedFile f = loader.parse("old.yaml", """
                apiVersion: gateway.networking.k8s.io/v1beta1
                kind: HTTPRoute
                metadata:
                  name: r
                  namespace: team
                spec:
                  parentRefs:
                  - name: gw
                  hostnames: ["a.example.com"]
                  rules:
                  - backendRefs:
                    - name: svc
                      port: 80
                      weight: 90
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: ReferenceGrant
                metadata:
                  name: grant
                spec:
                  from:
                  - group: gateway.networking.k8s.io
                    kind: HTTPRoute
                    namespace: team
                  to:
                  - group: ""
                    kind: Service
                """);

        assertThat(f.errors()).isEmpty();
        HTTPRoute r = (HTTPRoute) f.objects().get(0).object();
        assertThat(r.getApiVersion()).isEqualTo("gateway.networking.k8s.io/v1");
        assertThat(r.getSpec().getHostnames()).containsExactly("a.example.com");
        assertThat(r.getSpec().getRules().get(0).getBackendRefs().get(0).getWeight()).isEqualTo(90);
        ReferenceGrant g = (ReferenceGrant) f.objects().get(1).object();
        assertThat(g.getApiVersion()).isEqualTo("gateway.networking.k8s.io/v1");
        assertThat(g.getSpec().getFrom().get(0).getNamespace()).isEqualTo("team");
        assertThat(f.objects().get(1).location().line()).isEqualTo(16);
    }

    @Test
    void flattenedIndentationFromTheSeedIsAClearError() {
        // As found in shared/seeds/kubernetes-gateway-api-overview.md: indentation lost in copy-paste.
        String flattened = """
                apiVersion: gateway.networking.k8s.io/v1beta1
                kind: Gateway
                metadata:
                name: gateway-istio
                spec:
                gatewayClassName: istio
                listeners:
                - name: foo-https
                protocol: HTTPS
                port: 443
                """;
        LoadedFile f = loader.parse("seed.yaml", flattened);

        assertThat(f.ok()).isFalse();
        assertThat(f.objects()).isEmpty();
        Diagnostic d = f.errors().get(0);
        assertThat(d.location().toString()).isEqualTo("seed.yaml:3");
        assertThat(d.resource()).isEqualTo(new ResourceKey("Gateway", "", "gateway-istio"));
        assertThat(d.toString()).contains("seed.yaml:3").contains("'metadata:' has no indented fields")
                .contains("line 4").contains("flattened");
    }

    @Test
    void flattenedSpecOnlyIsAlsoCaught() {
        LoadedFile f = loader.parse("x.yaml", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata:
                  name: gw
                spec:
                gatewayClassName: istio
                """);
        assertThat(f.errors()).singleElement().satisfies(d -> {
            assertThat(d.location().line()).isEqualTo(5);
            assertThat(d.field()).isEqualTo("spec");
            assertThat(d.message()).contains("'gatewayClassName: istio'").contains("flattened");
        });
    }

    @Test
    void unknownTopLevelFieldNamesTheLine() {
        LoadedFile f = loader.parse("x.yaml", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata:
                  name: gw
                gatewayClassName: istio
                """);
        assertThat(f.errors()).singleElement().satisfies(d -> {
            assertThat(d.location().line()).isEqualTo(5);
            assertThat(d.field()).isEqualTo("gatewayClassName");
            assertThat(d.resource()).isEqualTo(new ResourceKey("Gateway", "default", "gw"));
        });
    }

    @Test
    void typeErrorNamesFieldPathAndLine() {
        LoadedFile f = loader.parse("bad.yaml", """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: ok
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata:
                  name: gw
                spec:
                  gatewayClassName: archway
                  listeners:
                  - name: http
                    protocol: HTTP
                    port: eighty
                """);

        // The API server refuses the Gateway alone (its schema says integer); the Namespace loads.
        assertThat(f.ok()).isTrue();
        assertThat(f.objects()).extracting(SourcedObject::key).containsExactly(new ResourceKey("Namespace", "", "ok"));
        assertThat(f.refused()).containsExactly(new ResourceKey("Gateway", "default", "gw"));
        Diagnostic d = f.refusals().get(0);
        assertThat(d.field()).isEqualTo("spec.listeners[0].port");
        assertThat(d.location().toString()).isEqualTo("bad.yaml:15");
        assertThat(d.message()).isEqualTo("Invalid value: \"string\": spec.listeners[0].port in body must be of type"
                + " integer: \"string\"").doesNotContain("\n").doesNotContain("at [Source");
    }

    /**
     * A file of many documents is parsed document by document in parallel; what it yields must be
     * what reading them one after another yields: objects in document order with their lines, the
     * later of two definitions winning (and taking its place), every diagnostic in document order.
     */
    @Test
    void manyDocumentsYieldWhatReadingThemInOrderYields() {
        StringBuilder yaml = new StringBuilder();
        List<String> expectedNames = new java.util.ArrayList<>();
        List<String> expectedLines = new java.util.ArrayList<>();
        List<String> expectedWarnings = new java.util.ArrayList<>();
        int line = 1;
        for (int i = 0; i < 300; i++) {
            if (i > 0) {
                yaml.append("---\n");
                line++;
            }
            String name = i == 120 ? "svc-5" : "svc-" + i; // document 120 defines svc-5 again
            if (i == 150) {
                yaml.append("apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: BackendLBPolicy\nmetadata:\n  name: lb\n");
                expectedWarnings.add("many.yaml:" + line + ": warning: BackendLBPolicy lb: BackendLBPolicy is not"
                        + " served by Archway yet; ignored");
                line += 4;
                continue;
            }
            if (i == 200) {
                yaml.append("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n");
                line += 4;
                continue;
            }
            if (i == 250) {
                yaml.append("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\nspec:\n"
                        + "  surprise: 1\n");
                expectedWarnings.add("many.yaml:" + (line + 5) + ": warning: HTTPRoute default/r spec.surprise: unknown"
                        + " field \"spec.surprise\" (pruned, as the API server prunes it)");
                expectedNames.add("r");
                expectedLines.add("many.yaml:" + line);
                line += 6;
                continue;
            }
            yaml.append("apiVersion: v1\nkind: Service\nmetadata:\n  name: ").append(name)
                    .append("\nspec:\n  ports:\n  - port: 80\n");
            if (i == 120) {
                int first = expectedNames.indexOf("svc-5");
                expectedWarnings.add("many.yaml:" + line + ": warning: Service default/svc-5: defined again (first at "
                        + expectedLines.get(first) + "); the later definition wins");
                expectedNames.remove(first);
                expectedLines.remove(first);
            }
            expectedNames.add(name);
            expectedLines.add("many.yaml:" + line);
            line += 7;
        }

        LoadedFile f = loader.parse("many.yaml", yaml.toString());

        assertThat(f.errors()).isEmpty();
        assertThat(f.objects()).extracting(o -> o.key().name()).containsExactlyElementsOf(expectedNames);
        assertThat(f.objects()).extracting(o -> o.location().toString()).containsExactlyElementsOf(expectedLines);
        assertThat(f.warnings()).extracting(Diagnostic::toString).containsExactlyElementsOf(expectedWarnings);
        assertThat(f.unserved()).containsOnly(java.util.Map.entry("BackendLBPolicy", 1));
        assertThat(f.skipped()).isEqualTo(1);
    }

    /**
     * A file read again: each unchanged document gives the objects it gave before, the same instances
     * (it is not parsed again), at lines moved with the lines above it, and every result equals a
     * fresh loader's read of the same text; a document whose diagnostics moved is read again (a
     * message may name a line: the flattened indentation's does).
     */
    @Test
    void aFileReadAgainReusesItsUnchangedDocumentsAndGivesWhatAFreshReadGives() {
        List<String> docs = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            docs.add(service("svc-" + i, 80));
        }
        LoadedFile v1 = readAgain(docs, "");
        assertThat(v1.objects()).hasSize(10);

        docs.set(3, service("svc-3", 81)); // one edited
        LoadedFile v2 = readAgain(docs, "");
        for (int i = 0; i < 10; i++) {
            if (i == 3) {
                assertThat(v2.objects().get(i).object()).isNotSameAs(v1.objects().get(i).object());
            } else {
                assertThat(v2.objects().get(i)).isSameAs(v1.objects().get(i));
            }
        }

        // Three lines above everything: the first document's text (the comments are part of it) is
        // read again, every other document is moved down.
        LoadedFile v3 = readAgain(docs, "# three lines\n# above\n# everything\n");
        assertThat(v3.objects().get(0).object()).isNotSameAs(v2.objects().get(0).object());
        for (int i = 1; i < 10; i++) {
            assertThat(v3.objects().get(i).object()).isSameAs(v2.objects().get(i).object());
            assertThat(v3.objects().get(i).location().line()).isEqualTo(v2.objects().get(i).location().line() + 3);
        }

        docs.add(5, "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\nspec:\n"
                + "  surprise: 1\n"); // a warning at its line
        docs.add(7, "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: bad\nspec:\n"
                + "  hostnames: [\"-bad-\"]\n"); // refused at its line
        docs.add("apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: BackendLBPolicy\nmetadata:\n  name: lb\n");
        docs.add("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n");
        LoadedFile v4 = readAgain(docs, "");
        assertThat(v4.warnings()).isNotEmpty();
        assertThat(v4.refusals()).isNotEmpty();
        readAgain(docs, "# one more line\n");

        docs.add(2, "apiVersion: v1\nkind: Service\nmetadata:\nname: flat\n"); // an error naming a line
        LoadedFile v6 = readAgain(docs, "");
        assertThat(v6.errors()).singleElement().extracting(Diagnostic::message).asString().contains("(line ");
        readAgain(docs, "# and another\n# two\n");

        loader.forget("again.yaml");
        docs.remove(2);
        LoadedFile afterForget = readAgain(docs, "");
        assertThat(afterForget.objects().get(1).object()).isNotSameAs(v3.objects().get(1).object());
    }

    /** Reads {@code docs} under {@code header} as again.yaml with {@link #loader}, checking it against a fresh loader. */
    private LoadedFile readAgain(List<String> docs, String header) {
        String content = header + String.join("---\n", docs);
        LoadedFile again = loader.parse("again.yaml", content);
        LoadedFile fresh = new ManifestLoader().parse("again.yaml", content);
        assertThat(again.objects()).hasSameSizeAs(fresh.objects());
        for (int i = 0; i < fresh.objects().size(); i++) {
            SourcedObject a = again.objects().get(i);
            SourcedObject f = fresh.objects().get(i);
            assertThat(a.key()).isEqualTo(f.key());
            assertThat(a.location()).isEqualTo(f.location());
            assertThat(a.spec()).isEqualTo(f.spec());
            assertThat(a.object()).isEqualTo(f.object());
        }
        assertThat(again.errors()).isEqualTo(fresh.errors());
        assertThat(again.warnings()).isEqualTo(fresh.warnings());
        assertThat(again.refusals()).isEqualTo(fresh.refusals());
        assertThat(again.unserved()).isEqualTo(fresh.unserved());
        assertThat(again.skipped()).isEqualTo(fresh.skipped());
        return again;
    }

    private static String service(String name, int port) {
        return "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\nspec:\n  ports:\n  - port: " + port + "\n";
    }

    /** The refusals, and in another file the errors, of many documents: in document order, at their lines. */
    @Test
    void manyDocumentsReportTheirProblemsInDocumentOrder() {
        assertThat(loader.parse("refused.yaml", fortyDocuments(3)).refusals())
                .extracting(d -> d.resource().name() + "@" + d.location().line())
                .containsExactly("gw-3@24", "gw-3@20", "gw-13@84", "gw-13@80", "gw-23@144", "gw-23@140", "gw-33@204",
                        "gw-33@200"); // the port's type, then at the Gateway's first line
                        // that its CEL rules were not checked, as the API server says
        assertThat(loader.parse("errors.yaml", fortyDocuments(7)).errors())
                .extracting(d -> d.field() + "@" + d.location().line())
                .containsExactly("metadata.name@44", "metadata.name@104", "metadata.name@164", "metadata.name@224");
    }

    /**
     * Forty documents of six lines: Namespaces, but where the index ends in 3 a Gateway the API server
     * refuses (its port is not a number, line 6 of the document) and where it ends in 7 a Service
     * without a name (an error at its second line).
     */
    private static String fortyDocuments(int bad) {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            yaml.append(i > 0 ? "---\n" : "\n");
            if (i % 10 == bad && bad == 3) {
                yaml.append("apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: gw-").append(i)
                        .append("\nspec: {gatewayClassName: c, listeners: [{name: h, protocol: HTTP, port: x}]}\n");
            } else if (i % 10 == bad) {
                yaml.append("apiVersion: v1\nkind: Service\nmetadata:\n  labels: {}\nspec: {}\n");
            } else {
                yaml.append("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-").append(i).append("\n\n");
            }
        }
        return yaml.toString();
    }

    @Test
    void yamlSyntaxErrorNamesLine() {
        LoadedFile f = loader.parse("syntax.yaml", """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: ok
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: [unclosed
                """);
        assertThat(f.ok()).isFalse();
        assertThat(f.errors().get(0).location().file()).isEqualTo("syntax.yaml");
        assertThat(f.errors().get(0).location().line()).isBetween(9, 10);
        assertThat(f.errors().get(0).message()).startsWith("invalid YAML");
    }

    @Test
    void duplicateKeyIsAnError() {
        LoadedFile f = loader.parse("dup.yaml", """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: a
                  name: b
                """);
        assertThat(f.errors()).singleElement().satisfies(d -> {
            assertThat(d.message()).contains("Duplicate field 'name'");
            assertThat(d.location().line()).isEqualTo(5);
        });
    }

    @Test
    void listKindAndUnservedGatewayKinds() {
        LoadedFile f = loader.parse("list.yaml", """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: discovery.k8s.io/v1
                  kind: EndpointSlice
                  metadata:
                    name: svc-1
                    labels: {kubernetes.io/service-name: svc}
                  addressType: IPv4
                  endpoints:
                  - addresses: ["127.0.0.1"]
                  ports:
                  - port: 9001
                - apiVersion: gateway.networking.k8s.io/v1
                  kind: GRPCRoute
                  metadata:
                    name: g
                  spec:
                    parentRefs: [{name: gw}]
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: BackendLBPolicy
                metadata:
                  name: t
                """);
        assertThat(f.errors()).isEmpty();
        assertThat(f.objects()).hasSize(2).first().satisfies(o -> {
            assertThat(o.object()).isInstanceOf(EndpointSlice.class);
            assertThat(o.key()).isEqualTo(new ResourceKey("EndpointSlice", "default", "svc-1"));
        });
        assertThat(f.objects().get(1).key()).isEqualTo(new ResourceKey("GRPCRoute", "default", "g"));
        assertThat(f.unserved()).containsOnlyKeys("BackendLBPolicy").containsEntry("BackendLBPolicy", 1);
        assertThat(f.warnings()).hasSize(1);
    }

    @Test
    void missingKindAndName() {
        LoadedFile f = loader.parse("m.yaml", """
                apiVersion: v1
                metadata:
                  name: x
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  namespace: y
                """);
        assertThat(f.errors()).hasSize(2);
        assertThat(f.errors().get(0).message()).contains("kind");
        assertThat(f.errors().get(1).field()).isEqualTo("metadata.name");
        assertThat(f.errors().get(1).location().line()).isEqualTo(5);
    }

    @Test
    void jsonFile() {
        LoadedFile f = loader.parse("a.json", """
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}
                """);
        assertThat(f.errors()).isEmpty();
        assertThat(f.objects()).singleElement()
                .satisfies(o -> assertThat(o.key()).isEqualTo(new ResourceKey("Namespace", "", "team")));
    }

    @Test
    void loadsDirectoryRecursivelySkippingHiddenAndOtherFiles(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("sub/deeper"));
        Files.createDirectories(dir.resolve("..data"));
        Files.writeString(dir.resolve("a.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n");
        Files.writeString(dir.resolve("sub/deeper/b.yml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n");
        Files.writeString(dir.resolve("sub/c.json"), "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"c\"}}");
        Files.writeString(dir.resolve("notes.txt"), "not yaml");
        Files.writeString(dir.resolve(".a.yaml.swp"), "garbage");
        Files.writeString(dir.resolve("..data/x.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: hidden\n");

        List<LoadedFile> files = loader.loadDirectory(dir);

        assertThat(files).extracting(LoadedFile::file).containsExactly(dir.resolve("a.yaml").toString(),
                dir.resolve("sub/c.json").toString(), dir.resolve("sub/deeper/b.yml").toString());
        assertThat(files).allSatisfy(f -> assertThat(f.ok()).isTrue());
    }

    /** The overview seed's HTTPRoute (docs/seeds/overview/05) as first written: RequestRedirect beside backendRefs. */
    private static final String SEED_REDIRECT_BESIDE_BACKENDS = """
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: HTTPRoute
            metadata:
              name: httproute-example
            spec:
              parentRefs:
              - name: gateway-istio
              hostnames:
              - "zcy.cai-inc.com"
              rules:
              - matches:
                - path:
                    type: PathPrefix
                    value: /monitor
                backendRefs:
                - name: monitor-center1
                  port: 6099
              - matches:
                - path:
                    type: PathPrefix
                    value: "/api2/otel"
                filters:
                - type: RequestRedirect
                  requestRedirect:
                    scheme: https
                    statusCode: 301
                backendRefs:
                - name: otel-dashboard
                  port: 7099
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: otel-dashboard
            spec:
              ports:
              - port: 7099
            """;

    @Test
    void anObjectTheCrdRefusesIsRefusedAloneWithFileLineFieldAndTheCrdsMessage() {
        LoadedFile f = loader.parse("05-httproute-filters.yaml", SEED_REDIRECT_BESIDE_BACKENDS);
        assertThat(f.ok()).isTrue();
        assertThat(f.objects()).extracting(SourcedObject::key)
                .containsExactly(new ResourceKey("Service", "default", "otel-dashboard"));
        assertThat(f.refusals()).singleElement().hasToString("05-httproute-filters.yaml:18: error: HTTPRoute"
                + " default/httproute-example spec.rules[1]: Invalid value: \"object\": RequestRedirect filter must not"
                + " be used together with backendRefs");
    }

    @Test
    void admittedObjectsCarryTheCrdDefaultsAndLoseUnknownFieldsWithAWarning() {
        LoadedFile f = loader.parse("r.yaml", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata:
                  name: r
                spec:
                  parentRefs:
                  - name: gw
                  rules:
                  - backendRefs:
                    - name: web
                      port: 80
                      wieght: 5
                """);
        HTTPRoute r = (HTTPRoute) f.objects().get(0).object();
        assertThat(r.getSpec().getRules().get(0).getMatches().get(0).getPath().getValue()).isEqualTo("/");
        assertThat(r.getSpec().getRules().get(0).getBackendRefs().get(0).getWeight()).isEqualTo(1);
        assertThat(r.getSpec().getParentRefs().get(0).getKind()).isEqualTo("Gateway");
        assertThat(f.warnings()).singleElement().satisfies(w -> {
            assertThat(w.location().toString()).isEqualTo("r.yaml:12");
            assertThat(w.field()).isEqualTo("spec.rules[0].backendRefs[0].wieght");
        });
    }
}
