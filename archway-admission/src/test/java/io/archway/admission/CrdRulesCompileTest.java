package io.archway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.kinds.ResourceKind;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every packaged CRD of a registry kind, in both channels and every version (served or not): its
 * schema compiles (RE2 patterns) and every one of its CEL rules compiles in our Kubernetes CEL
 * environment; the rules counted by compiling are all the {@code rule:} lines of the file.
 */
class CrdRulesCompileTest {

    @TestFactory
    Stream<DynamicTest> everySchemaAndRuleCompiles() {
        List<DynamicTest> tests = new ArrayList<>();
        for (CrdChannel channel : CrdChannel.values()) {
            for (ResourceKind kind : ResourceKind.all()) {
                PackagedCrds.read(channel, kind).ifPresent(crd -> tests.add(DynamicTest.dynamicTest(
                        channel.id() + " " + kind.kind(), () -> compilesEveryRule(channel, kind, crd))));
            }
        }
        return tests.stream();
    }

    private static void compilesEveryRule(CrdChannel channel, ResourceKind kind, JsonNode crd)
            throws IOException {
        int rules = 0;
        for (JsonNode v : crd.get("spec").get("versions")) {
            CrdVersionSchema schema = new CrdVersionSchema(v.get("name").asText(),
                    v.get("schema").get("openAPIV3Schema"), KubernetesCel.environment());
            List<CompiledRule> compiled = new ArrayList<>();
            schema.root().collectRules(compiled);
            compiled.forEach(CompiledRule::compile); // rules compile lazily in production: force each one here
            rules += compiled.size();
        }
        assertThat(rules).isEqualTo(ruleLines(CrdCatalog.resource(channel, kind)));
    }

    private static int ruleLines(String resource) throws IOException {
        try (InputStream in = CrdCatalog.class.getResourceAsStream(resource)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return (int) text.lines().filter(l -> l.trim().matches("(- )?rule: .*")).count();
        }
    }

    @Test
    void everyGatewayApiKindOfTheRegistryHasACrdInBothChannels() {
        for (ResourceKind kind : ResourceKind.all()) {
            if (kind.group().equals(ResourceKind.GATEWAY_GROUP)) {
                for (CrdChannel channel : CrdChannel.values()) {
                    assertThat(Admission.of(channel).checks(kind)).as(channel + " " + kind).isTrue();
                }
            } else {
                assertThat(Admission.standalone().checks(kind)).as(kind.kind()).isFalse();
            }
        }
    }

    @Test
    void theStandardChannelsRulesAreThe295OfTheRelease() throws IOException {
        int total = 0;
        for (ResourceKind kind : ResourceKind.all()) {
            if (PackagedCrds.read(CrdChannel.STANDARD, kind).isPresent()) {
                total += ruleLines(CrdCatalog.resource(CrdChannel.STANDARD, kind));
            }
        }
        assertThat(total).isEqualTo(295);
    }
}
