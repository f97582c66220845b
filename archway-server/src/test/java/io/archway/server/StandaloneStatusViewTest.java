package io.archway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.source.ResourceStore;
import io.archway.source.file.ManifestFiles;
import io.archway.source.file.ManifestLoader;
import io.archway.translate.ResourceKey;
import io.archway.translate.StatusReport;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class StandaloneStatusViewTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final StandaloneStatusView view = new StandaloneStatusView(new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    });

    private final ResourceStore store = new ResourceStore();
    private final ManifestFiles files = new ManifestFiles(store);

    private static GatewayStatus status(String accepted, String programmed) {
        return new GatewayStatusBuilder()
                .addToConditions(cond("Accepted", accepted), cond("Programmed", programmed))
                .addNewListener().withName("http").withAttachedRoutes(0).addToConditions(cond("Programmed", programmed))
                .endListener().build();
    }

    private static Condition cond(String type, String status) {
        return new ConditionBuilder().withType(type).withStatus(status).withReason(type).withObservedGeneration(1L).build();
    }

    private void publish(GatewayStatus st) {
        publish("default", st);
    }

    private void publish(String ns, GatewayStatus st) {
        view.publish(store.view(), new StatusReport(Map.of(),
                Map.of(new ResourceKey("Gateway", ns, "gw"), st), Map.of(), Map.of(), Map.of()), List.of(), 1);
    }

    private Gateway listed() {
        return (Gateway) view.list("Gateway", null).get(0);
    }

    @Test
    void lastTransitionTimeKeptWhileStatusUnchanged() {
        files.apply(new ManifestLoader().parse("g.yaml", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw}
                spec: {gatewayClassName: x, listeners: [{name: http, protocol: HTTP, port: 80}]}
                """));
        GatewayStatus fromTranslator = status("True", "False");
        publish(fromTranslator);
        assertThat(fromTranslator.getConditions().get(0).getLastTransitionTime())
                .as("the translator's object is not mutated").isNull();
        assertThat(listed().getStatus().getConditions()).extracting(Condition::getLastTransitionTime)
                .containsExactly("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z");

        now.set(Instant.parse("2026-01-01T00:01:00Z"));
        publish(status("True", "True"));
        assertThat(listed().getStatus().getConditions()).extracting(Condition::getLastTransitionTime)
                .containsExactly("2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z");
        assertThat(listed().getStatus().getListeners().get(0).getConditions().get(0).getLastTransitionTime())
                .isEqualTo("2026-01-01T00:01:00Z");

        now.set(Instant.parse("2026-01-01T00:02:00Z"));
        publish(status("True", "True"));
        assertThat(listed().getStatus().getConditions()).extracting(Condition::getLastTransitionTime)
                .containsExactly("2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z");
    }

    @Test
    void listReturnsDeepCopies() {
        files.apply(new ManifestLoader().parse("g.yaml", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: a}
                spec: {gatewayClassName: x, listeners: [{name: http, protocol: HTTP, port: 80}]}
                """));
        publish("a", status("True", "True"));
        Gateway g = listed();
        g.getSpec().setGatewayClassName("changed");
        g.getStatus().getConditions().clear();
        assertThat(listed().getSpec().getGatewayClassName()).isEqualTo("x");
        assertThat(store.view().gateways().get(0).getSpec().getGatewayClassName()).isEqualTo("x");
        assertThat(view.list("gateways", "a")).hasSize(1);
        assertThat(view.list("gateways", "b")).isEmpty();
    }
}
