package io.archway.translate.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.Objects;

/**
 * A condition before it is stamped with a generation: type, status, reason and message. The
 * translator never sets {@code lastTransitionTime}; only a status writer, which knows the previous
 * value, may.
 */
public record ConditionSpec(String type, boolean status, String reason, String message) {
    public ConditionSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    public static ConditionSpec isTrue(String type, String reason, String message) {
        return new ConditionSpec(type, true, reason, message);
    }

    public static ConditionSpec isFalse(String type, String reason, String message) {
        return new ConditionSpec(type, false, reason, message);
    }

    /** A fresh fabric8 condition carrying {@code observedGeneration}. */
    public Condition toCondition(Long observedGeneration) {
        return new ConditionBuilder().withType(type).withStatus(status ? "True" : "False").withReason(reason)
                .withMessage(message).withObservedGeneration(observedGeneration).build();
    }
}
