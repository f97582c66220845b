package io.archway.client.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archway.client.ArchwayClient;
import io.archway.client.InvalidWeightsException;
import io.archway.client.RouteRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CanaryRunnerTest {

    static final String ROUTE = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata:
              name: checkout
              namespace: shop
            spec:
              rules:
                - backendRefs:
                    - name: checkout-v1   # stable
                      port: 8080
                      weight: 100
                    - name: checkout-v2   # canary
                      port: 8080
                      weight: 0
            """;
    static final RouteRef CHECKOUT = RouteRef.http("shop", "checkout");
    /** The fake clock's start plus one interval. */
    static final Instant ONE_INTERVAL_IN = Instant.parse("2026-11-22T06:00:30Z");

    @TempDir
    Path tmp;
    Path manifests;
    ArchwayClient client;
    FakeTraffic traffic;
    CanaryStateStore store;
    List<CanaryEvent> events = new ArrayList<>();
    CanaryPlan plan = CanaryPlan.of(CHECKOUT, "checkout-v1", "checkout-v2").withMinRequests(10);

    @BeforeEach
    void setUp() throws IOException {
        manifests = Files.createDirectories(tmp.resolve("manifests"));
        Files.writeString(manifests.resolve("checkout.yaml"), ROUTE);
        client = ArchwayClient.forDirectory(manifests);
        traffic = new FakeTraffic(client);
        store = new CanaryStateStore(tmp.resolve("state"));
    }

    CanaryRunner runner() {
        return new CanaryRunner(client, traffic, traffic, traffic, events::add, store, Duration.ofSeconds(10));
    }

    List<Integer> stepWeights() {
        return events.stream().filter(e -> e.type() == CanaryEvent.Type.STEP_STARTED).map(CanaryEvent::canaryWeight).toList();
    }

    List<Integer> fileWeights() {
        return client.getHttpRoute("shop", "checkout").orElseThrow().getSpec().getRules().get(0).getBackendRefs().stream()
                .map(HTTPBackendRef::getWeight).toList();
    }

    @Test
    void promotesWhenEveryStepIsHealthy() throws IOException {
        CanaryResult r = runner().run(plan.withMaxP99(Duration.ofMillis(500)));

        assertThat(r.outcome()).isEqualTo(CanaryOutcome.PROMOTED);
        assertThat(r.finalCanaryWeight()).isEqualTo(100);
        assertThat(stepWeights()).containsExactly(5, 10, 25, 50, 75, 100);
        assertThat(r.observations()).hasSize(6).allSatisfy(o -> assertThat(o.verdict()).isEqualTo(Verdict.PASSED));
        assertThat(r.observations().get(0).requests()).isEqualTo(150); // 100 rps * 30 s * 5%
        assertThat(r.observations().get(3).requests()).isEqualTo(1500);
        assertThat(r.observations().get(0).p99()).isLessThanOrEqualTo(Duration.ofMillis(50));
        assertThat(fileWeights()).containsExactly(0, 100);
        assertThat(traffic.slept()).isEqualTo(Duration.ofSeconds(180));
        assertThat(traffic.sampled).allSatisfy(k -> assertThat(k).isEqualTo(new BackendKey("shop", "checkout-v2")));
        assertThat(events.get(0).type()).isEqualTo(CanaryEvent.Type.STARTED);
        assertThat(events.get(events.size() - 1).type()).isEqualTo(CanaryEvent.Type.PROMOTED);
        assertThat(store.read(CHECKOUT).orElseThrow().phase()).isEqualTo(CanaryState.Phase.PROMOTED);
        assertThat(Files.readString(manifests.resolve("checkout.yaml"))).contains("# stable", "# canary");
    }

    @Test
    void rollsBackWhenTheErrorRateIsExceeded() {
        traffic.errorFraction = w -> w >= 25 ? 0.05 : 0.002;

        CanaryResult r = runner().run(plan);

        assertThat(r.outcome()).isEqualTo(CanaryOutcome.ROLLED_BACK);
        assertThat(r.reason()).contains("error rate").contains("(39/750 failed)").contains("exceeds 1.00%").contains("at 25%");
        assertThat(stepWeights()).containsExactly(5, 10, 25);
        assertThat(r.observations()).extracting(StepObservation::verdict).containsExactly(Verdict.PASSED, Verdict.PASSED, Verdict.BREACH);
        assertThat(fileWeights()).containsExactly(100, 0);
        assertThat(events.get(events.size() - 1).type()).isEqualTo(CanaryEvent.Type.ROLLED_BACK);
        CanaryState state = store.read(CHECKOUT).orElseThrow();
        assertThat(state.phase()).isEqualTo(CanaryState.Phase.ROLLED_BACK);
        assertThat(state.reason()).contains("error rate");
        assertThat(state.canaryWeight()).isZero();
    }

    @Test
    void rollsBackWhenP99IsExceeded() {
        traffic.latencySeconds = w -> w >= 50 ? 0.8 : 0.02;

        CanaryResult r = runner().run(plan.withMaxP99(Duration.ofMillis(500)));

        assertThat(r.outcome()).isEqualTo(CanaryOutcome.ROLLED_BACK);
        assertThat(r.reason()).contains("p99");
        assertThat(stepWeights()).containsExactly(5, 10, 25, 50);
        assertThat(r.observations().get(3).p99()).isGreaterThan(Duration.ofMillis(500));
        assertThat(fileWeights()).containsExactly(100, 0);
    }

    @Test
    void highLatencyWithoutAP99LimitPromotes() {
        traffic.latencySeconds = w -> 0.8;
        assertThat(runner().run(plan).outcome()).isEqualTo(CanaryOutcome.PROMOTED);
    }

    @Test
    void insufficientTrafficDoesNotAdvanceAndEndsInRollback() {
        traffic.rps = w -> 0;

        CanaryResult r = runner().run(plan);

        assertThat(r.outcome()).isEqualTo(CanaryOutcome.ROLLED_BACK);
        assertThat(r.reason()).contains("insufficient traffic").contains("need 10");
        assertThat(stepWeights()).containsExactly(5);
        assertThat(events).extracting(CanaryEvent::type).containsSubsequence(
                CanaryEvent.Type.STEP_STARTED, CanaryEvent.Type.WAITING_FOR_TRAFFIC, CanaryEvent.Type.BREACH, CanaryEvent.Type.ROLLED_BACK);
        assertThat(r.observations()).extracting(StepObservation::verdict).containsExactly(Verdict.INSUFFICIENT_TRAFFIC, Verdict.BREACH);
        assertThat(r.observations().get(1).window()).isEqualTo(Duration.ofSeconds(60));
        assertThat(traffic.slept()).isEqualTo(Duration.ofSeconds(60));
        assertThat(fileWeights()).containsExactly(100, 0);
    }

    @Test
    void lateTrafficIsWaitedForWithoutAdvancing() {
        traffic.rps = w -> traffic.now.isBefore(ONE_INTERVAL_IN) ? 0 : 100;

        CanaryResult r = runner().run(plan);

        assertThat(r.outcome()).isEqualTo(CanaryOutcome.PROMOTED);
        assertThat(events.subList(0, 4)).extracting(CanaryEvent::type).containsExactly(CanaryEvent.Type.STARTED,
                CanaryEvent.Type.STEP_STARTED, CanaryEvent.Type.WAITING_FOR_TRAFFIC, CanaryEvent.Type.STEP_PASSED);
        assertThat(events.get(2).canaryWeight()).isEqualTo(5);
        assertThat(r.observations()).hasSize(7);
        assertThat(traffic.slept()).isEqualTo(Duration.ofSeconds(210));
    }

    @Test
    void abortFromAnotherProcessRollsBackPromptly() {
        CanaryStateStore otherProcess = new CanaryStateStore(tmp.resolve("state"));
        traffic.onSleep = () -> {
            if (traffic.slept().equals(Duration.ofSeconds(40))) {
                assertThat(otherProcess.read(CHECKOUT).orElseThrow().phase()).isEqualTo(CanaryState.Phase.RUNNING);
                assertThat(otherProcess.requestAbort(CHECKOUT)).isTrue();
            }
        };

        CanaryResult r = runner().run(plan);

        assertThat(r.outcome()).isEqualTo(CanaryOutcome.ABORTED);
        assertThat(traffic.slept()).isEqualTo(Duration.ofSeconds(40));
        assertThat(stepWeights()).containsExactly(5, 10);
        assertThat(fileWeights()).containsExactly(100, 0);
        assertThat(otherProcess.read(CHECKOUT).orElseThrow().phase()).isEqualTo(CanaryState.Phase.ABORTED);
        assertThat(otherProcess.abortRequested(CHECKOUT)).isFalse();
        assertThat(otherProcess.requestAbort(CHECKOUT)).isFalse();
    }

    @Test
    void staleAbortRequestFromAnEarlierRunIsIgnored() throws IOException {
        Files.createDirectories(store.directory());
        Files.writeString(store.abortFile(CHECKOUT), "");
        assertThat(runner().run(plan).outcome()).isEqualTo(CanaryOutcome.PROMOTED);
    }

    @Test
    void statusIsPersistedAtEveryStep() {
        List<Integer> seen = new ArrayList<>();
        CanaryRunner r = new CanaryRunner(client, traffic, traffic, traffic, e -> {
            if (e.type() == CanaryEvent.Type.STEP_PASSED) {
                CanaryState s = store.read(CHECKOUT).orElseThrow();
                assertThat(s.phase()).isEqualTo(CanaryState.Phase.RUNNING);
                assertThat(s.pid()).isEqualTo(ProcessHandle.current().pid());
                assertThat(s.stale()).isFalse();
                seen.add(s.canaryWeight());
            }
        }, store, Duration.ofSeconds(10));
        r.run(plan);
        assertThat(seen).containsExactly(5, 10, 25, 50, 75, 100);
        assertThat(store.list()).hasSize(1);
        assertThat(store.read(CHECKOUT).orElseThrow().observations()).hasSize(6);
    }

    @Test
    void unreadableMetricsRollBack() {
        traffic.failSampleNumber = 4;
        CanaryResult r = runner().run(plan);
        assertThat(r.outcome()).isEqualTo(CanaryOutcome.ROLLED_BACK);
        assertThat(r.reason()).contains("cannot read metrics").contains("connection refused");
        assertThat(fileWeights()).containsExactly(100, 0);
    }

    @Test
    void unknownBackendFailsBeforeAnyChange() throws IOException {
        assertThatThrownBy(() -> runner().run(CanaryPlan.of(CHECKOUT, "checkout-v1", "checkout-v9")))
                .isInstanceOf(InvalidWeightsException.class).hasMessageContaining("checkout-v9").hasMessageContaining("checkout-v1, checkout-v2");
        assertThat(Files.readString(manifests.resolve("checkout.yaml"))).isEqualTo(ROUTE);
        assertThat(traffic.sleeps).isEmpty();
    }

    @Test
    void planValidation() {
        assertThatThrownBy(() -> plan.withSteps(List.of(10, 5))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> plan.withSteps(List.of(0, 100))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> plan.withSteps(List.of(50, 101))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> plan.withMaxErrorRate(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanaryPlan.of(CHECKOUT, "a", "a")).isInstanceOf(IllegalArgumentException.class);
        assertThat(CanaryPlan.of(CHECKOUT, "a", "b").steps()).containsExactly(5, 10, 25, 50, 75, 100);
    }

    @Test
    void aSecondRunOfTheSameRouteIsRefusedWhileTheFirstIsAlive() {
        long otherPid = ProcessHandle.current().parent().orElseThrow().pid();
        store.save(new CanaryState(CHECKOUT.toString(), CHECKOUT.kind(), CHECKOUT.namespace(), CHECKOUT.name(), "checkout-v1",
                "checkout-v2", List.of(5, 100), 0, 5, CanaryState.Phase.RUNNING, "step 1", traffic.now, traffic.now, otherPid, List.of()));
        assertThatThrownBy(() -> runner().run(plan)).hasMessageContaining("already running").hasMessageContaining("pid " + otherPid);
        assertThat(traffic.sleeps).isEmpty();
        assertThat(fileWeights()).containsExactly(100, 0);
    }

    @Test
    void interruptAbortsAndStillRollsBack() {
        traffic.onSleep = () -> {
            if (traffic.slept().equals(Duration.ofSeconds(70))) {
                Thread.currentThread().interrupt();
            }
        };
        try {
            CanaryResult r = runner().run(plan);
            assertThat(r.outcome()).isEqualTo(CanaryOutcome.ABORTED);
            assertThat(stepWeights()).containsExactly(5, 10, 25);
            assertThat(fileWeights()).containsExactly(100, 0);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void missingLatencyHistogramIsABreachWhenP99IsLimited() {
        MetricsSource noHistogram = new MetricsSource() {
            long n;

            @Override
            public MetricsSample sample(BackendKey backend) {
                n += 100;
                return new MetricsSample(n, 0, java.util.Map.of());
            }
        };
        CanaryRunner r = new CanaryRunner(client, noHistogram, traffic, traffic, events::add, store, Duration.ofSeconds(10));
        CanaryResult result = r.run(plan.withMaxP99(Duration.ofMillis(500)));
        assertThat(result.outcome()).isEqualTo(CanaryOutcome.ROLLED_BACK);
        assertThat(result.reason()).contains("no latency histogram");
        assertThat(new CanaryRunner(client, noHistogram, traffic, traffic, null, null, null).run(plan).outcome())
                .isEqualTo(CanaryOutcome.PROMOTED);
    }
}
