package io.archway.translate.golden;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archway.translate.ResourceKey;
import io.archway.translate.Translation;
import io.archway.translate.Translator;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays the status assertions of the 37 GATEWAY-HTTP core conformance tests (extracted from the
 * upstream Go helpers into {@code conformance/tests/*.json}) against a translation of the
 * conformance base plus the test's manifests, as the suite would see it right after applying
 * them. Assertions made only after a test mutates its resources are listed in {@link #AFTER_MUTATION}.
 */
class ConformanceStatusTest {
    private static final Path ROOT = Path.of("src/test/resources/conformance");
    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** "test:line" of assertions that hold only after the test changed its manifests. */
    private static final Set<String> AFTER_MUTATION = Set.of("GatewayModifyListeners:125", "GatewayModifyListeners:192");

    @TestFactory
    Stream<DynamicTest> coreTests() throws IOException {
        final List<Path> tests;
        try (Stream<Path> files = Files.list(ROOT.resolve("tests"))) {
            tests = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(tests).hasSize(37);
        return tests.stream().map(t -> DynamicTest.dynamicTest(t.getFileName().toString().replace(".json", ""),
                () -> check(t)));
    }

    private static void check(Path testFile) throws IOException {
        final JsonNode test = JSON.readTree(testFile.toFile());
        final GoldenInput input = input(test);
        final Translation t = new Translator(input.options).translate(input.view, 1);
        final Checker checker = new Checker(input, t);
        for (JsonNode assertion : test.get("status_assertions")) {
            if (AFTER_MUTATION.contains(test.get("shortName").asText() + ":" + assertion.get("line").asInt())) {
                continue;
            }
            checker.check(assertion.get("helper").asText(), assertion.get("args"),
                    test.get("shortName").asText() + ":" + assertion.get("line").asInt());
        }
    }

    /** The conformance base, our GatewayClass and the test's manifests, as the suite applies them. */
    static GoldenInput input(JsonNode test) throws IOException {
        final StringBuilder text = new StringBuilder("kind: ArchwayTestOptions\naddressing: loopback\nincludes:\n"
                + "  - _include/conformance-base.yaml\n  - _include/conformance-endpoints.yaml\n"
                + "  - _include/tls-secrets.yaml\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\n"
                + "metadata:\n  name: archway\nspec:\n  controllerName: archway.io/gateway-controller\n");
        for (JsonNode manifest : test.get("manifests")) {
            text.append("---\n").append(Files.readString(ROOT.resolve("manifests")
                    .resolve(Path.of(manifest.asText()).getFileName())));
        }
        return GoldenInput.read(GOLDEN, test.get("shortName").asText() + ".yaml", text.toString());
    }

    /** The Go helpers of {@code conformance/utils/kubernetes/helpers.go}, over a translation. */
    private static final class Checker {
        final GoldenInput input;
        final Translation t;

        Checker(GoldenInput input, Translation t) {
            this.input = input;
            this.t = t;
        }

        void check(String helper, JsonNode args, String where) {
            switch (helper) {
                case "GatewayAndHTTPRoutesMustBeAccepted" -> {
                    final ResourceKey gw = key("Gateway", args.get(0).get("gateway"));
                    final GatewayStatus status = gateway(gw, where);
                    assertThat(status.getAddresses()).as(where + " addresses").isNotEmpty();
                    for (ListenerStatus l : status.getListeners()) {
                        for (String type : List.of("Accepted", "ResolvedRefs", "Programmed")) {
                            assertThat(has(l.getConditions(), type, "True", ""))
                                    .as(where + " listener " + l.getName() + " " + type + "\n" + l.getConditions()).isTrue();
                        }
                    }
                    final List<JsonNode> routes = new ArrayList<>();
                    for (int i = 1; i < args.size(); i++) {
                        if (args.get(i).isArray()) {
                            args.get(i).forEach(routes::add);
                        } else {
                            routes.add(args.get(i));
                        }
                    }
                    {
                        for (JsonNode route : routes) {
                            final RouteParentStatus parent = parent(key("HTTPRoute", route), gw, where);
                            assertThat(parent.getControllerName()).isEqualTo(input.options.controllerName());
                            assertThat(has(parent.getConditions(), "Accepted", "True", "Accepted"))
                                    .as(where + " route " + route + " accepted\n" + parent.getConditions()).isTrue();
                        }
                    }
                }
                case "HTTPRouteMustHaveResolvedRefsConditionsTrue" -> {
                    final RouteParentStatus parent = parent(key("HTTPRoute", args.get(0)), key("Gateway", args.get(1)), where);
                    assertThat(has(parent.getConditions(), "ResolvedRefs", "True", "ResolvedRefs"))
                            .as(where + " ResolvedRefs\n" + parent.getConditions()).isTrue();
                }
                case "HTTPRouteMustHaveCondition" -> {
                    final RouteParentStatus parent = parent(key("HTTPRoute", args.get(0)), key("Gateway", args.get(1)), where);
                    assertThat(has(parent.getConditions(), args.get(2))).as(where + " " + args.get(2) + "\n"
                            + parent.getConditions()).isTrue();
                }
                case "HTTPRouteMustHaveNoAcceptedParents" -> {
                    final HTTPRouteStatus status = t.status().httpRoutes().get(key("HTTPRoute", args.get(0)));
                    if (status != null) {
                        for (RouteParentStatus p : status.getParents()) {
                            assertThat(has(p.getConditions(), "Accepted", "True", "")).as(where).isFalse();
                        }
                    }
                }
                case "HTTPRouteMustHaveParents" -> {
                    final HTTPRouteStatus status = t.status().httpRoutes().get(key("HTTPRoute", args.get(0)));
                    assertThat(status).as(where + " route status").isNotNull();
                    assertThat(status.getParents()).as(where).hasSize(args.get(1).size());
                    for (int i = 0; i < args.get(1).size(); i++) {
                        for (JsonNode c : args.get(1).get(i).get("Conditions")) {
                            assertThat(has(status.getParents().get(i).getConditions(), c)).as(where + " " + c).isTrue();
                        }
                    }
                }
                case "HTTPRouteMustHaveLatestConditions" -> {
                    final ResourceKey route = key("HTTPRoute", args.get(0));
                    t.status().httpRoutes().get(route).getParents().forEach(p -> latest(p.getConditions(), 1L, where));
                }
                case "GatewayStatusMustHaveListeners" -> listeners(key("Gateway", args.get(0)), args.get(1), where);
                case "GatewayMustHaveCondition" -> {
                    final GatewayStatus status = gateway(key("Gateway", args.get(0)), where);
                    assertThat(has(status.getConditions(), args.get(1))).as(where + " " + args.get(1) + "\n"
                            + status.getConditions()).isTrue();
                }
                case "GatewayMustHaveLatestConditions" -> {
                    final GatewayStatus status = gateway(key("Gateway", args.get(0)), where);
                    latest(status.getConditions(), 1L, where);
                    status.getListeners().forEach(l -> latest(l.getConditions(), 1L, where));
                }
                case "GatewayMustHaveZeroRoutes" -> gateway(key("Gateway", args.get(0)), where).getListeners()
                        .forEach(l -> assertThat(l.getAttachedRoutes()).as(where + " " + l.getName()).isZero());
                case "NamespacesMustBeReady" -> {
                    final Set<String> namespaces = new java.util.HashSet<>();
                    args.get(0).forEach(n -> namespaces.add(n.asText()));
                    for (Gateway g : input.view.gateways()) {
                        final Map<String, String> ann = g.getMetadata().getAnnotations();
                        if (!namespaces.contains(g.getMetadata().getNamespace())
                                || ann != null && "true".equals(ann.get("gateway-api/skip-this-for-readiness"))) {
                            continue;
                        }
                        final GatewayStatus status = gateway(new ResourceKey("Gateway", g.getMetadata().getNamespace(),
                                g.getMetadata().getName()), where);
                        assertThat(has(status.getConditions(), "Accepted", "True", "")
                                && has(status.getConditions(), "Programmed", "True", ""))
                                .as(where + " " + g.getMetadata().getName() + " ready\n" + status.getConditions()).isTrue();
                    }
                }
                case "GWCMustHaveAcceptedConditionAny", "GatewayClassMustHaveLatestConditions" -> {
                    final String name = args.get(0).isTextual() ? args.get(0).asText() : args.get(0).get("name").asText();
                    final var status = t.status().gatewayClasses().get(new ResourceKey("GatewayClass", "", name));
                    if (status == null) {
                        // The test's own GatewayClass names a controller the suite fills in; ours is "archway".
                        return;
                    }
                    latest(status.getConditions(), 1L, where);
                }
                default -> throw new AssertionError(where + ": no checker for " + helper);
            }
        }

        private void listeners(ResourceKey gw, JsonNode expected, String where) {
            final List<ListenerStatus> actual = gateway(gw, where).getListeners();
            assertThat(actual).as(where + " listeners of " + gw).hasSize(expected.size());
            for (JsonNode e : expected) {
                final ListenerStatus a = actual.stream().filter(l -> l.getName().equals(e.get("Name").asText()))
                        .findFirst().orElseThrow(() -> new AssertionError(where + ": no listener " + e.get("Name")));
                final List<String> kinds = new ArrayList<>();
                e.get("SupportedKinds").forEach(k -> kinds.add(k.get("Group").asText() + "/" + k.get("Kind").asText()));
                // As upstream's listenersMatch: the expected kinds must be present (an implementation
                // may support more, e.g. GRPCRoute beside HTTPRoute), and none when none is expected.
                final List<String> actualKinds = a.getSupportedKinds().stream()
                        .map(k -> k.getGroup() + "/" + k.getKind()).toList();
                if (kinds.isEmpty()) {
                    assertThat(actualKinds).as(where + " supportedKinds of " + a.getName()).isEmpty();
                } else {
                    assertThat(actualKinds).as(where + " supportedKinds of " + a.getName()).containsAll(kinds);
                }
                assertThat(a.getAttachedRoutes()).as(where + " attachedRoutes of " + a.getName())
                        .isEqualTo(e.get("AttachedRoutes").asInt());
                for (JsonNode c : e.get("Conditions")) {
                    assertThat(has(a.getConditions(), c)).as(where + " " + a.getName() + " " + c + "\n"
                            + a.getConditions()).isTrue();
                }
            }
        }

        private GatewayStatus gateway(ResourceKey key, String where) {
            final GatewayStatus status = t.status().gateways().get(key);
            assertThat(status).as(where + " status of " + key).isNotNull();
            return status;
        }

        private RouteParentStatus parent(ResourceKey route, ResourceKey gateway, String where) {
            final HTTPRouteStatus status = t.status().httpRoutes().get(route);
            assertThat(status).as(where + " status of " + route).isNotNull();
            return status.getParents().stream().filter(p -> p.getParentRef().getName().equals(gateway.name())
                            && Objects.equals(Objects.requireNonNullElse(p.getParentRef().getNamespace(),
                            route.namespace()), gateway.namespace()))
                    .findFirst().orElseThrow(() -> new AssertionError(where + ": " + route + " has no parent " + gateway));
        }

        private static ResourceKey key(String kind, JsonNode nn) {
            final String ns = nn.has("namespace") ? nn.get("namespace").asText() : nn.get("Namespace").asText();
            final String name = nn.has("name") ? nn.get("name").asText() : nn.get("Name").asText();
            return new ResourceKey(kind, ns, name);
        }

        private static boolean has(List<Condition> conditions, JsonNode c) {
            return has(conditions, c.get("Type").asText(), c.get("Status").asText(), c.get("Reason").asText());
        }

        /** findConditionInList: an empty status or reason matches anything. */
        private static boolean has(List<Condition> conditions, String type, String status, String reason) {
            return conditions.stream().anyMatch(c -> c.getType().equals(type)
                    && (status.isEmpty() || c.getStatus().equals(status))
                    && (reason.isEmpty() || c.getReason().equals(reason)));
        }

        private static void latest(List<Condition> conditions, Long generation, String where) {
            conditions.forEach(c -> assertThat(c.getObservedGeneration()).as(where + " " + c.getType()
                    + " observedGeneration").isEqualTo(generation));
        }
    }
}
