package io.archway.translate;

import java.util.Objects;

/** Where a resource was read from: a file and the line its document starts on (1-based). */
public record SourceLocation(String file, int line) {
    public SourceLocation {
        Objects.requireNonNull(file, "file");
    }

    @Override
    public String toString() {
        return file + ":" + line;
    }
}
