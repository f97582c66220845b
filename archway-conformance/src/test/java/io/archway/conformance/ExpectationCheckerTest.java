package io.archway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpectationCheckerTest {
    /** The URL the harness sends to: a gateway address on the scheme's default port. */
    static java.net.URI url(String scheme, String pathAndQuery) {
        return java.net.URI.create(scheme + "://192.0.2.1" + pathAndQuery);
    }


    private static JsonNode exp(String json) {
        return Json.parse(json.replace('\'', '"'));
    }

    private static HttpProbe.Response echo(int status, String path, String host, String ns, String pod,
                                           Map<String, List<String>> reqHeaders, Map<String, List<String>> resHeaders) {
        var body = Json.JSON.createObjectNode();
        body.put("path", path).put("host", host).put("method", "GET").put("proto", "HTTP/1.1")
                .put("namespace", ns).put("pod", pod).put("httpPort", "3000");
        var h = body.putObject("headers");
        reqHeaders.forEach((k, v) -> {
            var arr = h.putArray(k);
            v.forEach(arr::add);
        });
        Map<String, List<String>> headers = new LinkedHashMap<>(resHeaders);
        headers.put("Content-Type", List.of("application/json"));
        return new HttpProbe.Response(status, "HTTP/1.1", headers, Json.toJson(body).getBytes(StandardCharsets.UTF_8));
    }

    private static final String SIMPLE = "{'request':{'host':'example.com','method':'GET','path':'/v2?x=1'},"
            + "'expectedRequest':{'explicit':false,'method':'GET','path':'/v2?x=1','host':'example.com'},"
            + "'backend':'infra-backend-v2','namespace':'gateway-conformance-infra','response':{'statusCodes':[200]}}";

    @Test
    void matchingEchoPasses() {
        assertThat(ExpectationChecker.check(exp(SIMPLE), url("http", "/v2?x=1"), echo(200, "/v2?x=1", "example.com",
                "gateway-conformance-infra", "infra-backend-v2-abc-def", Map.of(), Map.of()))).isNull();
    }

    @Test
    void wrongBackendStatusPathNamespaceHostFail() {
        JsonNode e = exp(SIMPLE);
        assertThat(ExpectationChecker.check(e, url("http", "/v2?x=1"), echo(200, "/v2?x=1", "example.com",
                "gateway-conformance-infra", "infra-backend-v1-abc-def", Map.of(), Map.of())))
                .contains("expected pod name to start with infra-backend-v2");
        assertThat(ExpectationChecker.check(e, url("http", "/v2?x=1"), echo(404, "", "", "", "", Map.of(), Map.of())))
                .contains("expected status code to be one of [200], got 404");
        assertThat(ExpectationChecker.check(e, url("http", "/v2?x=1"), echo(200, "/v2", "example.com",
                "gateway-conformance-infra", "infra-backend-v2-a-b", Map.of(), Map.of())))
                .contains("expected path to be /v2?x=1");
        assertThat(ExpectationChecker.check(e, url("http", "/v2?x=1"), echo(200, "/v2?x=1", "example.com",
                "gateway-conformance-web-backend", "infra-backend-v2-a-b", Map.of(), Map.of())))
                .contains("expected namespace");
        assertThat(ExpectationChecker.check(e, url("http", "/v2?x=1"), echo(200, "/v2?x=1", "other.com",
                "gateway-conformance-infra", "infra-backend-v2-a-b", Map.of(), Map.of())))
                .contains("expected host to be example.com");
    }

    @Test
    void nonJson200OnlyChecksMethod() {
        JsonNode e = exp(SIMPLE);
        HttpProbe.Response res = new HttpProbe.Response(200, "HTTP/1.1", Map.of("Content-Type", List.of("text/plain")),
                "hi".getBytes(StandardCharsets.UTF_8));
        assertThat(ExpectationChecker.check(e, url("http", "/v2?x=1"), res)).contains("expected host to be example.com, got ");
    }

    @Test
    void nonSuccessStatusesOnlyCheckTheCode() {
        JsonNode e = exp("{'request':{'path':'/'},'namespace':'','response':{'statusCodes':[500]}}");
        assertThat(ExpectationChecker.check(e, url("http", "/"), new HttpProbe.Response(500, "HTTP/1.1", Map.of(), new byte[0])))
                .isNull();
        JsonNode t = exp("{'request':{'path':'/'},'namespace':'','response':{'statusCodes':[504]}}");
        assertThat(ExpectationChecker.check(t, url("http", "/"), new HttpProbe.Response(408, "HTTP/1.1", Map.of(), new byte[0])))
                .isNull();
    }

    @Test
    void requestAndResponseHeaders() {
        JsonNode e = exp("{'request':{'path':'/','headers':{'X-Header-Add':'a'}},"
                + "'expectedRequest':{'explicit':true,'path':'/','headers':{'X-Header-Add':'a,b','X-Set':'s'},"
                + "'absentHeaders':['X-Remove']},'namespace':'ns','backend':'b',"
                + "'response':{'statusCodes':[200],'headers':{'X-Res':'r'},'absentHeaders':['X-Gone']}}");
        Map<String, List<String>> req = new LinkedHashMap<>();
        req.put("X-Header-Add", List.of("a", "b"));
        req.put("X-Set", List.of("s"));
        assertThat(ExpectationChecker.check(e, url("http", "/"), echo(200, "/", "", "ns", "b-1-2", req,
                Map.of("x-res", List.of("r"))))).isNull();
        req.put("X-Remove", List.of("x"));
        assertThat(ExpectationChecker.check(e, url("http", "/"), echo(200, "/", "", "ns", "b-1-2", req,
                Map.of("x-res", List.of("r"))))).contains("X-Remove header to not be set");
        req.remove("X-Remove");
        assertThat(ExpectationChecker.check(e, url("http", "/"), echo(200, "/", "", "ns", "b-1-2", req,
                Map.of("x-res", List.of("r"), "X-Gone", List.of("1"))))).contains("X-Gone");
        req.put("X-Set", List.of("other"));
        assertThat(ExpectationChecker.check(e, url("http", "/"), echo(200, "/", "", "ns", "b-1-2", req,
                Map.of("x-res", List.of("r"))))).contains("expected X-Set header to be set to s");
    }

    @Test
    void redirects() {
        JsonNode e = exp("{'request':{'path':'/hostname-redirect','unfollowRedirect':true},'namespace':'',"
                + "'response':{'statusCodes':[302]},'redirectRequest':{'host':'example.org'}}");
        HttpProbe.Response ok = new HttpProbe.Response(302, "HTTP/1.1",
                Map.of("Location", List.of("http://example.org/hostname-redirect")), new byte[0]);
        assertThat(ExpectationChecker.check(e, url("http", "/hostname-redirect"), ok)).isNull();
        HttpProbe.Response port = new HttpProbe.Response(302, "HTTP/1.1",
                Map.of("Location", List.of("http://example.org:20080/hostname-redirect")), new byte[0]);
        assertThat(ExpectationChecker.check(e, url("http", "/hostname-redirect"), port))
                .contains("expected redirected port to be 80 or not set");
        HttpProbe.Response host = new HttpProbe.Response(302, "HTTP/1.1",
                Map.of("Location", List.of("http://example.com/hostname-redirect")), new byte[0]);
        assertThat(ExpectationChecker.check(e, url("http", "/hostname-redirect"), host)).contains("redirected hostname");
        HttpProbe.Response path = new HttpProbe.Response(302, "HTTP/1.1",
                Map.of("Location", List.of("http://example.org/other")), new byte[0]);
        assertThat(ExpectationChecker.check(e, url("http", "/hostname-redirect"), path)).contains("redirected path");

    }

    @Test
    void aRelativeLocationResolvesAgainstTheRequestUrlAsGosResponseLocation() {
        JsonNode sameHost = exp("{'request':{'path':'/a/b'},'namespace':'','response':{'statusCodes':[302]},"
                + "'redirectRequest':{'host':'192.0.2.1','path':'/a/c'}}");
        HttpProbe.Response relative = new HttpProbe.Response(302, "HTTP/1.1", Map.of("Location", List.of("c")),
                new byte[0]);
        assertThat(ExpectationChecker.check(sameHost, url("http", "/a/b"), relative)).isNull();
        HttpProbe.Response absolutePath = new HttpProbe.Response(302, "HTTP/1.1",
                Map.of("Location", List.of("/x/../a/c")), new byte[0]);
        assertThat(ExpectationChecker.check(sameHost, url("http", "/a/b"), absolutePath)).isNull();
        // the host of a relative Location is the gateway address the request went to, not empty
        JsonNode otherHost = exp("{'request':{'path':'/a/b'},'namespace':'','response':{'statusCodes':[302]},"
                + "'redirectRequest':{'host':'example.org'}}");
        assertThat(ExpectationChecker.check(otherHost, url("http", "/a/b"), absolutePath))
                .isEqualTo("expected redirected hostname to be \"example.org\", got \"192.0.2.1\"");
        // and its port is the request URL's: 8080 here, which an http redirect with no port must not have
        JsonNode noPort = exp("{'request':{'path':'/a/b'},'namespace':'','response':{'statusCodes':[302]},"
                + "'redirectRequest':{'path':'/a/c'}}");
        assertThat(ExpectationChecker.check(noPort, java.net.URI.create("http://192.0.2.1:8080/a/b"), relative))
                .contains("expected redirected port to be 80 or not set, got \"8080\"");
    }

    @Test
    void weightedDistributionTolerance() {
        Map<String, Double> w = new LinkedHashMap<>();
        w.put("a", 0.7);
        w.put("b", 0.3);
        w.put("c", 0.0);
        assertThat(TestRunner.compareDistribution(w, Map.of("a", 352, "b", 148), 500)).isNull();
        assertThat(TestRunner.compareDistribution(w, Map.of("a", 250, "b", 250), 500)).contains("not within tolerance");
        assertThat(TestRunner.compareDistribution(w, Map.of("a", 340, "b", 150, "c", 10), 500))
                .contains("expected 2 backends to receive traffic");
        assertThat(TestRunner.backendName("infra-backend-v1-6b8d9f7c5d-x7k2p")).isEqualTo("infra-backend-v1");
    }

    /** CompareRoundTrip's TLS checks: the backend's SNI and the client certificate it received. */
    @Test
    void backendSniAndClientCertificateAreChecked() {
        JsonNode er = exp("{'host':'abc.example.com','path':'/','sni':'abc.example.com','clientCert':'PEM-A'}");
        var tls = Json.JSON.createObjectNode().put("serverName", "abc.example.com");
        tls.putArray("peerCertificates").add("PEM-B").add("PEM-A");
        ExpectationChecker.Captured c = new ExpectationChecker.Captured("/", "abc.example.com", "GET", "HTTP/1.1",
                Map.of(), "ns", "pod", "3000", tls);
        assertThat(ExpectationChecker.checkBackendTls(er, c)).isNull();
        tls.put("serverName", "other.example.com");
        assertThat(ExpectationChecker.checkBackendTls(er, c))
                .isEqualTo("expected SNI \"other.example.com\" to be equal to \"abc.example.com\"");
        tls.put("serverName", "abc.example.com");
        tls.putArray("peerCertificates").add("PEM-B");
        assertThat(ExpectationChecker.checkBackendTls(er, c)).startsWith("expected client certificate was not captured");
        assertThat(ExpectationChecker.checkBackendTls(er, new ExpectationChecker.Captured("/", "abc.example.com", "GET",
                "HTTP/1.1", Map.of(), "ns", "pod", "3000"))).contains("reports no tls");
        assertThat(ExpectationChecker.checkBackendTls(exp("{'host':'abc.example.com','path':'/'}"),
                new ExpectationChecker.Captured("/", "abc.example.com", "GET", "HTTP/1.1", Map.of(), "ns", "pod", "3000")))
                .isNull();
    }
}
