package io.archway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeakDetectionTest {
    private final String property = System.getProperty(LeakDetection.PROPERTY);
    private final ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();

    @AfterEach
    void restore() {
        if (property == null) {
            System.clearProperty(LeakDetection.PROPERTY);
        } else {
            System.setProperty(LeakDetection.PROPERTY, property);
        }
        ResourceLeakDetector.setLevel(level);
    }

    @Test
    void aServingGatewayRunsWithoutLeakDetection() {
        System.clearProperty(LeakDetection.PROPERTY);
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        LeakDetection.forServing();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
    }

    @Test
    void theOperatorsLevelStands() {
        System.setProperty(LeakDetection.PROPERTY, "simple");
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        LeakDetection.forServing();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.SIMPLE);
    }
}
