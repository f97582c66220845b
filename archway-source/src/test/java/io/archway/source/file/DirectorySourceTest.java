package io.archway.source.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.source.ResourceStore;
import io.archway.source.SourcedObject;
import io.archway.translate.ResourceKey;
import io.archway.translate.SourceLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySourceTest {

    private static String ns(String name) {
        return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n";
    }

    private static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(10);
        }
    }

    private static boolean hasNamespace(ResourceStore store, String name) {
        return store.view().namespaces().stream().anyMatch(n -> n.getMetadata().getName().equals(name));
    }

    /**
     * issue 14: start reads each file once (a second whole read after ready competed with traffic at
     * 10,000 routes), and a file saved while that read runs - after the directory was listed, so the
     * read cannot see it - is still picked up, because the watch is registered before the read.
     */
    @Test
    void startReadsEachFileOnceAndStillSeesAFileSavedDuringTheRead(@TempDir Path dir) throws Exception {
        int total = 400; // enough that the read is still running when the writer below saves
        for (int i = 0; i < total; i++) {
            Files.writeString(dir.resolve(String.format("n%03d.yaml", i)), ns("n" + i));
        }
        ResourceStore store = new ResourceStore();
        try (DirectorySource source = new DirectorySource(dir, store, new ManifestLoader(), Duration.ofMillis(50),
                Duration.ofSeconds(1), () -> { })) {
            java.util.concurrent.atomic.AtomicLong readWhenSaved = new java.util.concurrent.atomic.AtomicLong(-1);
            Thread writer = new Thread(() -> {
                while (source.filesRead() == 0) {
                    Thread.onSpinWait();
                }
                try {
                    Files.writeString(dir.resolve("late.yaml"), ns("late"));          // not in the listing
                    Files.writeString(dir.resolve("n000.yaml"), ns("n0-edited"));    // already read
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                readWhenSaved.set(source.filesRead());
            });
            writer.start();
            source.start();
            long readAtStart = source.filesRead();
            writer.join();
            assertThat(readWhenSaved.get()).as("the saves happened during the read").isBetween(1L, total - 1L);
            assertThat(readAtStart).as("each file read once by start").isEqualTo(total);
            await(() -> hasNamespace(store, "late") && hasNamespace(store, "n0-edited"), Duration.ofSeconds(2));
            assertThat(hasNamespace(store, "n0")).isFalse();
            // The watcher re-read just the two saved files, not the directory.
            assertThat(source.filesRead()).isEqualTo(total + 2);
        }
    }

    @Test
    void watchesEditsRenamesDeletesAndSubdirectoriesWithinOneSecond(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), ns("a"));
        ResourceStore store = new ResourceStore();
        Semaphore changes = new Semaphore(0);
        try (DirectorySource source = new DirectorySource(dir, store, new ManifestLoader(), Duration.ofMillis(100),
                Duration.ofSeconds(1), changes::release)) {
            source.rescan();
            assertThat(hasNamespace(store, "a")).isTrue();
            source.start();

            // Editor-style save: write a temp file, rename over the original.
            Path tmp = dir.resolve(".a.yaml.tmp");
            Files.writeString(tmp, ns("a2"));
            Files.move(tmp, dir.resolve("a.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            await(() -> hasNamespace(store, "a2"), Duration.ofSeconds(1));
            assertThat(hasNamespace(store, "a")).isFalse();
            assertThat(changes.tryAcquire(1, TimeUnit.SECONDS)).isTrue();

            // New subdirectory with a file already in it.
            Path sub = dir.resolve("team");
            Path staging = Files.createTempDirectory(dir.getParent(), "staging");
            Files.writeString(staging.resolve("b.yaml"), ns("b"));
            Files.move(staging, sub, StandardCopyOption.ATOMIC_MOVE);
            await(() -> hasNamespace(store, "b"), Duration.ofSeconds(1));

            // A file written later into the new subdirectory.
            Files.writeString(sub.resolve("c.yml"), ns("c"));
            await(() -> hasNamespace(store, "c"), Duration.ofSeconds(1));

            // Deleting the subdirectory removes its objects.
            Files.delete(sub.resolve("b.yaml"));
            Files.delete(sub.resolve("c.yml"));
            Files.delete(sub);
            await(() -> !hasNamespace(store, "b") && !hasNamespace(store, "c"), Duration.ofSeconds(1));

            // A broken save keeps the last good content.
            Files.writeString(dir.resolve("a.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\nname: x\n");
            await(source.manifests()::hasErrors, Duration.ofSeconds(1));
            assertThat(hasNamespace(store, "a2")).isTrue();
            assertThat(store.diagnostics().get(0).location().toString()).isEqualTo(dir.resolve("a.yaml") + ":3");
        }
    }

    /** A file deleted, seen by the watcher or by a whole read, is forgotten by the loader too (no objects kept alive). */
    @Test
    void aDeletedFileIsForgottenByItsLoader(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), ns("a"));
        Files.writeString(dir.resolve("b.yaml"), ns("b"));
        ResourceStore store = new ResourceStore();
        ManifestLoader loader = new ManifestLoader();
        try (DirectorySource source = new DirectorySource(dir, store, loader, Duration.ofMillis(50),
                Duration.ofSeconds(1), () -> { })) {
            source.rescan();
            String a = dir.resolve("a.yaml").toString();
            String b = dir.resolve("b.yaml").toString();
            assertThat(loader.remembers(a) && loader.remembers(b)).isTrue();

            Files.delete(dir.resolve("b.yaml"));
            source.rescan();
            assertThat(loader.remembers(b)).isFalse();

            source.start();
            Files.delete(dir.resolve("a.yaml"));
            await(() -> !hasNamespace(store, "a"), Duration.ofSeconds(2));
            assertThat(loader.remembers(a)).isFalse();
        }
    }

    /** An object whose document moved down unchanged (lines inserted above it) is at its new line in the store. */
    @Test
    void anUnchangedObjectThatMovedIsAtItsNewLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a.yaml");
        Files.writeString(file, ns("one") + "---\n" + ns("two"));
        ResourceStore store = new ResourceStore();
        try (DirectorySource source = new DirectorySource(dir, store, new ManifestLoader(), Duration.ofMillis(50),
                Duration.ofSeconds(1), () -> { })) {
            source.rescan();
            ResourceKey two = new ResourceKey("Namespace", "", "two");
            SourcedObject before = store.get(two).orElseThrow();
            assertThat(before.location()).isEqualTo(new SourceLocation(file.toString(), 6));
            long revision = store.revision();

            Files.writeString(file, "# two lines\n# above\n" + ns("one") + "---\n" + ns("two"));
            source.rescan();

            SourcedObject after = store.get(two).orElseThrow();
            assertThat(after.object()).isSameAs(before.object()); // not parsed again
            assertThat(after.location()).isEqualTo(new SourceLocation(file.toString(), 8));
            assertThat(store.view().locationOf(two)).contains(new SourceLocation(file.toString(), 8));
            assertThat(store.revision()).isGreaterThan(revision);
        }
    }

    @Test
    void mountedConfigMapStyleSymlinkSwapIsSeen(@TempDir Path dir) throws Exception {
        // Kubernetes volume layout: name.yaml -> ..data/name.yaml, ..data -> ..2026_01; updates swap ..data.
        Path v1 = Files.createDirectory(dir.resolve("..v1"));
        Files.writeString(v1.resolve("ns.yaml"), ns("one"));
        Files.createSymbolicLink(dir.resolve("..data"), dir.resolve("..v1").getFileName());
        Files.createSymbolicLink(dir.resolve("ns.yaml"), Path.of("..data", "ns.yaml"));
        ResourceStore store = new ResourceStore();
        try (DirectorySource source = new DirectorySource(dir, store, new ManifestLoader(), Duration.ofMillis(100),
                Duration.ofSeconds(1), () -> { })) {
            source.rescan();
            assertThat(hasNamespace(store, "one")).isTrue();
            assertThat(source.manifests().files()).containsExactly(dir.resolve("ns.yaml").toString());
            source.start();

            Path v2 = Files.createDirectory(dir.resolve("..v2"));
            Files.writeString(v2.resolve("ns.yaml"), ns("two"));
            Files.createSymbolicLink(dir.resolve("..data_tmp"), dir.resolve("..v2").getFileName());
            Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            await(() -> hasNamespace(store, "two"), Duration.ofSeconds(1));
        }
    }

    /** Leading-edge hold-off: a save after a quiet period is applied at once, not after the hold-off. */
    @Test
    void loneChangeIsNotHeldBack(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), ns("a"));
        ResourceStore store = new ResourceStore();
        try (DirectorySource source = new DirectorySource(dir, store, new ManifestLoader(), Duration.ofSeconds(3),
                Duration.ofSeconds(10), () -> { })) {
            source.rescan();
            source.start();
            Thread.sleep(100);
            long start = System.nanoTime();
            Path tmp = dir.resolve(".a.yaml.tmp");
            Files.writeString(tmp, ns("lone"));
            Files.move(tmp, dir.resolve("a.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            await(() -> hasNamespace(store, "lone"), Duration.ofSeconds(2));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            // The next save within the hold-off is a burst: held until the hold-off passes quietly.
            Files.writeString(tmp, ns("burst"));
            Files.move(tmp, dir.resolve("a.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Thread.sleep(1000);
            assertThat(hasNamespace(store, "burst")).isFalse();
            await(() -> hasNamespace(store, "burst"), Duration.ofSeconds(5));
        }
    }

    @Test
    void anEditorsTemporaryFileDoesNotHoldTheSaveBack(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), ns("a"));
        ResourceStore store = new ResourceStore();
        try (DirectorySource source = new DirectorySource(dir, store, new ManifestLoader(), Duration.ofSeconds(3),
                Duration.ofSeconds(10), () -> { })) {
            source.rescan();
            source.start();
            Thread.sleep(100);
            // The temporary file's events arrive well before the rename's (a slow editor, a loaded
            // machine): they are no change, so they must not open a hold-off that the rename then waits out.
            Path tmp = dir.resolve(".a.yaml.tmp");
            Files.writeString(tmp, ns("saved"));
            Thread.sleep(200);
            long start = System.nanoTime();
            Files.move(tmp, dir.resolve("a.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            await(() -> hasNamespace(store, "saved"), Duration.ofSeconds(5));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void burstOfEventsIsDebouncedIntoFewBatches(@TempDir Path dir) throws Exception {
        ResourceStore store = new ResourceStore();
        Semaphore changes = new Semaphore(0);
        try (DirectorySource source = new DirectorySource(dir, store, new ManifestLoader(), Duration.ofMillis(200),
                Duration.ofSeconds(1), changes::release)) {
            source.rescan();
            source.start();
            final long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                Files.writeString(dir.resolve("n" + i + ".yaml"), ns("n" + i));
            }
            final long writing = (System.nanoTime() - t0) / 1_000_000;
            await(() -> store.view().namespaces().size() == 20, Duration.ofSeconds(2));
            Thread.sleep(400);
            // The leading edge, then one batch per 200 ms hold-off the writes spanned (a loaded
            // machine can stretch the 20 writes past one hold-off: 3 batches were seen at load 11).
            final int most = 2 + (int) (writing / 200);
            assertThat(most).as("the writes took %d ms: too slow to show debouncing", writing).isLessThan(10);
            assertThat(changes.availablePermits()).isBetween(1, most);
        }
    }

    private static String route(String weight) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata:
                  name: web
                spec:
                  parentRefs:
                  - name: gw
                  rules:
                  - backendRefs:
                    - name: web
                      port: 80
                      weight: %s
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: ns-%s
                """.formatted(weight, weight.replace("-", "m"));
    }

    private static long weightOf(ResourceStore store) {
        return store.view().httpRoutes().get(0).getSpec().getRules().get(0).getBackendRefs().get(0).getWeight();
    }

    @Test
    void aRefusedEditKeepsTheLastGoodObjectServingAndNamesFileLineFieldAndMessage(@TempDir Path dir) {
        Path file = dir.resolve("route.yaml");
        ResourceStore store = new ResourceStore();
        try (DirectorySource source = new DirectorySource(dir, store, new ManifestLoader(), Duration.ofMillis(100),
                Duration.ofSeconds(1), () -> { })) {
            Files.writeString(file, route("90"));
            source.rescan();
            assertThat(weightOf(store)).isEqualTo(90);

            Files.writeString(file, route("-1"));
            source.rescan();
            assertThat(weightOf(store)).as("the last good version keeps serving").isEqualTo(90);
            assertThat(hasNamespace(store, "ns-m1")).as("the file's valid objects load").isTrue();
            assertThat(source.manifests().hasErrors()).isTrue();
            assertThat(store.diagnostics()).singleElement().hasToString(file + ":12: error: HTTPRoute default/web"
                    + " spec.rules[0].backendRefs[0].weight: Invalid value: -1: spec.rules[0].backendRefs[0].weight in"
                    + " body should be greater than or equal to 0");

            Files.writeString(file, route("10"));
            source.rescan();
            assertThat(weightOf(store)).isEqualTo(10);
            assertThat(source.manifests().hasErrors()).isFalse();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
