package io.archway.server;

import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceView;
import io.archway.translate.Translation;
import java.time.Clock;
import java.util.List;

/** A {@link StatusView} of one offline translation (as {@code archway validate} shows it). */
public final class OfflineStatus {
    private OfflineStatus() {
    }

    /**
     * @param loadDiagnostics problems found while reading the files, reported before the translator's
     */
    public static StatusView of(ResourceView view, Translation translation, List<Diagnostic> loadDiagnostics,
                                Clock clock) {
        StandaloneStatusView status = new StandaloneStatusView(clock);
        List<Diagnostic> all = new java.util.ArrayList<>(loadDiagnostics);
        all.addAll(translation.diagnostics());
        status.publish(view, translation.status(), all, translation.snapshot().version());
        return status;
    }
}
