package io.archway.client.directory;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a multi-document YAML text at its document markers without parsing it. A line starting
 * with {@code ---} followed by white space or the line end is always a document marker in YAML
 * (even inside a block scalar), so splitting by lines is exact. The spans cover the whole text,
 * in order; the first one holds whatever precedes the first marker (possibly only comments).
 */
final class YamlSplitter {

    private YamlSplitter() {}

    static List<DocumentSpan> split(String text) {
        List<DocumentSpan> spans = new ArrayList<>();
        int start = 0;
        int lineStart = 0;
        while (lineStart < text.length()) {
            int nl = text.indexOf('\n', lineStart);
            int lineEnd = nl < 0 ? text.length() : nl;
            if (lineStart > 0 && isMarker(text, lineStart, lineEnd)) {
                spans.add(new DocumentSpan(start, lineStart));
                start = lineStart;
            }
            lineStart = nl < 0 ? text.length() : nl + 1;
        }
        spans.add(new DocumentSpan(start, text.length()));
        return spans;
    }

    private static boolean isMarker(String text, int from, int to) {
        if (!text.startsWith("---", from)) {
            return false;
        }
        if (from + 3 >= to) {
            return true;
        }
        char c = text.charAt(from + 3);
        return c == ' ' || c == '\t' || c == '\r';
    }

    /** Whether {@code line} (without its newline) is blank, a comment or a document marker. */
    static boolean isTrivia(String line) {
        String t = line.strip();
        return t.isEmpty() || t.startsWith("#") || t.equals("---") || (t.startsWith("--- ") && t.substring(4).strip().startsWith("#"));
    }
}
