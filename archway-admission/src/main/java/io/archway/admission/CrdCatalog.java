package io.archway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.kinds.ResourceKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The Gateway API CRDs packaged with Archway (v1.6.1, see {@code crd/README.md} in the resources),
 * found for a kind of the registry by the CRD's file name {@code <group>_<plural>.yaml}: a kind added
 * to {@link ResourceKind} needs no code here, only its CRD file.
 *
 * <p>Admission reads each CRD's compact form beside it, {@code <group>_<plural>.schemas.json}: the
 * {@code openAPIV3Schema} of every served version, by version name, exactly as the YAML has it but
 * without the {@code description}s (most of the file). JSON read as a tree is a fraction of the
 * start-up cost of the YAML read into fabric8's {@code JSONSchemaProps} (issue 14: admission's set-up
 * was on the ready path). {@code PackagedSchemasTest} proves every compact form equals its CRD and
 * regenerates them after a CRD update ({@code -Darchway.crd.update=true}).
 */
public final class CrdCatalog {
    /** The Gateway API release the packaged CRDs come from. */
    public static final String BUNDLE_VERSION = "v1.6.1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private CrdCatalog() {
    }

    /** The resource path of {@code kind}'s CRD in {@code channel}, as released. */
    static String resource(CrdChannel channel, ResourceKind kind) {
        return "crd/" + channel.id() + "/" + kind.group() + "_" + kind.plural() + ".yaml";
    }

    /** The resource path of the compact form of {@code kind}'s CRD in {@code channel}. */
    static String schemasResource(CrdChannel channel, ResourceKind kind) {
        return "crd/" + channel.id() + "/" + kind.group() + "_" + kind.plural() + ".schemas.json";
    }

    /**
     * The {@code openAPIV3Schema} of each served version of {@code kind}'s CRD in {@code channel}, by
     * version name ({@code {"v1": {...}, "v1beta1": {...}}}); empty for kinds without a CRD (Service,
     * Secret, ...).
     */
    static Optional<ObjectNode> servedSchemas(CrdChannel channel, ResourceKind kind) {
        if (kind.group().isEmpty()) {
            return Optional.empty(); // core kinds are not custom resources
        }
        try (InputStream in = CrdCatalog.class.getResourceAsStream(schemasResource(channel, kind))) {
            if (in == null) {
                return Optional.empty();
            }
            JsonNode schemas = JSON.readTree(in);
            if (!(schemas instanceof ObjectNode versions)) {
                throw new IOException("not a JSON object");
            }
            return Optional.of(versions);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the packaged CRD schemas " + schemasResource(channel, kind), e);
        }
    }
}
