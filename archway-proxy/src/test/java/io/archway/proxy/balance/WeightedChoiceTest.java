package io.archway.proxy.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedChoiceTest {
    @Test
    void picksInProportionAndNeverWeightZero() {
        final Map<String, Integer> weights = Map.of("a", 70, "b", 30, "z", 0);
        final WeightedChoice<String> choice = new WeightedChoice<>(List.of("a", "z", "b"), weights::get);
        final Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            counts.merge(choice.pick(), 1, Integer::sum);
        }
        assertThat(counts).doesNotContainKey("z");
        assertThat(counts.get("a")).isBetween(69_000, 71_000);
    }

    @Test
    void nothingToPickWhenEmptyOrAllZero() {
        assertThat(new WeightedChoice<String>(List.of(), s -> 1).pick()).isNull();
        final WeightedChoice<String> zeros = new WeightedChoice<>(List.of("a", "b"), s -> 0);
        assertThat(zeros.any()).isFalse();
        assertThat(zeros.pick()).isNull();
    }

    @Test
    void hugeWeightsDoNotOverflow() {
        final WeightedChoice<String> choice = new WeightedChoice<>(List.of("a", "b"), s -> Integer.MAX_VALUE);
        assertThat(choice.pick()).isIn("a", "b");
        assertThatThrownBy(() -> new WeightedChoice<>(List.of("a"), s -> -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
