package io.archway.client.canary;

import io.archway.kinds.ResourceKind;
import io.archway.client.RouteRef;
import java.time.Instant;
import java.util.List;

/**
 * The persisted progress of a canary run, readable by {@code canary status} from another process.
 *
 * @param route        the route, as {@code Kind namespace/name}
 * @param routeKind    the route's kind
 * @param namespace    the route's namespace
 * @param name         the route's name
 * @param stable       the stable backend
 * @param canary       the canary backend
 * @param steps        the plan's steps
 * @param step         the current step position (0-based; -1 before the first)
 * @param canaryWeight the canary's current percentage
 * @param phase        running, or how it ended
 * @param reason       why it ended (or the latest progress line while running)
 * @param startedAt    when the run began
 * @param updatedAt    when this state was written
 * @param pid          the runner's process id
 * @param observations every observation so far
 */
public record CanaryState(String route, ResourceKind routeKind, String namespace, String name, String stable, String canary,
                          List<Integer> steps, int step, int canaryWeight, Phase phase, String reason,
                          Instant startedAt, Instant updatedAt, long pid, List<StepObservation> observations) {

    /** Running, or the outcome. */
    public enum Phase { RUNNING, PROMOTED, ROLLED_BACK, ABORTED }

    public CanaryState {
        steps = steps == null ? List.of() : List.copyOf(steps);
        observations = observations == null ? List.of() : List.copyOf(observations);
    }

    /** The route reference. */
    public RouteRef routeRef() {
        return new RouteRef(routeKind, namespace, name);
    }

    /** Whether the state says running but the runner process is gone (it crashed or was killed). */
    public boolean stale() {
        return phase == Phase.RUNNING && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }
}
