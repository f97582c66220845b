package io.archway.client;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The weight rules shared by both back ends: chooses the rule, validates the requested weights
 * and writes them into the route object.
 */
public final class WeightAssigner {

    private WeightAssigner() {}

    /**
     * Validates and applies {@code weights} (backend name to weight) to one rule of {@code route},
     * modifying the object in place.
     *
     * @param allowAllZero whether every backendRef of the rule may end at weight 0 (the rule then sends nothing)
     * @throws InvalidWeightsException when the rule cannot be chosen, a name is unknown, a weight is
     *                                 negative, or all weights would be zero without {@code allowAllZero}
     */
    public static WeightUpdate apply(RouteRef ref, HasMetadata route, RuleSelector selector,
                                     Map<String, Integer> weights, boolean allowAllZero) {
        if (weights == null || weights.isEmpty()) {
            throw new InvalidWeightsException("no weights given");
        }
        List<RouteRules.Rule> rules = RouteRules.of(route);
        int index = chooseRule(ref, rules, selector);
        RouteRules.Rule rule = rules.get(index);

        Set<String> known = new LinkedHashSet<>();
        rule.backends().forEach(b -> known.add(b.name()));
        for (Map.Entry<String, Integer> e : new TreeMap<>(weights).entrySet()) {
            if (!known.contains(e.getKey())) {
                throw new InvalidWeightsException("backend '" + e.getKey() + "' is not in " + describe(index, rule)
                        + " of " + ref + "; known backends: " + String.join(", ", known));
            }
            if (e.getValue() == null || e.getValue() < 0) {
                throw new InvalidWeightsException("weight of '" + e.getKey() + "' must be >= 0, got " + e.getValue());
            }
        }
        List<BackendWeight> result = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < rule.backends().size(); i++) {
            RouteRules.Backend b = rule.backends().get(i);
            Integer before = b.weight();
            boolean changed = weights.containsKey(b.name());
            int after = changed ? weights.get(b.name()) : (before == null ? 1 : before);
            total += after;
            result.add(new BackendWeight(i, b.name(), b.namespace(), before, after, changed));
        }
        if (total == 0 && !allowAllZero) {
            throw new InvalidWeightsException("all weights of " + describe(index, rule) + " of " + ref
                    + " would be 0, so it would send nothing; allow this explicitly if that is intended");
        }
        for (BackendWeight w : result) {
            if (w.changed()) {
                rule.backends().get(w.position()).setWeight(w.after());
            }
        }
        return new WeightUpdate(ref, index, rule.name(), result);
    }

    /** Resolves {@code selector} against the rules; see {@link RuleSelector#auto()}. */
    public static int chooseRule(RouteRef ref, List<RouteRules.Rule> rules, RuleSelector selector) {
        if (rules.isEmpty()) {
            throw new InvalidWeightsException(ref + " has no rules");
        }
        RuleSelector sel = selector == null ? RuleSelector.auto() : selector;
        if (sel.index() != null) {
            if (sel.index() >= rules.size()) {
                throw new InvalidWeightsException(ref + " has " + rules.size() + " rule(s); no rule " + sel.index());
            }
            return sel.index();
        }
        if (sel.name() != null) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < rules.size(); i++) {
                if (sel.name().equals(rules.get(i).name())) {
                    return i;
                }
                if (rules.get(i).name() != null) {
                    names.add(rules.get(i).name());
                }
            }
            throw new InvalidWeightsException(ref + " has no rule named '" + sel.name() + "'; named rules: "
                    + (names.isEmpty() ? "none" : String.join(", ", names)));
        }
        List<Integer> split = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).backends().size() > 1) {
                split.add(i);
            }
        }
        if (split.size() > 1) {
            throw new InvalidWeightsException(ref + " has several rules with more than one backendRef " + split
                    + "; choose one by index or name");
        }
        return split.isEmpty() ? 0 : split.get(0);
    }

    private static String describe(int index, RouteRules.Rule rule) {
        return rule.name() == null ? "rule " + index : "rule " + index + " ('" + rule.name() + "')";
    }
}
