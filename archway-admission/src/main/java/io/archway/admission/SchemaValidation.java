package io.archway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * OpenAPI v3 value validation as the API server applies it to a custom resource (kube-openapi's
 * validator, then {@code structurallisttype}): type, enum, pattern, format, lengths, item and property
 * counts, minimum and maximum, required, {@code anyOf}/{@code oneOf}/{@code allOf}/{@code not}, and
 * the uniqueness of {@code x-kubernetes-list-type: set} items and {@code map} keys. The wording follows
 * the API server's so that an error reads the same in both modes.
 */
final class SchemaValidation {
    private SchemaValidation() {
    }

    static void validate(JsonNode value, StructuralSchema s, String path, List<Violation> out) {
        if (s == null || value == null) {
            return;
        }
        if (value.isNull()) {
            if (!s.nullable && s.type != null) {
                out.add(new Violation(path, Violation.Type.TYPE_INVALID, "\"null\": " + body(path)
                        + " must be of type " + s.type + ": \"null\""));
            }
            return;
        }
        if (!typeMatches(value, s)) {
            String actual = typeName(value);
            out.add(new Violation(path, Violation.Type.TYPE_INVALID, "\"" + actual + "\": " + body(path)
                    + " must be of type " + (s.intOrString ? "integer or string" : s.type) + ": \"" + actual + "\""));
            return;
        }
        if (!s.enumValues.isEmpty() && !isEnumValue(value, s)) {
            out.add(new Violation(path, Violation.Type.NOT_SUPPORTED, render(value) + ": supported values: "
                    + s.enumValues.stream().map(SchemaValidation::render).collect(Collectors.joining(", "))));
        }
        if (value.isTextual()) {
            validateString(value.textValue(), s, path, out);
        } else if (value.isNumber()) {
            validateNumber(value, s, path, out);
        } else if (value instanceof ArrayNode array) {
            validateArray(array, s, path, out);
        } else if (value instanceof ObjectNode obj) {
            validateObject(obj, s, path, out);
        }
        validateCombinators(value, s, path, out);
    }

    private static void validateString(String v, StructuralSchema s, String path, List<Violation> out) {
        int length = v.codePointCount(0, v.length());
        if (s.maxLength != null && length > s.maxLength) {
            out.add(new Violation(path, Violation.Type.TOO_LONG, "may not be more than " + s.maxLength + " bytes"));
        }
        if (s.minLength != null && length < s.minLength) {
            out.add(new Violation(path, Violation.Type.INVALID, quote(v) + ": " + body(path) + " should be at least "
                    + s.minLength + " chars long"));
        }
        if (s.pattern != null && !s.pattern.matcher(v).find()) {
            out.add(new Violation(path, Violation.Type.INVALID, quote(v) + ": " + body(path) + " should match '"
                    + s.patternText + "'"));
        }
        if (s.format != null && !Formats.valid(s.format, v)) {
            out.add(new Violation(path, Violation.Type.INVALID, quote(v) + ": " + body(path) + " must be of type "
                    + s.format + ": " + quote(v)));
        }
    }

    private static void validateNumber(JsonNode v, StructuralSchema s, String path, List<Violation> out) {
        double d = v.doubleValue();
        if (s.minimum != null && (s.exclusiveMinimum ? d <= s.minimum : d < s.minimum)) {
            out.add(new Violation(path, Violation.Type.INVALID, v.asText() + ": " + body(path) + " should be greater than "
                    + (s.exclusiveMinimum ? "" : "or equal to ") + number(s.minimum)));
        }
        if (s.maximum != null && (s.exclusiveMaximum ? d >= s.maximum : d > s.maximum)) {
            out.add(new Violation(path, Violation.Type.INVALID, v.asText() + ": " + body(path) + " should be less than "
                    + (s.exclusiveMaximum ? "" : "or equal to ") + number(s.maximum)));
        }
    }

