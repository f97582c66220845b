package io.archway.snapshot.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QueryParamsTest {
    @Test
    void firstOccurrenceDecodedAndAbsentIsNull() {
        assertThat(QueryParams.first("a=1&b=x%20y&a=2", "a")).isEqualTo("1");
        assertThat(QueryParams.first("a=1&b=x%20y", "b")).isEqualTo("x y");
        assertThat(QueryParams.first("flag&a=1", "flag")).isEqualTo("");
        assertThat(QueryParams.first("a=1", "c")).isNull();
        assertThat(QueryParams.first("", "a")).isNull();
    }

    @Test
    void onlyAmpersandSeparatesAndMalformedEscapesDoNotThrow() {
        assertThat(QueryParams.first("a=1;b=2", "a")).isEqualTo("1;b=2");
        assertThat(QueryParams.first("a=%zz&b=2", "a")).isEqualTo("%zz");
        assertThat(QueryParams.first("a=%zz&b=2", "b")).isEqualTo("2");
    }

    /** Like Go's url.ParseQuery: '+' is a space and an escape may start the name or the value. */
    @Test
    void plusIsASpaceAndEscapesDecodeAnywhere() {
        assertThat(QueryParams.first("q=a+b", "q")).isEqualTo("a b");
        assertThat(QueryParams.first("q=+", "q")).isEqualTo(" ");
        assertThat(QueryParams.first("q=%41b", "q")).isEqualTo("Ab");
        assertThat(QueryParams.first("%71=1", "q")).isEqualTo("1");
        assertThat(QueryParams.first("q=a%2Bb", "q")).isEqualTo("a+b");
    }

    @Test
    void emptyPairsAreSkipped() {
        assertThat(QueryParams.first("&a=1", "a")).isEqualTo("1");
        assertThat(QueryParams.first("&&a=1&", "a")).isEqualTo("1");
        assertThat(QueryParams.first("b=2&", "a")).isNull();
        assertThat(QueryParams.first(null, "a")).isNull();
    }
}
