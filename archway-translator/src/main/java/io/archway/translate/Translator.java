package io.archway.translate;

import io.archway.snapshot.RoutingSnapshot;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Resources in, routing snapshot and status out. A pure function: no I/O, no clock, no mutation
 * of its input; the same view and version always give the same translation.
 */
public final class Translator {
    private final TranslatorOptions options;

    public Translator(TranslatorOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public TranslatorOptions options() {
        return options;
    }

    /** Translates a view; {@code version} becomes the snapshot version. */
    public Translation translate(ResourceView view, long version) {
        Objects.requireNonNull(view, "view");
        // Placeholder until the binding phases land: serves nothing.
        return new Translation(new RoutingSnapshot(version, List.of()),
                new StatusReport(Map.of(), Map.of(), Map.of()), List.of());
    }
}
