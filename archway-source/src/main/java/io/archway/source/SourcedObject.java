package io.archway.source;

import io.archway.translate.ResourceKey;
import io.archway.translate.SourceLocation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/**
 * One object read from a source, at API version v1, with where it came from.
 *
 * @param location null when the source has no files (a cluster)
 */
public record SourcedObject(ResourceKey key, HasMetadata object, SourceLocation location) {
    public SourcedObject {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(object, "object");
    }
}
