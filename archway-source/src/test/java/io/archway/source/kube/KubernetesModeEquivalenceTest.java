package io.archway.source.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.kinds.ResourceKind;
import io.archway.source.KubeJson;
import io.archway.source.LoadedFile;
import io.archway.source.ObjectStatus;
import io.archway.source.ResourceStore;
import io.archway.source.SourcedObject;
import io.archway.source.file.ManifestFiles;
import io.archway.source.file.ManifestLoader;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.Translation;
import io.archway.translate.Translator;
import io.archway.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The translator's golden inputs (archway-translator's {@code golden/*.in.yaml}), loaded once through
 * the directory's file layer and once into the mock API server read by the informers, give the same
 * snapshot and the same status; and the status the writer puts on the server is that status.
 * Objects are created as the API server stores them after admission (defaulted), which is what the
 * file layer's admission gives too. The API server sets creationTimestamp itself, so both modes are
 * compared on the manifests' creation times (see {@link #withCreationTimestampsOf}).
 */
class KubernetesModeEquivalenceTest {
    private static final Path GOLDEN = Path.of("../archway-translator/src/test/resources/golden");
    private static final Pattern INCLUDE = Pattern.compile("^\\s*-\\s*(_include/\\S+)\\s*$", Pattern.MULTILINE);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private static MockCluster cluster;
    private static KubernetesClient kube;
    private static ResourceStore store;
    private static KubernetesSource source;
    private static KubernetesStatusWriter writer;
    /** Statuses compared with the server's, over all goldens. */
    private static int compared;

    @BeforeAll
    static void start() throws Exception {
        cluster = new MockCluster();
        kube = cluster.client();
        store = new ResourceStore();
        source = new KubernetesSource(kube, store, new KubernetesSource.Options(Set.of(), Duration.ofMillis(20),
                Duration.ofMillis(100)), () -> { });
        source.start().get(30, TimeUnit.SECONDS);
        writer = new KubernetesStatusWriter(kube, source, TranslatorOptions.DEFAULT_CONTROLLER_NAME, CLOCK);
        writer.startLeading();
    }

    @AfterAll
    static void stop() {
        assertThat(compared).as("statuses compared with what the writer put on the server").isGreaterThan(100);
        writer.close();
        source.close();
        kube.close();
        cluster.close();
    }

    @TestFactory
    Stream<DynamicTest> goldenInputsGiveTheSameSnapshotAndStatusInBothModes() throws IOException {
        List<Path> inputs;
        try (Stream<Path> files = Files.list(GOLDEN)) {
            inputs = files.filter(p -> p.getFileName().toString().endsWith(".in.yaml")).sorted().toList();
        }
        assertThat(inputs).as("golden inputs in " + GOLDEN.toAbsolutePath()).hasSizeGreaterThan(20);
        return inputs.stream().map(in -> DynamicTest.dynamicTest(in.getFileName().toString(), () -> check(in)));
    }

    /** The golden's objects with its includes, as one manifest; and its translator options. */
    private record Golden(String manifests, TranslatorOptions options, Instant now) {
    }

    private static Golden read(Path in) throws IOException {
        String text = Files.readString(in);
        // The options document is the test's, not a Kubernetes object: the loader would refuse the file.
        StringBuilder all = new StringBuilder(Stream.of(text.split("(?m)^---\\s*$"))
                .filter(doc -> !doc.contains("kind: ArchwayTestOptions")).collect(Collectors.joining("\n---\n")));
        Matcher m = INCLUDE.matcher(text);
        while (m.find()) {
            all.append("\n---\n").append(Files.readString(GOLDEN.resolve(m.group(1))));
        }
        String addressing = option(text, "addressing", "shared:0.0.0.0");
        TranslatorOptions options = new TranslatorOptions(
                option(text, "controllerName", TranslatorOptions.DEFAULT_CONTROLLER_NAME),
                addressing.equals("loopback") ? new GatewayAddressing.LoopbackPerGateway()
                        : new GatewayAddressing.Shared(addressing.substring("shared:".length())),
                Boolean.parseBoolean(option(text, "adoptUnknownGatewayClasses", "false")));
        String now = option(text, "now", null);
        return new Golden(all.toString(), options, now == null ? null : Instant.parse(now.replace("\"", "")));
    }

    private static String option(String text, String name, String fallback) {
        Matcher m = Pattern.compile("^" + name + ":\\s*(\\S+)\\s*$", Pattern.MULTILINE).matcher(text);
        return m.find() ? m.group(1) : fallback;
    }

    private static void check(Path in) throws Exception {
        Golden golden = read(in);
        // Standalone: the file layer (admission, generation, creationTimestamp) over the store.
        ManifestFiles files = new ManifestFiles(new ResourceStore(), CLOCK);
        files.apply(new ManifestLoader().parse(in.getFileName().toString(), golden.manifests()));
        // On a cluster: the same admitted objects, created through the API server.
        LoadedFile forCluster = new ManifestLoader().parse(in.getFileName().toString(), golden.manifests());
        assertThat(forCluster.errors()).as("the golden parses").isEmpty();
        assertThat(forCluster.objects()).as("the golden has objects").isNotEmpty();
        List<ResourceKey> keys = new ArrayList<>();
        for (SourcedObject o : forCluster.objects()) {
            HasMetadata obj = o.object();
            obj.getMetadata().setGeneration(null);
            if (obj.getMetadata().getCreationTimestamp() == null) {
                obj.getMetadata().setCreationTimestamp("2026-01-01T00:00:00Z"); // as the file layer stamps it
            }
            kube.resource(obj).create();
            keys.add(o.key());
        }
        try {
            await(() -> store.keys().equals(Set.copyOf(keys)), "the informers have the golden's objects");
            Translator translator = new Translator(golden.options());
            ResourceView standaloneView = files.store().view();
            ResourceView clusterView = withCreationTimestampsOf(standaloneView, store.view());
            Translation standalone = translator.translate(standaloneView, 1, golden.now());
            Translation cluster = translator.translate(clusterView, 1, golden.now());
            assertThat(cluster.snapshot()).as("snapshot").isEqualTo(standalone.snapshot());
            assertThat(json(cluster.status())).as("status").isEqualTo(json(standalone.status()));

            writer.publish(clusterView, cluster.status(), List.of(), 1);
            writer.awaitIdle();
            for (ResourceKind kind : KubernetesStatusWriter.KINDS) {
                for (HasMetadata o : files.store().view().<HasMetadata>list(kind)) {
                    ResourceKey key = new ResourceKey(kind.kind(), o.getMetadata().getNamespace(), o.getMetadata().getName());
                    var expected = ObjectStatus.of(standalone.status(), kind, key);
                    HasMetadata live = kind.clusterScoped() ? kube.resources(kind.modelClass()).withName(key.name()).get()
                            : kube.resources(kind.modelClass()).inNamespace(key.namespace()).withName(key.name()).get();
                    JsonNode written = withoutTimes(KubeJson.mapper().valueToTree(live).get("status"));
                    if (expected.isPresent()) {
                        compared++;
                        assertThat(written).as("status written for " + key).isEqualTo(withoutTimes(expected.get()));
                    } else if (KubernetesStatusWriter.sharedEntries(kind) == null) {
                        assertThat(written).as("nothing written for " + key + " (not ours)").isNull();
                    }
                }
            }
        } finally {
            for (SourcedObject o : forCluster.objects()) {
                kube.resource(o.object()).delete();
            }
            await(() -> store.size() == 0, "the golden's objects are gone");
        }
    }

    /**
     * The cluster's objects with the creationTimestamps the manifests give: on a cluster the API
     * server sets creationTimestamp (the mock server too), and the precedence rules read it, so the
     * goldens that order routes by age are compared on the same ages.
     */
    private static ResourceView withCreationTimestampsOf(ResourceView standalone, ResourceView cluster) {
        Map<ResourceKey, String> created = new HashMap<>();
        for (List<HasMetadata> objects : standalone.objects().values()) {
            for (HasMetadata o : objects) {
                created.put(key(o), o.getMetadata().getCreationTimestamp());
            }
        }
        List<HasMetadata> aligned = new ArrayList<>();
        for (List<HasMetadata> objects : cluster.objects().values()) {
            for (HasMetadata o : objects) {
                HasMetadata copy = KubeJson.deepCopy(o);
                copy.getMetadata().setCreationTimestamp(created.get(key(o)));
                aligned.add(copy);
            }
        }
        return ResourceView.of(aligned, Map.of());
    }

    private static ResourceKey key(HasMetadata o) {
        ResourceKind kind = ResourceKind.of(o).orElseThrow();
        return new ResourceKey(kind.kind(), kind.clusterScoped() ? "" : o.getMetadata().getNamespace(),
                o.getMetadata().getName());
    }

    private static JsonNode json(io.archway.translate.StatusReport report) {
        return KubeJson.mapper().valueToTree(report);
    }

    /** The status with every lastTransitionTime removed (stamped by each writer at its own time). */
    private static JsonNode withoutTimes(JsonNode status) {
        if (status == null || status.isNull()) {
            return null;
        }
        JsonNode copy = status.deepCopy();
        strip(copy);
        return copy;
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove("lastTransitionTime");
        }
        node.forEach(KubernetesModeEquivalenceTest::strip);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what + ": " + store.keys().stream()
                        .map(ResourceKey::toString).collect(Collectors.joining(", ")));
            }
            Thread.sleep(10);
        }
    }
}
