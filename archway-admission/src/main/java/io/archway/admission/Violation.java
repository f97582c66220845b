package io.archway.admission;

import java.util.Objects;

/**
 * One reason the API server would refuse an object (or, for {@link Type#UNKNOWN_FIELD}, warn about
 * it), as {@code k8s.io/apimachinery}'s {@code field.Error}: the field path in the API server's
 * spelling ({@code spec.rules[0].matches[0].path.type}; empty for the object itself), the error type
 * and the detail (for a CEL rule, the rule's own message).
 */
public record Violation(String field, Type type, String detail) {
    /** The field error types the admission steps produce, with the API server's wording. */
    public enum Type {
        REQUIRED("Required value"),
        NOT_SUPPORTED("Unsupported value"),
        INVALID("Invalid value"),
        TYPE_INVALID("Invalid value"),
        TOO_LONG("Too long"),
        TOO_MANY("Too many"),
        DUPLICATE("Duplicate value"),
        FORBIDDEN("Forbidden"),
        INTERNAL("Internal error"),
        /** Not an error: the API server prunes the field and answers with a warning. */
        UNKNOWN_FIELD("unknown field");

        private final String wording;

        Type(String wording) {
            this.wording = wording;
        }

        public String wording() {
            return wording;
        }

        /** Enum and type errors stop CEL evaluation, as the API server's {@code hasBlockingErr}. */
        boolean blocksRules() {
            return this == NOT_SUPPORTED || this == TYPE_INVALID;
        }
    }

    public Violation {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(detail, "detail");
    }

    /** {@code Invalid value: "object": ...} style text without the field, as printed after "field: ". */
    public String message() {
        return detail.isEmpty() ? type.wording() : type.wording() + ": " + detail;
    }

    /** True for refusals; false for warnings (an unknown field pruned). */
    public boolean refuses() {
        return type != Type.UNKNOWN_FIELD;
    }

    @Override
    public String toString() {
        return (field.isEmpty() ? "" : field + ": ") + message();
    }
}
