package io.archway.snapshot.dispatch;

import io.archway.snapshot.StringMatchType;

/**
 * A compiled header or query-parameter condition: a regular expression ({@link RegularExpression},
 * matching the whole value) is compiled once.
 */
public record ValueMatch(String name, StringMatchType type, String value, RegularExpression pattern, boolean valid) {
    public static ValueMatch of(String name, StringMatchType type, String value) {
        if (type == StringMatchType.REGULAR_EXPRESSION) {
            try {
                return new ValueMatch(name, type, value, RegularExpression.compile(value), true);
            } catch (IllegalArgumentException e) {
                return new ValueMatch(name, type, value, null, false);
            }
        }
        return new ValueMatch(name, type, value, null, true);
    }

    public boolean test(String actual) {
        if (!valid) {
            return false;
        }
        return pattern != null ? pattern.matchesWhole(actual) : value.equals(actual);
    }

    @Override
    public String toString() {
        return name + (type == StringMatchType.EXACT ? " = " : " ~ ") + value;
    }
}
