package io.archway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.RoutingSnapshot;
import io.archway.source.ResourceStore;
import io.archway.source.file.ManifestFiles;
import io.archway.source.file.ManifestLoader;
import io.archway.translate.Diagnostic;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.Translator;
import io.archway.translate.TranslatorOptions;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RebuildLoopTest {
    private final ResourceStore store = new ResourceStore();
    private final ManifestFiles files = new ManifestFiles(store);
    private final ManifestLoader loader = new ManifestLoader();
    private final List<RoutingSnapshot> applied = new CopyOnWriteArrayList<>();
    private final AtomicBoolean reject = new AtomicBoolean();
    private final StandaloneStatusView status = new StandaloneStatusView(Clock.systemUTC());
    private final Translator translator = new Translator(new TranslatorOptions(
            TranslatorOptions.DEFAULT_CONTROLLER_NAME, new GatewayAddressing.Shared("127.0.0.1"), true));
    private final RebuildLoop loop = new RebuildLoop(store, translator, s -> {
        if (reject.get()) {
            throw new IllegalStateException("port 8080 in use");
        }
        applied.add(s);
    }, status, ServerMetrics.NOOP);

    private static final String GW = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata:
              name: gw
            spec:
              gatewayClassName: archway
              listeners:
              - name: http
                protocol: HTTP
                port: %d
            """;

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void servesAndPublishesWithIncreasingVersions() {
        files.apply(loader.parse("g.yaml", GW.formatted(80)));
        RebuildLoop.Result r1 = loop.rebuildNow();
        assertThat(r1.served()).isTrue();
        assertThat(status.servedVersion()).isEqualTo(r1.version());
        assertThat(status.list("gateways", null)).singleElement()
                .satisfies(g -> assertThat(g.getMetadata().getGeneration()).isEqualTo(1L));
        assertThat(loop.everServed()).isTrue();

        RebuildLoop.Result r2 = loop.rebuildNow();
        assertThat(r2.version()).isGreaterThan(r1.version());
        assertThat(applied).extracting(RoutingSnapshot::version).containsExactly(r1.version(), r2.version());
    }

    @Test
    void rejectedSnapshotKeepsLastGoodAndReports() {
        files.apply(loader.parse("g.yaml", GW.formatted(80)));
        RebuildLoop.Result good = loop.rebuildNow();

        files.apply(loader.parse("g.yaml", GW.formatted(81)));
        reject.set(true);
        RebuildLoop.Result bad = loop.rebuildNow();

        assertThat(bad.served()).isFalse();
        assertThat(status.servedVersion()).isEqualTo(good.version());
        assertThat(applied).hasSize(1);
        assertThat(status.list("Gateway", "default")).singleElement().satisfies(g ->
                assertThat(g.getMetadata().getGeneration()).as("status view still shows the served state").isEqualTo(1L));
        assertThat(status.diagnostics()).anySatisfy(d -> {
            assertThat(d.severity()).isEqualTo(Diagnostic.Severity.ERROR);
            assertThat(d.message()).contains("rejected").contains("port 8080 in use").contains("still serving v" + good.version());
        });

        reject.set(false);
        RebuildLoop.Result fixed = loop.rebuildNow();
        assertThat(fixed.served()).isTrue();
        assertThat(status.diagnostics()).isEmpty();
        assertThat(status.list("Gateway", null).get(0).getMetadata().getGeneration()).isEqualTo(2L);
    }

    @Test
    void parseErrorsAppearInDiagnosticsWhileLastGoodServes() {
        files.apply(loader.parse("g.yaml", GW.formatted(80)));
        loop.rebuildNow();
        files.apply(loader.parse("g.yaml", GW.replace("%d", "x")));
        RebuildLoop.Result r = loop.rebuildNow();
        assertThat(r.served()).isTrue();
        // The type error at its line, then the API server's note that CEL rules were skipped.
        assertThat(status.diagnostics()).hasSize(2).first()
                .satisfies(d -> assertThat(d.toString()).startsWith("g.yaml:10: error:"));
        assertThat(status.diagnostics().get(1).toString()).contains("some validation rules were not checked");
    }

    @Test
    void requestsCoalesceAndUnchangedStoreIsNotRebuilt() throws Exception {
        files.apply(loader.parse("g.yaml", GW.formatted(80)));
        loop.rebuildNow();
        loop.requestRebuild(); // unchanged store: skipped
        loop.requestRebuild();
        Thread.sleep(100);
        assertThat(applied).hasSize(1);
        files.apply(loader.parse("g.yaml", GW.formatted(81)));
        for (int i = 0; i < 10; i++) {
            loop.requestRebuild();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (applied.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(100);
        // The first request may start before the other nine are queued; they coalesce behind it,
        // and the store did not change after, so at most one more rebuild is skipped.
        assertThat(applied).hasSize(2);
    }
}
