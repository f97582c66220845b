package io.archway.client.directory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.admission.Admission;
import io.archway.admission.AdmissionResult;
import io.archway.admission.Violation;
import io.archway.client.ArchwayClient;
import io.archway.client.ArchwayClientException;
import io.archway.client.ClientMode;
import io.archway.client.ConcurrentEditException;
import io.archway.client.InvalidResourceException;
import io.archway.client.ResourceExistsException;
import io.archway.client.ResourceNotFoundException;
import io.archway.client.RouteRef;
import io.archway.client.RuleSelector;
import io.archway.client.StatusProvider;
import io.archway.client.WeightAssigner;
import io.archway.client.WeightUpdate;
import io.archway.kinds.ResourceKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.archway.client.Mappers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone back end: resources are documents in the {@code .yaml}, {@code .yml} and
 * {@code .json} files under a directory (any depth, several documents per YAML file).
 *
 * <p>A write changes only the one document it concerns: the other documents of the file, their
 * order and their comments stay byte-identical. {@link #setWeights} edits just the weight scalars,
 * so even the edited document keeps its comments; {@code update*} re-serialises that document
 * (keeping the comment lines around it). Files are replaced atomically (temp file in the same
 * directory, then rename). Before writing, the file is checked against the hash taken when it was
 * read: if someone else changed it, nothing is written and {@link ConcurrentEditException} is
 * thrown. The resourceVersion of a resource read here is a hash of its document's text, so an
 * {@code update*} based on a stale read is refused the same way.
 */
public final class DirectoryClient implements ArchwayClient {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryClient.class);

    private final Path dir;
    private final StatusProvider statusProvider;
    private final ObjectMapper json = Mappers.json();
    private final Admission admission = Admission.standalone();
    private volatile Consumer<Path> beforeWrite = p -> {};

    public DirectoryClient(Path dir, StatusProvider statusProvider) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.statusProvider = statusProvider == null ? StatusProvider.NONE : statusProvider;
        if (!Files.isDirectory(dir)) {
            throw new ArchwayClientException(dir + " is not a directory");
        }
    }

    /** Test hook: runs after the read and before the write of every change, with the file to be written. */
    void beforeWrite(Consumer<Path> hook) {
        this.beforeWrite = hook;
    }

    /** The directory this client edits. */
    public Path directory() {
        return dir;
    }

    @Override
    public ClientMode mode() {
        return ClientMode.DIRECTORY;
    }

    @Override
    public List<Gateway> listGateways(String namespace) {
        return withStatus(list(Gateway.class, namespace), safe(() -> statusProvider.gateways(namespace)),
                (g, s) -> g.setStatus(s.getStatus()));
    }

    @Override
    public List<HTTPRoute> listHttpRoutes(String namespace) {
        return withStatus(list(HTTPRoute.class, namespace), safe(() -> statusProvider.httpRoutes(namespace)),
                (r, s) -> r.setStatus(s.getStatus()));
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<? extends HasMetadata> listRoutes(io.archway.kinds.ResourceKind kind, String namespace) {
        if (!kind.isRoute()) {
            throw new IllegalArgumentException(kind.kind() + " is not a route kind");
        }
        final Class<HasMetadata> type = (Class<HasMetadata>) kind.modelClass();
        return withStatus(list(type, namespace),
                (List<HasMetadata>) safe(() -> (List<HasMetadata>) statusProvider.routes(kind, namespace)),
                DirectoryClient::copyStatus);
    }

    /** Every fabric8 route class has its own status type behind getStatus/setStatus. */
    private static void copyStatus(HasMetadata into, HasMetadata from) {
        try {
            final java.lang.reflect.Method get = from.getClass().getMethod("getStatus");
            into.getClass().getMethod("setStatus", get.getReturnType()).invoke(into, get.invoke(from));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(into.getClass() + " has no status to copy", e);
        }
    }

    @Override
    public List<GRPCRoute> listGrpcRoutes(String namespace) {
        return withStatus(list(GRPCRoute.class, namespace), safe(() -> statusProvider.grpcRoutes(namespace)),
                (r, s) -> r.setStatus(s.getStatus()));
    }

    @Override
    public Optional<HTTPRoute> getHttpRoute(String namespace, String name) {
        return find(RouteRef.http(namespace, name)).map(d -> toModel(d, HTTPRoute.class));
    }

    @Override
    public HTTPRoute createHttpRoute(HTTPRoute route) {
        return create(route, HTTPRoute.class);
    }

    @Override
    public HTTPRoute updateHttpRoute(HTTPRoute route) {
        return update(route, HTTPRoute.class);
    }

    @Override
    public boolean deleteHttpRoute(String namespace, String name) {
        return delete(RouteRef.http(namespace, name));
    }

    @Override
    public Optional<HasMetadata> getRoute(RouteRef ref) {
        return find(ref).map(d -> toModel(d, ref.kind().modelClass()));
    }

    @Override
    public Optional<GRPCRoute> getGrpcRoute(String namespace, String name) {
        return find(RouteRef.grpc(namespace, name)).map(d -> toModel(d, GRPCRoute.class));
    }

    @Override
    public GRPCRoute createGrpcRoute(GRPCRoute route) {
        return create(route, GRPCRoute.class);
    }

    @Override
    public GRPCRoute updateGrpcRoute(GRPCRoute route) {
        return update(route, GRPCRoute.class);
    }

    @Override
    public boolean deleteGrpcRoute(String namespace, String name) {
        return delete(RouteRef.grpc(namespace, name));
    }

    @Override
    public WeightUpdate setWeights(RouteRef route, RuleSelector rule, Map<String, Integer> weights, boolean allowAllZero) {
        ManifestDocument doc = findForWrite(route);
        Class<? extends HasMetadata> type = route.kind().modelClass();
        HasMetadata expected = treeToModel(doc.tree(), type);
        WeightUpdate update = WeightAssigner.apply(route, expected, rule, weights, allowAllZero);
        if (!update.anyChange()) {
            return update;
        }
        String text = doc.text();
        String edited = WeightScalarEditor.edit(text, update)
                .filter(candidate -> sameModel(candidate, doc.file().json(), expected, type))
                .orElseGet(() -> {
                    LOG.info("{}: cannot edit the weights in place; re-serialising the document", doc.location());
                    return serialise(doc, expected);
                });
        admit(route, edited, doc.file().json());
        write(doc.file(), doc.file().replace(doc.span(), edited));
        return update;
    }

    // ---- reading -------------------------------------------------------------------------------

    private <T extends HasMetadata> List<T> list(Class<T> type, String namespace) {
        ResourceKind kind = ResourceKind.of(type).orElseThrow();
        List<T> out = new ArrayList<>();
        for (ManifestFile f : ManifestScanner.scan(dir)) {
            for (ManifestDocument d : f.documents()) {
                if (isOfKind(d, kind) && (namespace == null || namespace.equals(d.namespace()))) {
                    try {
                        out.add(toModel(d, type));
                    } catch (ArchwayClientException e) {
                        LOG.warn("skipping {}: {}", d.location(), e.getMessage());
                    }
                }
            }
        }
        return out;
    }

    private List<ManifestDocument> findAll(RouteRef ref) {
        return findAll(ref, new ArrayList<>());
    }

    private List<ManifestDocument> findAll(RouteRef ref, List<String> problems) {
        List<ManifestDocument> found = new ArrayList<>();
        for (ManifestFile f : ManifestScanner.scan(dir, problems)) {
            for (ManifestDocument d : f.documents()) {
                if (isOfKind(d, ref.kind()) && d.namespace().equals(ref.namespace()) && d.name().equals(ref.name())) {
                    found.add(d);
                }
            }
        }
        return found;
    }

    private Optional<ManifestDocument> find(RouteRef ref) {
        return findAll(ref).stream().findFirst();
    }

    private ManifestDocument findForWrite(RouteRef ref) {
        List<String> problems = new ArrayList<>();
        List<ManifestDocument> found = findAll(ref, problems);
        if (found.isEmpty()) {
            throw new ResourceNotFoundException(ref + " not found under " + dir
                    + (problems.isEmpty() ? "" : " (unreadable files, which may hold it: " + String.join("; ", problems) + ")"));
        }
        if (found.size() > 1) {
            throw new ArchwayClientException(ref + " is defined more than once: "
                    + String.join(", ", found.stream().map(ManifestDocument::location).toList()));
        }
        return found.get(0);
    }

    private static boolean isOfKind(ManifestDocument d, ResourceKind kind) {
        return d.kind().equals(kind.kind()) && d.tree().path("apiVersion").asText("").startsWith(kind.group() + "/");
    }

    private <T extends HasMetadata> T toModel(ManifestDocument d, Class<T> type) {
        T model = treeToModel(d.tree(), type);
        model.getMetadata().setNamespace(d.namespace());
        model.getMetadata().setResourceVersion(version(d.text()));
        return model;
    }

    private <T> T treeToModel(JsonNode tree, Class<T> type) {
        try {
            return json.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw new ArchwayClientException("cannot read " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    private boolean sameModel(String text, boolean isJson, HasMetadata expected, Class<? extends HasMetadata> type) {
        try {
            ObjectMapper m = isJson ? Mappers.json() : Mappers.yaml();
            Object actual = json.treeToValue(m.readTree(text), type);
            return json.valueToTree(actual).equals(json.valueToTree(expected));
        } catch (Exception e) {
            return false;
        }
    }

    private static String version(String documentText) {
        return AtomicFiles.sha256(documentText).substring(0, 16);
    }

    private static <T> List<T> safe(java.util.function.Supplier<List<T>> statuses) {
        try {
            return statuses.get();
        } catch (RuntimeException e) {
            LOG.warn("no status available: {}", e.getMessage());
            return List.of();
        }
    }

    private static <T extends HasMetadata> List<T> withStatus(List<T> items, List<T> statuses, BiConsumer<T, T> copy) {
        Map<String, T> byKey = new HashMap<>();
        Function<HasMetadata, String> key = h -> Objects.requireNonNullElse(h.getMetadata().getNamespace(), RouteRef.DEFAULT_NAMESPACE)
                + "/" + h.getMetadata().getName();
        for (T s : statuses) {
            if (s.getMetadata() != null) {
                byKey.put(key.apply(s), s);
            }
        }
        for (T item : items) {
            T s = byKey.get(key.apply(item));
            if (s != null) {
                copy.accept(item, s);
            }
        }
        return items;
    }

    // ---- writing -------------------------------------------------------------------------------

    private <T extends HasMetadata> T create(T item, Class<T> type) {
        RouteRef ref = refOf(item);
        if (!findAll(ref).isEmpty()) {
            throw new ResourceExistsException(ref + " already exists under " + dir);
        }
        item.getMetadata().setNamespace(ref.namespace());
        String base = (ref.kind().kind() + "-" + ref.namespace() + "-" + ref.name()).toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9._-]", "_");
        Path file = dir.resolve(base + ".yaml");
        for (int i = 2; Files.exists(file); i++) {
            file = dir.resolve(base + "-" + i + ".yaml");
        }
        String text = serialise(null, item);
        admit(ref, text, false);
        beforeWrite.accept(file);
        AtomicFiles.write(file, null, text);
        return reread(ref, type);
    }

    private <T extends HasMetadata> T update(T item, Class<T> type) {
        RouteRef ref = refOf(item);
        ManifestDocument doc = findForWrite(ref);
        String rv = item.getMetadata().getResourceVersion();
        if (rv != null && !rv.equals(version(doc.text()))) {
            throw new ConcurrentEditException(ref + " changed since resourceVersion " + rv + " was read ("
                    + doc.location() + "); nothing written");
        }
        String text = serialise(doc, item);
        admit(ref, text, doc.file().json());
        write(doc.file(), doc.file().replace(doc.span(), text));
        return reread(ref, type);
    }

    private boolean delete(RouteRef ref) {
        List<ManifestDocument> found = findAll(ref);
        if (found.isEmpty()) {
            return false;
        }
        ManifestDocument doc = findForWrite(ref);
        ManifestFile file = doc.file();
        beforeWrite.accept(file.path());
        if (file.documents().size() == 1) {
            AtomicFiles.delete(file.path(), file.hash());
        } else {
            AtomicFiles.write(file.path(), file.hash(), file.replace(doc.span(), ""));
        }
        return true;
    }

    /**
     * Refuses, before anything is written, a document that the API server would refuse: the CRD's
     * schema and CEL rules, as the directory source will apply them when it reads the file.
     */
    private void admit(RouteRef ref, String documentText, boolean isJson) {
        ObjectNode tree;
        try {
            JsonNode parsed = (isJson ? json : Mappers.yaml()).readTree(documentText);
            if (!(parsed instanceof ObjectNode o)) {
                throw new ArchwayClientException("cannot check " + ref + ": the document is not an object");
            }
            tree = o;
        } catch (JsonProcessingException e) {
            throw new ArchwayClientException("cannot check " + ref + ": " + e.getOriginalMessage(), e);
        }
        String apiVersion = tree.path("apiVersion").asText(ref.kind().apiVersion());
        AdmissionResult result = admission.admit(ref.kind(), apiVersion.substring(apiVersion.indexOf('/') + 1), tree);
        if (!result.admitted()) {
            throw new InvalidResourceException(ref.toString(),
                    result.errors().stream().map(Violation::toString).toList());
        }
    }

    private void write(ManifestFile file, String content) {
        beforeWrite.accept(file.path());
        AtomicFiles.write(file.path(), file.hash(), content);
    }

    private <T extends HasMetadata> T reread(RouteRef ref, Class<T> type) {
        return find(ref).map(d -> toModel(d, type))
                .orElseThrow(() -> new ConcurrentEditException(ref + " vanished right after it was written"));
    }

    /**
     * The text of one document for {@code item}: keeps the original document's leading lines
     * ({@code ---}, comments) and trailing comment lines; drops status; keeps resourceVersion and
     * namespace only where the original had them.
     */
    private String serialise(ManifestDocument original, HasMetadata item) {
        ObjectNode tree = json.valueToTree(item);
        tree.remove("status");
        if (original != null) {
            tree = (ObjectNode) KeyOrder.like(tree, original.tree());
        }
        ObjectNode meta = tree.withObject("metadata");
        JsonNode originalMeta = original == null ? null : original.tree().path("metadata");
        if (originalMeta != null && originalMeta.path("resourceVersion").isTextual()) {
            meta.put("resourceVersion", originalMeta.path("resourceVersion").asText());
        } else {
            meta.remove("resourceVersion");
        }
        if (original != null && !original.hasExplicitNamespace()
                && RouteRef.DEFAULT_NAMESPACE.equals(meta.path("namespace").asText(RouteRef.DEFAULT_NAMESPACE))) {
            meta.remove("namespace");
        }
        try {
            if (original != null && original.file().json()) {
                return json.writerWithDefaultPrettyPrinter().writeValueAsString(tree) + "\n";
            }
            String body = Mappers.yaml().writeValueAsString(tree);
            if (body.startsWith("---\n")) {
                body = body.substring(4);
            }
            if (original == null) {
                return body;
            }
            return leadingTrivia(original.text()) + body + trailingTrivia(original.text());
        } catch (JsonProcessingException e) {
            throw new ArchwayClientException("cannot serialise " + item.getKind() + ": " + e.getOriginalMessage(), e);
        }
    }

    private static String leadingTrivia(String text) {
        int pos = 0;
        while (pos < text.length()) {
            int nl = text.indexOf('\n', pos);
            int end = nl < 0 ? text.length() : nl + 1;
            if (!YamlSplitter.isTrivia(text.substring(pos, end))) {
                break;
            }
            pos = end;
        }
        return text.substring(0, pos);
    }

    private static String trailingTrivia(String text) {
        int end = text.length();
        int cut = end;
        while (cut > 0) {
            int lineEnd = cut;
            int prevNl = text.lastIndexOf('\n', lineEnd - 2);
            int lineStart = prevNl < 0 ? 0 : prevNl + 1;
            String line = text.substring(lineStart, lineEnd);
            boolean columnZeroTrivia = line.isBlank() || line.startsWith("#");
            if (!columnZeroTrivia || lineStart == 0) {
                break;
            }
            cut = lineStart;
        }
        return text.substring(cut);
    }

    private static RouteRef refOf(HasMetadata item) {
        if (item.getMetadata() == null || item.getMetadata().getName() == null) {
            throw new ArchwayClientException("the resource has no metadata.name");
        }
        return RouteRef.of(item);
    }
}
