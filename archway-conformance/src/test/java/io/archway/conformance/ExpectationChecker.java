package io.archway.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Upstream {@code http.CompareRoundTrip} over an extracted {@code http_expectations} entry
 * (index.json "semantics"). Returns null when the response meets the expectation, otherwise the
 * reason it does not.
 */
final class ExpectationChecker {

    /** What the echo backend reported (roundtripper.CapturedRequest). */
    /** @param tls echo-basic's {@code tls} (a TLS listener only), else a missing node */
    record Captured(String path, String host, String method, String proto, Map<String, List<String>> headers,
                    String namespace, String pod, String httpPort, JsonNode tls) {
        Captured(String path, String host, String method, String proto, Map<String, List<String>> headers,
                 String namespace, String pod, String httpPort) {
            this(path, host, method, proto, headers, namespace, pod, httpPort,
                    com.fasterxml.jackson.databind.node.MissingNode.getInstance());
        }

        static Captured parse(JsonNode json) {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            json.path("headers").fields().forEachRemaining(e -> {
                List<String> vals = new ArrayList<>();
                e.getValue().forEach(v -> vals.add(v.asText()));
                headers.put(e.getKey(), vals);
            });
            return new Captured(json.path("path").asText(""), json.path("host").asText(""),
                    json.path("method").asText(""), json.path("proto").asText(""), headers,
                    json.path("namespace").asText(""), json.path("pod").asText(""), json.path("httpPort").asText(""),
                    json.path("tls"));
        }
    }

    private ExpectationChecker() {
    }

    static List<Integer> statusCodes(JsonNode exp) {
        List<Integer> codes = new ArrayList<>();
        exp.path("response").path("statusCodes").forEach(c -> codes.add(c.asInt()));
        int single = exp.path("response").path("statusCode").asInt(0);
        if (single != 0 && !codes.contains(single)) {
            codes.add(single);
        }
        if (codes.isEmpty()) {
            codes.add(200);
        }
        return codes;
    }

    static boolean isTimeout(int code) {
        return code == 408 || code == 504;
    }

    static boolean isRedirect(int code) {
        return code == 300 || code == 301 || code == 302 || code == 303 || code == 304 || code == 305
                || code == 307 || code == 308;
    }

    /** The request the backend is expected to see: explicit expectedRequest, else the request as sent. */
    static JsonNode expectedRequest(JsonNode exp) {
        JsonNode er = exp.path("expectedRequest");
        if (er.isObject() && er.path("explicit").asBoolean(false)) {
            return er;
        }
        return exp.path("request");
    }

    /**
     * @param requestUrl the URL the request was sent to, as upstream builds it: the request's
     *     scheme, the gateway address (its port left out when it is the scheme's default) and the
     *     path with its query
     * @return null on match, else why not
     */
    static String check(JsonNode exp, URI requestUrl, HttpProbe.Response res) {
        List<Integer> codes = statusCodes(exp);
        int status = res.status();
        if (isTimeout(status) && codes.stream().anyMatch(ExpectationChecker::isTimeout)) {
            return null;
        }
        if (!codes.contains(status)) {
            return "expected status code to be one of " + codes + ", got " + status + bodyHint(res);
        }
        String proto = exp.path("response").path("protocol").asText("");
        if (!proto.isEmpty() && !proto.equals(res.proto())) {
            return "expected protocol to be " + proto + ", got " + res.proto();
        }
        if (status == 200 || status == 204) {
            return checkBackend(exp, res);
        }
        if (isRedirect(status)) {
            return checkRedirect(exp, requestUrl, res);
        }
        return null;
    }

    private static String bodyHint(HttpProbe.Response res) {
        String body = res.bodyText();
        if (body.isEmpty()) {
            return "";
        }
        body = body.replaceAll("\\s+", " ");
        return " (body: " + (body.length() > 200 ? body.substring(0, 200) + "..." : body) + ")";
    }

