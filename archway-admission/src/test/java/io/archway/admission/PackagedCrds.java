package io.archway.admission;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.archway.kinds.ResourceKind;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The packaged CRDs as released (the YAML beside the compact form admission reads), for the tests
 * that check the compact form and cover every rule: read into fabric8's model, or as a tree.
 */
final class PackagedCrds {
    static final YAMLMapper YAML = (YAMLMapper) new YAMLMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private PackagedCrds() {
    }

    /** {@code kind}'s CRD YAML in {@code channel} read into fabric8's model; empty without one. */
    static Optional<CustomResourceDefinition> definition(CrdChannel channel, ResourceKind kind) {
        return read(channel, kind).map(tree -> YAML.convertValue(tree, CustomResourceDefinition.class));
    }

    /** {@code kind}'s CRD YAML in {@code channel} as a tree; empty without one. */
    static Optional<JsonNode> read(CrdChannel channel, ResourceKind kind) {
        if (kind.group().isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = CrdCatalog.class.getResourceAsStream(CrdCatalog.resource(channel, kind))) {
            return in == null ? Optional.empty() : Optional.of(YAML.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The compact form of {@code crd} (a CRD's tree): {@code {version: openAPIV3Schema}} for every
     * served version with a schema, in the CRD's order, each schema without the {@code description}
     * of any of its schema nodes (documentation only; a property named {@code description} stays).
     */
    static ObjectNode compact(JsonNode crd) {
        ObjectNode out = YAML.createObjectNode();
        for (JsonNode version : crd.path("spec").path("versions")) {
            JsonNode schema = version.path("schema").get("openAPIV3Schema");
            if (version.path("served").asBoolean(false) && schema != null) {
                JsonNode copy = schema.deepCopy();
                withoutDescriptions(copy);
                out.set(version.get("name").asText(), copy);
            }
        }
        return out;
    }

    /** Removes the {@code description} of schema node {@code s} and of the schema nodes below it. */
    private static void withoutDescriptions(JsonNode s) {
        if (!(s instanceof ObjectNode node)) {
            return;
        }
        node.remove("description");
        JsonNode properties = node.get("properties");
        if (properties != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
                withoutDescriptions(it.next().getValue());
            }
        }
        withoutDescriptions(node.get("items"));
        withoutDescriptions(node.get("additionalProperties"));
        withoutDescriptions(node.get("not"));
        for (String list : new String[] {"anyOf", "oneOf", "allOf"}) {
            JsonNode alternatives = node.get(list);
            if (alternatives != null) {
                alternatives.forEach(PackagedCrds::withoutDescriptions);
            }
        }
    }
}
