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
                boolean provisional, Map<String, String> profileLevels, JsonNode json) {

    static TestSpec load(Path file) throws IOException {
        return of(Json.parse(Files.readString(file)));
    }

    static TestSpec of(JsonNode json) {
        List<String> features = new ArrayList<>();
        json.path("features").forEach(f -> features.add(f.isTextual() ? f.asText() : f.path("name").asText()));
        List<String> manifests = new ArrayList<>();
        json.path("manifests").forEach(m -> manifests.add(m.asText()));
        Map<String, String> profiles = new LinkedHashMap<>();
        json.path("profiles").fields().forEachRemaining(e -> profiles.put(e.getKey(), e.getValue().path("level").asText("core")));
        return new TestSpec(json.path("shortName").asText(), json.path("description").asText(), List.copyOf(features),
                List.copyOf(manifests), json.path("provisional").asBoolean(false), profiles, json);
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
