package io.archway.source;

import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceKey;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The result of reading one manifest file.
 *
 * @param file the file as shown to operators (the configured directory joined with the relative path)
 * @param objects the objects we serve, in document order (empty when {@code errors} is not)
 * @param errors problems that make the whole file unusable; the store then keeps the file's last good objects
 * @param warnings problems that do not reject the file (e.g. a Gateway API kind we do not serve yet)
 * @param unserved count per kind of Gateway API objects we do not serve yet (BackendLBPolicy, ...)
 * @param skipped number of documents of other kinds (Deployment, Pod, ...) ignored
 * @param refusals why objects of the file were refused by admission (the API server's answer to an
 *        invalid object: a CRD schema or CEL rule violation), one per violation, each naming the refused
 *        object; a refused object is not in {@code objects}, and the store keeps serving its last good
 *        version, while the file's other objects load
 */
public record LoadedFile(String file, List<SourcedObject> objects, List<Diagnostic> errors,
                         List<Diagnostic> warnings, Map<String, Integer> unserved, int skipped,
                         List<Diagnostic> refusals) {
    public LoadedFile {
        Objects.requireNonNull(file, "file");
        objects = List.copyOf(Objects.requireNonNull(objects, "objects"));
        errors = List.copyOf(Objects.requireNonNull(errors, "errors"));
        warnings = List.copyOf(Objects.requireNonNull(warnings, "warnings"));
        unserved = Map.copyOf(Objects.requireNonNull(unserved, "unserved"));
        refusals = List.copyOf(Objects.requireNonNull(refusals, "refusals"));
    }

    /** A result without refusals. */
    public LoadedFile(String file, List<SourcedObject> objects, List<Diagnostic> errors, List<Diagnostic> warnings,
            Map<String, Integer> unserved, int skipped) {
        this(file, objects, errors, warnings, unserved, skipped, List.of());
    }

    /** The objects admission refused, in file order, each once. */
    public Set<ResourceKey> refused() {
        Set<ResourceKey> keys = new LinkedHashSet<>();
        refusals.forEach(d -> keys.add(d.resource()));
        return keys;
    }

    /** True when the file parsed: its objects may replace the previous ones. */
    public boolean ok() {
        return errors.isEmpty();
    }
}
