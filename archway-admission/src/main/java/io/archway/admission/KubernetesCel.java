package io.archway.admission;

import com.google.common.net.InetAddresses;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelFunctionBinding;
import java.util.regex.Pattern;

/**
 * The CEL environment of the API server's {@code x-kubernetes-validations}, reduced to what the
 * packaged CRDs call (checked by {@code CelRulesCompileTest}, which compiles every rule): the standard
 * macros ({@code has}, {@code all}, {@code exists}, {@code exists_one}, {@code filter}, {@code map}),
 * the strings extension ({@code split}, {@code substring}, ...) and Kubernetes' {@code isIP}.
 *
 * <p>{@code self} and {@code oldSelf} are declared {@code dyn}: values are the unstructured object
 * (maps, lists, strings, int64, double, bool), as the API server evaluates them. Regex matching is
 * RE2 partial matching, as CEL's {@code matches} is defined.
 */
final class KubernetesCel {
    static final String SELF = "self";
    static final String OLD_SELF = "oldSelf";

    private static final Pattern IPV4 = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");

    private KubernetesCel() {
    }

    private static final Cel ENVIRONMENT = build();

    /** The one environment (compiled programs are cached by expression, so there must be one). */
    static Cel environment() {
        return ENVIRONMENT;
    }

    private static Cel build() {
        return CelFactory.standardCelBuilder()
                .setOptions(CelOptions.current().enableRegexPartialMatch(true)
                        .enableHeterogeneousNumericComparisons(true).build())
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addCompilerLibraries(CelExtensions.strings())
                .addRuntimeLibraries(CelExtensions.strings())
                .addVar(SELF, SimpleType.DYN)
                .addVar(OLD_SELF, SimpleType.DYN)
                .addFunctionDeclarations(CelFunctionDecl.newFunctionDeclaration("isIP",
                        CelOverloadDecl.newGlobalOverload("isIP_string", SimpleType.BOOL, SimpleType.STRING)))
                .addFunctionBindings(CelFunctionBinding.from("isIP_string", String.class, KubernetesCel::isIP))
                .build();
    }

    /**
     * Kubernetes' {@code isIP}: an IPv4 or IPv6 address as Go's {@code netip.ParseAddr} reads it, with
     * no zone, no IPv4 octet with a leading zero and no IPv4-mapped IPv6 form
     * (k8s.io/apiserver/pkg/cel/library/ip.go).
     */
    private static final java.util.Set<String> RESERVED = java.util.Set.of("true", "false", "null", "in", "as",
            "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package",
            "namespace", "return", "var", "void", "while");

    /**
     * The name under which CEL sees an object property (k8s.io/apiserver/pkg/cel {@code Escape}):
     * {@code __} becomes {@code __underscores__}, {@code .} {@code __dot__}, {@code -} {@code __dash__},
     * {@code /} {@code __slash__}, and a CEL reserved word {@code __word__}; so a parentRef's
     * {@code namespace} is {@code __namespace__} in the CRDs' rules.
     */
    static String escape(String property) {
        if (RESERVED.contains(property)) {
            return "__" + property + "__";
        }
        return property.replace("__", "__underscores__").replace(".", "__dot__").replace("-", "__dash__")
                .replace("/", "__slash__");
    }

    static boolean isIP(String s) {
        if (s.indexOf(':') < 0) {
            if (!IPV4.matcher(s).matches()) {
                return false;
            }
            for (String octet : s.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return false;
                }
            }
            return true;
        }
        if (s.indexOf('%') >= 0 || !InetAddresses.isInetAddress(s)) {
            return false;
        }
        return !InetAddresses.isMappedIPv4Address(s);
    }
}
