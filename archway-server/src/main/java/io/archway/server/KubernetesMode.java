package io.archway.server;

import io.archway.translate.ResourceKey;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How {@code archway serve --kubernetes} reads the cluster and writes status back.
 *
 * @param client the API server connection (in-cluster config or kubeconfig, as fabric8's
 *     {@code KubernetesClientBuilder} resolves them); owned by the caller, who closes it
 * @param namespaces the namespaces to watch; empty for all
 * @param leaseNamespace where the leader-election Lease lives
 * @param leaseName the Lease's name; replicas with the same name elect one status writer
 * @param identity this replica's name in the Lease (the pod name on a cluster)
 * @param leaseDuration how long a lease lasts without renewal (renewal deadline and retry period
 *     follow from it as client-go's defaults do: 2/3 and 2/15 of it)
 * @param gateway a provisioned data-plane pod's Gateway ({@code serve --kubernetes --gateway NS/NAME}):
 *     the only Gateway served; such a pod only reads (it elects no leader and writes no status, the
 *     controller does); null for the controller
 * @param leaderTasks work that runs only while this replica leads, like status writing (the data-plane
 *     provisioner): started when it wins the Lease, stopped when it loses it and on shutdown
 */
public record KubernetesMode(KubernetesClient client, Set<String> namespaces, String leaseNamespace, String leaseName,
                             String identity, Duration leaseDuration, ResourceKey gateway,
                             List<LeaderTask> leaderTasks) {
    /** The Lease's default name. */
    public static final String DEFAULT_LEASE_NAME = "archway-controller";
    /** client-go's default lease duration. */
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);

    public KubernetesMode {
        Objects.requireNonNull(client, "client");
        namespaces = Set.copyOf(namespaces);
        Objects.requireNonNull(leaseNamespace, "leaseNamespace");
        Objects.requireNonNull(leaseName, "leaseName");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        leaderTasks = List.copyOf(leaderTasks);
    }

    /**
     * Work for the elected leader only. Both callbacks run on the election's thread; {@code stop}
     * must be idempotent (it also runs on shutdown, after the lease is released) and the task must
     * be able to start again after a stop (the replica may lead again).
     */
    public record LeaderTask(String name, Runnable start, Runnable stop) {
        public LeaderTask {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(stop, "stop");
        }
    }

    public KubernetesMode(KubernetesClient client, Set<String> namespaces, String leaseNamespace, String leaseName,
                          String identity, Duration leaseDuration, ResourceKey gateway) {
        this(client, namespaces, leaseNamespace, leaseName, identity, leaseDuration, gateway, List.of());
    }

    /** The controller's mode: every Gateway. */
    public KubernetesMode(KubernetesClient client, Set<String> namespaces, String leaseNamespace, String leaseName,
                          String identity, Duration leaseDuration) {
        this(client, namespaces, leaseNamespace, leaseName, identity, leaseDuration, null);
    }

    /** A data-plane pod's mode: {@code gateway} alone, read-only. */
    public KubernetesMode withGateway(ResourceKey gateway) {
        return new KubernetesMode(client, namespaces, leaseNamespace, leaseName, identity, leaseDuration, gateway,
                leaderTasks);
    }

    /** This mode with {@code task} run while this replica leads. */
    public KubernetesMode withLeaderTask(LeaderTask task) {
        final List<LeaderTask> tasks = new java.util.ArrayList<>(leaderTasks);
        tasks.add(task);
        return new KubernetesMode(client, namespaces, leaseNamespace, leaseName, identity, leaseDuration, gateway, tasks);
    }

    /** Defaults: the Lease {@value #DEFAULT_LEASE_NAME} in the client's namespace, 15 s leases. */
    public static KubernetesMode of(KubernetesClient client, Set<String> namespaces, String identity) {
        String ns = client.getNamespace() != null ? client.getNamespace() : "default";
        return new KubernetesMode(client, namespaces, ns, DEFAULT_LEASE_NAME, identity, DEFAULT_LEASE_DURATION);
    }
}
