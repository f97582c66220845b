package io.archway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.cel.bundle.Cel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node of a CRD version's OpenAPI v3 structural schema, compiled once: patterns as RE2/J
 * programs (Kubernetes validates patterns with Go's RE2), CEL rules as {@link CompiledRule}s
 * (each compiled when first evaluated).
 *
 * <p>As in the API server, only the structural part ({@code properties}, {@code items},
 * {@code additionalProperties}, {@code default}, {@code nullable}, the {@code x-kubernetes-*}
 * extensions) drives pruning and defaulting; {@code anyOf}, {@code oneOf}, {@code allOf} and
 * {@code not} are value validations only ({@link #valueValidations}).
 *
 * <p>Read from the schema's JSON as the CRD writes it (the OpenAPI v3 keywords of apiextensions'
 * {@code JSONSchemaProps}), whether the packaged compact form ({@link CrdCatalog}) or a CRD's YAML:
 * this is the one reading of a schema's keywords.
 */
final class StructuralSchema {
    final String type;
    final boolean nullable;
    final boolean intOrString;
    final boolean preserveUnknownFields;
    final Map<String, StructuralSchema> properties;
    /** additionalProperties as a schema; null when absent or a plain boolean. */
    final StructuralSchema additionalProperties;
    /** additionalProperties: true (any key, any value, nothing pruned below). */
    final boolean additionalPropertiesAllowed;
    final StructuralSchema items;
    final List<JsonNode> enumValues;
    final Pattern pattern;
    final String patternText;
    final String format;
    final Long minLength;
    final Long maxLength;
    final Long minItems;
    final Long maxItems;
    final Long minProperties;
    final Long maxProperties;
    final Double minimum;
    final boolean exclusiveMinimum;
    final Double maximum;
    final boolean exclusiveMaximum;
    final List<String> required;
    final JsonNode defaultValue;
    final String listType;
    final List<String> listMapKeys;
    final List<CompiledRule> rules;
    final List<StructuralSchema> anyOf;
    final List<StructuralSchema> oneOf;
    final List<StructuralSchema> allOf;
    final StructuralSchema not;

    private StructuralSchema(JsonNode p, Cel cel, String path) {
        this.type = text(p, "type");
        this.nullable = flag(p, "nullable");
        this.intOrString = flag(p, "x-kubernetes-int-or-string");
        this.preserveUnknownFields = flag(p, "x-kubernetes-preserve-unknown-fields");
        Map<String, StructuralSchema> props = new LinkedHashMap<>();
        JsonNode properties = p.get("properties");
        if (properties != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> child = it.next();
                props.put(child.getKey(), new StructuralSchema(child.getValue(), cel, path + "." + child.getKey()));
            }
        }
        this.properties = Collections.unmodifiableMap(props);
        // additionalProperties and items are a schema or (JSONSchemaPropsOrBool, JSONSchemaPropsOrArray) a
        // boolean or a list; a structural schema uses the schema form only, and `true` to keep any key.
        JsonNode additional = p.get("additionalProperties");
        this.additionalProperties = additional != null && additional.isObject()
                ? new StructuralSchema(additional, cel, path + "[*]") : null;
        this.additionalPropertiesAllowed = additional != null && additional.isBoolean() && additional.booleanValue();
        JsonNode item = p.get("items");
        this.items = item != null && item.isObject() ? new StructuralSchema(item, cel, path + "[*]") : null;
        this.enumValues = nodes(p.get("enum"));
        this.patternText = text(p, "pattern");
        this.pattern = compilePattern(patternText, path);
        this.format = text(p, "format");
        this.minLength = integer(p, "minLength");
        this.maxLength = integer(p, "maxLength");
        this.minItems = integer(p, "minItems");
        this.maxItems = integer(p, "maxItems");
        this.minProperties = integer(p, "minProperties");
        this.maxProperties = integer(p, "maxProperties");
        this.minimum = number(p, "minimum");
        this.exclusiveMinimum = flag(p, "exclusiveMinimum");
        this.maximum = number(p, "maximum");
        this.exclusiveMaximum = flag(p, "exclusiveMaximum");
        this.required = texts(p.get("required"));
        this.defaultValue = p.get("default");
        this.listType = text(p, "x-kubernetes-list-type");
        this.listMapKeys = texts(p.get("x-kubernetes-list-map-keys"));
        List<CompiledRule> compiled = new ArrayList<>();
        for (JsonNode r : nodes(p.get("x-kubernetes-validations"))) {
            compiled.add(CompiledRule.of(cel, r, path));
        }
        this.rules = List.copyOf(compiled);
        this.anyOf = compileAll(p.get("anyOf"), cel, path);
        this.oneOf = compileAll(p.get("oneOf"), cel, path);
        this.allOf = compileAll(p.get("allOf"), cel, path);
        JsonNode not = p.get("not");
        this.not = not == null || not.isNull() ? null : new StructuralSchema(not, cel, path);
    }

    /** Compiles the schema rooted at {@code root} (a CRD version's {@code openAPIV3Schema}): every pattern once; CEL rules on first use. */
    static StructuralSchema compile(JsonNode root, Cel cel) {
        return new StructuralSchema(root, cel, "");
    }

    private static List<StructuralSchema> compileAll(JsonNode list, Cel cel, String path) {
        if (list == null || list.isEmpty()) {
            return List.of();
        }
        List<StructuralSchema> out = new ArrayList<>();
        for (JsonNode p : list) {
            out.add(new StructuralSchema(p, cel, path));
        }
        return List.copyOf(out);
    }

    static String text(JsonNode p, String keyword) {
        JsonNode v = p.get(keyword);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static boolean flag(JsonNode p, String keyword) {
        JsonNode v = p.get(keyword);
        return v != null && v.asBoolean(false);
    }

    private static Long integer(JsonNode p, String keyword) {
        JsonNode v = p.get(keyword);
        return v == null || v.isNull() ? null : v.asLong();
    }

    private static Double number(JsonNode p, String keyword) {
        JsonNode v = p.get(keyword);
        return v == null || v.isNull() ? null : v.asDouble();
    }

    private static List<JsonNode> nodes(JsonNode array) {
        if (array == null || !array.isArray()) {
            return List.of();
        }
        List<JsonNode> out = new ArrayList<>(array.size());
        array.forEach(out::add);
        return List.copyOf(out);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : nodes(array)) {
            out.add(n.asText());
        }
        return List.copyOf(out);
    }

    private static Pattern compilePattern(String pattern, String path) {
        if (pattern == null) {
            return null;
        }
        try {
            return Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new IllegalStateException("pattern at " + path + " is not RE2: " + pattern, e);
        }
    }

    /** True when fields not in {@link #properties} are kept (not pruned). */
    boolean keepsUnknownFields() {
        return preserveUnknownFields || additionalPropertiesAllowed || additionalProperties != null;
    }

    /** The schema of the value under {@code key} of an object: its property, or additionalProperties. */
    StructuralSchema child(String key) {
        StructuralSchema s = properties.get(key);
        return s != null ? s : additionalProperties;
    }

    /** Every rule below and at this node (for the compile test and counting). */
    void collectRules(List<CompiledRule> out) {
        out.addAll(rules);
        properties.values().forEach(s -> s.collectRules(out));
        if (additionalProperties != null) {
            additionalProperties.collectRules(out);
        }
        if (items != null) {
            items.collectRules(out);
        }
    }
}
