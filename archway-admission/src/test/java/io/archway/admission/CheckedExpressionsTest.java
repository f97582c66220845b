package io.archway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.CodedOutputStream;
import dev.cel.bundle.Cel;
import dev.cel.common.CelProtoAbstractSyntaxTree;
import dev.cel.expr.CheckedExpr;
import io.archway.kinds.ResourceKind;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The packaged checked forms ({@link CheckedExpressions}) are exactly the expressions of the packaged
 * CRDs' rules, each equal to what compiling it in {@link KubernetesCel}'s environment gives today. After
 * a CRD update, or a change of the environment or of CEL-Java, regenerate the file with
 * {@code -Darchway.crd.update=true} (the rules' behaviour is {@code StandardRulesCoverageTest}'s).
 */
class CheckedExpressionsTest {
    private static final Path FILE = Path.of("src/main/resources/io/archway/admission")
            .resolve(CheckedExpressions.RESOURCE);

    @Test
    void everyRuleOfThePackagedCrdsIsPackagedCheckedAsCompilingItGives() throws Exception {
        Cel cel = KubernetesCel.environment();
        Map<String, CheckedExpr> expected = new TreeMap<>();
        for (String expression : expressions()) {
            expected.put(expression, CelProtoAbstractSyntaxTree.fromCelAst(cel.compile(expression).getAst())
                    .toCheckedExpr());
        }
        if (Boolean.getBoolean("archway.crd.update")) {
            Files.write(FILE, serialize(expected));
        }
        Map<String, byte[]> packaged = read();
        assertThat(new TreeSet<>(packaged.keySet())).as("%s: regenerate with -Darchway.crd.update=true", FILE)
                .isEqualTo(expected.keySet());
        for (Map.Entry<String, CheckedExpr> e : expected.entrySet()) {
            assertThat(CheckedExpr.parseFrom(packaged.get(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(expected).containsKey("!(!has(self.cors) && self.type == 'CORS')"); // an HTTPRoute filter rule
    }

    @Test
    void aRuleIsBuiltFromItsPackagedForm() {
        String rule = expressions().first();
        assertThat(CheckedExpressions.lookup(rule)).isPresent();
        assertThat(CheckedExpressions.lookup(rule).get().isChecked()).isTrue();
        assertThat(CheckedExpressions.lookup("self.size() > 0 && 'not a rule of the CRDs'")).isEmpty();
    }

    /** The packaged file (the source Maven copies into the jar), as {@link CheckedExpressions} reads it. */
    private static Map<String, byte[]> read() throws IOException {
        try (InputStream in = Files.newInputStream(FILE)) {
            return CheckedExpressions.read(in);
        }
    }

    /** Every rule and message expression of every served version of every packaged CRD. */
    private static TreeSet<String> expressions() {
        TreeSet<String> out = new TreeSet<>();
        for (CrdChannel channel : CrdChannel.values()) {
            for (ResourceKind kind : ResourceKind.all()) {
                PackagedCrds.read(channel, kind).ifPresent(crd -> collect(PackagedCrds.compact(crd), out));
            }
        }
        return out;
    }

    private static void collect(JsonNode node, TreeSet<String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("x-kubernetes-validations") && e.getValue().isArray()) {
                    for (JsonNode rule : e.getValue()) {
                        out.add(rule.get("rule").asText());
                        JsonNode message = rule.get("messageExpression");
                        if (message != null && !message.asText().isBlank()) {
                            out.add(message.asText());
                        }
                    }
                } else {
                    collect(e.getValue(), out);
                }
            }
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, out));
        }
    }

    private static byte[] serialize(Map<String, CheckedExpr> forms) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(forms.size());
        for (Map.Entry<String, CheckedExpr> e : forms.entrySet()) {
            ByteArrayOutputStream form = new ByteArrayOutputStream();
            CodedOutputStream coded = CodedOutputStream.newInstance(form);
            coded.useDeterministicSerialization();
            e.getValue().writeTo(coded);
            coded.flush();
            out.writeUTF(e.getKey());
            out.writeInt(form.size());
            form.writeTo(out);
        }
        out.flush();
        return bytes.toByteArray();
    }
}
