package io.archway.source.file;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The line of every field of one parsed document, by field path in the API server's spelling
 * ({@code spec.rules[0].filters[1]}), so that an admission refusal names the line of the field it
 * is about rather than the line of the document. Built only when a document is refused or warned about.
 */
final class FieldLines {
    private final Map<String, Integer> lines;
    private final int fallback;

    private FieldLines(Map<String, Integer> lines, int fallback) {
        this.lines = lines;
        this.fallback = fallback;
    }

    /** Indexes {@code text}, whose first line is line {@code firstLine} of the file. */
    static FieldLines of(JsonFactory factory, String text, int firstLine, int fallback) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = factory.createParser(text)) {
            Deque<String> paths = new ArrayDeque<>();
            Deque<int[]> indexes = new ArrayDeque<>(); // the next index of each open array, null-free: {-1} for objects
            String field = null;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME) {
                    field = p.currentName();
                    String parent = paths.isEmpty() ? "" : paths.peek();
                    String path = parent.isEmpty() ? field : parent + "." + field;
                    lines.putIfAbsent(path, firstLine + p.currentTokenLocation().getLineNr() - 1);
                    continue;
                }
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    if (!paths.isEmpty()) {
                        paths.pop();
                        indexes.pop();
                    }
                    continue;
                }
                String path = valuePath(paths, indexes, field);
                if (indexes.peek() != null && indexes.peek()[0] >= 0) {
                    lines.putIfAbsent(path, firstLine + p.currentTokenLocation().getLineNr() - 1);
                }
                if (t == JsonToken.START_OBJECT) {
                    paths.push(path);
                    indexes.push(new int[] {-1});
                } else if (t == JsonToken.START_ARRAY) {
                    paths.push(path);
                    indexes.push(new int[] {0});
                }
            }
        } catch (IOException | RuntimeException e) {
            // the document parsed once already; a second failure only costs precise lines
        }
        return new FieldLines(lines, fallback);
    }

    /** The path of the value at the parser's position: a field of the open object or the next array item. */
    private static String valuePath(Deque<String> paths, Deque<int[]> indexes, String field) {
        if (paths.isEmpty()) {
            return "";
        }
        String parent = paths.peek();
        int[] index = indexes.peek();
        if (index[0] >= 0) {
            return parent + "[" + index[0]++ + "]";
        }
        return parent.isEmpty() ? field : parent + "." + field;
    }

    /** The line of {@code path}, or of its nearest enclosing field that has one. */
    int lineOf(String path) {
        String p = path;
        while (!p.isEmpty()) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
        return fallback;
    }
}
