package io.archway.conformance;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * The resource changes upstream tests make mid-test (their Go code patches or deletes objects
 * between assertions). Each runs before the event at {@code beforeLine} of the upstream file (the
 * extracted assertions and requests carry their line numbers), rewrites the test's manifest file
 * and reloads the server.
 */
final class Mutations {

    /** What a mutation can do to the running test. */
    interface Context {
        /** The test's own document of that kind/namespace/name (mutable; rewrite() persists it). */
        ObjectNode doc(String kind, String namespace, String name);

        void removeDoc(String kind, String namespace, String name);

        /** Adds a document to the test's first manifest file (so the test's cleanup removes it). */
        void addDoc(ObjectNode doc);

        /** Writes the test's manifest files and reloads the server. */
        void rewrite();

        /** metadata.generation the server reports now (-1 when the object is absent). */
        long generation(String kind, String namespace, String name);

        /** Runs at the end of the test; a non-null result fails it. */
        void verifyAtEnd(String description, java.util.function.Supplier<String> check);

        List<EchoServer.Pod> pods(String namespace, String deployment);

        /** The {@code ca.crt} of a ConfigMap the suite's set-up created (ConformanceTestSuite.Setup). */
        String setupConfigMapCaCert(String namespace, String name);
    }

    record Mutation(int beforeLine, String description, java.util.function.Consumer<Context> action) {
    }

    static final String INFRA = "gateway-conformance-infra";

