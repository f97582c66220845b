package io.archway.translate.bind;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Listener {@code allowedRoutes.namespaces} (AllowedRoutes / RouteNamespaces): {@code from} is
 * Same (the default), All, or Selector, whose {@code selector} is a Kubernetes label selector over
 * the labels of the route's Namespace.
 */
class AllowedNamespacesTest {
    private static final Map<String, Map<String, String>> LABELS = Map.of(
            "team-a", Map.of("team", "a", "env", "prod"),
            "team-b", Map.of("team", "b"),
            "bare", Map.of());

    private static AllowedNamespaces from(String from, LabelSelector selector) {
        return new AllowedNamespaces(from, "infra", selector, ns -> LABELS.getOrDefault(ns, Map.of()));
    }

    @Test
    void fromDefaultsToSameTheGatewayNamespaceOnly() {
        final AllowedNamespaces unset = from(null, null);
        assertThat(unset.allows("infra")).isTrue();
        assertThat(unset.allows("team-a")).isFalse();
        final AllowedNamespaces same = from("Same", null);
        assertThat(same.allows("infra")).isTrue();
        assertThat(same.allows("team-a")).isFalse();
    }

    @Test
    void fromAllAllowsEveryNamespace() {
        assertThat(from("All", null).allows("team-a")).isTrue();
        assertThat(from("All", null).allows("infra")).isTrue();
    }

    @Test
    void fromSelectorWithoutSelectorAllowsNothing() {
        assertThat(from("Selector", null).allows("infra")).isFalse();
        assertThat(from("Selector", null).allows("team-a")).isFalse();
    }

    @Test
    void fromSelectorDoesNotImplySameNamespace() {
        final AllowedNamespaces a = from("Selector", new LabelSelectorBuilder().withMatchLabels(Map.of("team", "a"))
                .build());
        assertThat(a.allows("team-a")).isTrue();
        assertThat(a.allows("infra")).isFalse();
    }

    /** An empty selector selects every namespace (Kubernetes: "An empty label selector matches all objects"). */
    @Test
    void emptySelectorSelectsEveryNamespace() {
        assertThat(from("Selector", new LabelSelector()).allows("bare")).isTrue();
        assertThat(from("Selector", new LabelSelector()).allows("unknown")).isTrue();
    }

    /** matchLabels: every pair must be present with an equal value. */
    @ParameterizedTest(name = "matchLabels {0} on {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "team=a          | team-a | true",
        "team=a env=prod | team-a | true",
        "team=a env=dev  | team-a | false",
        "team=a          | team-b | false",
        "team=a          | bare   | false",
    })
    void matchLabelsMustAllHold(String pairs, String namespace, boolean allowed) {
        final Map<String, String> matchLabels = new java.util.HashMap<>();
        for (String pair : pairs.trim().split("\\s+")) {
            final String[] kv = pair.split("=");
            matchLabels.put(kv[0], kv[1]);
        }
        assertThat(from("Selector", new LabelSelectorBuilder().withMatchLabels(matchLabels).build()).allows(namespace))
                .isEqualTo(allowed);
    }

    /** matchExpressions: In, NotIn, Exists, DoesNotExist; an absent label fails In and satisfies NotIn. */
    @ParameterizedTest(name = "{0} {1} [{2}] on {3}: {4}")
    @CsvSource(delimiter = '|', value = {
        "team | In           | a b | team-a | true",
        "team | In           | b c | team-a | false",
        "team | In           | a   | bare   | false",
        "team | NotIn        | b   | team-a | true",
        "team | NotIn        | a   | team-a | false",
        "team | NotIn        | a   | bare   | true",
        "team | Exists       |     | team-a | true",
        "team | Exists       |     | bare   | false",
        "team | DoesNotExist |     | bare   | true",
        "team | DoesNotExist |     | team-a | false",
        // An operator Kubernetes does not define selects nothing.
        "team | Matches      | a   | team-a | false",
    })
    void matchExpressionOperators(String key, String operator, String values, String namespace, boolean allowed) {
        final List<String> list = values == null ? null : Arrays.asList(values.trim().split("\\s+"));
        final LabelSelector selector = new LabelSelectorBuilder().withMatchExpressions(
                new LabelSelectorRequirementBuilder().withKey(key).withOperator(operator).withValues(list).build())
                .build();
        assertThat(from("Selector", selector).allows(namespace)).isEqualTo(allowed);
    }

    @Test
    void inWithoutValuesSelectsNothingAndNotInWithoutValuesSelectsAll() {
        final LabelSelector in = new LabelSelectorBuilder().withMatchExpressions(
                new LabelSelectorRequirementBuilder().withKey("team").withOperator("In").build()).build();
        in.getMatchExpressions().get(0).setValues(null);
        assertThat(from("Selector", in).allows("team-a")).isFalse();
        final LabelSelector notIn = new LabelSelectorBuilder().withMatchExpressions(
                new LabelSelectorRequirementBuilder().withKey("team").withOperator("NotIn").build()).build();
        notIn.getMatchExpressions().get(0).setValues(null);
        assertThat(from("Selector", notIn).allows("team-a")).isTrue();
    }

    /** matchLabels and matchExpressions are ANDed: all requirements must hold. */
    @Test
    void matchLabelsAndExpressionsAreAnded() {
        final LabelSelector selector = new LabelSelectorBuilder().withMatchLabels(Map.of("team", "a"))
                .withMatchExpressions(
                        new LabelSelectorRequirementBuilder().withKey("env").withOperator("Exists").build(),
                        new LabelSelectorRequirementBuilder().withKey("team").withOperator("NotIn")
                                .withValues("b").build())
                .build();
        assertThat(from("Selector", selector).allows("team-a")).isTrue();
        assertThat(from("Selector", selector).allows("team-b")).isFalse();
        final LabelSelector second = new LabelSelectorBuilder().withMatchExpressions(
                new LabelSelectorRequirementBuilder().withKey("team").withOperator("Exists").build(),
                new LabelSelectorRequirementBuilder().withKey("env").withOperator("Exists").build()).build();
        assertThat(from("Selector", second).allows("team-a")).isTrue();
        assertThat(from("Selector", second).allows("team-b")).as("the second expression fails").isFalse();
    }

    /** "None" is not in the RouteNamespaces.from enum (All, Selector, Same); unvalidated standalone input only. */
    @Test
    void fromNoneAllowsNothing() {
        assertThat(from("None", null).allows("infra")).isFalse();
    }
}
