package io.archway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.translate.explain.RequestExplanation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agreement check compares the whole decision, and any of the decisions explain lists. */
class ExplainAgreementTest {
    private static final RequestExplanation.Backend ECHO = new RequestExplanation.Backend("Service ns/echo:80", "ns",
            "echo", 80, 1, "50.0%", true, null, 1, List.of("10.0.0.1:3000"), List.of());

    private static RequestExplanation explained(RequestExplanation.Decision... decisions) {
        return new RequestExplanation("GET h/", List.of(new RequestExplanation.PortAnswer("127.0.0.1", 80, "HTTP",
                List.of("ns/gw"), decisions[0].status(), "outcome", null, List.of(), null, List.of(), null, List.of(),
                List.of(), List.of(ECHO), List.of(decisions))), null);
    }

    private static HttpProbe.Response live(int status, Map<String, List<String>> headers, String body) {
        return new HttpProbe.Response(status, "HTTP/1.1", headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static final RequestExplanation.Decision PROXY = new RequestExplanation.Decision("PROXY", 200, "50.0%",
            "Service ns/echo:80", null, "proxied");
    private static final RequestExplanation.Decision REDIRECT = new RequestExplanation.Decision("REDIRECT", 302,
            "50.0%", "Service ns/echo:80", "http://b.test/x", "backendRef's RequestRedirect");

    @Test
    void aRedirectMustHaveTheSameLocation() {
        final RequestExplanation e = explained(PROXY, REDIRECT);
        assertThat(ExplainAgreement.compare(e, live(302, Map.of("location", List.of("http://b.test/x")), ""), p -> null))
                .isNull();
        assertThat(ExplainAgreement.compare(e, live(302, Map.of("Location", List.of("http://c.test/x")), ""), p -> null))
                .contains("live redirected 302 to http://c.test/x");
        assertThat(ExplainAgreement.compare(e, live(301, Map.of("Location", List.of("http://b.test/x")), ""), p -> null))
                .contains("live answered 301");
    }

    @Test
    void aProxiedAnswerMustComeFromAProxyDecisionsBackend() {
        final String pod = "{\"namespace\": \"ns\", \"pod\": \"echo-abc\", \"path\": \"/\", \"host\": \"h\", \"method\": \"GET\","
                + " \"headers\": {}}";
        assertThat(ExplainAgreement.compare(explained(PROXY, REDIRECT), live(200, Map.of(), pod), p -> null)).isNull();
        // Explain says the only backend redirects: a 200 from it disagrees.
        assertThat(ExplainAgreement.compare(explained(REDIRECT), live(200, Map.of(), pod), p -> null))
                .startsWith("explain disagrees");
        final String other = pod.replace("echo-abc", "other-abc");
        assertThat(ExplainAgreement.compare(explained(PROXY), live(200, Map.of(), other), p -> null))
                .startsWith("explain disagrees: live served pod ns/other-abc");
    }

    @Test
    void localAnswersMustBeTheSameKind() {
        final RequestExplanation.Decision empty = new RequestExplanation.Decision("NO_ENDPOINTS", 503, "100.0%",
                "Service ns/echo:80", null, "no endpoints");
        assertThat(ExplainAgreement.compare(explained(empty), live(503, Map.of(), ""), p -> null)).isNull();
        assertThat(ExplainAgreement.compare(explained(empty), live(500, Map.of(), ""), p -> null))
                .startsWith("explain disagrees");
    }

    /** A rule timeout acts after the decision: a 504 agrees with a proxy decision only when explain names a timeout. */
    @Test
    void aGatewayTimeoutAgreesWithAProxyDecisionUnderATimeout() {
        final RequestExplanation.Decision timed = new RequestExplanation.Decision("PROXY", 200, "100.0%",
                "Service ns/echo:80", null, "proxied to Service ns/echo:80; request timeout 500ms (504 past it)");
        assertThat(ExplainAgreement.compare(explained(timed), live(504, Map.of(), ""), p -> null)).isNull();
        assertThat(ExplainAgreement.compare(explained(PROXY), live(504, Map.of(), ""), p -> null))
                .startsWith("explain disagrees");
    }
}
