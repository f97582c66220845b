package io.archway.translate.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.SourceLocation;
import io.archway.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a golden {@code .in.yaml}: ordinary multi-document Kubernetes YAML, with an optional first
 * document {@code kind: ArchwayTestOptions} ({@code controllerName}, {@code addressing}: {@code
 * loopback}, {@code shared:<ip>} or {@code provisioned:<ip>}, {@code adoptUnknownGatewayClasses}, {@code now}: the instant
 * certificates must be valid at (ISO-8601; unset: validity not checked), {@code includes}: files
 * relative to the golden directory, read first). Like the file source, it converts Gateway API
 * v1beta1/v1alpha2 documents to v1, defaults {@code metadata.generation} to 1, and substitutes
 * {@code {GATEWAY_CLASS_NAME}} (conformance manifests) with {@code archway}.
 */
final class GoldenInput {
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Kinds the translator does not read (Deployments of the conformance base and so on). */
    private static final Set<String> IGNORED = Set.of("Deployment", "Pod", "ServiceAccount", "ConfigMapList",
            "StatefulSet", "DaemonSet", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding");

    final TranslatorOptions options;
    final ResourceView view;
    /** The time the translation runs at; null when the case does not check certificate validity. */
    final java.time.Instant now;

    private GoldenInput(TranslatorOptions options, ResourceView view, java.time.Instant now) {
        this.options = options;
        this.view = view;
        this.now = now;
    }

    static GoldenInput read(Path goldenDir, Path file) throws IOException {
        final Builder b = new Builder();
        b.readFile(goldenDir, file, true);
        return new GoldenInput(b.options(), b.view(), b.now());
    }

    /** Reads YAML text as if it were the file {@code name} in {@code goldenDir}. */
    static GoldenInput read(Path goldenDir, String name, String text) throws IOException {
        final Builder b = new Builder();
        b.readText(goldenDir, name, text, true);
        return new GoldenInput(b.options(), b.view(), b.now());
    }

    private static final class Builder {
        final List<HasMetadata> objects = new ArrayList<>();
        final Map<ResourceKey, SourceLocation> locations = new HashMap<>();
        Map<String, Object> optionsDoc = Map.of();

        @SuppressWarnings("unchecked")
        void readFile(Path goldenDir, Path file, boolean top) throws IOException {
            readText(goldenDir, goldenDir.relativize(file).toString(), Files.readString(file), top);
        }

        @SuppressWarnings("unchecked")
        void readText(Path goldenDir, String name, String raw, boolean top) throws IOException {
            final String text = raw.replace("{GATEWAY_CLASS_NAME}", "archway");
            final List<Integer> starts = documentStartLines(text);
            final MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(text);
            final List<Map<String, Object>> all = new ArrayList<>();
            while (docs.hasNext()) {
                final JsonNode doc = docs.next();
                if (doc != null && doc.isObject()) {
                    all.add(YAML.convertValue(doc, Map.class));
                }
            }
            for (int i = 0; i < all.size(); i++) {
                final Map<String, Object> doc = all.get(i);
                if (doc == null || doc.isEmpty()) {
                    continue;
                }
                if ("ArchwayTestOptions".equals(doc.get("kind"))) {
                    if (!top || i != 0) {
                        throw new IllegalArgumentException(name + ": ArchwayTestOptions must be the first document");
                    }
                    optionsDoc = doc;
                    for (String include : (List<String>) doc.getOrDefault("includes", List.of())) {
                        readFile(goldenDir, goldenDir.resolve(include), false);
                    }
                    continue;
                }
                add(doc, new SourceLocation(name, i < starts.size() ? starts.get(i) : 1));
            }
        }

        /** The 1-based line each document starts on, counting {@code ---} separators. */
        private static List<Integer> documentStartLines(String text) {
            final List<Integer> starts = new ArrayList<>();
            final String[] lines = text.split("\n", -1);
            int docStart = 1;
            boolean content = false;
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].startsWith("---")) {
                    if (content) {
                        starts.add(docStart);
                    }
                    docStart = i + 2;
                    content = false;
                } else if (!content && !lines[i].isBlank() && !lines[i].startsWith("#")) {
                    content = true;
                    docStart = i + 1;
                }
            }
            if (content) {
                starts.add(docStart);
            }
            return starts;
        }

        @SuppressWarnings("unchecked")
        private void add(Map<String, Object> doc, SourceLocation location) {
            final String kind = String.valueOf(doc.get("kind"));
            final Map<String, Object> metadata = (Map<String, Object>) doc.computeIfAbsent("metadata", k -> new HashMap<>());
            metadata.putIfAbsent("generation", 1);
            final var registered = io.archway.kinds.ResourceKind.byKind(kind)
                    .filter(io.archway.kinds.ResourceKind::servedByArchway);
            if (registered.isPresent()) {
                track(registered.get().modelClass(), doc, kind, location);
            } else if (!IGNORED.contains(kind)) {
                throw new IllegalArgumentException(location + ": unexpected kind " + kind);
            }
        }

        private void track(Class<? extends HasMetadata> type, Map<String, Object> doc, String kind,
                           SourceLocation location) {
            // Re-reading the document as the v1 class converts v1beta1 / v1alpha2 documents.
            final Map<String, Object> copy = new HashMap<>(doc);
            copy.remove("apiVersion");
            final HasMetadata object = SERIALIZATION.convertValue(copy, type);
            final List<String> unknown = new ArrayList<>();
            unknownFields(object, "", unknown);
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException(location + ": unknown fields " + unknown);
            }
            objects.add(object);
            locations.put(new ResourceKey(kind, object.getMetadata().getNamespace(), object.getMetadata().getName()),
                    location);
        }

        /** Strict parsing: fabric8 keeps unknown fields in additionalProperties; any there is a typo. */
        private static void unknownFields(Object object, String path, List<String> out) {
            if (object == null) {
                return;
            }
            if (object instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    unknownFields(list.get(i), path + "[" + i + "]", out);
                }
                return;
            }
            if (!object.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
                return;
            }
            for (java.lang.reflect.Method m : object.getClass().getMethods()) {
                if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getName().equals("getClass")) {
                    continue;
                }
                try {
                    final Object value = m.invoke(object);
                    if (m.getName().equals("getAdditionalProperties")) {
                        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                            extra.keySet().forEach(k -> out.add(path + "." + k));
                        }
                    } else {
                        unknownFields(value, path + "." + m.getName().substring(3), out);
                    }
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        TranslatorOptions options() {
            final String addressing = String.valueOf(optionsDoc.getOrDefault("addressing", "shared:0.0.0.0"));
            return new TranslatorOptions(
                    String.valueOf(optionsDoc.getOrDefault("controllerName", TranslatorOptions.DEFAULT_CONTROLLER_NAME)),
                    addressing.equals("loopback") ? new GatewayAddressing.LoopbackPerGateway()
                            : addressing.startsWith("provisioned:")
                            ? new GatewayAddressing.ProvisionedServices(addressing.substring("provisioned:".length()))
                            : new GatewayAddressing.Shared(addressing.substring("shared:".length())),
                    Boolean.TRUE.equals(optionsDoc.get("adoptUnknownGatewayClasses")));
        }

        java.time.Instant now() {
            final Object now = optionsDoc.get("now");
            return now == null ? null : java.time.Instant.parse(String.valueOf(now));
        }

        ResourceView view() {
            return ResourceView.of(objects, locations);
        }
    }
}
