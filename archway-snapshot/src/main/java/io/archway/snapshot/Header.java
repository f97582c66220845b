package io.archway.snapshot;

import java.util.Objects;

/** A header name and value, as written in a filter. */
public record Header(String name, String value) {
    /** Visible ASCII that is not a tchar (RFC 9110 section 5.6.2). */
    private static final String TOKEN_DELIMITERS = "\"(),/:;<=>?@[\\]{}";

    public Header {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    /**
     * Whether the name is a token and the value free of control characters. A configured field
     * that is not (header injection with CR, LF or NUL, RFC 9110 section 5.5; an empty name or
     * one that is not a token) is skipped by whoever writes it: the data plane's headers may be
     * the decoder's validating ones, which would throw, or a copy that is not re-validated.
     */
    public boolean wellFormed() {
        return !name.isEmpty() && token(name) && cleanValue(value);
    }

    private static boolean token(String s) {
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c > 0x7e || c <= 0x20 || TOKEN_DELIMITERS.indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean cleanValue(String s) {
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