    private static void validateArray(ArrayNode array, StructuralSchema s, String path, List<Violation> out) {
        if (s.maxItems != null && array.size() > s.maxItems) {
            out.add(new Violation(path, Violation.Type.TOO_MANY, array.size() + ": must have at most " + s.maxItems
                    + " items"));
        }
        if (s.minItems != null && array.size() < s.minItems) {
            out.add(new Violation(path, Violation.Type.INVALID, array.size() + ": " + body(path) + " should have at least "
                    + s.minItems + " items"));
        }
        for (int i = 0; i < array.size(); i++) {
            validate(array.get(i), s.items, Paths.index(path, i), out);
        }
        if ("set".equals(s.listType)) {
            Set<JsonNode> seen = new HashSet<>();
            for (int i = 0; i < array.size(); i++) {
                if (!seen.add(array.get(i))) {
                    out.add(new Violation(Paths.index(path, i), Violation.Type.DUPLICATE, render(array.get(i))));
                }
            }
        } else if ("map".equals(s.listType) && !s.listMapKeys.isEmpty()) {
            Set<List<JsonNode>> seen = new HashSet<>();
            for (int i = 0; i < array.size(); i++) {
                JsonNode item = array.get(i);
                if (!item.isObject()) {
                    continue;
                }
                List<JsonNode> key = new ArrayList<>();
                StringBuilder shown = new StringBuilder("{");
                for (String k : s.listMapKeys) {
                    key.add(item.get(k));
                    if (shown.length() > 1) {
                        shown.append(',');
                    }
                    shown.append('"').append(k).append("\":").append(item.get(k) == null ? "null" : item.get(k));
                }
                if (!seen.add(key)) {
                    out.add(new Violation(Paths.index(path, i), Violation.Type.DUPLICATE, shown.append('}').toString()));
                }
            }
        }
    }

    private static void validateObject(ObjectNode obj, StructuralSchema s, String path, List<Violation> out) {
        for (String r : s.required) {
            if (!obj.has(r)) {
                out.add(new Violation(Paths.field(path, r), Violation.Type.REQUIRED, ""));
            }
        }
        if (s.maxProperties != null && obj.size() > s.maxProperties) {
            out.add(new Violation(path, Violation.Type.TOO_MANY, obj.size() + ": must have at most " + s.maxProperties
                    + " items"));
        }
        if (s.minProperties != null && obj.size() < s.minProperties) {
            out.add(new Violation(path, Violation.Type.INVALID, obj.size() + ": " + body(path)
                    + " should have at least " + s.minProperties + " properties"));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            StructuralSchema prop = s.properties.get(e.getKey());
            if (prop != null) {
                validate(e.getValue(), prop, Paths.field(path, e.getKey()), out);
            } else if (s.additionalProperties != null) {
                validate(e.getValue(), s.additionalProperties, Paths.key(path, e.getKey()), out);
            }
        }
    }

    /** anyOf/oneOf/allOf/not: value validations of the same value, which prune and default nothing. */
    private static void validateCombinators(JsonNode value, StructuralSchema s, String path, List<Violation> out) {
        for (StructuralSchema all : s.allOf) {
            validate(value, all, path, out);
        }
        if (!s.anyOf.isEmpty() && s.anyOf.stream().noneMatch(alt -> passes(value, alt, path))) {
            out.add(new Violation(path, Violation.Type.INVALID, render(value) + ": " + body(path)
                    + " must validate at least one schema (anyOf)"));
            List<Violation> first = new ArrayList<>();
            validate(value, s.anyOf.get(0), path, first);
            out.addAll(first);
        }
        if (!s.oneOf.isEmpty()) {
            int passing = 0;
            List<Violation> best = null;
            int bestMatches = -1;
            for (StructuralSchema alt : s.oneOf) {
                List<Violation> errors = new ArrayList<>();
                validate(value, alt, path, errors);
                if (errors.isEmpty()) {
                    passing++;
                    continue;
                }
                int matches = matchCount(value, alt);
                if (passing == 0 && matches > bestMatches) {
                    best = errors;
                    bestMatches = matches;
                }
            }
            if (passing != 1) {
                out.add(new Violation(path, Violation.Type.INVALID, render(value) + ": " + body(path)
                        + " must validate one and only one schema (oneOf)"));
                if (passing == 0 && best != null) {
                    // kube-openapi's schemaPropsValidator merges the failures of the alternative that
                    // matched most (its MatchCount; the first on a tie), so the API server names the
                    // field at fault: 'spec.addresses[0].value in body must be of type ipv4'.
                    out.addAll(best);
                }
            }
        }
        if (s.not != null && passes(value, s.not, path)) {
            out.add(new Violation(path, Violation.Type.INVALID, render(value) + ": " + body(path)
                    + " must not validate the schema (not)"));
        }
    }

