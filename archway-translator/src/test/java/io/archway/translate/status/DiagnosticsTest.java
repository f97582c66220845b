package io.archway.translate.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.SourceLocation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiagnosticsTest {
    /**
     * A memoized step's diagnostics reported again are located as if reported now: the object can
     * be the same instance at another line (its file's lines above it changed).
     */
    @Test
    void diagnosticsReportedAgainAreAtTheirResourcesCurrentLocation() {
        ResourceKey route = new ResourceKey("HTTPRoute", "default", "web");
        ResourceKey other = new ResourceKey("HTTPRoute", "default", "api");
        Diagnostics before = new Diagnostics(ResourceView.of(List.of(), Map.of(
                route, new SourceLocation("routes.yaml", 9), other, new SourceLocation("routes.yaml", 30))));
        before.error(route, "spec.rules[0]", "broken");
        before.warning(other, "", "odd");
        List<Diagnostic> recorded = before.since(0);

        Diagnostics now = new Diagnostics(ResourceView.of(List.of(), Map.of(
                route, new SourceLocation("routes.yaml", 11), other, new SourceLocation("routes.yaml", 30))));
        now.addAll(recorded);

        assertThat(now.sorted()).extracting(Diagnostic::toString).containsExactly(
                "routes.yaml:30: warning: HTTPRoute default/api: odd",
                "routes.yaml:11: error: HTTPRoute default/web spec.rules[0]: broken");
        assertThat(now.sorted().get(0)).isSameAs(recorded.get(1)); // unmoved: the same diagnostic
    }
}
