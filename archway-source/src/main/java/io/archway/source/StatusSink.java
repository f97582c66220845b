package io.archway.source;

import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceView;
import io.archway.translate.StatusReport;
import java.util.List;
import java.util.Objects;

/**
 * Where the rebuild loop publishes status: the standalone in-memory view (admin endpoint, CLI),
 * and on a cluster the writer of the status subresources as well. Called from the rebuild loop's
 * status thread only, one call at a time, newest publication first (the rebuild thread never waits
 * for it); an implementation must not block it for long (a cluster writer hands the work to its
 * own thread).
 */
public interface StatusSink {

    /**
     * The data plane now serves the translation of {@code view}: {@code report} is its status (the
     * translator's, conditions without {@code lastTransitionTime}: the sink stamps them), and
     * {@code diagnostics} the load and translation problems.
     */
    void publish(ResourceView view, StatusReport report, List<Diagnostic> diagnostics, long servedVersion);

    /** A snapshot was not served (the last served one stands); only the diagnostics are new. */
    void publishDiagnostics(List<Diagnostic> diagnostics);

    /** A sink that publishes to each of {@code sinks} in order. */
    static StatusSink all(StatusSink... sinks) {
        List<StatusSink> list = List.of(sinks);
        list.forEach(s -> Objects.requireNonNull(s, "sink"));
        return new StatusSink() {
            @Override
            public void publish(ResourceView view, StatusReport report, List<Diagnostic> diagnostics, long servedVersion) {
                list.forEach(s -> s.publish(view, report, diagnostics, servedVersion));
            }

            @Override
            public void publishDiagnostics(List<Diagnostic> diagnostics) {
                list.forEach(s -> s.publishDiagnostics(diagnostics));
            }
        };
    }
}