    private static String checkBackend(JsonNode exp, HttpProbe.Response res) {
        JsonNode req = exp.path("request");
        String method = req.path("method").asText("");
        Captured c;
        if ("application/json".equals(res.firstHeader("Content-Type"))) {
            try {
                c = Captured.parse(Json.parse(res.bodyText()));
            } catch (IllegalArgumentException e) {
                return "unexpected error reading response: " + e.getMessage();
            }
        } else {
            c = new Captured("", "", method.isEmpty() ? "GET" : method, "", null, "", "", "");
        }
        JsonNode er = expectedRequest(exp);
        String eMethod = er.path("method").asText("");
        if (eMethod.isEmpty()) {
            eMethod = "GET";
        }
        String eHost = er.path("host").asText("");
        if (!eHost.isEmpty() && !eHost.equals(c.host())) {
            return "expected host to be " + eHost + ", got " + c.host();
        }
        String ePath = er.path("path").asText("");
        if (!ePath.equals(c.path())) {
            return "expected path to be " + ePath + ", got " + c.path();
        }
        if (!eMethod.equals(c.method())) {
            return "expected method to be " + eMethod + ", got " + c.method();
        }
        String ns = exp.path("namespace").asText("");
        if (!ns.equals(c.namespace())) {
            return "expected namespace to be " + ns + ", got " + c.namespace();
        }
        JsonNode eHeaders = er.path("headers");
        if (eHeaders.isObject() && eHeaders.size() > 0) {
            if (c.headers() == null) {
                return "no headers captured, expected " + eHeaders.size();
            }
            Map<String, List<String>> lower = lower(c.headers());
            for (var it = eHeaders.fields(); it.hasNext(); ) {
                var e = it.next();
                List<String> actual = lower.get(e.getKey().toLowerCase(Locale.ROOT));
                if (actual == null) {
                    return "expected " + e.getKey() + " header to be set, actual headers: " + c.headers();
                }
                if (!String.join(",", actual).equals(e.getValue().asText())) {
                    return "expected " + e.getKey() + " header to be set to " + e.getValue().asText() + ", got "
                            + String.join(",", actual);
                }
            }
        }
        String httpPort = exp.path("expectedRequest").path("httpPort").asText("");
        if (!httpPort.isEmpty() && !httpPort.equals(c.httpPort())) {
            return "expected httpPort " + httpPort + ", got " + c.httpPort();
        }
        JsonNode response = exp.path("response");
        boolean ignoreWs = response.path("ignoreWhitespace").asBoolean(false);
        Map<String, List<String>> resHeaders = lower(res.headers());
        for (var it = response.path("validHeaderValues").fields(); it.hasNext(); ) {
            var e = it.next();
            List<String> actual = resHeaders.get(e.getKey().toLowerCase(Locale.ROOT));
            if (actual == null) {
                return "expected " + e.getKey() + " response header to be set, actual headers: " + res.headers();
            }
            String a = String.join(",", actual);
            List<String> valid = new ArrayList<>();
            e.getValue().forEach(v -> valid.add(v.asText()));
            if (ignoreWs) {
                a = a.replace(" ", "");
                valid.replaceAll(v -> v.replace(" ", ""));
            }
            if (!valid.contains(a)) {
                return "expected " + e.getKey() + " response header to be one of " + valid + ", got " + a;
            }
        }
        for (var it = response.path("headers").fields(); it.hasNext(); ) {
            var e = it.next();
            List<String> actual = resHeaders.get(e.getKey().toLowerCase(Locale.ROOT));
            if (actual == null) {
                return "expected " + e.getKey() + " response header to be set, actual headers: " + res.headers();
            }
            String a = String.join(",", actual);
            String want = e.getValue().asText();
            if (ignoreWs) {
                a = a.replace(" ", "");
                want = want.replace(" ", "");
            }
            if (!a.equals(want)) {
                return "expected " + e.getKey() + " response header to be set to " + want + ", got " + a;
            }
        }
        for (JsonNode name : response.path("absentHeaders")) {
            if (resHeaders.containsKey(name.asText().toLowerCase(Locale.ROOT))) {
                return "expected " + name.asText() + " response header to not be set, got "
                        + resHeaders.get(name.asText().toLowerCase(Locale.ROOT));
            }
        }
        JsonNode absent = exp.path("expectedRequest").path("absentHeaders");
        if (absent.size() > 0 && c.headers() != null) {
            Map<String, List<String>> lower = lower(c.headers());
            for (JsonNode name : absent) {
                if (lower.containsKey(name.asText().toLowerCase(Locale.ROOT))) {
                    return "expected " + name.asText() + " header to not be set, got "
                            + lower.get(name.asText().toLowerCase(Locale.ROOT));
                }
            }
        }
        String backend = exp.path("backend").asText("");
        if (!c.pod().startsWith(backend)) {
            return "expected pod name to start with " + backend + ", got " + c.pod();
        }
        return checkBackendTls(er, c);
    }

