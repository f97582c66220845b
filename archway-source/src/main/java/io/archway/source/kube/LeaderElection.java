package io.archway.source.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Elects one replica on a {@code coordination.k8s.io/v1} Lease with fabric8's {@link LeaderElector}
 * and keeps competing: a replica that loses the lease stands again (fabric8's elector ends once it
 * loses). {@code onStartLeading} and {@code onStopLeading} run on the elector's thread and must not
 * block. Closing releases the lease, so that another replica takes over without waiting for it to
 * expire.
 *
 * <p>Timings follow client-go's defaults relative to the lease duration: renew deadline 2/3 of it,
 * retry period 2/15 of it (15 s, 10 s, 2 s).
 */
public final class LeaderElection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    private final KubernetesClient client;
    private final LeaderElectionConfig config;
    private final ExecutorService executor;
    private volatile boolean closed;
    private volatile boolean leader;
    private volatile CompletableFuture<?> running;
    private volatile LeaderElector elector;

    public LeaderElection(KubernetesClient client, String namespace, String leaseName, String identity,
                          Duration leaseDuration, Runnable onStartLeading, Runnable onStopLeading) {
        this.client = Objects.requireNonNull(client, "client");
        Objects.requireNonNull(onStartLeading, "onStartLeading");
        Objects.requireNonNull(onStopLeading, "onStopLeading");
        LeaderCallbacks callbacks = new LeaderCallbacks(() -> {
            leader = true;
            LOG.info("{} leads (Lease {}/{})", identity, namespace, leaseName);
            onStartLeading.run();
        }, () -> {
            leader = false;
            LOG.info("{} no longer leads (Lease {}/{})", identity, namespace, leaseName);
            onStopLeading.run();
        }, newLeader -> LOG.info("Lease {}/{} held by {}", namespace, leaseName, newLeader));
        this.config = new LeaderElectionConfig(new LeaseLock(namespace, leaseName, identity), leaseDuration,
                leaseDuration.multipliedBy(2).dividedBy(3), leaseDuration.multipliedBy(2).dividedBy(15), callbacks,
                true, leaseName);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "archway-leader-election");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts competing for the lease (returns at once). */
    public void start() {
        run();
    }

    private void run() {
        if (closed) {
            return;
        }
        LeaderElector e = new LeaderElectorBuilder(client, executor).withConfig(config).build();
        elector = e;
        CompletableFuture<?> f = e.start();
        running = f;
        f.whenComplete((v, t) -> {
            if (!closed) {
                // lost the lease (or the API server failed us): stand again after a retry period
                CompletableFuture.runAsync(this::run, CompletableFuture.delayedExecutor(
                        config.getRetryPeriod().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS, executor));
            }
        });
    }

    /** True while this replica holds the lease. */
    public boolean leader() {
        return leader;
    }

    @Override
    public void close() {
        closed = true;
        CompletableFuture<?> f = running;
        if (f != null) {
            f.cancel(true);
        }
        LeaderElector e = elector;
        if (e != null) {
            try {
                e.release(); // now, not when the lease expires: the next leader takes over at once
            } catch (RuntimeException ex) {
                LOG.warn("could not release the lease: {}", ex.getMessage());
            }
        }
        executor.shutdown();
    }
}
