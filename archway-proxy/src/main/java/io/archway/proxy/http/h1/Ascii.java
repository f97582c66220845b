package io.archway.proxy.http.h1;

/**
 * Case-insensitive compares of field names and tokens held as bytes. Field names and the tokens
 * compared here are ASCII (RFC 9110 section 5.1: names are case-insensitive tokens), so folding
 * A-Z is the whole rule; no charset decoding, no copy.
 */
public final class Ascii {

    private Ascii() {
    }

    /** The byte or char {@code c} with A-Z folded to a-z. */
    public static int toLower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    /** Whether {@code bytes[start, start + length)} equals the first {@code length} bytes of {@code lower}, ignoring case. */
    public static boolean regionEqualsLower(byte[] bytes, int start, byte[] lower, int length) {
        for (int k = 0; k < length; k++) {
            if (toLower(bytes[start + k]) != lower[k]) {
                return false;
            }
        }
        return true;
    }
}
