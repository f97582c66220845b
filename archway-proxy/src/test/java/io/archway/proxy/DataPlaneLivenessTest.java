package io.archway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Liveness (the admin endpoint's /healthz): every event loop runs a task in time. */
class DataPlaneLivenessTest {

    @Test
    void aBlockedEventLoopIsNotLiveAndAClosedPlaneNeither() throws Exception {
        DataPlane plane = new DataPlane(ProxyConfig.defaults());
        try {
            assertThat(plane.eventLoopsAnswer(Duration.ofSeconds(5))).isTrue();
            CountDownLatch release = new CountDownLatch(1);
            EventExecutor last = null;
            for (EventExecutor loop : plane.eventLoops().group()) {
                last = loop;
            }
            last.execute(() -> {
                try {
                    release.await(10, TimeUnit.SECONDS); // a handler stuck in a blocking call
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(plane.eventLoopsAnswer(Duration.ofMillis(300))).as("one loop is stuck").isFalse();
            release.countDown();
            assertThat(plane.eventLoopsAnswer(Duration.ofSeconds(5))).as("it answers again").isTrue();
        } finally {
            plane.close();
        }
        assertThat(plane.eventLoopsAnswer(Duration.ofSeconds(1))).isFalse();
    }
}
