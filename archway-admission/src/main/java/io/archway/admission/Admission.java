package io.archway.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.bundle.Cel;
import io.archway.kinds.ResourceKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Admission as the Kubernetes API server does it for the kinds of {@link ResourceKind} that have a
 * packaged CRD ({@link CrdCatalog}): an object is pruned, defaulted and validated against the schema
 * of the CRD version its {@code apiVersion} names, then checked by that version's CEL rules. The
 * result is the object the API server would store, or the violations it would answer with.
 *
 * <p>A version the CRD does not serve (the seeds' {@code v1alpha2} HTTPRoute, which Archway still
 * reads by converting it to v1) is admitted by the schema of the kind's preferred version, the one
 * it is read at. Kinds without a CRD (Service, Secret, ...) are admitted unchanged.
 *
 * <p>Each CRD version's schema is compiled once, on first use, and reused (its CEL rules when first
 * evaluated); thread-safe.
 */
public final class Admission {
    private static final Admission STANDARD = new Admission(CrdChannel.STANDARD);
    private static final Admission EXPERIMENTAL = new Admission(CrdChannel.EXPERIMENTAL);

    private final CrdChannel channel;
    private final Cel cel = KubernetesCel.environment();
    /** Each kind's served versions' schemas ({@link CrdCatalog#servedSchemas}), read once. */
    private final ConcurrentMap<ResourceKind, Optional<ObjectNode>> crds = new ConcurrentHashMap<>();
    /** The compiled schemas by kind and version, e.g. {@code HTTP_ROUTE/v1} (package-private for tests). */
    final ConcurrentMap<String, CrdVersionSchema> schemas = new ConcurrentHashMap<>();

    /** Package-private for tests; everyone else shares {@link #of}'s. */
    Admission(CrdChannel channel) {
        this.channel = channel;
    }

    /** The shared admission of {@code channel} (its compiled schemas are shared too). */
    public static Admission of(CrdChannel channel) {
        return channel == CrdChannel.STANDARD ? STANDARD : EXPERIMENTAL;
    }

    /** The default: the experimental channel, which serves every version and field Archway reads. */
    public static Admission standalone() {
        return EXPERIMENTAL;
    }

    public CrdChannel channel() {
        return channel;
    }

    /**
     * Admits {@code object} (not modified) of {@code kind} written at API version {@code version}
     * (without group, e.g. {@code v1beta1}).
     */
    public AdmissionResult admit(ResourceKind kind, String version, ObjectNode object) {
        Objects.requireNonNull(object, "object");
        Optional<CrdVersionSchema> schema = schema(kind, version);
        if (schema.isEmpty()) {
            return new AdmissionResult(object, List.of());
        }
        return schema.get().admit(object, kind.namespaced());
    }

    /** True when {@code kind} has a CRD in this channel, so that {@link #admit} checks it. */
    public boolean checks(ResourceKind kind) {
        return schema(kind, kind.preferredVersion()).isPresent();
    }

    /** The number of CEL rules of {@code kind} at {@code version} (0 without a CRD). */
    public int ruleCount(ResourceKind kind, String version) {
        return schema(kind, version).map(s -> {
            List<CompiledRule> rules = new ArrayList<>();
            s.root().collectRules(rules);
            return rules.size();
        }).orElse(0);
    }

    /**
     * Reads and compiles {@code kinds}' CRD schemas (preferred versions) now, e.g. on a second thread
     * while the server starts (issue 14: the CRD set-up was 17 % of the main thread's start-up), so
     * that the first admission finds them ready. An admission of a kind being prepared waits for it
     * (the maps' {@code computeIfAbsent}) rather than doing it twice.
     */
    public void prepare(List<ResourceKind> kinds) {
        kinds.forEach(k -> schema(k, k.preferredVersion()));
    }

    Optional<CrdVersionSchema> schema(ResourceKind kind, String version) {
        Optional<ObjectNode> crd = crds.computeIfAbsent(kind, k -> CrdCatalog.servedSchemas(channel, k));
        if (crd.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode served = crd.get();
        String name = served.has(version) ? version : kind.preferredVersion();
        if (!served.has(name)) {
            return Optional.empty();
        }
        return Optional.of(schemas.computeIfAbsent(kind.name() + "/" + name,
                k -> new CrdVersionSchema(name, served.get(name), cel)));
    }
}
