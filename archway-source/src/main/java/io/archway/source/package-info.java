/**
 * Where resources come from. Starting points:
 *
 * <ul>
 *   <li>{@link io.archway.source.file.ManifestLoader}: files to v1 fabric8 objects with file and line;
 *       every problem is a {@code Diagnostic}, never an exception.</li>
 *   <li>{@link io.archway.source.ResourceStore}: objects by key, object-level upserts and deletes,
 *       immutable views; every source feeds it.</li>
 *   <li>{@link io.archway.source.file.ManifestFiles}: the file layer on the store: per-file objects,
 *       last good content on a bad reload, generation and creationTimestamp.</li>
 *   <li>{@link io.archway.source.StatusSink}: where the rebuild loop publishes status;
 *       {@link io.archway.source.ObjectStatus}: status as JSON, the lastTransitionTime rule.</li>
 *   <li>{@code io.archway.source.kube}: the Kubernetes source, status writer and leader election.</li>
 *   <li>{@link io.archway.source.file.DirectorySource}: the watcher ("exists? reload : remove",
 *       debounced).</li>
 *   <li>{@link io.archway.source.EventCoalescer}: the one debounce of both sources (hold-off,
 *       maximum delay; a leading edge for the directory).</li>
 * </ul>
 */
package io.archway.source;
