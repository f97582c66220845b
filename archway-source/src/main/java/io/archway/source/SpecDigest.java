package io.archway.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Iterator;
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
 * runs on the parse threads. The tree is walked here, not written out by Jackson (a generator, a
 * sorted copy of every object's fields, a digest stream): that cost 0.16 of the parse worker's samples
 * at start-up, mostly cold generator code (docs/PERFORMANCE.md, start-up, session 9). The encoding is
 * this process's own (digests are compared, never stored): a tag per node, lengths before contents,
 * so that different trees give different byte strings, and short (one-byte lengths): before the JIT
 * compiles SHA-256, each 64 bytes hashed costs tens of microseconds.
 *
 * <p>One difference from a round trip through the typed model, for kinds without a CRD (Service,
 * EndpointSlice, ...), whose generation nothing reads: an empty list written out or a number quoted
 * ({@code port: "80"}) is a change of the tree and bumps it.
 */
public record SpecDigest(byte[] sha256) {
    private static final Set<String> NOT_SPEC = Set.of("metadata", "status", "apiVersion");
    /** Cloned per digest: {@code getInstance} looks the provider up every time. */
    private static final MessageDigest SHA_256;

    static {
        try {
            SHA_256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new ExceptionInInitializerError(e); // every JDK has it
        }
    }

    public SpecDigest {
        sha256 = sha256.clone();
    }

    /** The digest of {@code object}'s spec: every top-level field but metadata, status and apiVersion. */
    public static SpecDigest of(ObjectNode object) {
        Encoder out = new Encoder();
        out.object(object, NOT_SPEC);
        MessageDigest sha256 = newSha256();
        sha256.update(out.buf, 0, out.len);
        return new SpecDigest(sha256.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException never) {
                throw new IllegalStateException(never);
            }
        }
    }

    /**
     * A tree as bytes: a tag per node; an object's field count, then its fields sorted by name, each
     * name before its value; an array's length, then its elements; a scalar's text (a number's as
     * JSON writes it, so {@code 1} and {@code "1"} differ by their tag), strings length-prefixed.
     */
    private static final class Encoder {
        private byte[] buf = new byte[512];
        private int len;

        void node(JsonNode node) {
            switch (node.getNodeType()) {
                case OBJECT:
                    object((ObjectNode) node, Set.of());
                    break;
                case ARRAY:
                    tag('[');
                    count(node.size());
                    for (JsonNode element : node) {
                        node(element);
                    }
                    break;
                case STRING:
                    tag('s');
                    text(node.textValue());
                    break;
                case NUMBER:
                    tag('n');
                    text(node.asText());
                    break;
                case BOOLEAN:
                    tag(node.booleanValue() ? 't' : 'f');
                    break;
                case NULL:
                case MISSING:
                    tag('z');
                    break;
                default: // BINARY, POJO: not made by the YAML or JSON parsers; their text, tagged apart
                    tag('o');
                    text(node.asText());
            }
        }

        void object(ObjectNode node, Set<String> skipped) {
            String[] names = new String[node.size()];
            int n = 0;
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!skipped.contains(name)) {
                    names[n++] = name;
                }
            }
            Arrays.sort(names, 0, n);
            tag('{');
            count(n);
            for (int i = 0; i < n; i++) {
                text(names[i]);
                node(node.get(names[i]));
            }
        }

        private void text(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            count(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
        }

        /** {@code n} as a varint (7 bits a byte, low first): most counts and names take one byte. */
        private void count(int n) {
            ensure(5);
            while ((n & ~0x7F) != 0) {
                buf[len++] = (byte) (n & 0x7F | 0x80);
                n >>>= 7;
            }
            buf[len++] = (byte) n;
        }

        private void tag(char c) {
            ensure(1);
            buf[len++] = (byte) c;
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
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
