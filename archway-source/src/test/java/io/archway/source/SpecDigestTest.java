package io.archway.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class SpecDigestTest {

    private static SpecDigest digest(String json) throws Exception {
        return SpecDigest.of((ObjectNode) KubeJson.mapper().readTree(json));
    }

    @Test
    void equalTreesGiveEqualDigestsWhateverTheirPropertiesOrder() throws Exception {
        assertThat(digest("{\"kind\":\"K\",\"spec\":{\"a\":1,\"b\":{\"c\":[1,2],\"d\":\"x\"}}}"))
                .isEqualTo(digest("{\"spec\":{\"b\":{\"d\":\"x\",\"c\":[1,2]},\"a\":1},\"kind\":\"K\"}"));
    }

    @Test
    void metadataStatusAndApiVersionAreNotSpec() throws Exception {
        assertThat(digest("{\"apiVersion\":\"g/v1\",\"kind\":\"K\",\"metadata\":{\"name\":\"a\",\"labels\":{\"x\":\"y\"}},"
                + "\"spec\":{\"a\":1},\"status\":{\"s\":1}}"))
                .isEqualTo(digest("{\"apiVersion\":\"g/v1beta1\",\"kind\":\"K\",\"metadata\":{\"name\":\"a\"},\"spec\":{\"a\":1}}"));
    }

    @Test
    void anyOtherChangeChangesTheDigest() throws Exception {
        SpecDigest base = digest("{\"kind\":\"K\",\"spec\":{\"a\":[1,2],\"b\":\"x\"}}");
        assertThat(digest("{\"kind\":\"K\",\"spec\":{\"a\":[2,1],\"b\":\"x\"}}")).as("list order").isNotEqualTo(base);
        assertThat(digest("{\"kind\":\"K\",\"spec\":{\"a\":[1,2],\"b\":\"y\"}}")).as("a value").isNotEqualTo(base);
        assertThat(digest("{\"kind\":\"K\",\"spec\":{\"a\":[1,2]}}")).as("a field removed").isNotEqualTo(base);
        assertThat(digest("{\"kind\":\"K\",\"spec\":{\"a\":[1,2],\"b\":\"x\"},\"data\":{}}")).as("a top-level field")
                .isNotEqualTo(base);
        assertThat(digest("{\"kind\":\"K\",\"spec\":{\"a\":[1,\"2\"],\"b\":\"x\"}}")).as("a number quoted")
                .isNotEqualTo(base);
        assertThat(base.hashCode()).isEqualTo(digest("{\"spec\":{\"b\":\"x\",\"a\":[1,2]},\"kind\":\"K\"}").hashCode());
    }

    @Test
    void scalarsOfDifferentTypesOrNestingDiffer() throws Exception {
        SpecDigest base = digest("{\"spec\":{\"a\":\"true\"}}");
        assertThat(digest("{\"spec\":{\"a\":true}}")).as("a boolean quoted").isNotEqualTo(base);
        assertThat(digest("{\"spec\":{\"a\":null}}")).as("null").isNotEqualTo(base);
        assertThat(digest("{\"spec\":{\"a\":[\"true\"]}}")).as("in a list").isNotEqualTo(base);
        assertThat(digest("{\"spec\":{\"a\":{\"true\":null}}}")).as("as a key").isNotEqualTo(base);
        assertThat(digest("{\"spec\":{\"ab\":\"c\"}}")).as("where a string ends")
                .isNotEqualTo(digest("{\"spec\":{\"a\":\"bc\"}}"));
        assertThat(digest("{\"spec\":{\"a\":[[1],[]]}}")).as("where a list ends")
                .isNotEqualTo(digest("{\"spec\":{\"a\":[[],[1]]}}"));
        assertThat(digest("{\"spec\":{\"a\":1.5}}")).as("a fraction").isNotEqualTo(digest("{\"spec\":{\"a\":15}}"));
        assertThat(digest("{\"spec\":{\"a\":\"\u00e9\"}}")).as("non-ASCII text")
                .isNotEqualTo(digest("{\"spec\":{\"a\":\"e\"}}"));
    }

    @Test
    void equalYamlAndJsonGiveEqualDigests() throws Exception {
        ObjectNode yaml = (ObjectNode) new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(
                "kind: K\nspec:\n  b: [1, x]\n  a: {c: 2.5, d: null}\n");
        assertThat(SpecDigest.of(yaml)).isEqualTo(digest("{\"spec\":{\"a\":{\"d\":null,\"c\":2.5},\"b\":[1,\"x\"]},\"kind\":\"K\"}"));
    }
}
