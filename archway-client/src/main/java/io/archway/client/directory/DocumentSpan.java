package io.archway.client.directory;

/**
 * The text span {@code [start, end)} of one YAML document inside its file, including its leading
 * {@code ---} line and any comments before the next document's {@code ---}.
 */
record DocumentSpan(int start, int end) {

    String of(String text) {
        return text.substring(start, end);
    }
}
