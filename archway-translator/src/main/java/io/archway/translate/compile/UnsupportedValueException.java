package io.archway.translate.compile;

/**
 * Thrown inside the compile phase, and caught in it, when a route uses a value we do not support;
 * it becomes Accepted=False with reason UnsupportedValue. Never escapes the translator.
 */
final class UnsupportedValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnsupportedValueException(String message) {
        super(message, null, false, false);
    }
}
