package io.archway.source.file;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.archway.admission.Admission;
import io.archway.admission.AdmissionResult;
import io.archway.admission.Violation;
import io.archway.kinds.ResourceKind;
import io.archway.source.KubeJson;
import io.archway.source.LoadedFile;
import io.archway.source.SourcedObject;
import io.archway.source.SpecDigest;
import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceKey;
import io.archway.translate.SourceLocation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads manifest files (.yaml, .yml, .json) into v1 fabric8 objects, recording the file and line
 * of each document. Never throws for bad input: every problem becomes a {@link Diagnostic} naming
 * file, line and, when known, the field.
 *
 * <p>The kinds, their groups, accepted versions and top-level fields come from {@link ResourceKind}.
 * Documents at an older version (v1beta1, v1alpha2) are converted by re-reading their JSON as the v1
 * class. Kinds we do not read (Deployment, Pod, ...) are skipped; Gateway API kinds we do not
 * serve yet (BackendLBPolicy, ...) are counted and reported as warnings.
 *
 * <p>Every object of a kind with a CRD goes through {@link Admission} as the API server would admit
 * it (unknown fields pruned, defaults applied, the CRD's schema and CEL rules checked): an invalid
 * object is refused as a whole ({@link LoadedFile#refusals()}, each naming file, the line of the field,
 * the field path and the CRD's message) while the file's other objects load.
 */
public final class ManifestLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ManifestLoader.class);

    private static final Pattern DOC_START = Pattern.compile("^---(?:[ \\t]+(.*))?$");
    private static final Pattern DOC_END = Pattern.compile("^\\.\\.\\.\\s*$");
    private static final Pattern EMPTY_PARENT = Pattern.compile("^(metadata|spec|status)[ \\t]*:[ \\t]*(#.*)?$");
    private static final Pattern TOP_KEY = Pattern.compile("^([A-Za-z0-9_\"'-]+)[ \\t]*:");

    private final YAMLMapper yaml;
    private final ObjectMapper json;
    private final ObjectMapper typed;
    private final Admission admission;
    /**
     * What each file's documents gave when it was last read, by their text: a document read again
     * unchanged gives the same objects and diagnostics, so it is not parsed and admitted again
     * (issue 14: with 10,000 routes in one file, an edit to one went live after 2.5-3.7 s, every
     * document parsed again). Keyed by the text itself (about 0.5 KiB per route kept): a SHA-256 of
     * it, 32 bytes, was computed at every start on cold code, and a start with one route and 100
     * Services took 1.05x the CPU (docs/PERFORMANCE.md, "A document read again, session 12").
     * Replaced per file at each read, dropped by {@link #forget}.
     */
    private final Map<String, Map<String, ParsedDocument>> lastRead = new ConcurrentHashMap<>();

    /** A loader that admits objects as a cluster with the experimental-channel CRDs would. */
    public ManifestLoader() {
        this(Admission.standalone());
    }

    /** A loader that admits objects by {@code admission}'s CRDs (its channel). */
    public ManifestLoader(Admission admission) {
        this.admission = Objects.requireNonNull(admission, "admission");
        YAMLFactory factory = YAMLFactory.builder().build();
        this.yaml = new YAMLMapper(factory);
        this.yaml.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        this.json = new ObjectMapper();
        this.json.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        this.typed = KubeJson.mapper();
    }

    /** True for the files we read: .yaml, .yml and .json, not hidden (editor swap and lock files are). */
    public static boolean isManifest(Path file) {
        Path name = file.getFileName();
        if (name == null) {
            return false;
        }
        String n = name.toString();
        if (n.startsWith(".")) {
            return false;
        }
        String lower = n.toLowerCase(Locale.ROOT);
        return lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json");
    }

    /**
     * Every manifest under {@code dir}, recursively, sorted by path. Hidden directories (e.g. the
     * {@code ..data} links of a mounted ConfigMap) are not entered.
     */
    public static List<Path> listManifests(Path dir) throws IOException {
        // Walk the real directory when dir itself is a symbolic link, but name files below dir.
        Path root = Files.isSymbolicLink(dir) ? dir.toRealPath() : dir;
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> !hiddenBelow(root, p)).filter(Files::isRegularFile)
                    .filter(ManifestLoader::isManifest).map(p -> root == dir ? p : dir.resolve(root.relativize(p)))
                    .sorted().toList();
        }
    }

    static boolean hiddenBelow(Path dir, Path p) {
        Path rel = dir.relativize(p);
        for (Path part : rel) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** Loads every manifest under {@code dir}; a file that cannot be read becomes a result with an error. */
    public List<LoadedFile> loadDirectory(Path dir) throws IOException {
        return loadFiles(listManifests(dir), dir);
    }

    /**
     * Loads one file; it is named in diagnostics as {@code file} relative to the current
     * directory when {@code dir} was given relative.
     */
    public LoadedFile loadFile(Path file, Path dir) {
        return loadFiles(List.of(file), dir).get(0);
    }

    /**
     * Loads {@code files} (each named as {@link #loadFile} names it), one result per file in their
     * order. The documents of all of them are parsed as one parallel stream, not a stream per file: a
     * thread done with its own files takes documents of any other, where a stream per file left a
     * start-up's one large file (a Service per backend) to a single thread while the others waited
     * for it (issue 14, docs/PERFORMANCE.md "Start-up, session 11"). Each document's results are then
     * replayed into its file's in document order, so that they are those of a sequential read.
     */
    public List<LoadedFile> loadFiles(List<Path> files, Path dir) {
        return loadFiles(files, dir, file -> { });
    }

    /** As {@link #loadFiles(List, Path)}, telling {@code onRead} of each file once its content is read. */
    public List<LoadedFile> loadFiles(List<Path> files, Path dir, Consumer<Path> onRead) {
        return parseAll(files.parallelStream().map(file -> {
            Documents docs = read(file, dir);
            onRead.accept(file);
            return docs;
        }).toList());
    }

    /** Parses the content of one file named {@code file}. */
    public LoadedFile parse(String file, String content) {
        return parseAll(List.of(documents(file, content))).get(0);
    }

    private Documents read(Path file, Path dir) {
        String display = displayName(file, dir);
        try {
            return documents(display, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            Diagnostic d = new Diagnostic(Diagnostic.Severity.ERROR, fileKey(display), "",
                    "cannot read file: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                    new SourceLocation(display, 0));
            return new Documents(display, List.of(), new LoadedFile(display, List.of(), List.of(d), List.of(), Map.of(), 0));
        }
    }

    static String displayName(Path file, Path dir) {
        if (dir == null) {
            return file.toString();
        }
        return file.isAbsolute() == dir.isAbsolute() && file.startsWith(dir) ? file.toString()
                : dir.resolve(dir.toAbsolutePath().relativize(file.toAbsolutePath())).toString();
    }

    /** A file's documents, or (unreadable) the result that says why there are none. */
    private record Documents(String file, List<Doc> docs, LoadedFile unreadable) {
    }

    /** One document of the {@code index}-th file. */
    private record FileDocument(int index, Doc doc) {
    }

    private static Documents documents(String file, String content) {
        if (content.startsWith("\uFEFF")) {
            content = content.substring(1);
        }
        if (file.toLowerCase(Locale.ROOT).endsWith(".json")) {
            Doc doc = new Doc(content, 1, firstContentLine(content.split("\n", -1), 0, 1), true);
            return new Documents(file, doc.contentLine > 0 ? List.of(doc) : List.of(), null);
        }
        return new Documents(file, split(content), null);
    }

    /**
     * Forgets what {@code file} (as {@link LoadedFile#file()} names it) gave when last read: it is
     * gone, and its objects must not be kept alive here.
     */
    public void forget(String file) {
        lastRead.remove(file);
    }

    /** Whether what {@code file} gave when last read is kept (for tests). */
    boolean remembers(String file) {
        return lastRead.containsKey(file);
    }

    private List<LoadedFile> parseAll(List<Documents> files) {
        List<FileDocument> all = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            for (Doc doc : files.get(i).docs()) {
                all.add(new FileDocument(i, doc));
            }
        }
        List<ParsedDocument> parsed = all.parallelStream().map(d -> {
            String file = files.get(d.index()).file();
            ParsedDocument before = lastRead.getOrDefault(file, Map.of()).get(d.doc().text());
            if (before != null && before.replayableAt(d.doc().firstLine())) {
                return before;
            }
            DocumentAcc part = new DocumentAcc(file);
            parseDocument(d.doc(), part);
            return new ParsedDocument(d.doc().text(), part.parsed(), d.doc().firstLine());
        }).toList();
        List<LoadedFile> out = new ArrayList<>(files.size());
        int next = 0;
        for (int i = 0; i < files.size(); i++) {
            Documents f = files.get(i);
            if (f.unreadable() != null) {
                out.add(f.unreadable());
                lastRead.remove(f.file());
                continue;
            }
            Acc acc = new Acc(f.file());
            Map<String, ParsedDocument> read = new HashMap<>();
            for (Doc doc : f.docs()) {
                ParsedDocument p = parsed.get(next++);
                p.acc().replayInto(acc, doc.firstLine() - p.firstLine());
                read.put(p.text(), p);
            }
            lastRead.put(f.file(), Map.copyOf(read)); // compact: most files hold one document
            out.add(acc.result());
        }
        return out;
    }

    /**
     * What a document gave when read at {@code firstLine}. Its objects and diagnostics depend on its
     * text alone but for their lines, which move with the lines above it: they are shifted, unless a
     * diagnostic's message may name a line itself, and then the document is read again.
     */
    private record ParsedDocument(String text, DocumentAcc acc, int firstLine) {
        boolean replayableAt(int line) {
            return line == firstLine || !acc.hasDiagnostics();
        }
    }

    // ---- splitting -------------------------------------------------------------------------

    private record Doc(String text, int firstLine, int contentLine, boolean json) {
    }

    /** Splits a YAML stream into documents at column-0 {@code ---} markers, keeping line numbers. */
    static List<Doc> split(String content) {
        String[] lines = content.split("\r?\n", -1);
        List<Doc> docs = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int curStart = 1;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            // The patterns only for the lines that can be markers: every line of a file passes here,
            // cold at start-up (docs/PERFORMANCE.md, start-up, session 9).
            Matcher m = line.startsWith("---") ? DOC_START.matcher(line) : null;
            boolean start = m != null && m.matches();
            if (start || line.startsWith("...") && DOC_END.matcher(line).matches()) {
                addDoc(docs, cur.toString(), curStart);
                cur.setLength(0);
                curStart = i + 1;
                String rest = start ? m.group(1) : null;
                if (rest != null && !rest.isBlank() && !rest.trim().startsWith("#")) {
                    cur.append(rest);
                }
                cur.append('\n');
                continue;
            }
            if (line.startsWith("%") && cur.toString().isBlank()) {
                cur.append('\n'); // a directive such as %YAML 1.2
                continue;
            }
            cur.append(line).append('\n');
        }
        addDoc(docs, cur.toString(), curStart);
        return docs;
    }

    private static void addDoc(List<Doc> docs, String text, int start) {
        String[] lines = text.split("\n", -1);
        int content = firstContentLine(lines, 0, start);
        if (content > 0) {
            docs.add(new Doc(text, start, content, false));
        }
    }

    private static int firstContentLine(String[] lines, int from, int firstLineNumber) {
        for (int i = from; i < lines.length; i++) {
            String t = lines[i].trim();
            if (!t.isEmpty() && !t.startsWith("#")) {
                return firstLineNumber + i;
            }
        }
        return -1;
    }

    // ---- one document ----------------------------------------------------------------------

    private void parseDocument(Doc doc, DocumentAcc acc) {
        boolean isJson = doc.json;
        if (!isJson && flattened(doc, acc)) {
            return;
        }
        JsonNode node;
        try {
            node = (isJson ? json : yaml).readTree(doc.text);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            int line = loc != null && loc.getLineNr() > 0 ? doc.firstLine + loc.getLineNr() - 1 : doc.contentLine;
            acc.error(guessKey(doc.text.split("\n", -1)), "", "invalid " + (isJson ? "JSON" : "YAML") + ": "
                    + cleanSyntaxMessage(e), line);
            return;
        } catch (RuntimeException e) {
            acc.error(null, "", "invalid " + (isJson ? "JSON" : "YAML") + ": " + e.getMessage(), doc.contentLine);
            return;
        }
        if (node == null || node.isNull() || node.isMissingNode()) {
            return; // an empty document
        }
        readObject(node, doc, doc.contentLine, acc, "");
    }

    /**
     * Detects YAML whose indentation was flattened (typical after copying from a web page):
     * {@code spec:} with nothing nested, directly followed by an unindented field.
     */
    private boolean flattened(Doc doc, DocumentAcc acc) {
        String[] lines = doc.text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (!line.startsWith("metadata") && !line.startsWith("spec") && !line.startsWith("status")) {
                continue; // what EMPTY_PARENT starts with, checked without a matcher
            }
            Matcher m = EMPTY_PARENT.matcher(line);
            if (!m.matches()) {
                continue;
            }
            int next = firstContentLine(lines, i + 1, 0);
            if (next < 0) {
                continue;
            }
            String nextLine = lines[next];
            Matcher k = TOP_KEY.matcher(nextLine);
            if (!k.find()) {
                continue;
            }
            String key = k.group(1);
            if (ResourceKind.COMMON_TOP_LEVEL_FIELDS.contains(key)) {
                continue; // e.g. "status:" followed by "---" or a legitimately empty field
            }
            String parent = m.group(1);
            acc.error(guessKey(lines), parent, "'" + parent + ":' has no indented fields, but the next line (line "
                    + (doc.firstLine + next) + ") '" + nextLine.trim() + "' starts at column 1. The indentation of this"
                    + " document looks flattened (common when YAML is copied from a web page): indent the fields that"
                    + " belong under '" + parent + ":' by two spaces.", doc.firstLine + i);
            return true;
        }
        return false;
    }

    private static final Pattern KIND_LINE = Pattern.compile("^kind[ \\t]*:[ \\t]*[\"']?([A-Za-z0-9]+)");
    private static final Pattern NAME_LINE = Pattern.compile("^[ \\t]*name[ \\t]*:[ \\t]*[\"']?([A-Za-z0-9.-]+)");
    private static final Pattern NAMESPACE_LINE = Pattern.compile("^[ \\t]*namespace[ \\t]*:[ \\t]*[\"']?([A-Za-z0-9.-]+)");

    /** Kind and name read from the raw lines of a document that cannot be parsed (best effort). */
    private static ResourceKey guessKey(String[] lines) {
        String kind = null;
        String name = null;
        String ns = "";
        for (String line : lines) {
            Matcher k = KIND_LINE.matcher(line);
            if (kind == null && k.find()) {
                kind = k.group(1);
            }
            Matcher n = NAME_LINE.matcher(line);
            if (name == null && n.find()) {
                name = n.group(1);
            }
            Matcher s = NAMESPACE_LINE.matcher(line);
            if (ns.isEmpty() && s.find()) {
                ns = s.group(1);
            }
        }
        return new ResourceKey(kind == null ? "Document" : kind, ns, name == null ? "<unnamed>" : name);
    }

    private void readObject(JsonNode node, Doc doc, int line, DocumentAcc acc, String pathPrefix) {
        if (!node.isObject()) {
            acc.error(null, pathPrefix, "expected a Kubernetes object (a mapping with apiVersion and kind), found "
                    + node.getNodeType().name().toLowerCase(Locale.ROOT), line);
            return;
        }
        ObjectNode obj = (ObjectNode) node;
        String kind = text(obj, "kind");
        String apiVersion = text(obj, "apiVersion");
        String name = obj.path("metadata").path("name").asText(null);
        if (kind == null || kind.isBlank()) {
            acc.error(null, pathPrefix + "kind", "missing 'kind'", line);
            return;
        }
        if (apiVersion == null || apiVersion.isBlank()) {
            acc.error(partialKey(kind, obj), pathPrefix + "apiVersion", "missing 'apiVersion'", line);
            return;
        }
        if ("List".equals(kind) || kind.endsWith("List") && obj.has("items")) {
            JsonNode items = obj.path("items");
            if (!items.isArray()) {
                acc.error(null, pathPrefix + "items", "a List must have an 'items' array", line);
                return;
            }
            int i = 0;
            for (JsonNode item : items) {
                readObject(item, doc, line, acc, pathPrefix + "items[" + i++ + "].");
            }
            return;
        }
        int slash = apiVersion.lastIndexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
        ResourceKind served = ResourceKind.of(group, kind).filter(ResourceKind::servedByArchway).orElse(null);
        if (served == null) {
            if (ResourceKind.GATEWAY_GROUP.equals(group)) {
                acc.unserved(kind);
                acc.warning(partialKey(kind, obj), "", kind + " is not served by Archway yet; ignored", line);
            } else {
                acc.skip();
                LOG.debug("{}:{}: skipping {} {} ({} is not read by Archway)", acc.file, line, apiVersion, name, kind);
            }
            return;
        }
        if (!served.accepts(version)) {
            acc.error(partialKey(kind, obj), pathPrefix + "apiVersion", "unsupported apiVersion '" + apiVersion + "' for "
                    + kind + " (expected " + served.apiVersion() + ")", line);
            return;
        }
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!served.allowsTopLevelField(field)) {
                int at = pathPrefix.isEmpty() ? lineOfTopKey(doc, field, line) : line;
                acc.error(partialKey(kind, obj), pathPrefix + field, "unknown top-level field '" + field + "' in " + kind
                        + "; is it mis-indented (it probably belongs under 'spec:' or 'metadata:')?", at);
                return;
            }
        }
        if (name == null || name.isBlank()) {
            acc.error(new ResourceKey(kind, "", "<unnamed>"), pathPrefix + "metadata.name",
                    "metadata.name is required", line);
            return;
        }
        ObjectNode v1 = admit(served, version, obj, doc, line, acc, pathPrefix);
        if (v1 == null) {
            return;
        }
        v1.put("apiVersion", served.apiVersion());
        HasMetadata value;
        try {
            value = typed.treeToValue(v1, served.modelClass());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            JsonMappingException jme = e instanceof JsonMappingException j ? j
                    : e.getCause() instanceof JsonMappingException j2 ? j2 : null;
            String field = jme == null ? "" : fieldPath(jme);
            int at = pathPrefix.isEmpty() ? locate(doc, served.modelClass(), line) : line;
            String msg = jme != null ? jme.getOriginalMessage() : e.getMessage();
            acc.error(partialKey(kind, obj), pathPrefix + field, cleanMappingMessage(msg), at);
            return;
        }
        if (served.namespaced()) {
            String ns = value.getMetadata().getNamespace();
            if (ns == null || ns.isBlank()) {
                value.getMetadata().setNamespace("default");
            }
        } else {
            value.getMetadata().setNamespace(null);
        }
        // Generation is the store's to assign (standalone has no API server to do it).
        value.getMetadata().setGeneration(null);
        ResourceKey key = new ResourceKey(kind, value.getMetadata().getNamespace(), value.getMetadata().getName());
        acc.add(new SourcedObject(key, value, new SourceLocation(acc.file, line), SpecDigest.of(v1)));
    }

    /**
     * Admission, as the API server would do it for this object: the pruned and defaulted object, or
     * null when it is refused (each violation becomes a refusal naming the line of its field). Pruned
     * unknown fields are warnings, as the API server's default field validation answers them.
     */
    private ObjectNode admit(ResourceKind kind, String version, ObjectNode obj, Doc doc, int line, DocumentAcc acc,
            String pathPrefix) {
        AdmissionResult result = admission.admit(kind, version, obj);
        if (result.violations().isEmpty()) {
            return result.object().deepCopy();
        }
        FieldLines lines = FieldLines.of(doc.json ? json.getFactory() : yaml.getFactory(), doc.text, doc.firstLine, line);
        String ns = obj.path("metadata").path("namespace").asText("");
        ResourceKey key = new ResourceKey(kind.kind(), kind.namespaced() ? (ns.isBlank() ? "default" : ns) : "",
                obj.path("metadata").path("name").asText());
        for (Violation v : result.violations()) {
            String field = v.field().isEmpty() && pathPrefix.endsWith(".")
                    ? pathPrefix.substring(0, pathPrefix.length() - 1) : pathPrefix + v.field();
            int at = lines.lineOf(field);
            if (v.refuses()) {
                acc.refuse(new Diagnostic(Diagnostic.Severity.ERROR, key, field, v.message(),
                        new SourceLocation(acc.file, at)));
            } else {
                acc.warning(key, field, "unknown field \"" + field + "\" (pruned, as the API server prunes it)", at);
            }
        }
        return result.admitted() ? result.object().deepCopy() : null;
    }

    /** Finds the line of a type error by re-reading the document text, which keeps locations. */
    private int locate(Doc doc, Class<?> type, int fallback) {
        try {
            yaml.readValue(doc.text, type);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            if (loc != null && loc.getLineNr() > 0) {
                return doc.firstLine + loc.getLineNr() - 1;
            }
        } catch (RuntimeException e) {
            return fallback;
        }
        return fallback;
    }

    private static int lineOfTopKey(Doc doc, String field, int fallback) {
        String[] lines = doc.text.split("\n", -1);
        Pattern p = Pattern.compile("^[\"']?" + Pattern.quote(field) + "[\"']?[ \\t]*:");
        for (int i = 0; i < lines.length; i++) {
            if (p.matcher(lines[i]).find()) {
                return doc.firstLine + i;
            }
        }
        return fallback;
    }

    static String fieldPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    static String cleanMappingMessage(String msg) {
        if (msg == null) {
            return "invalid value";
        }
        String m = msg.split("\n")[0];
        m = m.replaceAll("`java\\.lang\\.(Integer|Long|Short)`", "integer")
                .replaceAll("`java\\.lang\\.Boolean`", "boolean")
                .replaceAll("`java\\.lang\\.String`", "string")
                .replaceAll("`java\\.util\\.(ArrayList|List)<[^`]*>`", "list")
                .replaceAll("`java\\.util\\.(Map|LinkedHashMap)<[^`]*>`", "map")
                .replaceAll("`io\\.fabric8\\.kubernetes\\.api\\.model\\.(?:[a-z0-9]+\\.)*([A-Za-z0-9]+)`", "$1");
        m = m.replaceFirst("^Cannot deserialize value of type (\\S+) from String (\".*\"): not a valid .* value$",
                "expected $1, got $2");
        m = m.replaceFirst("^Cannot deserialize value of type (\\S+) from (\\S+) value.*$", "expected $1, got $2");
        return m;
    }

    static String cleanSyntaxMessage(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        if (m == null) {
            return "syntax error";
        }
        // SnakeYAML messages span several lines with a code excerpt; keep the sentences.
        StringBuilder sb = new StringBuilder();
        for (String part : m.split("\n")) {
            String t = part.trim();
            if (t.isEmpty() || t.startsWith("in 'reader'") || t.startsWith("^") || part.startsWith("    ")) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(t);
        }
        return sb.toString();
    }

    private static String text(ObjectNode obj, String field) {
        JsonNode n = obj.get(field);
        return n != null && n.isTextual() ? n.asText() : null;
    }

    private static ResourceKey partialKey(String kind, ObjectNode obj) {
        String name = obj.path("metadata").path("name").asText("");
        String ns = obj.path("metadata").path("namespace").asText("");
        if (ns.isEmpty() && ResourceKind.byKind(kind).filter(k -> k.servedByArchway() && k.namespaced()).isPresent()) {
            ns = "default";
        }
        return new ResourceKey(kind == null ? "Document" : kind, ns, name.isEmpty() ? "<unnamed>" : name);
    }

    private static ResourceKey fileKey(String file) {
        return new ResourceKey("File", "", file);
    }

    /** Accumulates one file's results, in the order they were found. */
    private static class Acc {
        final String file;
        final Map<ResourceKey, SourcedObject> objects = new LinkedHashMap<>();
        final List<Diagnostic> errors = new ArrayList<>();
        final List<Diagnostic> warnings = new ArrayList<>();
        final List<Diagnostic> refusals = new ArrayList<>();
        final Map<String, Integer> unserved = new TreeMap<>();
        int skipped;

        Acc(String file) {
            this.file = file;
        }

        void add(SourcedObject o) {
            SourcedObject prev = objects.remove(o.key());
            if (prev != null) {
                warnings.add(new Diagnostic(Diagnostic.Severity.WARNING, o.key(), "", "defined again (first at "
                        + prev.location() + "); the later definition wins", o.location()));
            }
            objects.put(o.key(), o);
        }

        void error(ResourceKey key, String field, String message, int line) {
            errors.add(new Diagnostic(Diagnostic.Severity.ERROR, key == null ? fileKey(file) : key, field, message,
                    new SourceLocation(file, line)));
        }

        void warning(ResourceKey key, String field, String message, int line) {
            warnings.add(new Diagnostic(Diagnostic.Severity.WARNING, key, field, message,
                    new SourceLocation(file, line)));
        }

        void refuse(Diagnostic refusal) {
            refusals.add(refusal);
        }

        void unserved(String kind) {
            unserved.merge(kind, 1, Integer::sum);
        }

        void skip() {
            skipped++;
        }

        LoadedFile result() {
            return new LoadedFile(file, errors.isEmpty() ? List.copyOf(objects.values()) : List.of(), errors, warnings,
                    unserved, skipped, errors.isEmpty() ? refusals : List.of());
        }
    }

    /**
     * One document's part of its file's {@link Acc}, recorded while the documents are parsed in
     * parallel and replayed into the file's in document order, so that the file's diagnostics, their
     * order and which of two definitions wins are those of reading the documents one after another.
     */
    private static final class DocumentAcc {
        /** One result, replayed into a file's {@link Acc} with its lines moved by {@code shift}. */
        private interface Found {
            void replay(Acc file, int shift);
        }

        final String file;
        /** Kept, once parsed, as long as its file's text holds the document: as small as it can be. */
        private List<Found> found = new ArrayList<>(2);
        private boolean diagnostics;

        DocumentAcc(String file) {
            this.file = file;
        }

        /** Done recording. */
        DocumentAcc parsed() {
            found = List.copyOf(found);
            return this;
        }

        void add(SourcedObject o) {
            found.add((acc, shift) -> acc.add(shift == 0 ? o : new SourcedObject(o.key(), o.object(),
                    moved(o.location(), shift), o.spec())));
        }

        void error(ResourceKey key, String field, String message, int line) {
            diagnostics = true;
            found.add((acc, shift) -> acc.error(key, field, message, line + shift));
        }

        void warning(ResourceKey key, String field, String message, int line) {
            diagnostics = true;
            found.add((acc, shift) -> acc.warning(key, field, message, line + shift));
        }

        void refuse(Diagnostic refusal) {
            diagnostics = true;
            found.add((acc, shift) -> acc.refuse(shift == 0 ? refusal : new Diagnostic(refusal.severity(),
                    refusal.resource(), refusal.field(), refusal.message(), moved(refusal.location(), shift))));
        }

        void unserved(String kind) {
            found.add((acc, shift) -> acc.unserved(kind));
        }

        void skip() {
            found.add((acc, shift) -> acc.skip());
        }

        boolean hasDiagnostics() {
            return diagnostics;
        }

        void replayInto(Acc file, int shift) {
            found.forEach(f -> f.replay(file, shift));
        }

        private static SourceLocation moved(SourceLocation at, int shift) {
            return new SourceLocation(at.file(), at.line() + shift);
        }
    }
}
