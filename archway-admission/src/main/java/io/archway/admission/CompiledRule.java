package io.archway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One {@code x-kubernetes-validations} rule of a CRD version, evaluated for every value at its schema
 * node. Its expressions are compiled on first use (and shared by every place a CRD repeats them): a
 * start-up that admits a few objects compiles the few rules they reach, not the hundreds of the
 * packaged CRDs (docs/PERFORMANCE.md, start-up); from their packaged checked form
 * ({@link CheckedExpressions}) when there is one.
 *
 * <p>A transition rule (one that reads {@code oldSelf}) is skipped, as the API server skips it on a
 * create: standalone mode has no stored object to compare with. The refusal carries the rule's
 * {@code message}, or its {@code messageExpression}'s value, or, with neither, {@code failed rule: RULE};
 * {@code fieldPath} is appended to the node's path and {@code reason} chooses the error type.
 */
final class CompiledRule {
    private final Cel cel;
    private final String rule;
    private final String message;
    private final String messageExpression;
    private final String fieldPath;
    private final String schemaPath;
    private final Violation.Type type;
    /** The rule's and the message expression's programs, once compiled (racy but idempotent). */
    private volatile Program program;
    private volatile Program messageProgram;

    private CompiledRule(Cel cel, JsonNode rule, String schemaPath) {
        this.cel = cel;
        this.rule = StructuralSchema.text(rule, "rule");
        this.message = StructuralSchema.text(rule, "message");
        String expression = StructuralSchema.text(rule, "messageExpression");
        this.messageExpression = expression == null || expression.isBlank() ? null : expression;
        this.fieldPath = StructuralSchema.text(rule, "fieldPath");
        this.schemaPath = schemaPath;
        this.type = typeOf(StructuralSchema.text(rule, "reason"));
    }

    /** A compiled expression, shared by every place a CRD repeats it (and by both channels). */
    private record Program(CelRuntime.Program program, boolean readsOldSelf) {
    }

    private static final ConcurrentMap<String, Program> PROGRAMS = new ConcurrentHashMap<>();

    /**
     * {@code rule} (an item of {@code x-kubernetes-validations}: rule, message, messageExpression,
     * fieldPath, reason) at {@code schemaPath}, compiled when first evaluated (or by {@link #compile()}).
     */
    static CompiledRule of(Cel cel, JsonNode rule, String schemaPath) {
        return new CompiledRule(cel, rule, schemaPath);
    }

    /**
     * Compiles the rule and its message expression now, or reuses the programs of identical
     * expressions compiled before; a rule that does not compile is a defect of the packaged CRD
     * ({@code CrdRulesCompileTest} compiles every rule).
     */
    CompiledRule compile() {
        program();
        messageProgram();
        return this;
    }

    private Program program() {
        Program p = program;
        if (p == null) {
            p = program(cel, rule, schemaPath);
            program = p;
        }
        return p;
    }

    private Program messageProgram() {
        if (messageExpression == null) {
            return null;
        }
        Program p = messageProgram;
        if (p == null) {
            p = program(cel, messageExpression, schemaPath);
            messageProgram = p;
        }
        return p;
    }

    private static Program program(Cel cel, String expression, String schemaPath) {
        Program cached = PROGRAMS.get(expression);
        if (cached != null) {
            return cached;
        }
        try {
            CelAbstractSyntaxTree ast = CheckedExpressions.lookup(expression).orElse(null);
            if (ast == null) {
                ast = cel.compile(expression).getAst();
            }
            boolean readsOldSelf = ast.getReferenceMap().values().stream()
                    .anyMatch(r -> KubernetesCel.OLD_SELF.equals(r.name()));
            Program compiled = new Program(cel.createProgram(ast), readsOldSelf);
            PROGRAMS.putIfAbsent(expression, compiled);
            return compiled;
        } catch (CelValidationException | CelEvaluationException e) {
            throw new IllegalStateException("x-kubernetes-validations rule at " + schemaPath + " does not compile: "
                    + expression + ": " + e.getMessage(), e);
        }
    }

    private static Violation.Type typeOf(String reason) {
        if (reason == null) {
            return Violation.Type.INVALID;
        }
        switch (reason) {
            case "FieldValueRequired":
                return Violation.Type.REQUIRED;
            case "FieldValueDuplicate":
                return Violation.Type.DUPLICATE;
            case "FieldValueForbidden":
                return Violation.Type.FORBIDDEN;
            default:
                return Violation.Type.INVALID;
        }
    }

    String rule() {
        return rule;
    }

    /** True for a transition rule (reads {@code oldSelf}); compiles the rule. */
    boolean transition() {
        return program().readsOldSelf();
    }

    /**
     * Evaluates the rule for {@code self} at {@code path}; adds the refusal to {@code out} when the rule
     * is false or cannot be evaluated (as the API server, which refuses on an evaluation error).
     */
    void evaluate(Object self, String path, String typeName, List<Violation> out) {
        Program compiled = program();
        if (compiled.readsOldSelf()) {
            return;
        }
        Map<String, Object> vars = Map.of(KubernetesCel.SELF, self);
        Object result;
        try {
            result = compiled.program().eval(vars);
        } catch (CelEvaluationException | RuntimeException e) {
            // The API server refuses on an evaluation error, naming the error and the rule's message:
            // 'Invalid value: "object": no such key: certificateRefs evaluating rule: <message>'.
            out.add(new Violation(path, Violation.Type.INVALID, "\"" + typeName + "\": " + errorText(e)
                    + " evaluating rule: " + (message != null && !message.isBlank() ? message : rule)));
            return;
        }
        if (Boolean.TRUE.equals(result)) {
            return;
        }
        String at = fieldPath == null || fieldPath.isEmpty() ? path : join(path, fieldPath);
        out.add(new Violation(at, type, (type == Violation.Type.INVALID ? "\"" + typeName + "\": " : "")
                + messageFor(vars)));
    }

    private String messageFor(Map<String, Object> vars) {
        Program messageProgram = messageProgram();
        if (messageProgram != null) {
            try {
                Object m = messageProgram.program().eval(vars);
                if (m instanceof String s && !s.isBlank() && !s.contains("\n")) {
                    return s;
                }
            } catch (CelEvaluationException | RuntimeException e) {
                // the API server falls back to message (or the rule) when messageExpression fails
            }
        }
        return message != null && !message.isBlank() ? message : "failed rule: " + rule;
    }

    private static final java.util.regex.Pattern MISSING_KEY =
            java.util.regex.Pattern.compile("key '([^']*)' is not present in map\\.?");

    /** CEL-Java's error in cel-go's words, as the API server prints it ("no such key: x"). */
    private static String errorText(Exception e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int colon = m.indexOf(": ");
        if (m.startsWith("evaluation error") && colon > 0) {
            m = m.substring(colon + 2); // CEL-Java prefixes "evaluation error at <position>: "
        }
        java.util.regex.Matcher k = MISSING_KEY.matcher(m);
        return k.find() ? "no such key: " + k.group(1) : m;
    }

    /** {@code spec.x} + {@code .y} or {@code ['y']} (a rule's JSONPath-like fieldPath). */
    static String join(String path, String fieldPath) {
        String fp = fieldPath.startsWith(".") ? fieldPath.substring(1) : fieldPath;
        if (fp.startsWith("[")) {
            return path + fp;
        }
        return path.isEmpty() ? fp : path + "." + fp;
    }

    @Override
    public String toString() {
        return Objects.requireNonNullElse(message, rule);
    }
}
