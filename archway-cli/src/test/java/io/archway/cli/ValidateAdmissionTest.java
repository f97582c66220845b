package io.archway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.cli.ExplainCommandTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code archway validate} refuses what the API server would refuse: one line per violation, exit 1. */
class ValidateAdmissionTest {
    @TempDir
    Path dir;

    /** The overview seed's HTTPRoute as its document wrote it: a RequestRedirect filter beside backendRefs. */
    private static String seedAsWritten() throws Exception {
        Path seed = Path.of("../docs/seeds/overview/05-httproute-filters.yaml");
        String fixed = Files.readString(seed);
        String unfixed = fixed.replace("""
                    # - type: RequestRedirect
                    #   requestRedirect:
                    #     scheme: https
                    #     statusCode: 301
                """, """
                    - type: RequestRedirect
                      requestRedirect:
                        scheme: https
                        statusCode: 301
                """);
        assertThat(unfixed).as("the seed still has its commented-out redirect").isNotEqualTo(fixed);
        return unfixed;
    }

    @Test
    void theOverviewSeedsRedirectBesideBackendRefsIsRefusedWithFileLineFieldAndTheCrdsMessage() throws Exception {
        Path file = dir.resolve("05-httproute-filters.yaml");
        Files.writeString(file, seedAsWritten());
        Run r = ExplainCommandTest.run("validate", dir.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(ExitCodes.INVALID);
        assertThat(r.out()).contains(file + ":22: error: HTTPRoute default/httproute-example spec.rules[1]: Invalid"
                + " value: \"object\": RequestRedirect filter must not be used together with backendRefs\n");
        assertThat(r.out()).contains("INVALID: 1 problem(s)");
    }

    @Test
    void oneLinePerViolationAndTheStandardChannelOnRequest() throws Exception {
        Files.writeString(dir.resolve("r.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: r}
                spec:
                  parentRefs: [{name: gw}]
                  useDefaultGateways: All
                  rules:
                  - backendRefs:
                    - {name: a, port: 70000}
                    - {name: b, weight: -2}
                """);
        Run r = ExplainCommandTest.run("validate", dir.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(r.out().lines().filter(l -> l.contains(": error: HTTPRoute default/r ")).toList()).containsExactly(
                dir.resolve("r.yaml") + ":9: error: HTTPRoute default/r spec.rules[0].backendRefs[0].port: Invalid value:"
                        + " 70000: spec.rules[0].backendRefs[0].port in body should be less than or equal to 65535",
                dir.resolve("r.yaml") + ":10: error: HTTPRoute default/r spec.rules[0].backendRefs[1].weight: Invalid"
                        + " value: -2: spec.rules[0].backendRefs[1].weight in body should be greater than or equal to 0",
                dir.resolve("r.yaml") + ":10: error: HTTPRoute default/r spec.rules[0].backendRefs[1]: Invalid value:"
                        + " \"object\": Must have port for Service reference");
        Run standard = ExplainCommandTest.run("validate", "--crd-channel", "standard", dir.toString());
        assertThat(standard.out()).contains(dir.resolve("r.yaml") + ":6: warning: HTTPRoute default/r"
                + " spec.useDefaultGateways: unknown field \"spec.useDefaultGateways\"");
        assertThat(ExplainCommandTest.run("validate", "--crd-channel", "beta", dir.toString()).code())
                .isEqualTo(ExitCodes.USAGE);
    }
}
