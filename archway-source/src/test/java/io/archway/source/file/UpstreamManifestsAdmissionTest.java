package io.archway.source.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.archway.source.LoadedFile;
import io.archway.translate.Diagnostic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every manifest of the upstream v1.6.1 conformance suite (../shared/conformance/manifests) and of
 * the seeds (docs/seeds, restored and as written) is admitted unchanged: a cluster with the CRDs
 * accepts them (the suite relies on it, including for its deliberately broken-but-admitted
 * objects), so admission must not refuse one of them, nor find an unknown field in them.
 */
class UpstreamManifestsAdmissionTest {
    private static final Path CONFORMANCE = Path.of(System.getProperty("archway.conformance.manifests",
            "../../shared/conformance/manifests"));
    private static final Path SEEDS = Path.of("../docs/seeds");

    @TestFactory
    Stream<DynamicTest> conformanceManifestsAreAdmitted() throws IOException {
        assumeTrue(Files.isDirectory(CONFORMANCE), "no " + CONFORMANCE.toAbsolutePath());
        List<Path> files = ManifestLoader.listManifests(CONFORMANCE);
        assertThat(files).hasSizeGreaterThan(100);
        return files.stream().map(f -> DynamicTest.dynamicTest(CONFORMANCE.relativize(f).toString(),
                () -> admitted(new ManifestLoader().parse(f.toString(), applierSubstitutions(Files.readString(f))))));
    }

    /**
     * What the upstream suite's applier does before a manifest reaches the API server: the class and
     * controller placeholders, and GatewayStaticAddresses' address placeholders replaced by typed
     * addresses of the implementation (as a bare value, the default type IPAddress would not validate,
     * on a cluster either).
     */
    private static String applierSubstitutions(String yaml) {
        return yaml.replace("{GATEWAY_CLASS_NAME}", "archway")
                .replace("{GATEWAY_CONTROLLER_NAME}", "archway.io/gateway-controller")
                .replace("- value: \"PLACEHOLDER_UNUSABLE_ADDRS\"", "- {type: IPAddress, value: \"198.51.100.1\"}")
                .replace("- value: \"PLACEHOLDER_USABLE_ADDRS\"", "- {type: IPAddress, value: \"127.0.0.1\"}");
    }

    @TestFactory
    Stream<DynamicTest> seedExamplesAreAdmitted() throws IOException {
        List<Path> files = Stream.concat(ManifestLoader.listManifests(SEEDS.resolve("practical-guide")).stream(),
                ManifestLoader.listManifests(SEEDS.resolve("overview")).stream()).toList();
        assertThat(files).hasSize(25);
        return files.stream().map(f -> DynamicTest.dynamicTest(SEEDS.relativize(f).toString(),
                () -> admitted(new ManifestLoader().loadFile(f, SEEDS))));
    }

    private static void admitted(LoadedFile loaded) {
        assertThat(loaded.errors()).isEmpty();
        assertThat(loaded.refusals()).extracting(Diagnostic::toString).isEmpty();
        assertThat(loaded.warnings()).extracting(Diagnostic::toString).noneMatch(w -> w.contains("unknown field"));
    }
}
