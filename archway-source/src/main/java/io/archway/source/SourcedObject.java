package io.archway.source;

import io.archway.translate.ResourceKey;
import io.archway.translate.SourceLocation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/**
 * One object read from a source, at API version v1, with where it came from.
 *
 * @param location null when the source has no files (a cluster)
 * @param spec the digest of what bumps the object's generation, taken of the admitted tree by a source
 *        that assigns generations itself (the manifest files); null from a cluster, whose API server
 *        assigns them
 */
public record SourcedObject(ResourceKey key, HasMetadata object, SourceLocation location, SpecDigest spec) {
    public SourcedObject {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(object, "object");
    }

    /** An object whose generation its source assigned (a cluster's). */
    public SourcedObject(ResourceKey key, HasMetadata object, SourceLocation location) {
        this(key, object, location, null);
    }
}
