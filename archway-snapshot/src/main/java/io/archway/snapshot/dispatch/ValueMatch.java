package io.archway.snapshot.dispatch;

import io.archway.snapshot.StringMatchType;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** A compiled header or query-parameter condition: a regular expression is compiled once. */
public record ValueMatch(String name, StringMatchType type, String value, Pattern pattern, boolean valid) {
    public static ValueMatch of(String name, StringMatchType type, String value) {
        if (type == StringMatchType.REGULAR_EXPRESSION) {
            try {
                return new ValueMatch(name, type, value, Pattern.compile(value), true);
            } catch (PatternSyntaxException e) {
                return new ValueMatch(name, type, value, null, false);
            }
        }
        return new ValueMatch(name, type, value, null, true);
    }

    public boolean test(String actual) {
        if (!valid) {
            return false;
        }
        return pattern != null ? pattern.matcher(actual).matches() : value.equals(actual);
    }

    @Override
    public String toString() {
        return name + (type == StringMatchType.EXACT ? " = " : " ~ ") + value;
    }
}
