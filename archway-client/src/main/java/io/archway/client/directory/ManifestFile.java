package io.archway.client.directory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One manifest file as read: its text, the hash of its bytes at read time (to detect a
 * concurrent edit before writing) and its resource documents.
 */
final class ManifestFile {
    private final Path path;
    private final String content;
    private final String hash;
    private final boolean json;
    private final List<DocumentSpan> spans;
    private final List<ManifestDocument> documents = new ArrayList<>();

    ManifestFile(Path path, String content, String hash, boolean json, List<DocumentSpan> spans) {
        this.path = path;
        this.content = content;
        this.hash = hash;
        this.json = json;
        this.spans = List.copyOf(spans);
    }

    Path path() {
        return path;
    }

    String content() {
        return content;
    }

    String hash() {
        return hash;
    }

    boolean json() {
        return json;
    }

    List<DocumentSpan> spans() {
        return spans;
    }

    List<ManifestDocument> documents() {
        return documents;
    }

    /** The file text with {@code span} replaced by {@code replacement}. */
    String replace(DocumentSpan span, String replacement) {
        return content.substring(0, span.start()) + replacement + content.substring(span.end());
    }
}
