package io.archway.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One extracted upstream conformance test ({@code tests/<ShortName>.json}, see
 * shared/notes/conformance.md section 5).
 */
record TestSpec(String shortName, String description, List<String> features, List<String> manifests,
                boolean provisional, Map<String, String> profileLevels, JsonNode json, String testFunction) {

    /**
     * The parts of an extracted test that come from its Go test function (what it asserts and
     * sends); the rest (name, features, manifests, profiles) belongs to the test itself.
     */
    private static final List<String> TEST_FUNCTION_FIELDS = List.of("status_assertions", "http_expectations",
            "grpc_expectations", "weighted_distributions", "other_traffic_checks", "conditions", "local_helper_calls",
            "unmodeled_calls_with_gateway_address", "notes", "manual", "manual_reasons", "traffic");

    static TestSpec load(Path file) throws IOException {
        return of(Json.parse(Files.readString(file)));
    }

    /**
     * Every {@code *.json} of the extracted suite's {@code tests/} folder, sorted by name, with
     * shared test functions resolved ({@link #runningFunctionOf}). A test naming an unknown
     * shared function stays unresolved, and the runner refuses it.
     */
    static List<TestSpec> loadSuite(Path testsDir) throws IOException {
        Map<String, TestSpec> byName = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> files = Files.list(testsDir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                TestSpec spec = load(p);
                byName.put(spec.shortName(), spec);
            }
        }
        List<TestSpec> out = new ArrayList<>();
        for (TestSpec spec : byName.values()) {
            TestSpec shared = spec.sharesTestFuncWith() == null ? null : byName.get(spec.sharesTestFuncWith());
            out.add(shared == null ? spec : spec.runningFunctionOf(shared));
        }
        return out;
    }

    /** True once a shared test function has been resolved into this spec. */
    boolean sharedFunctionResolved() {
        return sharesTestFuncWith() == null || !testFunction.equals(shortName);
    }

    static TestSpec of(JsonNode json) {
        List<String> features = new ArrayList<>();
        json.path("features").forEach(f -> features.add(f.isTextual() ? f.asText() : f.path("name").asText()));
        List<String> manifests = new ArrayList<>();
        json.path("manifests").forEach(m -> manifests.add(m.asText()));
        Map<String, String> profiles = new LinkedHashMap<>();
        json.path("profiles").fields().forEachRemaining(e -> profiles.put(e.getKey(), e.getValue().path("level").asText("core")));
        String name = json.path("shortName").asText();
        return new TestSpec(name, json.path("description").asText(), List.copyOf(features),
                List.copyOf(manifests), json.path("provisional").asBoolean(false), profiles, json, name);
    }

    /** The upstream test whose Go function this one runs ({@code Test: Other.Test}), or null. */
    String sharesTestFuncWith() {
        JsonNode s = json.path("sharesTestFuncWith");
        return s.isTextual() && !s.asText().isEmpty() ? s.asText() : null;
    }

    /**
     * This test as upstream runs it when it reuses {@code shared}'s test function: the shared
     * function's assertions and requests against this test's own manifests (upstream
     * {@code HTTPRouteBackendRequestHeaderModifier} has {@code Test: HTTPRouteRequestHeaderModifier.Test}
     * and a manifest that moves every filter to the backendRefs).
     */
    TestSpec runningFunctionOf(TestSpec shared) {
        if (!shared.shortName().equals(sharesTestFuncWith())) {
            throw new IllegalArgumentException(shortName + " does not share the test function of " + shared.shortName());
        }
        com.fasterxml.jackson.databind.node.ObjectNode merged = json.deepCopy();
        for (String field : TEST_FUNCTION_FIELDS) {
            merged.remove(field);
            if (shared.json().has(field)) {
                merged.set(field, shared.json().get(field).deepCopy());
            }
        }
        return new TestSpec(shortName, description, features, manifests, provisional, profileLevels, merged,
                shared.testFunction());
    }

    /** Features this test needs that are not in {@code claimed}, sorted. */
    Set<String> unclaimed(Set<String> claimed) {
        Set<String> missing = new TreeSet<>(features);
        missing.removeAll(claimed);
        return missing;
    }

    boolean manual() {
        return json.path("manual").asBoolean(false);
    }
}