    /**
     * CompareRoundTrip's TLS checks: the SNI the backend saw (ExpectedRequest.SNI, or the
     * request's when there is no explicit ExpectedRequest), and a client certificate among the
     * ones the backend received (ExpectedRequest.ClientCert, a PEM).
     */
    static String checkBackendTls(JsonNode er, Captured c) {
        String sni = er.path("sni").asText("");
        String clientCert = er.path("clientCert").isTextual() ? er.path("clientCert").asText() : "";
        if ((!sni.isEmpty() || !clientCert.isEmpty()) && !c.tls().isObject()) {
            // upstream dereferences cReq.TLS: a backend reached in cleartext fails the check
            return "expected the backend to be reached over TLS (SNI " + sni + "), it reports no tls";
        }
        if (!sni.isEmpty() && !sni.equals(c.tls().path("serverName").asText(""))) {
            return "expected SNI \"" + c.tls().path("serverName").asText("") + "\" to be equal to \"" + sni + "\"";
        }
        if (!clientCert.isEmpty()) {
            for (JsonNode pem : c.tls().path("peerCertificates")) {
                if (pem.asText().equals(clientCert)) {
                    return null;
                }
            }
            return "expected client certificate was not captured (the backend received "
                    + c.tls().path("peerCertificates").size() + " certificates)";
        }
        return null;
    }

    private static String checkRedirect(JsonNode exp, URI requestUrl, HttpProbe.Response res) {
        JsonNode rr = exp.path("redirectRequest");
        if (!rr.isObject()) {
            return null;
        }
        String location = res.firstHeader("Location");
        if (location == null) {
            return "http: no Location header in response";
        }
        // http.Response.Location: the Location parsed and resolved against the request's URL, so
        // a relative reference takes the request URL's scheme, host (the gateway address, not the
        // Host header) and port, and a relative path merges with the request path (RFC 3986 5.2)
        URI loc;
        try {
            loc = requestUrl.resolve(new URI(location)).normalize();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return "bad Location " + location + ": " + e.getMessage();
        }
        String scheme = requestUrl.getScheme();
        String reqPath = requestUrl.getPath();
        String gotScheme = loc.getScheme() == null ? "" : loc.getScheme();
        String gotHost = loc.getHost() == null ? "" : loc.getHost();
        if (gotHost.startsWith("[") && gotHost.endsWith("]")) {
            gotHost = gotHost.substring(1, gotHost.length() - 1);
        }
        String gotPort = loc.getPort() < 0 ? "" : String.valueOf(loc.getPort());
        String gotPath = loc.getPath() == null ? "" : loc.getPath();
        String eHost = rr.path("host").asText("");
        if (eHost.isEmpty()) {
            eHost = gotHost;
        }
        String eScheme = rr.path("scheme").asText("");
        if (eScheme.isEmpty()) {
            eScheme = scheme;
        }
        String ePath = rr.path("path").asText("");
        if (ePath.isEmpty()) {
            ePath = reqPath;
        }
        if (!eHost.equals(gotHost)) {
            return "expected redirected hostname to be \"" + eHost + "\", got \"" + gotHost + "\"";
        }
        String ePort = rr.path("port").asText("");
        if (ePort.isEmpty()) {
            String s = gotScheme.toLowerCase(Locale.ROOT);
            if (s.equals("http") && !gotPort.equals("80") && !gotPort.isEmpty()) {
                return "for http scheme, expected redirected port to be 80 or not set, got \"" + gotPort + "\"";
            }
            if (s.equals("https") && !gotPort.equals("443") && !gotPort.isEmpty()) {
                return "for https scheme, expected redirected port to be 443 or not set, got \"" + gotPort + "\"";
            }
        } else if (!ePort.equals(gotPort)) {
            return "expected redirected port to be \"" + ePort + "\", got \"" + gotPort + "\"";
        }
        if (!eScheme.equals(gotScheme)) {
            return "expected redirected scheme to be \"" + eScheme + "\", got \"" + gotScheme + "\"";
        }
        if (!ePath.equals(gotPath)) {
            return "expected redirected path to be \"" + ePath + "\", got \"" + gotPath + "\"";
        }
        return null;
    }

    private static Map<String, List<String>> lower(Map<String, List<String>> in) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.merge(k.toLowerCase(Locale.ROOT), v, (a, b) -> {
            List<String> m = new ArrayList<>(a);
            m.addAll(b);
            return m;
        }));
        return out;
    }
}
