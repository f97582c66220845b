/**
 * Where resources come from. Starting points:
 *
 * <ul>
 *   <li>{@link io.archway.source.file.ManifestLoader}: files to v1 fabric8 objects with file and line;
 *       every problem is a {@code Diagnostic}, never an exception.</li>
 *   <li>{@link io.archway.source.ResourceStore}: per-file objects, last good content on a bad reload,
 *       generation and creationTimestamp, immutable views.</li>
 *   <li>{@link io.archway.source.file.DirectorySource}: the watcher ("exists? reload : remove",
 *       debounced).</li>
 * </ul>
 */
package io.archway.source;
