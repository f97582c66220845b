package io.archway.proxy.http.h1;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AsciiTest {

    @Test
    void foldsOnlyUpperCaseLetters() {
        assertThat(Ascii.toLower('A')).isEqualTo('a');
        assertThat(Ascii.toLower('Z')).isEqualTo('z');
        // the neighbours of A-Z in ASCII stay as they are
        assertThat(Ascii.toLower('@')).isEqualTo('@');
        assertThat(Ascii.toLower('[')).isEqualTo('[');
        assertThat(Ascii.toLower('a')).isEqualTo('a');
        assertThat(Ascii.toLower('-')).isEqualTo('-');
        // a byte above 0x7f read as a negative int is not a letter
        assertThat(Ascii.toLower((byte) 0xC1)).isEqualTo((byte) 0xC1);
    }

    @Test
    void comparesARegionIgnoringCase() {
        final byte[] head = "X: 1\r\nConnection: close\r\n".getBytes(StandardCharsets.US_ASCII);
        final byte[] connection = "connection".getBytes(StandardCharsets.US_ASCII);
        assertThat(Ascii.regionEqualsLower(head, 6, connection, connection.length)).isTrue();
        assertThat(Ascii.regionEqualsLower(head, 5, connection, connection.length)).isFalse();
        // a prefix: only the first length bytes count
        assertThat(Ascii.regionEqualsLower(head, 6, connection, 4)).isTrue();
        assertThat(Ascii.regionEqualsLower(head, 0, connection, 0)).isTrue();
        final byte[] upperInPattern = "Connection".getBytes(StandardCharsets.US_ASCII);
        // the pattern must be lower case: an upper-case pattern byte never matches
        assertThat(Ascii.regionEqualsLower(head, 6, upperInPattern, upperInPattern.length)).isFalse();
    }
}
