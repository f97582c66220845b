/**
 * Kubernetes mode ({@code archway serve --kubernetes}). Starting points:
 *
 * <ul>
 *   <li>{@link io.archway.source.kube.KubernetesSource}: one informer per served kind (per watched
 *       namespace, or all) feeding the {@link io.archway.source.ResourceStore}; no rebuild before all
 *       have synced (those that cannot are named, with their errors, by {@code unsynced()}); a kind
 *       whose CRD is missing is tried again until it appears; events coalesced by
 *       {@link io.archway.source.EventCoalescer} (hold-off, maximum delay). Objects reach the store
 *       without status, managedFields and resourceVersion; the informers of kinds whose status is not
 *       written keep only keys and resourceVersions.</li>
 *   <li>{@link io.archway.source.kube.KubernetesStatusWriter}: the cluster's
 *       {@link io.archway.source.StatusSink}; writes through the status subresource while leading,
 *       newest publication only, only what differs, 409 retried with a fresh read, other
 *       controllers' route parents kept.</li>
 *   <li>{@link io.archway.source.kube.LeaderElection}: fabric8's LeaderElector on a Lease, standing
 *       again after a loss, releasing on close.</li>
 * </ul>
 *
 * <p>Nothing here re-validates objects (the API server admitted them) or stamps generation (the API
 * server owns it). Tests run against fabric8's mock API server in CRUD mode; what only a real
 * cluster shows (RBAC, 410 Gone relists, real creationTimestamps, lease timing under load) is listed
 * in docs/DESIGN.md.
 */
package io.archway.source.kube;
