package io.archway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.archway.kinds.ResourceKind;
import io.archway.source.KubeJson;
import io.archway.source.LoadedFile;
import io.archway.source.ResourceStore;
import io.archway.source.file.ManifestFiles;
import io.archway.source.file.ManifestLoader;
import io.archway.translate.Diagnostic;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.Translation;
import io.archway.translate.Translator;
import io.archway.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every YAML example of the two seed documents (docs/seeds, see its README): the practical guide's
 * as written and the overview's restored ones load without a parse error, translate, and give each
 * of our Gateways and routes a status; the overview's flattened originals get a clear error naming
 * file and line, never a stack trace. {@link SeedTrafficTest} sends real traffic through them.
 */
class SeedExamplesTest {
    static final Path SEEDS = locate();

    private static Path locate() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("docs/seeds"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("docs/seeds not found above " + Path.of("").toAbsolutePath());
        }
        return p.resolve("docs/seeds");
    }

    static List<Path> files(String folder) throws IOException {
        try (Stream<Path> s = Files.list(SEEDS.resolve(folder))) {
            return s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> practicalGuideAsWrittenAndOverviewRestored() throws IOException {
        return Stream.concat(files("practical-guide").stream(), files("overview").stream())
                .map(f -> DynamicTest.dynamicTest(SEEDS.relativize(f).toString(), () -> loadsAndTranslates(f)));
    }

    @TestFactory
    Stream<DynamicTest> flattenedOriginalsGetAClearError() throws IOException {
        List<Path> files = files("overview-flattened");
        assertThat(files).hasSize(11);
        return files.stream().map(f -> DynamicTest.dynamicTest(SEEDS.relativize(f).toString(), () -> {
            LoadedFile loaded = new ManifestLoader().loadFile(f, SEEDS);
            assertThat(loaded.errors()).as("a flattened document must not load silently").isNotEmpty();
            for (Diagnostic d : loaded.errors()) {
                assertThat(d.location()).isNotNull();
                assertThat(d.location().file()).endsWith(f.getFileName().toString());
                assertThat(d.location().line()).isPositive();
                assertThat(d.message()).doesNotContain("Exception").doesNotContain("\tat ")
                        .doesNotContain("com.fasterxml");
            }
            assertThat(loaded.errors().get(0).message()).containsIgnoringCase("indent");
        }));
    }

    private static void loadsAndTranslates(Path file) throws IOException {
        LoadedFile loaded = new ManifestLoader().loadFile(file, SEEDS);
        assertThat(loaded.errors()).as("parse errors in " + file).isEmpty();
        assertThat(loaded.refusals()).as("admission refusals in " + file).isEmpty();
        ResourceStore store = new ResourceStore();
        new ManifestFiles(store).apply(loaded);
        Translation t = new Translator(new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                new GatewayAddressing.Shared("127.0.0.1"), true)).translate(store.view(), 1);
        // Gateways of ours (adopted, since these files define no archway GatewayClass) get a status
        // with Accepted; a Gateway of a class that another controller owns in the same file does not.
        boolean definesForeignClass = !store.view().gatewayClasses().isEmpty();
        for (var g : store.view().gateways()) {
            GatewayStatus status = t.status().gateways().get(new io.archway.translate.ResourceKey("Gateway",
                    g.getMetadata().getNamespace(), g.getMetadata().getName()));
            if (definesForeignClass) {
                assertThat(status).isNull();
            } else {
                assertThat(status).as("status of " + g.getMetadata().getName()).isNotNull();
                assertThat(types(status.getConditions())).contains("Accepted", "Programmed");
            }
        }
        // A route of any kind whose parent Gateway is in the same file is Accepted by it.
        for (ResourceKind kind : ResourceKind.routes()) {
            for (HasMetadata r : store.view().<HasMetadata>list(kind)) {
                JsonNode spec = KubeJson.mapper().valueToTree(r).path("spec");
                boolean parentHere = false;
                for (JsonNode p : spec.path("parentRefs")) {
                    parentHere |= store.view().gateways().stream()
                            .anyMatch(g -> g.getMetadata().getName().equals(p.path("name").asText()));
                }
                if (!parentHere) {
                    continue;
                }
                List<RouteParentStatus> parents = t.status().routes().get(new io.archway.translate.ResourceKey(
                        kind.kind(), r.getMetadata().getNamespace(), r.getMetadata().getName()));
                assertThat(parents).as("status of " + kind.kind() + " " + r.getMetadata().getName()).isNotNull();
                for (RouteParentStatus parent : parents) {
                    assertThat(parent.getConditions()).as(kind.kind() + " " + r.getMetadata().getName())
                            .anySatisfy(c -> {
                                assertThat(c.getType()).isEqualTo("Accepted");
                                assertThat(c.getStatus()).isEqualTo("True");
                            });
                }
            }
        }
    }

    private static List<String> types(List<Condition> conditions) {
        return conditions.stream().map(Condition::getType).toList();
    }
}
