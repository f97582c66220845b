package io.archway.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/** The Jackson mappers the client shares: fabric8's JSON mapper and a YAML mapper in the same style. */
public final class Mappers {

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        new KubernetesSerialization(JSON, false); // configures JSON the way fabric8 does
    }

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build());

    private Mappers() {}

    /** fabric8's JSON mapper (knows the Kubernetes model types). */
    public static ObjectMapper json() {
        return JSON;
    }

    /** A YAML mapper for reading documents into trees and writing trees without a {@code ---} line. */
    public static ObjectMapper yaml() {
        return YAML;
    }
}
