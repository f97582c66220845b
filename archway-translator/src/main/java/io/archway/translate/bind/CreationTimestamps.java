package io.archway.translate.bind;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * {@code metadata.creationTimestamp}, which route precedence and ListenerSet precedence compare
 * (oldest first).
 */
public final class CreationTimestamps {
    /**
     * The last timestamp parsed and its instant. Objects created together share their timestamp (a
     * directory's objects are stamped with the second they were first read), and {@link Instant#parse}
     * took two fifths of a route's compilation at 10,000 routes (docs/PERFORMANCE.md, "Creation
     * timestamps, session 12"). Immutable, so any thread may read and replace it.
     */
    private static volatile Parsed last = new Parsed("", null);

    private record Parsed(String timestamp, Instant instant) {
    }

    private CreationTimestamps() {
    }

    /** The instant, or null when unset or not RFC 3339. */
    public static Instant of(HasMetadata object) {
        final String ts = object.getMetadata().getCreationTimestamp();
        if (ts == null || ts.isEmpty()) {
            return null;
        }
        final Parsed seen = last;
        if (seen.timestamp().equals(ts)) {
            return seen.instant();
        }
        Instant instant;
        try {
            instant = Instant.parse(ts);
        } catch (DateTimeParseException e) {
            instant = null;
        }
        last = new Parsed(ts, instant);
        return instant;
    }
}
