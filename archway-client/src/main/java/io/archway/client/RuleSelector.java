package io.archway.client;

/**
 * Chooses one rule of a route: by index, by name, or automatically ({@link #auto()}: the only rule
 * with more than one backendRef, else rule 0).
 */
public record RuleSelector(Integer index, String name) {

    private static final RuleSelector AUTO = new RuleSelector(null, null);

    public RuleSelector {
        if (index != null && name != null) {
            throw new IllegalArgumentException("select a rule by index or by name, not both");
        }
        if (index != null && index < 0) {
            throw new IllegalArgumentException("rule index must be >= 0, got " + index);
        }
    }

    /** The default choice: the only rule with more than one backendRef, else rule 0. */
    public static RuleSelector auto() {
        return AUTO;
    }

    /** The rule at this position (0-based). */
    public static RuleSelector index(int index) {
        return new RuleSelector(index, null);
    }

    /** The rule with this {@code name}. */
    public static RuleSelector named(String name) {
        return new RuleSelector(null, name);
    }

    /** Digits select by index, other text by name, null or blank is {@link #auto()}. */
    public static RuleSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return AUTO;
        }
        return text.chars().allMatch(Character::isDigit) ? index(Integer.parseInt(text)) : named(text);
    }

    /** True for the automatic choice. */
    public boolean isAuto() {
        return index == null && name == null;
    }

    @Override
    public String toString() {
        return isAuto() ? "auto" : index != null ? "rule " + index : "rule '" + name + "'";
    }
}
