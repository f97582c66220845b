package io.archway.conformance;

import io.archway.translate.TranslatorOptions;
import io.archway.translate.explain.RequestExplainer;
import io.archway.translate.explain.RequestExplanation;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The agreement check of {@code archway explain request}: for a request the harness just sent,
 * explain it offline on the same objects (the configuration directory, or the mock API server's
 * objects listed once, as {@code archway explain --kubernetes} reads a cluster), with the
 * translator options the server runs with, and compare the whole decision with what the live proxy answered ({@link #compare}).
 */
final class ExplainAgreement {
    static final AtomicInteger COMPARED = new AtomicInteger();
    static final AtomicInteger AGREED = new AtomicInteger();
    static final AtomicInteger SKIPPED = new AtomicInteger();

    /** One explainer per translator options (a mode's). */
    private static final Map<TranslatorOptions, RequestExplainer> EXPLAINERS = new java.util.concurrent.ConcurrentHashMap<>();

    private ExplainAgreement() {
    }

    /**
     * Sends {@code req} once more to the live proxy and compares its answer with the explanation.
     *
     * @return null when they agree (or the answer is one explain does not model: 400, 405); else
     *     the disagreement
     */
    static String check(Cluster cluster, StatusAssertions.NN gateway, int specPort, HttpProbe.Request req,
                        Function<String, String> podAddress, List<String> log) {
        final HttpProbe.Response live;
        try {
            live = HttpProbe.send(req);
        } catch (IOException e) {
            SKIPPED.incrementAndGet();
            log.add("explain: not compared, the live request failed: " + e);
            return null;
        }
        final RequestExplanation explained;
        try {
            explained = EXPLAINERS.computeIfAbsent(cluster.translatorOptions(), RequestExplainer::new).explain(
                    cluster.explainView(), new RequestExplainer.Query(
                    gateway.namespace() + "/" + gateway.name(), specPort, req.host(), req.method(), req.path(),
                    multi(req.headers()), req.scheme().equals("https") && !HttpProbe.isIp(req.serverName())
                            ? req.serverName() : null));
        } catch (IOException e) {
            return "explain could not read the " + cluster.mode() + " objects: " + e;
        }
        if (live.status() == 400 || live.status() == 405) {
            SKIPPED.incrementAndGet();
            log.add("explain: not compared, live answered " + live.status() + " (not a routing answer)");
            return null;
        }
        COMPARED.incrementAndGet();
        final String disagreement = compare(explained, live, podAddress);
        if (disagreement == null) {
            AGREED.incrementAndGet();
            log.add("explain agrees: " + summary(explained));
        }
        return disagreement;
    }

    /**
     * The live answer must be one of the decisions explain lists (not only the largest share):
     * the same kind of answer and status, for a redirect the same Location, for 200 the backend
     * that served it (same namespace and the echo pod named after it, or the pod's address among
     * the backend's endpoints).
     */
    static String compare(RequestExplanation explained, HttpProbe.Response live, Function<String, String> podAddress) {
        if (explained.answers().size() != 1) {
            return "explain disagrees: expected one socket, got " + explained.answers().size()
                    + (explained.notFound() != null ? " (" + explained.notFound() + ")" : "") + "; live answered "
                    + live.status();
        }
        final RequestExplanation.PortAnswer a = explained.answers().get(0);
        // A rule timeout acts after the decision: a proxied request may end in the gateway's 504;
        // so does the TLS handshake with a backend a BackendTLSPolicy targets, in a 502.
        final List<RequestExplanation.Decision> sameStatus = a.decisions().stream()
                .filter(d -> d.status() == live.status() || live.status() == 504 && d.kind().equals("PROXY")
                        && d.reason() != null && d.reason().contains("timeout")
                        || live.status() == 502 && d.kind().equals("PROXY") && d.reason() != null
                        && d.reason().contains(RequestExplainer.UPSTREAM_TLS)).toList();
        if (sameStatus.isEmpty()) {
            return "explain disagrees: explained " + a.outcome() + "; live answered " + live.status();
        }
        if (live.status() >= 300 && live.status() < 400) {
            final String location = live.firstHeader("Location");
            return sameStatus.stream().anyMatch(d -> d.kind().equals("REDIRECT") && d.location().equals(location))
                    ? null : "explain disagrees: live redirected " + live.status() + " to " + location
                    + ", explained " + a.outcome();
        }
        if (live.status() != 200) {
            final String kind = live.status() == 404 ? "NOT_FOUND" : live.status() == 421 ? "MISDIRECTED"
                    : live.status() == 503 ? "NO_ENDPOINTS"
                    : live.status() == 504 || live.status() == 502 ? "PROXY" : live.status() == 204 ? "CORS_PREFLIGHT"
                    : null;
            return kind == null || sameStatus.stream().anyMatch(d -> d.kind().equals(kind)) ? null
                    : "explain disagrees: live answered " + live.status() + ", explained " + a.outcome();
        }
        final List<RequestExplanation.Backend> proxied = sameStatus.stream().filter(d -> d.kind().equals("PROXY"))
                .flatMap(d -> a.backends().stream().filter(b -> b.backend().equals(d.backend()))).toList();
        if (proxied.isEmpty()) {
            return "explain disagrees: explained " + a.outcome() + "; live answered 200";
        }
        final ExpectationChecker.Captured c;
        try {
            c = ExpectationChecker.Captured.parse(Json.parse(live.bodyText()));
        } catch (RuntimeException e) {
            return null; // not an echo answer (e.g. a websocket or h2c backend of the test): nothing to compare
        }
        if (c.pod().isEmpty()) {
            return null;
        }
        // The pod is named after its Deployment, which the Service usually shares; selector-less
        // Services (manual EndpointSlices) point at other pods, so the pod's address decides.
        final String ip = podAddress.apply(c.pod());
        final boolean offered = proxied.stream().anyMatch(b -> b.namespace().equals(c.namespace())
                && c.pod().startsWith(b.name() + "-") || ip != null && b.endpoints().stream()
                .anyMatch(e -> e.startsWith(ip + ":")));
        return offered ? null : "explain disagrees: live served pod " + c.namespace() + "/" + c.pod()
                + ", explained " + a.outcome();
    }

    private static String summary(RequestExplanation e) {
        final RequestExplanation.PortAnswer a = e.answers().get(0);
        return e.request() + " -> " + (a.route() != null ? a.route().route() + " rule " + a.route().rule() + ": " : "")
                + a.outcome();
    }

    private static Map<String, List<String>> multi(Map<String, String> headers) {
        final Map<String, List<String>> out = new LinkedHashMap<>();
        headers.forEach((k, v) -> out.put(k, List.of(v)));
        return out;
    }
}
