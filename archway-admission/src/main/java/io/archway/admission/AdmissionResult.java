package io.archway.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * What admission made of one object: the object as the API server would store it (unknown fields
 * pruned, defaults applied) and its violations. The object is admitted when no violation refuses it;
 * pruned unknown fields are reported as warnings, as the API server's default field validation does.
 */
public record AdmissionResult(ObjectNode object, List<Violation> violations) {
    public AdmissionResult {
        Objects.requireNonNull(object, "object");
        violations = List.copyOf(violations);
    }

    /** True when the API server would accept the object. */
    public boolean admitted() {
        return errors().isEmpty();
    }

    /** The violations that refuse the object. */
    public List<Violation> errors() {
        return violations.stream().filter(Violation::refuses).toList();
    }

    /** The pruned unknown fields. */
    public List<Violation> warnings() {
        return violations.stream().filter(v -> !v.refuses()).toList();
    }
}
