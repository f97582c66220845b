package io.archway.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.kinds.ResourceKind;
import io.archway.source.KubeJson;
import io.archway.source.ObjectStatus;
import io.archway.source.StatusSink;
import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.StatusReport;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The standalone status writer: keeps copies of the objects of every kind of {@link StatusView#KINDS}
 * with the translator's status set, and stamps each condition's {@code lastTransitionTime} - the
 * translator leaves it null because only the writer knows the previous value. A condition keeps its
 * previous time while its status stays the same ({@link ObjectStatus#stampTransitions}).
 *
 * <p>{@link #publish} is called from the rebuild loop only; readers get deep copies.
 */
final class StandaloneStatusView implements StatusView, StatusSink {
    private static final Comparator<HasMetadata> ORDER = Comparator
            .comparing((HasMetadata o) -> Objects.toString(o.getMetadata().getNamespace(), ""))
            .thenComparing(o -> o.getMetadata().getName());

    private final Clock clock;
    private volatile Published published = new Published(Map.of(), List.of(), 0);
    /** object -> the status last published (with its transition times); replaced on every publish. */
    private Map<ResourceKey, JsonNode> lastStatus = new HashMap<>();

    private record Published(Map<ResourceKind, List<HasMetadata>> byKind, List<Diagnostic> diagnostics, long servedVersion) {
    }

    StandaloneStatusView(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public List<HasMetadata> list(String kind, String namespace) {
        ResourceKind k = StatusView.kind(kind).orElseThrow(() -> new IllegalArgumentException("unknown kind " + kind));
        List<HasMetadata> out = new ArrayList<>();
        for (HasMetadata o : published.byKind().getOrDefault(k, List.of())) {
            if (namespace == null || k.clusterScoped() || namespace.equals(o.getMetadata().getNamespace())) {
                out.add(KubeJson.deepCopy(o));
            }
        }
        return out;
    }

    @Override
    public List<Diagnostic> diagnostics() {
        return published.diagnostics();
    }

    @Override
    public long servedVersion() {
        return published.servedVersion();
    }

    /** Publishes a translation that the data plane now serves. */
    @Override
    public synchronized void publish(ResourceView view, StatusReport report, List<Diagnostic> diagnostics,
                                     long servedVersion) {
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        Map<ResourceKey, JsonNode> nextStatus = new HashMap<>();
        Map<ResourceKind, List<HasMetadata>> byKind = new HashMap<>();
        for (ResourceKind kind : KINDS) {
            List<HasMetadata> copies = new ArrayList<>();
            for (HasMetadata o : view.<HasMetadata>list(kind)) {
                ResourceKey key = new ResourceKey(kind.kind(), o.getMetadata().getNamespace(), o.getMetadata().getName());
                ObjectNode tree = KubeJson.mapper().valueToTree(o);
                tree.remove("status");
                ObjectStatus.of(report, kind, key).ifPresent(st -> {
                    ObjectStatus.stampTransitions(st, lastStatus.get(key), now);
                    nextStatus.put(key, st);
                    tree.set("status", st);
                });
                copies.add(KubeJson.mapper().convertValue(tree, kind.modelClass()));
            }
            copies.sort(ORDER);
            byKind.put(kind, List.copyOf(copies));
        }
        lastStatus = nextStatus;
        published = new Published(Map.copyOf(byKind), List.copyOf(diagnostics), servedVersion);
    }

    /** Replaces the diagnostics only (the served state did not change, e.g. a rejected snapshot). */
    @Override
    public synchronized void publishDiagnostics(List<Diagnostic> diagnostics) {
        Published p = published;
        published = new Published(p.byKind(), List.copyOf(diagnostics), p.servedVersion());
    }
}
