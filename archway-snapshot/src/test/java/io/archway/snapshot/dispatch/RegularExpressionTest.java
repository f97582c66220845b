package io.archway.snapshot.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The RegularExpression dialect: RE2 syntax, whole-value matches, linear time, bounded compilation. */
class RegularExpressionTest {

    @Test
    void matchesTheWholeValueOnly() {
        final RegularExpression r = RegularExpression.compile("/v[0-9]+");
        assertThat(r.matchesWhole("/v12")).isTrue();
        assertThat(r.matchesWhole("/v12/x")).isFalse();
        assertThat(r.matchesWhole("x/v12")).isFalse();
        assertThat(RegularExpression.compile("(?i)abc").matchesWhole("ABC")).isTrue();
        assertThat(RegularExpression.compile("\\p{Greek}+").matchesWhole("αβγ")).isTrue();
        assertThat(RegularExpression.compile("[[:digit:]]{3}").matchesWhole("123")).isTrue();
        assertThat(r).hasToString("/v[0-9]+");
    }

    /**
     * A backtracking engine takes exponential time for (a+)+$ (JDK 9+ java.util.regex memoizes that
     * one) and cubic time for (.*a){3} on n 'a's then a mismatch; RE2 is linear in both.
     */
    @Test
    @Timeout(10)
    void catastrophicBacktrackingPatternsAnswerInLinearTime() {
        final String input = "a".repeat(100 * 1024) + "b";
        final RegularExpression r = RegularExpression.compile("(a+)+$");
        final long start = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            assertThat(r.matchesWhole(input)).isFalse();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(RegularExpression.compile("(a|aa)*c").matchesWhole("a".repeat(50_000))).isFalse();
        assertThat(RegularExpression.compile("(.*a){3}").matchesWhole(input)).isFalse();
    }

    @Test
    void perlOnlySyntaxIsInvalidInRe2() {
        assertThat(RegularExpression.syntaxError("a(?=b)")).contains("invalid or unsupported Perl syntax");
        assertThat(RegularExpression.syntaxError("(a)\\1")).contains("invalid escape sequence");
        assertThat(RegularExpression.syntaxError("a++")).contains("invalid nested repetition operator");
        assertThat(RegularExpression.syntaxError("(")).contains("missing closing )");
        assertThat(RegularExpression.syntaxError("a{1001}")).contains("invalid repeat count");
        assertThat(RegularExpression.syntaxError("/v[0-9]+/.*")).isNull();
        assertThatThrownBy(() -> RegularExpression.compile("[")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing closing ]");
    }

    /** RE2/J expands counted repetitions at compile time and has no memory budget: nested ones are refused first. */
    @Test
    @Timeout(10)
    void nestedCountedRepetitionsThatWouldExhaustTheHeapAreInvalid() {
        assertThat(RegularExpression.syntaxError("((a{1000}){1000}){1000}")).contains("counted repetitions");
        assertThat(RegularExpression.syntaxError("(a{1000}){1000}")).contains("counted repetitions");
        assertThat(RegularExpression.syntaxError("(abcdefghij){1000}")).isNull();
        assertThat(RegularExpression.syntaxError("((abcdefghij){1000}){10}")).as("exactly the limit").isNull();
        assertThat(RegularExpression.syntaxError("((abcdefghij){1000}){10}x")).contains("counted repetitions");
        assertThat(RegularExpression.syntaxError("(a{100}){100}")).isNull();
        assertThat(RegularExpression.syntaxError("a{1000}")).isNull();
    }

    @Test
    void expandedSizeCountsNestedRepetitionsAndSkipsBracesThatAreNotRepetitions() {
        assertThat(RegularExpression.expandedSize("abc")).isEqualTo(3);
        assertThat(RegularExpression.expandedSize("ab{3}")).isEqualTo(4);
        assertThat(RegularExpression.expandedSize("(ab){3}c")).isEqualTo(7);
        assertThat(RegularExpression.expandedSize("((ab){3}){2,5}")).isEqualTo(30);
        assertThat(RegularExpression.expandedSize("a{2,}")).isEqualTo(2);
        assertThat(RegularExpression.expandedSize("a{,3}")).as("a literal in RE2").isEqualTo(5);
        assertThat(RegularExpression.expandedSize("[{]{3}")).isEqualTo(3);
        assertThat(RegularExpression.expandedSize("[]{]{3}")).isEqualTo(3);
        assertThat(RegularExpression.expandedSize("[[:alpha:]]{4}")).isEqualTo(4);
        assertThat(RegularExpression.expandedSize("\\{{5}")).isEqualTo(5);
        assertThat(RegularExpression.expandedSize("\\p{L}{6}")).isEqualTo(6);
        assertThat(RegularExpression.expandedSize("\\Q{9}\\E{2}")).isEqualTo(2);
        assertThat(RegularExpression.expandedSize("((((a{999999999999999999999}")).isGreaterThan(
                RegularExpression.MAX_EXPANDED_SIZE);
    }
}
