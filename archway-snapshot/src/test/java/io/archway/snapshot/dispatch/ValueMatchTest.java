package io.archway.snapshot.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.StringMatchType;
import org.junit.jupiter.api.Test;

class ValueMatchTest {
    @Test
    void exactComparesTheWholeValueCaseSensitively() {
        final ValueMatch m = ValueMatch.of("x", StringMatchType.EXACT, "a.b");
        assertThat(m.valid()).isTrue();
        assertThat(m.test("a.b")).isTrue();
        assertThat(m.test("axb")).as("not a pattern").isFalse();
        assertThat(m.test("A.B")).isFalse();
        assertThat(m).hasToString("x = a.b");
    }

    @Test
    void regularExpressionMustMatchTheWholeValue() {
        final ValueMatch m = ValueMatch.of("x", StringMatchType.REGULAR_EXPRESSION, "a.b");
        assertThat(m.test("axb")).isTrue();
        assertThat(m.test("axbc")).isFalse();
        assertThat(m).hasToString("x ~ a.b");
    }

    @Test
    void aRegularExpressionThatDoesNotCompileMatchesNothing() {
        final ValueMatch m = ValueMatch.of("x", StringMatchType.REGULAR_EXPRESSION, "(");
        assertThat(m.valid()).isFalse();
        assertThat(m.test("(")).isFalse();
        assertThat(m.test("")).isFalse();
    }
}
