package io.archway.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * What bumps an object's {@code metadata.generation} in standalone mode, kept as the 32 bytes of a
 * SHA-256 rather than a tree per object (a few KiB each, tens of MiB at 10,000 routes): everything of
 * the admitted object but {@code metadata}, {@code status} and {@code apiVersion}, its properties
 * sorted, so that equal trees give equal digests whatever their order in the file.
 *
 * <p>It is taken of the JSON tree admission returns (pruned and defaulted as the API server would
 * store it; a non-nullable {@code null} dropped), which is what the API server compares for a custom
 * resource: a default written out, a pruned unknown field, reordered keys, YAML or JSON, comments and
 * labels bump nothing; any other change to the spec does. Digesting that tree, which the loader holds
 * anyway, rather than the typed object serialized back (fabric8's classes through Jackson's bean
 * serializers) keeps their cold start off start-up (docs/PERFORMANCE.md, start-up, session 7), and it
 * runs on the parse threads. One difference from a round trip through the typed model, for kinds
 * without a CRD (Service, EndpointSlice, ...), whose generation nothing reads: an empty list written out
 * or a number quoted ({@code port: "80"}) is a change of the tree and bumps it.
 */
public record SpecDigest(byte[] sha256) {
    private static final Set<String> NOT_SPEC = Set.of("metadata", "status", "apiVersion");
    private static final ObjectWriter SORTED = KubeJson.mapper().writer()
            .with(JsonNodeFeature.WRITE_PROPERTIES_SORTED);

    public SpecDigest {
        sha256 = sha256.clone();
    }

    /** The digest of {@code object}'s spec: every top-level field but metadata, status and apiVersion. */
    public static SpecDigest of(ObjectNode object) {
        ObjectNode spec = JsonNodeFactory.instance.objectNode(); // a shallow view: the values are shared
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!NOT_SPEC.contains(field.getKey())) {
                spec.set(field.getKey(), field.getValue());
            }
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), sha256)) {
                SORTED.writeValue(out, spec);
            }
            return new SpecDigest(sha256.digest());
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException("cannot digest a spec", e);
        }
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpecDigest d && Arrays.equals(d.sha256, sha256);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sha256);
    }

    @Override
    public String toString() {
        return "SpecDigest[" + java.util.HexFormat.of().formatHex(sha256, 0, 8) + "...]";
    }
}
