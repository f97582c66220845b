package io.archway.client.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CanaryArgsTest {

    @Test
    void steps() {
        assertThat(CanaryArgs.steps("5,10, 25,50,75,100")).containsExactly(5, 10, 25, 50, 75, 100);
        assertThat(CanaryArgs.steps("50%,100%")).containsExactly(50, 100);
        assertThatThrownBy(() -> CanaryArgs.steps("5,x")).hasMessageContaining("'x'");
    }

    @Test
    void durations() {
        assertThat(CanaryArgs.duration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(CanaryArgs.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(CanaryArgs.duration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(CanaryArgs.duration("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(CanaryArgs.duration("2h")).isEqualTo(Duration.ofHours(2));
        assertThatThrownBy(() -> CanaryArgs.duration("30")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanaryArgs.duration("30s junk")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanaryArgs.duration("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rates() {
        assertThat(CanaryArgs.rate("1%")).isEqualTo(0.01);
        assertThat(CanaryArgs.rate("0.5 %")).isEqualTo(0.005);
        assertThat(CanaryArgs.rate("0.02")).isEqualTo(0.02);
        assertThatThrownBy(() -> CanaryArgs.rate("150%")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanaryArgs.rate("lots")).isInstanceOf(IllegalArgumentException.class);
    }
}
