package io.archway.client.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archway.client.ArchwayClient;
import io.archway.client.ClientMode;
import io.archway.client.ConcurrentEditException;
import io.archway.client.InvalidWeightsException;
import io.archway.client.ResourceExistsException;
import io.archway.client.RouteRef;
import io.archway.client.RuleSelector;
import io.archway.client.StatusProvider;
import io.archway.client.WeightUpdate;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatusBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryClientTest {

    static final String GATEWAY_DOC = """
            # Shop routes, maintained by hand \uD83D\uDE80 (emoji: offsets are code points)
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata:
              name: edge
              namespace: shop
            spec:
              gatewayClassName: archway
              listeners:
                - name: http
                  port: 80
                  protocol: HTTP
            """;
    static final String CHECKOUT_DOC = """
            ---
            # the checkout route: canary target \uD83D\uDC24\uD83D\uDC24 (code points before the weights)
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata:
              name: checkout
              namespace: shop
            spec:
              parentRefs:
                - name: edge
              rules:
                - matches:
                    - path: {type: PathPrefix, value: /checkout}
                  backendRefs:
                    - name: checkout-v1   # stable
                      port: 8080
                      weight: 90
                    - name: checkout-v2   # canary
                      port: 8080
                - name: static
                  backendRefs:
                    - name: assets
                      port: 80
            """;
    static final String CART_DOC = """
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata:
              name: cart   # no namespace: default
            spec:
              rules:
              - backendRefs:
                - name: cart
                  port: 80
                  weight: "7"
            # trailing comment of the file
            """;
    static final String ROUTES = GATEWAY_DOC + CHECKOUT_DOC + CART_DOC;

    static final String API_JSON = """
            {
              "apiVersion": "gateway.networking.k8s.io/v1",
              "kind": "HTTPRoute",
              "metadata": {"name": "api", "namespace": "shop"},
              "spec": {"rules": [{"backendRefs": [{"name": "api-v1", "port": 80, "weight": 1}, {"name": "api-v2", "port": 80}]}]}
            }
            """;

    static final String GRPC = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GRPCRoute
            metadata:
              name: greeter
              namespace: shop
            spec:
              rules:
                - backendRefs:
                    - name: greeter-v1
                      port: 9000
                    - name: greeter-v2
                      port: 9000
                      weight: 0
            """;

    @TempDir
    Path tmp;
    Path dir;
    Path routes;
    Path json;
    Path grpc;
    DirectoryClient client;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createDirectories(tmp.resolve("manifests"));
        routes = write(dir.resolve("routes.yaml"), ROUTES);
        json = write(dir.resolve("api.json"), API_JSON);
        grpc = write(Files.createDirectories(dir.resolve("nested")).resolve("greeter.yml"), GRPC);
        client = (DirectoryClient) ArchwayClient.forDirectory(dir);
    }

    static Path write(Path p, String text) throws IOException {
        return Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    static Map<String, Integer> weights(Object... kv) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Integer) kv[i + 1]);
        }
        return m;
    }

    @Test
    void listsEveryKindAcrossFilesWithDefaultNamespace() {
        assertThat(client.mode()).isEqualTo(ClientMode.DIRECTORY);
        assertThat(client.listGateways(null)).extracting(g -> g.getMetadata().getName()).containsExactly("edge");
        assertThat(client.listHttpRoutes(null)).extracting(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
                .containsExactlyInAnyOrder("shop/api", "shop/checkout", "default/cart");
        assertThat(client.listHttpRoutes("default")).extracting(r -> r.getMetadata().getName()).containsExactly("cart");
        assertThat(client.listGrpcRoutes("shop")).extracting(r -> r.getMetadata().getName()).containsExactly("greeter");
        assertThat(client.getHttpRoute(null, "cart")).isPresent();
        assertThat(client.getHttpRoute("shop", "cart")).isEmpty();
    }

    @Test
    void setWeightsEditsOnlyTheWeightScalarsOfThatDocument() throws IOException {
        WeightUpdate u = client.setWeights(RouteRef.http("shop", "checkout"), RuleSelector.auto(),
                weights("checkout-v1", 50, "checkout-v2", 50));

        assertThat(u.ruleIndex()).isZero();
        String expectedCheckout = CHECKOUT_DOC
                .replace("weight: 90", "weight: 50")
                .replace("- name: checkout-v2   # canary", "- weight: 50\n          name: checkout-v2   # canary");
        assertThat(read(routes)).isEqualTo(GATEWAY_DOC + expectedCheckout + CART_DOC);
        assertThat(read(json)).isEqualTo(API_JSON);
        assertThat(read(grpc)).isEqualTo(GRPC);

        HTTPRoute back = client.getHttpRoute("shop", "checkout").orElseThrow();
        assertThat(back.getSpec().getRules().get(0).getBackendRefs()).extracting(HTTPBackendRef::getWeight).containsExactly(50, 50);
    }

    @Test
    void setWeightsReplacesAQuotedScalarAndKeepsTheTrailingComment() throws IOException {
        client.setWeights(RouteRef.http(null, "cart"), RuleSelector.index(0), weights("cart", 3));
        assertThat(read(routes)).isEqualTo(GATEWAY_DOC + CHECKOUT_DOC + CART_DOC.replace("weight: \"7\"", "weight: 3"));
    }

    @Test
    void setWeightsEditsJsonInPlace() throws IOException {
        client.setWeights(RouteRef.http("shop", "api"), null, weights("api-v1", 3, "api-v2", 1));
        assertThat(read(json)).isEqualTo(API_JSON.replace("\"weight\": 1}", "\"weight\": 3}")
                .replace("{\"name\": \"api-v2\"", "{\"weight\": 1, \"name\": \"api-v2\""));
        assertThat(client.getHttpRoute("shop", "api").orElseThrow().getSpec().getRules().get(0).getBackendRefs())
                .extracting(HTTPBackendRef::getWeight).containsExactly(3, 1);
    }

    @Test
    void setWeightsOnGrpcRoute() throws IOException {
        client.setWeights(RouteRef.grpc("shop", "greeter"), RuleSelector.auto(), weights("greeter-v2", 10, "greeter-v1", 90));
        assertThat(read(grpc)).isEqualTo(GRPC.replace("weight: 0", "weight: 10")
                .replace("- name: greeter-v1", "- weight: 90\n          name: greeter-v1"));
        GRPCRoute back = client.getGrpcRoute("shop", "greeter").orElseThrow();
        assertThat(back.getSpec().getRules().get(0).getBackendRefs()).extracting(b -> b.getWeight()).containsExactly(90, 10);
    }

    @Test
    void writesAreAtomicRenamesAndLeaveNoTempFiles() throws IOException {
        Path link = tmp.resolve("old-routes-link");
        Files.createLink(link, routes);
        client.setWeights(RouteRef.http("shop", "checkout"), RuleSelector.auto(), weights("checkout-v1", 1));
        // Written in place, the hard link would show the new text; replaced by rename, it keeps the old inode.
        assertThat(read(link)).isEqualTo(ROUTES);
        assertThat(read(routes)).contains("weight: 1\n");
        try (Stream<Path> s = Files.walk(dir)) {
            assertThat(s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()))
                    .containsExactlyInAnyOrder("routes.yaml", "api.json", "nested/greeter.yml");
        }
    }

    @Test
    void concurrentEditBetweenReadAndWriteIsDetectedAndNotOverwritten() throws IOException {
        String theirs = ROUTES.replace("weight: 90", "weight: 80");
        client.beforeWrite(p -> {
            try {
                write(p, theirs);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThatThrownBy(() -> client.setWeights(RouteRef.http("shop", "checkout"), RuleSelector.auto(),
                weights("checkout-v1", 50, "checkout-v2", 50)))
                .isInstanceOf(ConcurrentEditException.class)
                .hasMessageContaining("routes.yaml");
        assertThat(read(routes)).isEqualTo(theirs);
    }

    @Test
    void updateBasedOnAStaleReadIsRefused() throws IOException {
        HTTPRoute stale = client.getHttpRoute("shop", "checkout").orElseThrow();
        client.setWeights(RouteRef.http("shop", "checkout"), RuleSelector.auto(), weights("checkout-v1", 10));
        String afterWeights = read(routes);
        stale.getMetadata().setLabels(Map.of("team", "payments"));
        assertThatThrownBy(() -> client.updateHttpRoute(stale)).isInstanceOf(ConcurrentEditException.class);
        assertThat(read(routes)).isEqualTo(afterWeights);
    }

    @Test
    void updateRewritesOnlyThatDocumentAndKeepsItsLeadingComments() throws IOException {
        HTTPRoute route = client.getHttpRoute("shop", "checkout").orElseThrow();
        route.getMetadata().setLabels(Map.of("team", "payments"));
        route.getSpec().getRules().get(0).getBackendRefs().get(1).setWeight(10);
        HTTPRoute updated = client.updateHttpRoute(route);

        String text = read(routes);
        assertThat(text).startsWith(GATEWAY_DOC + "---\n# the checkout route: canary target \uD83D\uDC24\uD83D\uDC24 (code points before the weights)\n").endsWith(CART_DOC);
        String doc = text.substring(GATEWAY_DOC.length(), text.length() - CART_DOC.length());
        assertThat(doc).contains("team: payments").doesNotContain("resourceVersion").doesNotContain("status");
        assertThat(updated.getMetadata().getLabels()).containsEntry("team", "payments");
        assertThat(updated.getSpec().getRules().get(0).getBackendRefs()).extracting(HTTPBackendRef::getWeight).containsExactly(90, 10);
        assertThat(updated.getMetadata().getResourceVersion()).isNotEqualTo(route.getMetadata().getResourceVersion());
    }

    @Test
    void updateOfADocumentWithoutNamespaceKeepsItWithout() throws IOException {
        HTTPRoute cart = client.getHttpRoute(null, "cart").orElseThrow();
        cart.getMetadata().setLabels(Map.of("a", "b"));
        client.updateHttpRoute(cart);
        String text = read(routes);
        assertThat(text).startsWith(GATEWAY_DOC + CHECKOUT_DOC).endsWith("# trailing comment of the file\n");
        assertThat(text.substring((GATEWAY_DOC + CHECKOUT_DOC).length())).doesNotContain("namespace");
    }

    @Test
    void createWritesANewFileAndRefusesDuplicates() throws IOException {
        HTTPRoute route = new HTTPRouteBuilder().withNewMetadata().withName("search").withNamespace("shop").endMetadata()
                .withNewSpec().addNewRule().addNewBackendRef().withName("search").withPort(80).endBackendRef().endRule().endSpec()
                .build();
        HTTPRoute created = client.createHttpRoute(route);
        Path file = dir.resolve("httproute-shop-search.yaml");
        assertThat(file).exists();
        assertThat(read(file)).contains("name: search").doesNotContain("---");
        assertThat(created.getMetadata().getResourceVersion()).isNotBlank();
        assertThat(read(routes)).isEqualTo(ROUTES);
        assertThatThrownBy(() -> client.createHttpRoute(route)).isInstanceOf(ResourceExistsException.class);

        GRPCRoute g = new GRPCRouteBuilder().withNewMetadata().withName("rpc").endMetadata().withNewSpec().endSpec().build();
        client.createGrpcRoute(g);
        assertThat(dir.resolve("grpcroute-default-rpc.yaml")).exists();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "routes.yaml", "api.json", "nested", "httproute-shop-search.yaml", "grpcroute-default-rpc.yaml");
        }
        assertThat(client.getGrpcRoute("default", "rpc")).isPresent();
    }

    @Test
    void deleteRemovesOnlyThatDocumentOrTheFileWhenAlone() throws IOException {
        assertThat(client.deleteHttpRoute("shop", "checkout")).isTrue();
        assertThat(read(routes)).isEqualTo(GATEWAY_DOC + CART_DOC);
        assertThat(client.getHttpRoute("shop", "checkout")).isEmpty();

        assertThat(client.deleteHttpRoute("shop", "api")).isTrue();
        assertThat(json).doesNotExist();
        assertThat(client.deleteHttpRoute("shop", "api")).isFalse();

        assertThat(client.deleteGrpcRoute("shop", "greeter")).isTrue();
        assertThat(grpc).doesNotExist();
    }

    @Test
    void unknownBackendIsAnErrorNamingTheKnownOnes() throws IOException {
        assertThatThrownBy(() -> client.setWeights(RouteRef.http("shop", "checkout"), RuleSelector.auto(), weights("checkout-v3", 5)))
                .isInstanceOf(InvalidWeightsException.class)
                .hasMessageContaining("checkout-v3")
                .hasMessageContaining("known backends: checkout-v1, checkout-v2");
        assertThat(read(routes)).isEqualTo(ROUTES);
    }

    @Test
    void negativeAndAllZeroWeightsAreRefusedUnlessAllowed() throws IOException {
        RouteRef checkout = RouteRef.http("shop", "checkout");
        assertThatThrownBy(() -> client.setWeights(checkout, RuleSelector.auto(), weights("checkout-v1", -1)))
                .isInstanceOf(InvalidWeightsException.class).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> client.setWeights(checkout, RuleSelector.auto(), weights("checkout-v1", 0, "checkout-v2", 0)))
                .isInstanceOf(InvalidWeightsException.class).hasMessageContaining("all weights");
        assertThat(read(routes)).isEqualTo(ROUTES);

        client.setWeights(checkout, RuleSelector.auto(), weights("checkout-v1", 0, "checkout-v2", 0), true);
        assertThat(client.getHttpRoute("shop", "checkout").orElseThrow().getSpec().getRules().get(0).getBackendRefs())
                .extracting(HTTPBackendRef::getWeight).containsExactly(0, 0);
    }

    @Test
    void aWeightChangeTheCrdRefusesIsRefusedBeforeTheFileIsWritten() throws IOException {
        RouteRef checkout = RouteRef.http("shop", "checkout");
        assertThatThrownBy(() -> client.setWeights(checkout, RuleSelector.auto(), weights("checkout-v1", 2_000_000)))
                .isInstanceOf(io.archway.client.InvalidResourceException.class)
                .hasMessage("HTTPRoute shop/checkout is invalid: spec.rules[0].backendRefs[0].weight: Invalid value:"
                        + " 2000000: spec.rules[0].backendRefs[0].weight in body should be less than or equal to 1000000");
        assertThat(read(routes)).isEqualTo(ROUTES);
        client.setWeights(checkout, RuleSelector.auto(), weights("checkout-v1", 1_000_000));
        assertThat(client.getHttpRoute("shop", "checkout").orElseThrow().getSpec().getRules().get(0).getBackendRefs()
                .get(0).getWeight()).isEqualTo(1_000_000);
    }

    @Test
    void aCreateTheCrdRefusesWritesNothing() throws IOException {
        HTTPRoute route = client.getHttpRoute("shop", "checkout").orElseThrow();
        route.getMetadata().setName("checkout-copy");
        route.getMetadata().setResourceVersion(null);
        route.getSpec().getRules().get(0).getBackendRefs().get(0).setPort(null);
        List<Path> before;
        try (var files = Files.walk(dir)) {
            before = files.toList();
        }
        assertThatThrownBy(() -> client.createHttpRoute(route))
                .isInstanceOf(io.archway.client.InvalidResourceException.class)
                .hasMessageContaining("spec.rules[0].backendRefs[0]: Invalid value: \"object\": Must have port for"
                        + " Service reference");
        try (var files = Files.walk(dir)) {
            assertThat(files.toList()).isEqualTo(before);
        }
    }

    @Test
    void oneBackendAtZeroIsFine() {
        client.setWeights(RouteRef.http("shop", "checkout"), RuleSelector.auto(), weights("checkout-v1", 0, "checkout-v2", 100));
        assertThat(client.getHttpRoute("shop", "checkout").orElseThrow().getSpec().getRules().get(0).getBackendRefs())
                .extracting(HTTPBackendRef::getWeight).containsExactly(0, 100);
    }

    @Test
    void ruleSelectionByIndexNameAndErrors() throws IOException {
        RouteRef checkout = RouteRef.http("shop", "checkout");
        client.setWeights(checkout, RuleSelector.named("static"), weights("assets", 4));
        client.setWeights(checkout, RuleSelector.index(1), weights("assets", 5));
        assertThat(client.getHttpRoute("shop", "checkout").orElseThrow().getSpec().getRules().get(1).getBackendRefs().get(0).getWeight())
                .isEqualTo(5);
        assertThatThrownBy(() -> client.setWeights(checkout, RuleSelector.named("nope"), weights("assets", 4)))
                .isInstanceOf(InvalidWeightsException.class).hasMessageContaining("named rules: static");
        assertThatThrownBy(() -> client.setWeights(checkout, RuleSelector.index(7), weights("assets", 4)))
                .isInstanceOf(InvalidWeightsException.class).hasMessageContaining("no rule 7");
        assertThatThrownBy(() -> client.setWeights(checkout, RuleSelector.index(1), weights("checkout-v1", 4)))
                .isInstanceOf(InvalidWeightsException.class).hasMessageContaining("known backends: assets");
    }

    @Test
    void autoSelectionRefusesSeveralSplitRules() throws IOException {
        String two = GRPC.replace("      weight: 0\n", "      weight: 0\n    - backendRefs:\n        - name: a\n        - name: b\n");
        write(grpc, two);
        assertThatThrownBy(() -> client.setWeights(RouteRef.grpc("shop", "greeter"), RuleSelector.auto(), weights("a", 1)))
                .isInstanceOf(InvalidWeightsException.class).hasMessageContaining("several rules");
        assertThat(read(grpc)).isEqualTo(two);
    }

    @Test
    void statusesComeFromTheStatusProvider() {
        HTTPRoute withStatus = new HTTPRouteBuilder().withNewMetadata().withName("checkout").withNamespace("shop").endMetadata()
                .withStatus(new HTTPRouteStatusBuilder().addNewParent().withControllerName("archway.io/gateway-controller")
                        .withNewParentRef().withName("edge").endParentRef().endParent().build())
                .build();
        StatusProvider provider = new StatusProvider() {
            @Override
            public List<Gateway> gateways(String namespace) {
                throw new IllegalStateException("server down");
            }

            @Override
            public List<HTTPRoute> httpRoutes(String namespace) {
                return List.of(withStatus);
            }

            @Override
            public List<GRPCRoute> grpcRoutes(String namespace) {
                return List.of();
            }

            @Override
            public List<? extends io.fabric8.kubernetes.api.model.HasMetadata> routes(
                    io.archway.kinds.ResourceKind kind, String namespace) {
                return kind != io.archway.kinds.ResourceKind.TCP_ROUTE ? List.of()
                        : List.of(new io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteBuilder().withNewMetadata()
                                .withName("db").withNamespace("shop").endMetadata()
                                .withNewStatus().addNewParent().withControllerName("archway.io/gateway-controller")
                                .withNewParentRef().withName("edge").endParentRef().endParent().endStatus().build());
            }
        };
        try {
            Files.writeString(dir.resolve("tcp.yaml"), """
                    apiVersion: gateway.networking.k8s.io/v1alpha2
                    kind: TCPRoute
                    metadata: {name: db, namespace: shop}
                    spec:
                      parentRefs: [{name: edge, sectionName: mysql}]
                      rules: [{backendRefs: [{name: mysql, port: 3306}]}]
                    """);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ArchwayClient c = ArchwayClient.forDirectory(dir, provider);
        // a route kind without a typed method of its own: listed from the files, status from the provider
        assertThat(c.listRoutes(io.archway.kinds.ResourceKind.TCP_ROUTE, null)).singleElement().satisfies(r -> {
            assertThat(r.getMetadata().getName()).isEqualTo("db");
            assertThat(((io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute) r).getStatus().getParents()).hasSize(1);
        });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.listRoutes(io.archway.kinds.ResourceKind.GATEWAY, null))
                .isInstanceOf(IllegalArgumentException.class);
        HTTPRoute checkout = c.listHttpRoutes("shop").stream().filter(r -> r.getMetadata().getName().equals("checkout")).findFirst()
                .orElseThrow();
        assertThat(checkout.getStatus().getParents()).hasSize(1);
        assertThat(c.listGateways(null)).hasSize(1).allSatisfy(g -> assertThat(g.getStatus()).isNull());
    }

    @Test
    void setWeightsWithUnchangedValuesWritesNothing() throws IOException {
        Path link = tmp.resolve("link");
        Files.createLink(link, routes);
        client.setWeights(RouteRef.http("shop", "checkout"), RuleSelector.auto(), weights("checkout-v1", 90));
        assertThat(Files.isSameFile(link, routes)).isTrue();
    }

    @Test
    void duplicateDefinitionsAreRefusedForWrites() throws IOException {
        write(dir.resolve("dup.yaml"), CART_DOC);
        assertThatThrownBy(() -> client.setWeights(RouteRef.http(null, "cart"), RuleSelector.auto(), weights("cart", 1)))
                .hasMessageContaining("more than once");
    }

    @Test
    void crlfFilesKeepTheirLineEndings() throws IOException {
        String crlf = ROUTES.replace("\n", "\r\n");
        write(routes, crlf);
        client.setWeights(RouteRef.http("shop", "checkout"), RuleSelector.auto(), weights("checkout-v2", 10));
        assertThat(read(routes)).isEqualTo(crlf.replace("- name: checkout-v2   # canary",
                "- weight: 10\r\n          name: checkout-v2   # canary"));
    }

    @Test
    void updateKeepsTheOriginalKeyOrder() throws IOException {
        HTTPRoute route = client.getHttpRoute("shop", "checkout").orElseThrow();
        route.getMetadata().setLabels(Map.of("team", "payments"));
        client.updateHttpRoute(route);
        String text = read(routes);
        String doc = text.substring(GATEWAY_DOC.length(), text.length() - CART_DOC.length());
        assertThat(doc).startsWith("---\n# the checkout route: canary target \uD83D\uDC24\uD83D\uDC24 (code points before the weights)\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
                + "metadata:\n  name: checkout\n  namespace: shop\n  labels:\n    team: payments\nspec:\n  parentRefs:");
        assertThat(doc.indexOf("matches:")).isLessThan(doc.indexOf("backendRefs:"));
    }

    @Test
    void anEditThatCannotBeVerifiedFallsBackToReserialisingTheDocument() throws IOException {
        // Two weight keys: the in-place edit would change the first, while readers take the last.
        String dup = CART_DOC.replace("      weight: \"7\"\n", "      weight: 1\n      weight: 2\n");
        write(routes, GATEWAY_DOC + CHECKOUT_DOC + dup);
        client.setWeights(RouteRef.http(null, "cart"), RuleSelector.auto(), weights("cart", 5));
        String text = read(routes);
        assertThat(text).startsWith(GATEWAY_DOC + CHECKOUT_DOC).endsWith("# trailing comment of the file\n");
        assertThat(text.substring((GATEWAY_DOC + CHECKOUT_DOC).length())).containsOnlyOnce("weight:").contains("weight: 5");
        assertThat(client.getHttpRoute(null, "cart").orElseThrow().getSpec().getRules().get(0).getBackendRefs().get(0).getWeight())
                .isEqualTo(5);
    }

    @Test
    void notFoundNamesUnreadableFiles() throws IOException {
        write(dir.resolve("broken.yaml"), "kind: HTTPRoute\nmetadata: [unclosed\n");
        assertThatThrownBy(() -> client.setWeights(RouteRef.http("shop", "nope"), null, weights("a", 1)))
                .isInstanceOf(io.archway.client.ResourceNotFoundException.class)
                .hasMessageContaining("broken.yaml");
        assertThat(client.listHttpRoutes(null)).hasSize(3);
    }
}
