package io.archway.client.directory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archway.client.ArchwayClientException;
import io.archway.client.RouteRef;
import io.archway.client.Mappers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads every {@code .yaml}, {@code .yml} and {@code .json} file under a directory into documents. */
final class ManifestScanner {

    private static final Logger LOG = LoggerFactory.getLogger(ManifestScanner.class);

    private ManifestScanner() {}

    static boolean isManifest(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"));
    }

    static List<ManifestFile> scan(Path dir) {
        return scan(dir, new ArrayList<>());
    }

    /** Reads every manifest file; files that cannot be read or parsed are skipped and described in {@code problems}. */
    static List<ManifestFile> scan(Path dir, List<String> problems) {
        List<Path> paths;
        try (Stream<Path> s = Files.walk(dir)) {
            paths = s.filter(Files::isRegularFile).filter(ManifestScanner::isManifest).sorted().toList();
        } catch (IOException e) {
            throw new ArchwayClientException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        List<ManifestFile> files = new ArrayList<>();
        for (Path p : paths) {
            ManifestFile f = read(p, problems);
            if (f != null) {
                files.add(f);
            }
        }
        return files;
    }

    /** Reads one file; null (and a warning, and an entry in {@code problems}) when it does not parse. */
    static ManifestFile read(Path p, List<String> problems) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(p);
        } catch (IOException e) {
            LOG.warn("skipping {}: {}", p, e.getMessage());
            problems.add(p + ": " + e.getMessage());
            return null;
        }
        String content = new String(bytes, StandardCharsets.UTF_8);
        boolean json = p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        List<DocumentSpan> spans = json ? List.of(new DocumentSpan(0, content.length())) : YamlSplitter.split(content);
        ManifestFile file = new ManifestFile(p, content, AtomicFiles.sha256(bytes), json, spans);
        ObjectMapper mapper = json ? Mappers.json() : Mappers.yaml();
        for (DocumentSpan span : spans) {
            String text = span.of(content);
            JsonNode tree;
            try {
                tree = text.isBlank() ? null : mapper.readTree(text);
            } catch (IOException e) {
                String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                LOG.warn("skipping {}: {}", p, first);
                problems.add(p + ": " + first);
                return null;
            }
            if (tree == null || !tree.isObject() || !tree.path("kind").isTextual()) {
                continue;
            }
            JsonNode meta = tree.path("metadata");
            String ns = meta.path("namespace").asText("");
            file.documents().add(new ManifestDocument(file, span, tree, tree.path("kind").asText(),
                    ns.isBlank() ? RouteRef.DEFAULT_NAMESPACE : ns, meta.path("name").asText("")));
        }
        return file;
    }
}
