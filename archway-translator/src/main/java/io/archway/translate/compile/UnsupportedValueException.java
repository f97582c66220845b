package io.archway.translate.compile;

import io.archway.translate.status.Reasons;

/**
 * Thrown inside the compile phase, and caught in it, when a route uses a value we do not support
 * (reason UnsupportedValue) or filters that cannot be combined (IncompatibleFilters); it becomes
 * Accepted=False with that reason. Never escapes the translator.
 */
final class UnsupportedValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    UnsupportedValueException(String message) {
        this(Reasons.UNSUPPORTED_VALUE, message);
    }

    UnsupportedValueException(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    String reason() {
        return reason;
    }
}
