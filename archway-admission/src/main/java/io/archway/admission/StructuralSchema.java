package io.archway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.cel.bundle.Cel;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.util.ArrayList;
import java.util.Collections;
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

    private StructuralSchema(JSONSchemaProps p, Cel cel, String path) {
        this.type = p.getType();
        this.nullable = Boolean.TRUE.equals(p.getNullable());
        this.intOrString = Boolean.TRUE.equals(p.getXKubernetesIntOrString());
        this.preserveUnknownFields = Boolean.TRUE.equals(p.getXKubernetesPreserveUnknownFields());
        Map<String, StructuralSchema> props = new LinkedHashMap<>();
        if (p.getProperties() != null) {
            p.getProperties().forEach((name, child) -> props.put(name, new StructuralSchema(child, cel, path + "." + name)));
        }
        this.properties = Collections.unmodifiableMap(props);
        JSONSchemaProps additional = p.getAdditionalProperties() == null ? null : p.getAdditionalProperties().getSchema();
        this.additionalProperties = additional == null ? null : new StructuralSchema(additional, cel, path + "[*]");
        this.additionalPropertiesAllowed = p.getAdditionalProperties() != null
                && Boolean.TRUE.equals(p.getAdditionalProperties().getAllows()) && additional == null;
        JSONSchemaProps item = p.getItems() == null ? null : p.getItems().getSchema();
        this.items = item == null ? null : new StructuralSchema(item, cel, path + "[*]");
        this.enumValues = p.getEnum() == null ? List.of() : List.copyOf(p.getEnum());
        this.patternText = p.getPattern();
        this.pattern = compilePattern(p.getPattern(), path);
        this.format = p.getFormat();
        this.minLength = p.getMinLength();
        this.maxLength = p.getMaxLength();
        this.minItems = p.getMinItems();
        this.maxItems = p.getMaxItems();
        this.minProperties = p.getMinProperties();
        this.maxProperties = p.getMaxProperties();
        this.minimum = p.getMinimum();
        this.exclusiveMinimum = Boolean.TRUE.equals(p.getExclusiveMinimum());
        this.maximum = p.getMaximum();
        this.exclusiveMaximum = Boolean.TRUE.equals(p.getExclusiveMaximum());
        this.required = p.getRequired() == null ? List.of() : List.copyOf(p.getRequired());
        this.defaultValue = p.getDefault();
        this.listType = p.getXKubernetesListType();
        this.listMapKeys = p.getXKubernetesListMapKeys() == null ? List.of() : List.copyOf(p.getXKubernetesListMapKeys());
        List<CompiledRule> compiled = new ArrayList<>();
        if (p.getXKubernetesValidations() != null) {
            for (ValidationRule r : p.getXKubernetesValidations()) {
                compiled.add(CompiledRule.of(cel, r, path));
            }
        }
        this.rules = List.copyOf(compiled);
        this.anyOf = compileAll(p.getAnyOf(), cel, path);
        this.oneOf = compileAll(p.getOneOf(), cel, path);
        this.allOf = compileAll(p.getAllOf(), cel, path);
        this.not = p.getNot() == null ? null : new StructuralSchema(p.getNot(), cel, path);
    }

    /** Compiles the schema rooted at {@code root}: every pattern once; CEL rules on first use. */
    static StructuralSchema compile(JSONSchemaProps root, Cel cel) {
        return new StructuralSchema(root, cel, "");
    }

    private static List<StructuralSchema> compileAll(List<JSONSchemaProps> list, Cel cel, String path) {
        if (list == null || list.isEmpty()) {
            return List.of();
        }
        List<StructuralSchema> out = new ArrayList<>();
        for (JSONSchemaProps p : list) {
            out.add(new StructuralSchema(p, cel, path));
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
