package io.archway.admission;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelProtoAbstractSyntaxTree;
import dev.cel.expr.CheckedExpr;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CEL expressions of the packaged CRDs' rules ({@code rule} and {@code messageExpression} of every
 * served version, both channels), parsed and type-checked ahead of time in {@link KubernetesCel}'s
 * environment and packaged as CEL's {@code CheckedExpr} protos ({@value #RESOURCE}): the first
 * evaluation of a rule builds its program from the checked form instead of parsing (ANTLR) and
 * type-checking the expression, which a cold JVM does slowly (issue 14: start-up).
 *
 * <p>{@code CheckedExpressionsTest} proves each packaged form equals what compiling its expression
 * gives today and regenerates the file after a CRD update ({@code -Darchway.crd.update=true}); an
 * expression that is not packaged is compiled as before, so a stale file costs time, never a rule.
 *
 * <p>The file: an int count, then per expression its text ({@code writeUTF}), an int length and the
 * {@code CheckedExpr}'s bytes.
 */
final class CheckedExpressions {
    static final String RESOURCE = "crd/checked-expressions.bin";

    private CheckedExpressions() {
    }

    /** The packaged checked form of {@code expression}; empty when it is not packaged. */
    static Optional<CelAbstractSyntaxTree> lookup(String expression) {
        byte[] form = Packaged.FORMS.get(expression);
        if (form == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(CelProtoAbstractSyntaxTree.fromCheckedExpr(CheckedExpr.parseFrom(form)).getAst());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the packaged checked form of " + expression + " is corrupt", e);
        }
    }

    /** Read on first use (the holder idiom: once, thread-safe). */
    private static final class Packaged {
        static final Map<String, byte[]> FORMS = readResource();

        private static Map<String, byte[]> readResource() {
            try (InputStream in = CheckedExpressions.class.getResourceAsStream(RESOURCE)) {
                return in == null ? Map.of() : read(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RESOURCE, e);
            }
        }
    }

    /** Every expression of a file in this form with its {@code CheckedExpr} bytes. */
    static Map<String, byte[]> read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(new BufferedInputStream(in));
        int count = data.readInt();
        Map<String, byte[]> forms = new HashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
            String expression = data.readUTF();
            byte[] form = new byte[data.readInt()];
            data.readFully(form);
            forms.put(expression, form);
        }
        return Map.copyOf(forms);
    }
}
