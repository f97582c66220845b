package io.archway.admission;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.archway.kinds.ResourceKind;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The Gateway API CRDs packaged with Archway (v1.6.1, see {@code crd/README.md} in the resources),
 * found for a kind of the registry by the CRD's file name {@code <group>_<plural>.yaml}: a kind added
 * to {@link ResourceKind} needs no code here, only its CRD file.
 */
public final class CrdCatalog {
    /** The Gateway API release the packaged CRDs come from. */
    public static final String BUNDLE_VERSION = "v1.6.1";

    private static final YAMLMapper YAML = (YAMLMapper) new YAMLMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private CrdCatalog() {
    }

    /** The resource path of {@code kind}'s CRD in {@code channel}. */
    static String resource(CrdChannel channel, ResourceKind kind) {
        return "crd/" + channel.id() + "/" + kind.group() + "_" + kind.plural() + ".yaml";
    }

    /** {@code kind}'s CRD in {@code channel}; empty for kinds without one (Service, Secret, ...). */
    public static Optional<CustomResourceDefinition> definition(CrdChannel channel, ResourceKind kind) {
        if (kind.group().isEmpty()) {
            return Optional.empty(); // core kinds are not custom resources
        }
        try (InputStream in = CrdCatalog.class.getResourceAsStream(resource(channel, kind))) {
            if (in == null) {
                return Optional.empty();
            }
            return Optional.of(YAML.readValue(in, CustomResourceDefinition.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the packaged CRD " + resource(channel, kind), e);
        }
    }
}
