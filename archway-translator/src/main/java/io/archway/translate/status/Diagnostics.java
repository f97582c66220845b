package io.archway.translate.status;

import io.archway.translate.Diagnostic;
import io.archway.translate.Diagnostic.Severity;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.SourceLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Collects the diagnostics of one translation, each located via {@link ResourceView#locationOf}. */
public final class Diagnostics {
    private final ResourceView view;
    private final List<Diagnostic> diagnostics = new ArrayList<>();

    public Diagnostics(ResourceView view) {
        this.view = view;
    }

    public void error(ResourceKey resource, String field, String message) {
        add(Severity.ERROR, resource, field, message);
    }

    public void warning(ResourceKey resource, String field, String message) {
        add(Severity.WARNING, resource, field, message);
    }

    private void add(Severity severity, ResourceKey resource, String field, String message) {
        diagnostics.add(new Diagnostic(severity, resource, field, message, view.locationOf(resource).orElse(null)));
    }

    /** How many were collected so far: a mark for {@link #since}. */
    public int size() {
        return diagnostics.size();
    }

    /** Those collected after {@code mark} ({@link #size()} earlier), in collection order. */
    public List<Diagnostic> since(int mark) {
        return List.copyOf(diagnostics.subList(mark, diagnostics.size()));
    }

    /**
     * Removes and returns those collected after {@code mark}: a step tried ahead of its place (an
     * edit in place computes a changed route's results before it knows whether it can use them)
     * reports its diagnostics again where they belong.
     */
    public List<Diagnostic> takeSince(int mark) {
        final List<Diagnostic> taken = since(mark);
        diagnostics.subList(mark, diagnostics.size()).clear();
        return taken;
    }

    /**
     * Adds diagnostics collected earlier (a memoized step's) as if reported again now: each at its
     * resource's location in this view, which moves when lines above it change while the object
     * stays the same instance (a file's unchanged document read again).
     */
    public void addAll(List<Diagnostic> earlier) {
        for (Diagnostic d : earlier) {
            final SourceLocation now = view.locationOf(d.resource()).orElse(null);
            diagnostics.add(Objects.equals(now, d.location()) ? d
                    : new Diagnostic(d.severity(), d.resource(), d.field(), d.message(), now));
        }
    }

    /** Everything collected, in a stable order (resource, field, message). */
    public List<Diagnostic> sorted() {
        final List<Diagnostic> out = new ArrayList<>(diagnostics);
        out.sort(java.util.Comparator.comparing(Diagnostic::resource).thenComparing(Diagnostic::field)
                .thenComparing(Diagnostic::message));
        return List.copyOf(out);
    }
}