    private static final Map<String, List<Mutation>> BY_TEST = Map.ofEntries(Map.entry(
            "GatewayClassObservedGenerationBump", List.of(new Mutation(65, "set GatewayClass spec.description",
                    ctx -> {
                        String name = "gatewayclass-observed-generation-bump";
                        ObjectNode gwc = ctx.doc("GatewayClass", null, name);
                        ((ObjectNode) gwc.get("spec")).put("description", "new");
                        bump(ctx, "GatewayClass", null, name);
                    }))), Map.entry(
            "GatewayObservedGenerationBump", List.of(new Mutation(76, "add listener 'alternate' (foo.com:80)",
                    ctx -> {
                        String name = "gateway-observed-generation-bump";
                        ObjectNode gw = ctx.doc("Gateway", INFRA, name);
                        addListener(gw, "alternate", "foo.com");
                        bump(ctx, "Gateway", INFRA, name);
                    }))), Map.entry(
            "GatewayModifyListeners", List.of(
                    new Mutation(76, "gateway-add-listener: add listener 'http' (data.test.com:80)", ctx -> {
                        ObjectNode gw = ctx.doc("Gateway", INFRA, "gateway-add-listener");
                        addListener(gw, "http", "data.test.com");
                        bump(ctx, "Gateway", INFRA, "gateway-add-listener");
                    }),
                    new Mutation(163, "gateway-remove-listener: keep only listener 'http'", ctx -> {
                        ObjectNode gw = ctx.doc("Gateway", INFRA, "gateway-remove-listener");
                        ArrayNode listeners = (ArrayNode) gw.path("spec").path("listeners");
                        if (listeners.size() != 2) {
                            throw new AssertionError("the gateway must have 2 listeners, has " + listeners.size());
                        }
                        for (int i = listeners.size() - 1; i >= 0; i--) {
                            if (!listeners.get(i).path("name").asText().equals("http")) {
                                listeners.remove(i);
                            }
                        }
                        bump(ctx, "Gateway", INFRA, "gateway-remove-listener");
                    }))), Map.entry(
            "HTTPRouteObservedGenerationBump", List.of(new Mutation(66,
                    "rules[0].backendRefs[0].name = infra-backend-v2", ctx -> {
                        String name = "observed-generation-bump";
                        ObjectNode route = ctx.doc("HTTPRoute", INFRA, name);
                        ((ObjectNode) route.path("spec").path("rules").get(0).path("backendRefs").get(0))
                                .put("name", "infra-backend-v2");
                        bump(ctx, "HTTPRoute", INFRA, name);
                    }))), Map.entry(
            "HTTPRouteReferenceGrant", List.of(new Mutation(73,
                    "delete ReferenceGrant gateway-conformance-web-backend/reference-grant", ctx -> {
                        ctx.removeDoc("ReferenceGrant", "gateway-conformance-web-backend", "reference-grant");
                        ctx.rewrite();
                    }))), Map.entry(
            "HTTPRouteServiceTypes", List.of(new Mutation(89,
                    "setupEndpointSlices: point the manual EndpointSlices at the infra-backend-v1 pods", ctx -> {
                        List<EchoServer.Pod> pods = ctx.pods(INFRA, "infra-backend-v1");
                        for (String slice : List.of("manual-endpointslices-ip4", "headless-manual-endpointslices-ip4")) {
                            Backends.addEndpoints(ctx.doc("EndpointSlice", INFRA, slice), pods);
                        }
                        ctx.rewrite();
                    }))),
            Map.entry("GatewayStaticAddresses", List.of(
                    new Mutation(97, "patch Gateway gateway-static-addresses: filterAddr(spec.addresses, invalidAddress)",
                            ctx -> dropAddress(ctx, 3, 0)),
                    new Mutation(118, "patch Gateway gateway-static-addresses: filterAddr(spec.addresses, unusableAddress)",
                            ctx -> dropAddress(ctx, 2, 0)))),
            Map.entry("BackendTLSPolicy", backendTlsPolicyReconcile()),
            Map.entry("BackendTLSPolicyObservedGenerationBump", List.of(new Mutation(74,
                    "BackendTLSPolicy observed-generation-bump: validation.hostname = foo.example.com", ctx -> {
                        String name = "observed-generation-bump";
                        ObjectNode policy = ctx.doc("BackendTLSPolicy", INFRA, name);
                        ((ObjectNode) policy.path("spec").path("validation")).put("hostname", "foo.example.com");
                        bump(ctx, "BackendTLSPolicy", INFRA, name);
                    }))),
            Map.entry("TCPRouteMultipleRoutesAttachment", List.of(new Mutation(64,
                    "sleep 1 s (creationTimestamp has second precision), then create TCPRoute tcproute-attach-newer"
                            + " (sectionName tcp, backend tcp-attach-backend-2:3000)",
                    ctx -> createNewerRoute(ctx, "TCPRoute", "tcproute-attach-newer", "tcp-multi-route-attach-gateway",
                            "tcp", "tcp-attach-backend-2", 3000)))),
            Map.entry("UDPRouteMultipleRoutesAttachment", List.of(new Mutation(67,
                    "sleep 1 s (creationTimestamp has second precision), then create UDPRoute udproute-attach-newer"
                            + " (sectionName udp, backend udp-attach-backend-2:8080)",
                    ctx -> createNewerRoute(ctx, "UDPRoute", "udproute-attach-newer", "udp-multi-route-attach-gateway",
                            "udp", "udp-attach-backend-2", 8080)))),
            Map.entry("TCPRouteReferenceGrant", List.of(new Mutation(81,
                    "delete ReferenceGrant gateway-conformance-web-backend/tcp-reference-grant", ctx -> {
                        ctx.removeDoc("ReferenceGrant", "gateway-conformance-web-backend", "tcp-reference-grant");
                        ctx.rewrite();
                    }))),
            Map.entry("UDPRouteReferenceGrant", List.of(new Mutation(80,
                    "delete ReferenceGrant gateway-conformance-app-backend/udp-reference-grant", ctx -> {
                        ctx.removeDoc("ReferenceGrant", "gateway-conformance-app-backend", "udp-reference-grant");
                        ctx.rewrite();
                    }))));

    private Mutations() {
    }

    /** The ConfigMap the reconcile subtest creates, and the Go code's patchConfigMapCACert on it. */
    private static final String RECONCILE_CM = "tls-checks-ca-certificate-reconcile-test";

