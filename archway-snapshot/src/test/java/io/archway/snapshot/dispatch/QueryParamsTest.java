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
}
