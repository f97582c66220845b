package io.archway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.kinds.ResourceKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The compact form admission reads ({@code <group>_<plural>.schemas.json}, {@link CrdCatalog}) is the
 * packaged CRD YAML's: for every kind, channel and served version, the same schema keyword for
 * keyword, value for value, only without descriptions. So a CRD update cannot silently diverge from
 * what admission checks: after copying new CRDs, run this test with {@code -Darchway.crd.update=true}
 * to regenerate the compact forms, then read the diff.
 */
class PackagedSchemasTest {
    private static final Path RESOURCES = Path.of("src/main/resources/io/archway/admission");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> everyCompactFormIsItsCrdWithoutDescriptions() {
        boolean update = Boolean.getBoolean("archway.crd.update");
        List<DynamicTest> tests = new ArrayList<>();
        for (CrdChannel channel : CrdChannel.values()) {
            for (ResourceKind kind : ResourceKind.all()) {
                PackagedCrds.read(channel, kind).ifPresent(crd -> tests.add(DynamicTest.dynamicTest(
                        channel.id() + " " + kind.kind(), () -> {
                            ObjectNode expected = PackagedCrds.compact(crd);
                            if (update) {
                                Files.writeString(RESOURCES.resolve(CrdCatalog.schemasResource(channel, kind)),
                                        JSON.writeValueAsString(expected) + "\n");
                            }
                            Path file = RESOURCES.resolve(CrdCatalog.schemasResource(channel, kind));
                            assertThat(file).as("regenerate with -Darchway.crd.update=true").exists();
                            // the source Maven copies into the jar
                            JsonNode packaged = JSON.readTree(file.toFile());
                            assertThat(packaged).as("%s is %s without descriptions; regenerate with"
                                    + " -Darchway.crd.update=true", file, CrdCatalog.resource(channel, kind))
                                    .isEqualTo(expected);
                            assertThat(packaged.size()).as("served versions").isPositive();
                        })));
            }
        }
        return tests.stream();
    }

    /** No compact form is left behind without its CRD (e.g. a kind's CRD removed). */
    @Test
    void everyCompactFormHasItsCrd() throws IOException {
        Set<String> expected = new HashSet<>();
        for (CrdChannel channel : CrdChannel.values()) {
            for (ResourceKind kind : ResourceKind.all()) {
                if (PackagedCrds.read(channel, kind).isPresent()) {
                    expected.add(CrdCatalog.schemasResource(channel, kind));
                }
            }
        }
        Set<String> packaged = new HashSet<>();
        try (Stream<Path> files = Files.walk(RESOURCES.resolve("crd"))) {
            files.filter(f -> f.toString().endsWith(".schemas.json"))
                    .forEach(f -> packaged.add(RESOURCES.relativize(f).toString().replace('\\', '/')));
        }
        assertThat(packaged).isEqualTo(expected);
    }

    /** Only documentation is left out: the compact form keeps a property named description, and every rule. */
    @Test
    void onlyDescriptionsAreLeftOut() throws IOException {
        JsonNode crd = PackagedCrds.read(CrdChannel.EXPERIMENTAL, ResourceKind.HTTP_ROUTE).orElseThrow();
        JsonNode v1 = PackagedCrds.compact(crd).get("v1");
        assertThat(keywords(v1)).doesNotContain("description");
        JsonNode yamlV1 = crd.get("spec").get("versions").get(0).get("schema").get("openAPIV3Schema");
        Set<String> yamlKeywords = keywords(yamlV1);
        yamlKeywords.remove("description");
        assertThat(keywords(v1)).isEqualTo(yamlKeywords);
        assertThat(v1.toString().split("\"rule\"", -1).length).isEqualTo(yamlV1.toString().split("\"rule\"", -1).length);
        // a field named description (GatewayClass spec.description) is a property, not documentation
        JsonNode gatewayClass = PackagedCrds.compact(PackagedCrds.read(CrdChannel.STANDARD, ResourceKind.GATEWAY_CLASS)
                .orElseThrow()).get("v1");
        assertThat(gatewayClass.at("/properties/spec/properties/description/type").asText()).isEqualTo("string");
    }

    /** The keywords used by the schema nodes at and below {@code s}. */
    private static Set<String> keywords(JsonNode s) {
        Set<String> out = new HashSet<>();
        collect(s, out);
        return out;
    }

    private static void collect(JsonNode s, Set<String> out) {
        if (s == null || !s.isObject()) {
            return;
        }
        s.fieldNames().forEachRemaining(out::add);
        JsonNode properties = s.get("properties");
        if (properties != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
                collect(it.next().getValue(), out);
            }
        }
        collect(s.get("items"), out);
        collect(s.get("additionalProperties"), out);
        collect(s.get("not"), out);
        for (String list : new String[] {"anyOf", "oneOf", "allOf"}) {
            if (s.get(list) != null) {
                s.get(list).forEach(a -> collect(a, out));
            }
        }
    }
}