    /**
     * BackendTLSPolicy's "Changing the content of a ConfigMap ... should be reconciled" subtest:
     * the policy reconcile-test is patched to a ConfigMap that does not exist yet (line 220 expects
     * NoValidCACertificate), the ConfigMap is created with the shared CA (223: Accepted), its ca.crt
     * emptied (patchConfigMapCACert at 226; 228: NoValidCACertificate), then restored (231; 233:
     * Accepted). Restoring the policy's refs afterwards is left to the test's cleanup.
     */
    private static List<Mutation> backendTlsPolicyReconcile() {
        return List.of(
                new Mutation(220, "BackendTLSPolicy reconcile-test: caCertificateRefs = [ConfigMap " + RECONCILE_CM
                        + "] (not created yet)", ctx -> {
                    ObjectNode validation = (ObjectNode) ctx.doc("BackendTLSPolicy", INFRA, "reconcile-test")
                            .path("spec").path("validation");
                    ArrayNode refs = validation.putArray("caCertificateRefs");
                    refs.addObject().put("group", "").put("kind", "ConfigMap").put("name", RECONCILE_CM);
                    ctx.rewrite();
                }),
                new Mutation(223, "create ConfigMap " + RECONCILE_CM + " with the ca.crt of tls-checks-ca-certificate",
                        ctx -> {
                            ObjectNode cm = Json.JSON.createObjectNode();
                            cm.put("apiVersion", "v1");
                            cm.put("kind", "ConfigMap");
                            cm.putObject("metadata").put("name", RECONCILE_CM).put("namespace", INFRA);
                            cm.putObject("data").put("ca.crt", ctx.setupConfigMapCaCert(INFRA, "tls-checks-ca-certificate"));
                            ctx.addDoc(cm);
                            ctx.rewrite();
                        }),
                new Mutation(228, "patchConfigMapCACert(" + RECONCILE_CM + ", \"\")", ctx -> {
                    ((ObjectNode) ctx.doc("ConfigMap", INFRA, RECONCILE_CM).path("data")).put("ca.crt", "");
                    ctx.rewrite();
                }),
                new Mutation(233, "patchConfigMapCACert(" + RECONCILE_CM + ", originalCAData)", ctx -> {
                    ((ObjectNode) ctx.doc("ConfigMap", INFRA, RECONCILE_CM).path("data")).put("ca.crt",
                            ctx.setupConfigMapCaCert(INFRA, "tls-checks-ca-certificate"));
                    ctx.rewrite();
                }));
    }

    static List<Mutation> forTest(String shortName) {
        return BY_TEST.getOrDefault(shortName, List.of());
    }

    /**
     * The multiple-routes-attachment tests: time.Sleep(time.Second), then
     * MustApplyObjectsWithCleanup of a gatewayv1 route with one parentRef (name, sectionName) and one
     * rule with one backendRef (name, port).
     */
    private static void createNewerRoute(Context ctx, String kind, String name, String gateway, String section,
                                         String backend, int port) {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        ObjectNode route = Json.JSON.createObjectNode();
        route.put("apiVersion", "gateway.networking.k8s.io/v1");
        route.put("kind", kind);
        route.putObject("metadata").put("name", name).put("namespace", INFRA);
        ObjectNode spec = route.putObject("spec");
        spec.putArray("parentRefs").addObject().put("name", gateway).put("sectionName", section);
        spec.putArray("rules").addObject().putArray("backendRefs").addObject().put("name", backend).put("port", port);
        ctx.addDoc(route);
        ctx.rewrite();
    }

    /**
     * filterAddr: the Gateway's spec.addresses without every address of the value at
     * {@code index} (invalid first, then unusable: the Go code's Spec.Addresses[0] and [1] of the
     * Gateway as created), after checking it has {@code expected} addresses.
     */
    private static void dropAddress(Context ctx, int expected, int index) {
        ObjectNode gw = ctx.doc("Gateway", INFRA, "gateway-static-addresses");
        ArrayNode addresses = (ArrayNode) gw.path("spec").path("addresses");
        if (addresses.size() != expected) {
            throw new AssertionError("expected " + expected + " addresses on the Gateway, got " + addresses.size()
                    + ": " + addresses);
        }
        String value = addresses.get(index).path("value").asText();
        for (int i = addresses.size() - 1; i >= 0; i--) {
            if (addresses.get(i).path("value").asText().equals(value)) {
                addresses.remove(i);
            }
        }
        ctx.rewrite();
    }

    private static void addListener(ObjectNode gw, String name, String hostname) {
        ObjectNode l = ((ArrayNode) gw.get("spec").get("listeners")).addObject();
        l.put("name", name);
        l.put("hostname", hostname);
        l.put("port", 80);
        l.put("protocol", "HTTP");
        l.putObject("allowedRoutes").putObject("namespaces").put("from", "All");
    }

    /** Patches, then checks at the end that metadata.generation changed (upstream require.NotEqual). */
    private static void bump(Context ctx, String kind, String namespace, String name) {
        long before = ctx.generation(kind, namespace, name);
        ctx.rewrite();
        ctx.verifyAtEnd(kind + " " + name + ": generation should change after an update", () -> {
            long after = ctx.generation(kind, namespace, name);
            return after != before ? null : "generation is still " + after + " after the spec changed";
        });
    }

}
