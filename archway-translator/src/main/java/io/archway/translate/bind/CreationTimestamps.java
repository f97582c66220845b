package io.archway.translate.bind;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * {@code metadata.creationTimestamp}, which route precedence and ListenerSet precedence compare
 * (oldest first).
 */
public final class CreationTimestamps {
    private CreationTimestamps() {
    }

    /** The instant, or null when unset or not RFC 3339. */
    public static Instant of(HasMetadata object) {
        final String ts = object.getMetadata().getCreationTimestamp();
        if (ts == null || ts.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(ts);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