    /**
     * How much of {@code s} applies to {@code value}: its node and, recursively, the properties and
     * items present, as kube-openapi's MatchCount grows with every validator that ran.
     */
    private static int matchCount(JsonNode value, StructuralSchema s) {
        int count = 1;
        if (value != null && value.isObject()) {
            for (Map.Entry<String, StructuralSchema> p : s.properties.entrySet()) {
                JsonNode child = value.get(p.getKey());
                if (child != null) {
                    count += matchCount(child, p.getValue());
                }
            }
        } else if (value != null && value.isArray() && s.items != null) {
            for (JsonNode item : value) {
                count += matchCount(item, s.items);
            }
        }
        return count;
    }

    private static boolean isEnumValue(JsonNode value, StructuralSchema s) {
        for (JsonNode e : s.enumValues) { // a loop, not a stream: this runs for every enum field of every object
            if (sameValue(e, value)) {
                return true;
            }
        }
        return false;
    }

    /** JSON equality with 302 (int) equal to 302 (long): enum values and manifests are read by different parsers. */
    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    private static boolean passes(JsonNode value, StructuralSchema s, String path) {
        List<Violation> errors = new ArrayList<>();
        validate(value, s, path, errors);
        return errors.isEmpty();
    }

    static boolean typeMatches(JsonNode v, StructuralSchema s) {
        if (s.intOrString) {
            return v.isTextual() || isInteger(v);
        }
        if (s.type == null) {
            return true;
        }
        switch (s.type) {
            case "object":
                return v.isObject();
            case "array":
                return v.isArray();
            case "string":
                return v.isTextual();
            case "integer":
                return isInteger(v);
            case "number":
                return v.isNumber();
            case "boolean":
                return v.isBoolean();
            default:
                return true;
        }
    }

    private static boolean isInteger(JsonNode v) {
        return v.isIntegralNumber() || v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue());
    }

    static String typeName(JsonNode v) {
        if (v.isObject()) {
            return "object";
        }
        if (v.isArray()) {
            return "array";
        }
        if (v.isTextual()) {
            return "string";
        }
        if (v.isIntegralNumber()) {
            return "integer";
        }
        if (v.isNumber()) {
            return "number";
        }
        if (v.isBoolean()) {
            return "boolean";
        }
        return "null";
    }

    /** "spec.x in body", the go-openapi validator's way of naming the field. */
    private static String body(String path) {
        return path + " in body";
    }

    private static String render(JsonNode v) {
        if (v.isObject() || v.isArray()) {
            return "\"" + typeName(v) + "\"";
        }
        return v.toString();
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /** The formats the API server checks that the packaged CRDs use; others (int32, int64) are not checked. */
    static final class Formats {
        private Formats() {
        }

        static boolean valid(String format, String v) {
            switch (format) {
                case "ipv4":
                    return v.indexOf(':') < 0 && KubernetesCel.isIP(v);
                case "ipv6":
                    return v.indexOf(':') >= 0 && KubernetesCel.isIP(v);
                case "date-time":
                    try {
                        OffsetDateTime.parse(v);
                        return true;
                    } catch (DateTimeParseException e) {
                        return false;
                    }
                default:
                    return true;
            }
        }
    }
}
