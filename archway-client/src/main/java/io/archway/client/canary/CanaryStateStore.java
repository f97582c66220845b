package io.archway.client.canary;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.archway.client.ArchwayClientException;
import io.archway.client.RouteRef;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Canary state shared between processes through a directory: {@code canary-<kind>-<ns>-<name>.json}
 * holds the run's {@link CanaryState} (replaced atomically by the runner at every step), and an
 * empty {@code canary-<kind>-<ns>-<name>.abort} file asks the runner to stop.
 */
public final class CanaryStateStore {

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public CanaryStateStore(Path dir) {
        this.dir = dir;
    }

    /** {@code ~/.archway/canary}. */
    public static Path defaultDirectory() {
        return Path.of(System.getProperty("user.home"), ".archway", "canary");
    }

    public Path directory() {
        return dir;
    }

    /** Writes {@code state} atomically. */
    public void save(CanaryState state) {
        Path file = stateFile(state.routeRef());
        try {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                Files.write(temp, json.writeValueAsBytes(state));
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new ArchwayClientException("cannot write canary state " + file + ": " + e.getMessage(), e);
        }
    }

    /** The state of the latest run on {@code route}, if any. */
    public Optional<CanaryState> read(RouteRef route) {
        return read(stateFile(route));
    }

    /** Every run's state. */
    public List<CanaryState> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<CanaryState> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith("canary-") && n.endsWith(".json")) {
                    read(p).ifPresent(out::add);
                }
            }
        } catch (IOException e) {
            throw new ArchwayClientException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Asks the runner of {@code route} to stop and roll back. Returns false (and asks nothing)
     * when no run of that route is in progress.
     */
    public boolean requestAbort(RouteRef route) {
        Optional<CanaryState> state = read(route);
        if (state.isEmpty() || state.get().phase() != CanaryState.Phase.RUNNING) {
            return false;
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(abortFile(route), "");
            return true;
        } catch (IOException e) {
            throw new ArchwayClientException("cannot write " + abortFile(route) + ": " + e.getMessage(), e);
        }
    }

    /** Whether an abort of {@code route} was requested. */
    public boolean abortRequested(RouteRef route) {
        return Files.exists(abortFile(route));
    }

    /** Forgets an abort request (a run does this when it starts and ends). */
    public void clearAbort(RouteRef route) {
        try {
            Files.deleteIfExists(abortFile(route));
        } catch (IOException e) {
            throw new ArchwayClientException("cannot delete " + abortFile(route) + ": " + e.getMessage(), e);
        }
    }

    Path stateFile(RouteRef route) {
        return dir.resolve(base(route) + ".json");
    }

    Path abortFile(RouteRef route) {
        return dir.resolve(base(route) + ".abort");
    }

    private static String base(RouteRef route) {
        return ("canary-" + route.kind().kind() + "-" + route.namespace() + "-" + route.name())
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_");
    }

    private Optional<CanaryState> read(Path file) {
        try {
            return Optional.of(json.readValue(Files.readAllBytes(file), CanaryState.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ArchwayClientException("cannot read canary state " + file + ": " + e.getMessage(), e);
        }
    }
}
