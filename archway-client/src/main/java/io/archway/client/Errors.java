package io.archway.client;

/** Turns exceptions into operator-readable text. */
public final class Errors {
    private Errors() {
    }

    /**
     * The exception's message, or its type when it has none: a refused connection surfaces as a
     * {@code ConnectException} without message, and "failed: null" tells an operator nothing.
     */
    public static String describe(Throwable e) {
        final String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
