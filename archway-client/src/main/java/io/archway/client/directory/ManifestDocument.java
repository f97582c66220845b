package io.archway.client.directory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One resource document found in a manifest file.
 *
 * @param file      the file it lives in
 * @param span      its text span in the file
 * @param tree      its parsed content
 * @param kind      its {@code kind}
 * @param namespace its namespace ({@code default} when absent)
 * @param name      its name
 */
record ManifestDocument(ManifestFile file, DocumentSpan span, JsonNode tree, String kind, String namespace, String name) {

    String text() {
        return span.of(file.content());
    }

    boolean hasExplicitNamespace() {
        JsonNode ns = tree.path("metadata").path("namespace");
        return ns.isTextual() && !ns.asText().isBlank();
    }

    String location() {
        return file.path() + " (document " + (file.documents().indexOf(this) + 1) + ")";
    }
}
