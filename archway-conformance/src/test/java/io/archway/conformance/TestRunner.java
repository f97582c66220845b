package io.archway.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Runs one extracted conformance test against the environment: applies its manifests, replays
 * its status assertions, mutations, requests and weighted distributions in upstream source order,
 * then removes its manifests. Every failed check is collected; the test fails if any did.
 */
final class TestRunner implements Mutations.Context {
    private final Environment env;
    private final TestSpec spec;
    private final Map<String, List<ObjectNode>> files = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    /** The checks that ran and held, in order: a test passes only when this is not empty. */
    private final List<String> checks = new ArrayList<>();
    private final List<Map.Entry<String, Supplier<String>>> endChecks = new ArrayList<>();
    private StatusAssertions.NN lastGateway;
    /** The spec.addresses of the test's Gateway with static addresses, as applied (pools overlaid). */
    private JsonNode requestedAddresses;
    static final StatusAssertions.NN STATIC_ADDRESSES_GATEWAY = new StatusAssertions.NN(Mutations.INFRA,
            "gateway-static-addresses");

    TestRunner(Environment env, TestSpec spec) {
        this.env = env;
        this.spec = spec;
    }

    List<String> failures() {
        return failures;
    }

    List<String> log() {
        return log;
    }

    List<String> checks() {
        return checks;
    }

    /** Records a check that ran and held. */
    private void passed(String check) {
        checks.add(check);
        log.add("ok " + check);
    }

    // ------------------------------------------------------------------ events

    private sealed interface Event permits StatusEvent, HttpEvent, GrpcEvent, WeightEvent, MutationEvent, OtherEvent {
    }

    /** grpc.MakeRequestAndExpectEventuallyConsistentResponse of a gRPC expectation. */
    private record GrpcEvent(JsonNode expectation, JsonNode sentVia, int index) implements Event {
    }

    /** A non-HTTP traffic check the timeline runs itself ({@link #TIMELINE_TRAFFIC}). */
    private record OtherEvent(JsonNode check) implements Event {
    }

    private record StatusEvent(JsonNode assertion) implements Event {
    }

    private record HttpEvent(JsonNode expectation, JsonNode sentVia, int index) implements Event {
    }

    private record WeightEvent(JsonNode distribution) implements Event {
    }

    private record MutationEvent(Mutations.Mutation mutation) implements Event {
    }

    private record Timed(int line, int rank, int seq, Event event) {
    }

    /** The replay order, for tests: "line kind detail". */
    List<String> describeTimeline() {
        L4Cases.Case kase = L4Cases.forTest(spec.testFunction());
        if (kase != null) {
            List<String> out = new ArrayList<>();
            for (L4Cases.Step step : kase.steps()) {
                out.add(step.line() + " " + describe(step));
            }
            return out;
        }
        List<String> out = new ArrayList<>();
        for (Timed t : timeline()) {
            String what;
            if (t.event() instanceof MutationEvent m) {
                what = "mutate " + m.mutation().description();
            } else if (t.event() instanceof StatusEvent s) {
                what = "status " + s.assertion().path("helper").asText();
            } else if (t.event() instanceof HttpEvent h) {
                what = "http #" + h.index();
            } else if (t.event() instanceof GrpcEvent g) {
                what = "grpc #" + g.index();
            } else if (t.event() instanceof OtherEvent o) {
                what = "other " + o.check().path("call").asText();
            } else {
                what = "weights";
            }
            out.add(t.line() + " " + what);
        }
        return out;
    }

    List<Timed> timeline() {
        List<Timed> events = new ArrayList<>();
        int seq = 0;
        for (Mutations.Mutation m : Mutations.forTest(spec.testFunction())) {
            events.add(new Timed(m.beforeLine(), 0, seq++, new MutationEvent(m)));
        }
        for (JsonNode a : spec.json().path("status_assertions")) {
            if (!reproducedElsewhere(spec, a)) {
                events.add(new Timed(a.path("line").asInt(), 1, seq++, new StatusEvent(a)));
            }
        }
        int i = 0;
        for (JsonNode e : spec.json().path("http_expectations")) {
            for (JsonNode via : e.path("sentVia")) {
                String call = via.path("call").asText();
                if (call.contains("AndExpect")) {
                    events.add(new Timed(via.path("line").asInt(), 2, seq++, new HttpEvent(e, via, i)));
                }
            }
            i++;
        }
        for (TlsClientSends.FailureSend send : TlsClientSends.FAILURE_SENDS.getOrDefault(spec.testFunction(),
                List.of())) {
            JsonNode e = TlsClientSends.expectation(spec.json(), send);
            if (e != null) {
                events.add(new Timed(send.line(), 2, seq++, new HttpEvent(e, TlsClientSends.via(spec.json(), send),
                        indexOf(spec.json().path("http_expectations"), e))));
            }
        }
        i = 0;
        for (JsonNode e : spec.json().path("grpc_expectations")) {
            for (JsonNode via : e.path("sentVia")) {
                if (via.path("call").asText().contains("AndExpect")) {
                    events.add(new Timed(via.path("line").asInt(), 2, seq++, new GrpcEvent(e, via, i)));
                }
            }
            i++;
        }
        for (JsonNode w : spec.json().path("weighted_distributions")) {
            events.add(new Timed(w.path("line").asInt(), 3, seq++, new WeightEvent(w)));
        }
        for (JsonNode c : spec.json().path("other_traffic_checks")) {
            if (timelineRuns(c)) {
                events.add(new Timed(c.path("line").asInt(), 2, seq++, new OtherEvent(c)));
            }
        }
        events.sort(Comparator.comparingInt(Timed::line).thenComparingInt(Timed::rank).thenComparingInt(Timed::seq));
        return events;
    }

    private static int indexOf(JsonNode array, JsonNode element) {
        for (int i = 0; i < array.size(); i++) {
            if (array.get(i) == element) {
                return i;
            }
        }
        return -1;
    }

    /** Applies, runs, cleans up. */
    void run() throws IOException {
        for (String note : spec.json().path("manual_reasons").isArray() ? iter(spec.json().path("manual_reasons")) : List.<String>of()) {
            log.add("note: manual part not modelled: " + note);
        }
        List<String> gaps = harnessGaps(spec);
        if (!gaps.isEmpty()) {
            fail("harness cannot run this test faithfully: " + String.join("; ", gaps));
            return;
        }
        apply();
        try {
            L4Cases.Case kase = L4Cases.forTest(spec.testFunction());
            for (Timed t : kase != null ? List.<Timed>of() : timeline()) {
                Event e = t.event();
                try {
                    if (e instanceof MutationEvent m) {
                        log.add("line " + t.line() + ": mutate: " + m.mutation().description());
                        m.mutation().action().accept(this);
                    } else if (e instanceof StatusEvent s) {
                        runStatus(s.assertion());
                    } else if (e instanceof HttpEvent h) {
                        runHttp(h.expectation(), h.sentVia(), h.index());
                    } else if (e instanceof GrpcEvent g) {
                        runGrpc(g.expectation(), g.sentVia(), g.index());
                    } else if (e instanceof WeightEvent w) {
                        runWeights(w.distribution());
                    } else if (e instanceof OtherEvent o) {
                        runOther(o.check());
                    }
                } catch (AssertionError | RuntimeException ex) {
                    fail("line " + t.line() + ": " + ex);
                }
            }
            if (kase != null) {
                runCase(kase);
            }
            customChecks();
            for (Map.Entry<String, Supplier<String>> c : endChecks) {
                String r = c.getValue().get();
                if (r != null) {
                    fail(c.getKey() + ": " + r);
                } else {
                    passed(c.getKey());
                }
            }
            if (failures.isEmpty() && checks.isEmpty()) {
                fail("the test executed no check: its timeline is empty and no custom check ran");
            }
        } finally {
            if (!failures.isEmpty()) {
                captureDiagnostics();
            }
            cleanup();
        }
    }

    // ------------------------------------------------------------------ layer-4 cases

    private String describe(L4Cases.Step step) {
        if (step instanceof L4Cases.Status st) {
            JsonNode a = statusAssertion(st);
            return "status " + (a == null ? "?" : a.path("helper").asText()) + (st.note().isEmpty() ? "" : " [" + st.note() + "]");
        } else if (step instanceof L4Cases.Mutate m) {
            Mutations.Mutation mu = mutationAt(m.line());
            return "mutate " + (mu == null ? "?" : mu.description());
        }
        L4Cases.Traffic tr = (L4Cases.Traffic) step;
        return "traffic " + tr.description();
    }

    /** The extracted status assertion a case step replays, its args rewritten (null if absent). */
    private JsonNode statusAssertion(L4Cases.Status st) {
        JsonNode a = nthAssertion(spec.json(), st.line(), st.occurrence());
        if (a == null) {
            return null;
        }
        ObjectNode copy = a.deepCopy();
        copy.set("args", st.args().apply(a.path("args")));
        return copy;
    }

    static JsonNode nthAssertion(JsonNode json, int line, int occurrence) {
        int n = 0;
        for (JsonNode a : json.path("status_assertions")) {
            if (a.path("line").asInt() == line && n++ == occurrence) {
                return a;
            }
        }
        return null;
    }

    private Mutations.Mutation mutationAt(int line) {
        for (Mutations.Mutation m : Mutations.forTest(spec.testFunction())) {
            if (m.beforeLine() == line) {
                return m;
            }
        }
        return null;
    }

    /** Runs a layer-4 case's steps in order; a failed step is recorded and the next one runs. */
    private void runCase(L4Cases.Case kase) {
        L4Cases.Ctx ctx = new L4Cases.Ctx() {
            @Override
            public java.net.InetSocketAddress dial(JsonNode gatewayAddr) {
                StatusAssertions.Address a = address(gatewayAddr);
                return new java.net.InetSocketAddress(a.ip(), a.port() + env.settings.portOffset());
            }

            @Override
            public JsonNode spec() {
                return spec.json();
            }

            @Override
            public Duration maxTimeToConsistency() {
                return env.settings.consistencyTimeout();
            }

            @Override
            public Duration defaultTestTimeout() {
                return env.settings.consistencyTimeout();
            }

            @Override
            public Duration requestTimeout() {
                return env.settings.requestTimeout();
            }

            @Override
            public Duration defaultPollInterval() {
                return DEFAULT_POLL_INTERVAL;
            }

            @Override
            public void log(String line) {
                synchronized (log) {
                    log.add("  " + line);
                }
            }

            @Override
            public JsonNode resource(String kind, String namespace, String name) {
                return env.status().get(kind, namespace, name);
            }

            @Override
            public javax.net.ssl.SSLContext trustConfigMapCa(String namespace, String name) {
                return HttpProbe.trusting(List.of(env.certificates.configMap(namespace, name).certificate()));
            }
        };
        for (L4Cases.Step step : kase.steps()) {
            try {
                if (step instanceof L4Cases.Status st) {
                    JsonNode a = statusAssertion(st);
                    if (a == null) {
                        fail("harness: no status assertion at line " + st.line() + " #" + st.occurrence());
                        continue;
                    }
                    runStatus(a);
                } else if (step instanceof L4Cases.Mutate m) {
                    Mutations.Mutation mu = mutationAt(m.line());
                    log.add("line " + m.line() + ": mutate: " + mu.description());
                    mu.action().accept(this);
                } else if (step instanceof L4Cases.Traffic tr) {
                    String what = "line " + tr.line() + ": " + tr.description();
                    log.add(what);
                    List<String> failed = tr.check().apply(ctx);
                    if (failed.isEmpty()) {
                        passed(what);
                    } else {
                        failed.forEach(f -> fail(what + ": " + f));
                    }
                }
            } catch (AssertionError | RuntimeException ex) {
                fail("line " + step.line() + ": " + ex);
            }
        }
    }

    /** TimeoutConfig.DefaultPollInterval (100 ms upstream; not shortened). */
    static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(100);

    /** The test whose Go code {@link #customChecks} reproduces (its plain http.MakeRequest sends). */
    static final String CUSTOM_CHECKED = "HTTPRouteRequestHeaderModifierBackendWeights";
    static final String RETRY_TEST = "HTTPRouteRetry";
    static final String PERCENT_MIRROR_TEST = "HTTPRouteRequestPercentageMirror";
    /** The line of the percentage mirror test's distribution loop send (its second sentVia). */
    static final int PERCENT_MIRROR_DISTRIBUTION_LINE = 171;

    /**
     * Go code of tests this runner reproduces itself, with the extraction markers that code
     * covers ("field:" an unresolved request field, "manual" the manual flag):
     * HTTPRouteRetry's assertConsistentRetryBehaviour cases ({@link #retryChecks}) and the
     * percentage mirror's testMirroredRequestsDistribution ({@link #runMirrorDistribution}).
     */
    static final Map<String, java.util.Set<String>> REPRODUCED = Map.of(
            "GatewayTLSBackendClientCertificate", java.util.Set.of(
                    // withClientCertificates resolves it: the tls.crt of infra/tls-checks-client-certificate
                    "field:expectedClientCert@75", "manual"),
            "BackendTLSPolicy", java.util.Set.of(
                    // Mutations: the reconcile subtest's two patches of the test ConfigMap
                    "local:patchConfigMapCACert@226", "local:patchConfigMapCACert@231",
                    "local:patchConfigMapCACert@247"),
            RETRY_TEST, java.util.Set.of(
                    "note:gateway address also used by unmodeled code: assertConsistentRetryBehaviour",
                    "unmodelled:assertConsistentRetryBehaviour@192", "unmodelled:assertConsistentRetryBehaviour@198",
                    "local:assertConsistentRetryBehaviour@192", "local:assertConsistentRetryBehaviour@198",
                    "expr:path+\"?\"+values.Encode()", "field:path+\"?\"+values.Encode()@205", "field:response@205",
                    "manual"),
            // ClusterChecks.staticAddresses and the two Mutations that drop an address
            ClusterChecks.STATIC_ADDRESSES_TEST, java.util.Set.of("local:filterAddr@97", "local:filterAddr@118",
                    "local:extractStatusAddresses@144"),
            PERCENT_MIRROR_TEST, java.util.Set.of(
                    "local:testMirroredRequestsDistribution@175", "local:testMirroredRequestsDistribution@188",
                    "expr:t.Context()", "expr:mirrorPod.Namespace", "expr:mirrorPod.Name", "expr:timeVal"));

    /**
     * An extracted "status assertion" that is part of Go code this runner reproduces: the
     * percentage mirror test's DumpEchoLogs (inside testMirroredRequestsDistribution).
     */
    static boolean reproducedElsewhere(TestSpec spec, JsonNode assertion) {
        return spec.testFunction().equals(PERCENT_MIRROR_TEST) && assertion.path("helper").asText().equals("DumpEchoLogs");
    }

    /** The note the extraction leaves on a test whose mirrors upstream checks in pod logs. */
    static final String MIRROR_NOTE = "mirroring is verified by reading mirror backend pod logs (ExpectMirroredRequest)";
    static final String EXPECT_MIRRORED = "http.ExpectMirroredRequest";
    /** AddRequestIDQueryParam's parameter. */
    static final String REQUEST_ID_PARAM = "gateway-api-conformance-request-id";

    /** Go code of a test that the extraction does not carry, reproduced here. */
    private void customChecks() {
        if (spec.testFunction().equals(ClusterChecks.INFRASTRUCTURE_TEST)) {
            ClusterChecks.infrastructure(env.cluster, new StatusAssertions.NN(Mutations.INFRA,
                    "gateway-with-infrastructure-metadata"), env.settings.statusTimeout(), DEFAULT_POLL_INTERVAL,
                    this::passed, this::fail, log);
        }
        if (spec.testFunction().equals(ClusterChecks.STATIC_ADDRESSES_TEST)) {
            ClusterChecks.staticAddresses(env.cluster, STATIC_ADDRESSES_GATEWAY, requestedAddresses,
                    env.settings.statusTimeout(), DEFAULT_POLL_INTERVAL, this::passed, this::fail);
        }
        if (spec.testFunction().equals(RETRY_TEST)) {
            retryChecks();
        }
        if (spec.testFunction().equals(CUSTOM_CHECKED)) {
            // 100 requests: each must carry exactly one "Backend" header, set by the backendRef's
            // filter, naming the pod's backend
            JsonNode exp = spec.json().path("http_expectations").get(0);
            JsonNode via = exp.path("sentVia").get(0);
            HttpProbe.Request req = request(exp, via, address(via.path("gatewayAddr")), Map.of());
            for (int i = 0; i < 100; i++) {
                try {
                    HttpProbe.Response res = HttpProbe.send(req);
                    ExpectationChecker.Captured c = ExpectationChecker.Captured.parse(Json.parse(res.bodyText()));
                    List<String> backends = c.headers().get("Backend");
                    if (backends == null || backends.size() != 1) {
                        fail("expected a single 'Backend' header to have been set, got " + backends);
                        return;
                    }
                    if (!c.pod().startsWith(backends.get(0))) {
                        fail("request went to pod " + c.pod() + " but the backendRef's filter set Backend: " + backends.get(0));
                        return;
                    }
                } catch (IOException | RuntimeException e) {
                    fail("failed to roundtrip request: " + e);
                    return;
                }
            }
            passed("100 requests carried the Backend header of the backend that served them");
        }
    }

    /** The server's diagnostics about this test's files, to explain failures. */
    private void captureDiagnostics() {
        try {
            int n = 0;
            for (Object d : env.gateway.statusView().diagnostics()) {
                String text = String.valueOf(d);
                if (text.contains("test-" + spec.shortName() + "-") && n++ < 20) {
                    log.add("diagnostic: " + text);
                }
            }
        } catch (RuntimeException e) {
            log.add("diagnostics unavailable: " + e);
        }
    }

    /** Upstream checks the extraction does not carry and this harness does not reproduce (none today). */
    private static final Map<String, String> UNMODELLED = Map.of();

    /** The top-level fields of an extracted test this harness reads or knows to carry no check. */
    private static final java.util.Set<String> KNOWN_FIELDS = java.util.Set.of("shortName", "sharesTestFuncWith",
            "description", "file", "features", "manifests", "provisional", "slow", "parallel", "profiles", "group",
            "traffic", "conditions", "status_assertions", "http_expectations", "weighted_distributions",
            // each of these is a gap below when present
            "manual", "manual_reasons", "grpc_expectations", "other_traffic_checks", "notes", "local_helper_calls",
            "unmodeled_calls_with_gateway_address");

    /** Go helpers local to a test file that this harness reproduces, and where. */
    private static final Map<String, String> MODELLED_LOCAL_HELPERS = Map.of(
            "parentRefTo", "routeParents resolves parentRefTo(gwNN) to the test's Gateway",
            "generateAcceptedListenerConditions", "GO_VALUES: the listenerset tests' ResolvedRefs, Accepted, Programmed",
            "generateSupportedRouteKinds", "GO_VALUES: the listenerset tests' HTTPRoute kind",
            "setupEndpointSlices", "Mutations: HTTPRouteServiceTypes");

    /** Unresolved Go expressions in extracted arguments that this harness resolves itself. */
    private static final java.util.Set<String> RESOLVED_EXPRESSIONS = java.util.Set.of("parentRefTo(gwNN)",
            "generateAcceptedListenerConditions()", "generateSupportedRouteKinds()", "expectedClientCert",
            "suite.ControllerName");

    /** The note the extraction leaves on a test with TLS connection rejection checks. */
    static final String TLS_REJECTION_NOTE =
            "TLS connection rejection checks present (MakeTLSConnectionAndExpectEventuallyConnectionRejection)";
    static final String TLS_REJECTION = L4Clients.TLS_REJECTION;

    /**
     * Non-HTTP traffic calls the timeline replays itself, when every argument is known: a TLS
     * connection rejection whose server name is a literal (an expression, such as a route's
     * hostnames[0], needs a case that reads it).
     */
    static boolean timelineRuns(JsonNode check) {
        JsonNode args = check.path("args");
        return check.path("call").asText().equals(TLS_REJECTION) && args.size() == 3
                && args.get(1).has("gatewayAddr") && args.get(2).isTextual();
    }

    /**
     * The markers a test without a case has reproduced by its timeline: each other_traffic_check
     * {@link #timelineRuns} runs, and the TLS rejection note once every rejection check is run.
     */
    static java.util.Set<String> timelineAcknowledged(JsonNode j) {
        java.util.Set<String> ack = new java.util.HashSet<>();
        boolean allRejections = true;
        for (JsonNode c : j.path("other_traffic_checks")) {
            if (c.path("call").asText().equals(EXPECT_MIRRORED)) {
                // runHttp checks the mirror pods' logs for every expectation with mirroredTo
                ack.add("other:" + c.path("call").asText() + "@" + c.path("line").asInt());
                ack.add("note:" + MIRROR_NOTE);
            } else if (timelineRuns(c)) {
                ack.add("other:" + c.path("call").asText() + "@" + c.path("line").asInt());
            } else if (c.path("call").asText().equals(TLS_REJECTION)) {
                allRejections = false;
            }
        }
        if (allRejections) {
            ack.add("note:" + TLS_REJECTION_NOTE);
        }
        return ack;
    }

    /** The line of the test's ExpectMirroredRequest call, or -1. */
    private static int expectMirroredLine(JsonNode j) {
        for (JsonNode c : j.path("other_traffic_checks")) {
            if (c.path("call").asText().equals(EXPECT_MIRRORED)) {
                return c.path("line").asInt();
            }
        }
        return -1;
    }

    /** Parts of a test this harness does not model (so a claimed test is never silently passed). */
    static List<String> harnessGaps(TestSpec spec) {
        List<String> gaps = new ArrayList<>();
        JsonNode j = spec.json();
        j.fieldNames().forEachRemaining(f -> {
            JsonNode v = j.get(f);
            boolean empty = v.isNull() || (v.isContainerNode() && v.isEmpty()) || (v.isBoolean() && !v.asBoolean())
                    || (v.isTextual() && v.asText().isEmpty());
            if (!KNOWN_FIELDS.contains(f) && !empty) {
                gaps.add("unknown marker '" + f + "'");
            }
        });
        if (!spec.sharedFunctionResolved()) {
            gaps.add("shares the test function of " + spec.sharesTestFuncWith() + ", which the suite does not have");
        }
        // a layer-4 case acknowledges, one by one, the markers it reproduces
        L4Cases.Case kase = L4Cases.forTest(spec.testFunction());
        java.util.Set<String> ack = new java.util.HashSet<>(kase == null ? timelineAcknowledged(j) : kase.acknowledged());
        ack.addAll(TlsClientSends.acknowledged(j));
        ack.addAll(REPRODUCED.getOrDefault(spec.testFunction(), java.util.Set.of()));
        java.util.Set<String> present = new java.util.HashSet<>();
        j.path("notes").forEach(n -> {
            present.add("note:" + n.asText());
            if (!ack.contains("note:" + n.asText())) {
                gaps.add("note: " + n.asText());
            }
        });
        j.path("unmodeled_calls_with_gateway_address").forEach(c -> {
            String key = c.path("call").asText() + "@" + c.path("line").asInt();
            present.add("unmodelled:" + key);
            if (!ack.contains("unmodelled:" + key)) {
                gaps.add("unmodelled call " + c.path("call").asText() + " at line " + c.path("line").asInt());
            }
        });
        j.path("local_helper_calls").forEach(c -> {
            String key = c.path("call").asText() + "@" + c.path("line").asInt();
            present.add("local:" + key);
            if (!MODELLED_LOCAL_HELPERS.containsKey(c.path("call").asText()) && !ack.contains("local:" + key)) {
                gaps.add("local helper " + c.path("call").asText() + " at line " + c.path("line").asInt());
            }
        });
        List<String> unresolved = new ArrayList<>();
        ObjectNode withoutStatus = j.deepCopy();
        withoutStatus.remove("status_assertions");
        unresolvedExpressions(withoutStatus, unresolved);
        // a status assertion's expressions may also be the test's local ListenerSet refs, line by line
        for (JsonNode a : j.path("status_assertions")) {
            List<String> inAssertion = new ArrayList<>();
            unresolvedExpressions(a, inAssertion);
            for (String u : inAssertion) {
                String expr = u.substring("unresolved expression ".length());
                if (!LISTENER_SET_REF_VARIABLES.contains(expr)
                        || !LISTENER_SET_REFS.containsKey(spec.shortName() + "@" + a.path("line").asInt())) {
                    unresolved.add(u);
                }
            }
        }
        for (String u : unresolved) {
            String expr = u.substring("unresolved expression ".length());
            present.add("expr:" + expr);
            if (!ack.contains("expr:" + expr)) {
                gaps.add(u);
            }
        }
        j.path("other_traffic_checks").forEach(c -> present.add("other:" + c.path("call").asText() + "@"
                + c.path("line").asInt()));
        j.path("weighted_distributions").forEach(w -> present.add("weights@" + w.path("line").asInt()));
        if (kase != null) {
            caseGaps(spec, kase, present, gaps);
        }
        boolean consumesPlainSends = (kase == null && j.path("weighted_distributions").size() > 0)
                || spec.testFunction().equals(CUSTOM_CHECKED) || REPRODUCED.containsKey(spec.testFunction());
        for (JsonNode e : j.path("http_expectations")) {
            e.path("unresolved").forEach(u -> {
                if (!ack.contains("field:" + u.asText() + "@" + e.path("line").asInt())) {
                    gaps.add("unresolved request field " + u.asText() + " (line " + e.path("line").asInt() + ")");
                }
            });
            for (JsonNode v : e.path("sentVia")) {
                if (!v.path("call").asText().contains("AndExpect") && !consumesPlainSends) {
                    gaps.add("send " + v.path("call").asText() + " at line " + v.path("line").asInt()
                            + " is neither a weighted distribution nor a custom check");
                }
            }
        }
        if (UNMODELLED.containsKey(spec.shortName())) {
            gaps.add(UNMODELLED.get(spec.shortName()));
        }
        if (j.path("manual").asBoolean(false) && !L4Cases.implementedManualTests().contains(spec.testFunction())
                && !ack.contains("manual")) {
            gaps.add("manual: " + j.path("manual_reasons"));
        }
        for (JsonNode e : j.path("grpc_expectations")) {
            if (!e.path("responseHeaders").isNull() && !e.path("responseHeaders").isMissingNode()) {
                gaps.add("gRPC response header expectations (line " + e.path("line").asInt() + ")");
            }
            for (JsonNode v : e.path("sentVia")) {
                if (!v.path("call").asText().contains("AndExpect") && !consumesPlainSends) {
                    gaps.add("gRPC send " + v.path("call").asText() + " at line " + v.path("line").asInt()
                            + " is neither a weighted distribution nor a custom check");
                }
            }
        }
        int otherUnacknowledged = 0;
        for (JsonNode c : j.path("other_traffic_checks")) {
            if (!ack.contains("other:" + c.path("call").asText() + "@" + c.path("line").asInt())) {
                otherUnacknowledged++;
            }
        }
        if (otherUnacknowledged > 0) {
            gaps.add("other traffic checks " + otherUnacknowledged);
        }
        for (JsonNode e : j.path("http_expectations")) {
            for (JsonNode v : e.path("sentVia")) {
                if (v.hasNonNull("clientCertificate")
                        && !TlsClientSends.CLIENT_CERT_PEM_SECRET.containsKey(v.path("clientCertificate").asText())) {
                    gaps.add("client certificate " + v.path("clientCertificate").asText());
                }
            }
            boolean percent = false;
            for (JsonNode m : e.path("mirroredTo")) {
                percent |= !m.path("percent").isNull() && !m.path("percent").isMissingNode();
            }
            // Mirrors of 100 %: runHttp reads their pods' logs (ExpectMirroredRequest); shares:
            // the percentage test's distribution check.
            if (e.path("mirroredTo").size() > 0 && !(percent ? spec.testFunction().equals(PERCENT_MIRROR_TEST)
                    : ack.contains("other:" + EXPECT_MIRRORED + "@" + expectMirroredLine(j)))) {
                gaps.add("request mirroring (upstream reads mirror pod logs)");
                break;
            }
        }
        for (JsonNode e : j.path("http_expectations")) {
            String proto = e.path("request").path("protocol").asText("");
            if (!proto.isEmpty() && !proto.equals("HTTP") && !proto.equals("HTTPS")
                    && !proto.equals(HttpProbe.H2C_PRIOR_KNOWLEDGE) && !proto.equals(HttpProbe.H2)) {
                gaps.add("request protocol " + proto);
                break;
            }
        }
        return gaps;
    }

    /**
     * A case must replay every extracted status assertion, run only steps the extraction has,
     * acknowledge only markers the extraction has, and weighted distributions are its to run.
     */
    private static void caseGaps(TestSpec spec, L4Cases.Case kase, java.util.Set<String> present, List<String> gaps) {
        JsonNode j = spec.json();
        java.util.Set<String> replayed = new java.util.HashSet<>();
        java.util.Set<Integer> mutationLines = new java.util.HashSet<>();
        Mutations.forTest(spec.testFunction()).forEach(m -> mutationLines.add(m.beforeLine()));
        for (L4Cases.Step step : kase.steps()) {
            if (step instanceof L4Cases.Status st) {
                if (nthAssertion(j, st.line(), st.occurrence()) == null) {
                    gaps.add("case step: no extracted status assertion at line " + st.line() + " #" + st.occurrence());
                }
                replayed.add(st.line() + "#" + st.occurrence());
            } else if (step instanceof L4Cases.Mutate m) {
                if (!mutationLines.remove(m.line())) {
                    gaps.add("case step: no mutation at line " + m.line());
                }
            } else if (step instanceof L4Cases.Traffic tr) {
                String key = tr.call() + "@" + tr.line();
                if (!present.contains("other:" + key) && !present.contains("unmodelled:" + key)
                        && !present.contains("local:" + key) && !present.contains("weights@" + tr.line())) {
                    gaps.add("case step: the extraction has no " + key);
                }
            }
        }
        mutationLines.forEach(l -> gaps.add("case does not run the mutation at line " + l));
        java.util.Map<Integer, Integer> seen = new java.util.HashMap<>();
        for (JsonNode a : j.path("status_assertions")) {
            int line = a.path("line").asInt();
            int occurrence = seen.merge(line, 1, Integer::sum) - 1;
            if (!replayed.contains(line + "#" + occurrence)) {
                gaps.add("case does not replay " + a.path("helper").asText() + " at line " + line + " #" + occurrence);
            }
        }
        for (String a : kase.acknowledged()) {
            if (!present.contains(a)) {
                gaps.add("case acknowledges " + a + ", which the extraction does not have");
            }
        }
        for (String p : present) {
            if (p.startsWith("weights@") && !kase.acknowledged().contains(p)) {
                gaps.add("case does not run the weighted distribution at line " + p.substring("weights@".length()));
            }
        }
        if (j.path("http_expectations").size() > 0 || j.path("grpc_expectations").size() > 0) {
            gaps.add("case replaces the timeline of a test with HTTP/gRPC expectations");
        }
    }

    /** The values of Go expressions the extraction leaves unresolved, as the tests' own code computes them. */
    static final Map<String, JsonNode> GO_VALUES = Map.of(
            // listenerset-allowed-namespace-same.go generateAcceptedListenerConditions: any reason
            "generateAcceptedListenerConditions()", Json.parse("[{\"Type\":\"ResolvedRefs\",\"Status\":\"True\","
                    + "\"Reason\":\"\"},{\"Type\":\"Accepted\",\"Status\":\"True\",\"Reason\":\"\"},"
                    + "{\"Type\":\"Programmed\",\"Status\":\"True\",\"Reason\":\"\"}]"),
            // listenerset-http-routing.go generateSupportedRouteKinds
            "generateSupportedRouteKinds()", Json.parse("[{\"Group\":\"gateway.networking.k8s.io\","
                    + "\"Kind\":\"HTTPRoute\"}]"));

    /** The local variables the listenerset tests hold a NewResourceRef(listenerSetGK, lsNN) in. */
    static final java.util.Set<String> LISTENER_SET_REF_VARIABLES = java.util.Set.of("listenerSetRef", "lsRef");

    /** test@line -> the lsNN of the ListenerSet ref variable a status helper there is passed (read from the Go). */
    static final Map<String, StatusAssertions.NN> LISTENER_SET_REFS = Map.of(
            "ListenerSetAllowedRoutesNamespaces@79",
            new StatusAssertions.NN("gateway-conformance-infra", "listenerset-test-allowed-routes-namespaces"),
            "ListenerSetAllowedRoutesNamespaces@168",
            new StatusAssertions.NN("gateway-api-ls-cross-ns", "listenerset-test-allowed-routes-cross-ns"),
            "ListenerSetDualParentRefIndependence@122",
            new StatusAssertions.NN("gateway-conformance-infra", "ls-dual-parentref"),
            "ListenerSetGatewayParentSectionNameNotFound@69",
            new StatusAssertions.NN("gateway-conformance-infra", "listenerset-section-name"),
            "ListenerSetRouteStatusScopedToParentRef@104",
            new StatusAssertions.NN("gateway-conformance-infra", "listenerset-parentref"));

    /**
     * {@code args} with every expression of {@link #GO_VALUES} replaced by its value and a
     * ListenerSet ref variable by the resource ref the extraction gives a literal
     * NewResourceRef(listenerSetGK, lsNN): {parentKind, gateway: lsNN, listeners: []}.
     */
    static JsonNode resolveGoValues(String test, int line, JsonNode args) {
        if (args.isObject() && args.has("$unresolved")) {
            String expr = args.path("$unresolved").asText();
            if (GO_VALUES.containsKey(expr)) {
                return GO_VALUES.get(expr).deepCopy();
            }
            StatusAssertions.NN ls = LISTENER_SET_REFS.get(test + "@" + line);
            if (LISTENER_SET_REF_VARIABLES.contains(expr) && ls != null) {
                ObjectNode ref = Json.JSON.createObjectNode();
                ref.putObject("parentKind").put("Group", StatusAssertions.GROUP).put("Kind", "ListenerSet");
                ref.putObject("gateway").put("name", ls.name()).put("namespace", ls.namespace());
                ref.putArray("listeners");
                return ref;
            }
            return args;
        }
        if (args.isObject()) {
            ObjectNode out = Json.JSON.createObjectNode();
            args.fields().forEachRemaining(e -> out.set(e.getKey(), resolveGoValues(test, line, e.getValue())));
            return out;
        }
        if (args.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode out = Json.JSON.createArrayNode();
            args.forEach(e -> out.add(resolveGoValues(test, line, e)));
            return out;
        }
        return args;
    }

    /** Every {@code {"$unresolved": expr}} the harness cannot resolve. */
    private static void unresolvedExpressions(JsonNode n, List<String> gaps) {
        if (n.isObject() && n.has("$unresolved")) {
            String expr = n.path("$unresolved").asText();
            if (!RESOLVED_EXPRESSIONS.contains(expr)) {
                gaps.add("unresolved expression " + expr);
            }
            return;
        }
        n.elements().forEachRemaining(c -> unresolvedExpressions(c, gaps));
    }

    private static List<String> iter(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    private void fail(String message) {
        failures.add(message);
        log.add("FAIL " + message);
    }

    private void apply() throws IOException {
        List<Backends.Service> services = new ArrayList<>();
        int i = 0;
        for (String m : spec.manifests()) {
            String text = Files.readString(env.settings.suiteDir().resolve("manifests").resolve(m));
            // the test's own Deployments (TCP/UDP backends) become echo pods, as the kubelet would start them
            env.backends.addDeployments(Json.readYamlDocuments(Manifests.substitute(text)));
            List<ObjectNode> docs = Manifests.prepare(text);
            for (ObjectNode d : docs) {
                if (Json.text(d, "kind").equals("Gateway") && Manifests.overlayAddresses(d, env.cluster.networkAddresses(
                        new StatusAssertions.NN(d.path("metadata").path("namespace").asText(),
                                d.path("metadata").path("name").asText())))) {
                    requestedAddresses = d.path("spec").path("addresses").deepCopy();
                    log.add("spec.addresses of Gateway " + d.path("metadata").path("name").asText()
                            + " (the suite's address pools overlaid): " + requestedAddresses);
                }
                env.faults.forEach(f -> f.distortManifest(d));
                if (Json.text(d, "kind").equals("Service")) {
                    services.add(Backends.parseService(d));
                }
            }
            files.put(fileName(i++), docs);
        }
        List<ObjectNode> slices = env.backends.endpointSlices(services);
        if (!slices.isEmpty()) {
            try {
                env.listen(env.backends.listenPorts(services));
                env.listenL4();
                env.listenHttps();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            files.put(fileName(i) + "-endpointslices", slices);
        }
        rewrite();
    }

    private String fileName(int i) {
        return "test-" + spec.shortName() + "-" + i;
    }

    private void cleanup() throws IOException {
        env.cluster.delete(files.keySet());
    }

    // ------------------------------------------------------------------ Mutations.Context

    @Override
    public ObjectNode doc(String kind, String namespace, String name) {
        for (List<ObjectNode> docs : files.values()) {
            for (ObjectNode d : docs) {
                JsonNode meta = d.path("metadata");
                if (Json.text(d, "kind").equals(kind) && meta.path("name").asText().equals(name)
                        && (namespace == null || meta.path("namespace").asText("").equals(namespace))) {
                    return d;
                }
            }
        }
        throw new AssertionError("harness: no " + kind + " " + namespace + "/" + name + " in the test manifests");
    }

    @Override
    public void removeDoc(String kind, String namespace, String name) {
        ObjectNode d = doc(kind, namespace, name);
        for (List<ObjectNode> docs : files.values()) {
            docs.removeIf(x -> x == d);
        }
    }

    @Override
    public void addDoc(ObjectNode doc) {
        files.values().iterator().next().add(doc);
    }

    @Override
    public void rewrite() {
        try {
            env.cluster.apply(files);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public long generation(String kind, String namespace, String name) {
        JsonNode r = env.status().get(kind, namespace, name);
        return r == null ? -1 : r.path("metadata").path("generation").asLong(0);
    }

    @Override
    public void verifyAtEnd(String description, Supplier<String> check) {
        endChecks.add(Map.entry(description, check));
    }

    @Override
    public List<EchoServer.Pod> pods(String namespace, String deployment) {
        return env.backends.pods(namespace, deployment);
    }

    @Override
    public String setupConfigMapCaCert(String namespace, String name) {
        return env.certificates.configMap(namespace, name).certPem();
    }

    // ------------------------------------------------------------------ status

    /** Polls {@code check} until it returns null or the status timeout passes. */
    private String poll(Supplier<String> check) {
        long deadline = System.nanoTime() + env.settings.statusTimeout().toNanos();
        String last;
        while (true) {
            try {
                last = check.get();
            } catch (RuntimeException e) {
                last = "error reading status: " + e;
            }
            if (last == null || last.startsWith(StatusAssertions.FATAL) || System.nanoTime() > deadline) {
                return last;
            }
            Pause.sleep(50);
        }
    }

    private void runStatus(JsonNode a) {
        String helper = a.path("helper").asText();
        JsonNode args = resolveGoValues(spec.shortName(), a.path("line").asInt(), a.path("args"));
        int line = a.path("line").asInt();
        StatusAssertions.Source s = env.status();
        Supplier<String> check = switch (helper) {
            case "GatewayAndHTTPRoutesMustBeAccepted" -> gatewayAndRoutesAccepted(args, "HTTPRoute");
            case "GatewayAndTCPRoutesMustBeAccepted" -> gatewayAndRoutesAccepted(args, "TCPRoute");
            case "GatewayAndUDPRoutesMustBeAccepted" -> gatewayAndRoutesAccepted(args, "UDPRoute");
            // (gw, routeType, usePort, routeNNs...)
            case "GatewayAndRoutesMustBeAccepted" -> {
                JsonNode routes = withoutArgs(args, 0, 1, 2);
                String kind = routeTypeArg(args.get(1), routes);
                yield kind.startsWith("harness:") ? () -> kind : gatewayAndRoutesAccepted(withoutArgs(args, 1, 2), kind);
            }
            case "GatewayAndTLSRoutesMustBeAccepted" -> gatewayAndTlsRoutesAccepted(args);
            case "TLSRouteMustHaveResolvedRefsConditionsTrue" -> () -> StatusAssertions.routeHasCondition(s, "TLSRoute",
                    nn(args.get(0)), nn(args.get(1)), new StatusAssertions.Cond("ResolvedRefs", "True", "ResolvedRefs"));
            case "HTTPRouteMustHaveCondition", "TCPRouteMustHaveCondition", "UDPRouteMustHaveCondition",
                 "TLSRouteMustHaveCondition" -> () ->
                    StatusAssertions.routeHasCondition(s, routeKindOf(helper), nn(args.get(0)), nn(args.get(1)),
                            StatusAssertions.Cond.of(args.get(2)));
            case "HTTPRouteMustHaveParents", "TCPRouteMustHaveParents", "UDPRouteMustHaveParents",
                 "TLSRouteMustHaveParents" -> routeParents(args, routeKindOf(helper));
            case "HTTPRouteMustHaveNoAcceptedParents", "TCPRouteMustHaveNoAcceptedParents",
                 "UDPRouteMustHaveNoAcceptedParents", "TLSRouteMustHaveNoAcceptedParents" ->
                    noAcceptedParents(nn(args.get(0)), routeKindOf(helper));
            case "WaitForGatewayAddress" -> () -> {
                Object addr = StatusAssertions.gatewayAddress(s, nn(args.get(0).path("gateway")),
                        listeners(args.get(0).path("listeners")));
                return addr instanceof String err ? err : null;
            };
            case "GatewayListenerMustHaveConditions" -> () -> StatusAssertions.listenerHasConditions(s,
                    nn(args.get(0)), args.get(1).asText(), conds(args.get(2)));
            case "GatewayMustHaveAttachedListeners" -> () -> StatusAssertions.attachedListenerSets(s, nn(args.get(0)),
                    args.get(1).asLong());
            case "HTTPRouteMustHaveResolvedRefsConditionsTrue" -> () -> StatusAssertions.routeHasCondition(s, "HTTPRoute",
                    nn(args.get(0)), nn(args.get(1)), new StatusAssertions.Cond("ResolvedRefs", "True", "ResolvedRefs"));
            case "HTTPRouteMustHaveResolvedRefsMustHaveBackendsNotFound" -> () -> StatusAssertions.routeHasCondition(s,
                    "HTTPRoute", nn(args.get(0)), nn(args.get(1)),
                    new StatusAssertions.Cond("ResolvedRefs", "False", "BackendNotFound"));
            case "HTTPRouteMustHaveRouteAcceptedConditionsTrue" -> () -> StatusAssertions.routeHasCondition(s,
                    "HTTPRoute", nn(args.get(0)), nn(args.get(1)), new StatusAssertions.Cond("Accepted", "True", "Accepted"));
            case "HTTPRouteMustBeAcceptedAndResolved" -> () -> firstFailure(
                    () -> StatusAssertions.routeHasCondition(s, "HTTPRoute", nn(args.get(0)), nn(args.get(1)),
                            new StatusAssertions.Cond("Accepted", "True", "Accepted")),
                    () -> StatusAssertions.routeHasCondition(s, "HTTPRoute", nn(args.get(0)), nn(args.get(1)),
                            new StatusAssertions.Cond("ResolvedRefs", "True", "ResolvedRefs")));
            case "HTTPRouteMustHaveLatestConditions" -> () -> StatusAssertions.routeLatest(s, "HTTPRoute", nn(args.get(0)));
            case "GatewayMustHaveLatestConditions" -> () -> StatusAssertions.gatewayLatest(s, nn(args.get(0)));
            case "GatewayMustHaveCondition" -> () -> StatusAssertions.gatewayHasCondition(s, nn(args.get(0)),
                    StatusAssertions.Cond.of(args.get(1)));
            case "GatewayStatusMustHaveListeners" -> () -> StatusAssertions.gatewayListeners(s, nn(args.get(0)), args.get(1));
            case "GatewayMustHaveZeroRoutes" -> () -> StatusAssertions.gatewayZeroRoutes(s, nn(args.get(0)));
            case "GatewayListenersMustHaveConditions" -> () -> StatusAssertions.listenersHaveConditions(s,
                    nn(args.get(0)), conds(args.get(1)), listenerNamesFrom(args, 2));
            case "ListenerSetMustHaveCondition" -> () -> StatusAssertions.listenerSetHasCondition(s, nn(args.get(0)),
                    StatusAssertions.Cond.of(args.get(1)));
            case "ListenerSetListenersMustHaveConditions" -> () -> StatusAssertions.listenerSetListenersHaveConditions(s,
                    nn(args.get(0)), conds(args.get(1)), listenerNamesFrom(args, 2));
            case "ListenerSetStatusMustHaveListeners" -> () -> StatusAssertions.listenerSetListeners(s, nn(args.get(0)),
                    args.get(1));
            // (resource, routeType, routeNNs...)
            case "RoutesAndParentMustBeAccepted" -> {
                JsonNode routes = withoutArgs(args, 0, 1);
                String kind = routeTypeArg(args.get(1), routes);
                yield kind.startsWith("harness:") ? () -> kind : routesAndParentAccepted(args.get(0), kind, routes);
            }
            case "NamespacesMustBeReady" -> () -> StatusAssertions.namespacesReady(s, iter(args.get(0)));
            case "BackendTLSPolicyMustHaveCondition" -> () -> StatusAssertions.policyHasCondition(s, "BackendTLSPolicy",
                    nn(args.get(0)), nn(args.get(1)), StatusAssertions.Cond.of(args.get(2)));
            case "BackendTLSPolicyMustHaveAcceptedConditionTrue" -> () -> StatusAssertions.policyHasCondition(s,
                    "BackendTLSPolicy", nn(args.get(0)), nn(args.get(1)),
                    new StatusAssertions.Cond("Accepted", "True", "Accepted"));
            case "BackendTLSPolicyMustHaveLatestConditions" -> () -> LATEST_CONDITIONS_POLICY.containsKey(spec.shortName())
                    ? StatusAssertions.policyLatest(s, "BackendTLSPolicy", LATEST_CONDITIONS_POLICY.get(spec.shortName()))
                    : "harness: which BackendTLSPolicy " + spec.shortName() + " passes is not known";
            case "GWCMustHaveAcceptedConditionAny" -> () -> StatusAssertions.gatewayClassAccepted(s, args.get(0).asText(), "");
            case "GWCMustHaveAcceptedConditionTrue" -> () -> StatusAssertions.gatewayClassAccepted(s, args.get(0).asText(), "True");
            case "GatewayClassMustHaveLatestConditions" -> () -> StatusAssertions.gatewayClassLatest(s,
                    nn(args.get(0)).name());
            default -> () -> "harness: status helper " + helper + " is not implemented";
        };
        String result = poll(check);
        String summary = helper + "(" + shortArgs(args) + ")";
        if (result == null) {
            passed("line " + line + ": " + summary);
        } else {
            fail("line " + line + ": " + summary + ": " + result);
        }
    }

    /**
     * BackendTLSPolicyMustHaveLatestConditions takes the policy object the Go code fetched (the
     * extraction leaves {@code {}}): the policy each test fetches, by its policyNN.
     */
    static final Map<String, StatusAssertions.NN> LATEST_CONDITIONS_POLICY = Map.of(
            "BackendTLSPolicyObservedGenerationBump",
            new StatusAssertions.NN(Certificates.INFRA, "observed-generation-bump"));

    /** "TCPRouteMustHaveCondition" -> "TCPRoute": the route type a kind-specific helper reads. */
    static String routeKindOf(String helper) {
        return helper.substring(0, helper.indexOf("Route") + "Route".length());
    }

    /**
     * The route type of GatewayAndRoutesMustBeAccepted's {@code routeType} argument: named in its
     * expression ({@code &gatewayv1.TCPRoute{}}); the extraction gives {@code {}} for a bare
     * composite literal, then the kind of the routes it names in the test's manifests (they must
     * agree).
     */
    String routeTypeArg(JsonNode routeType, JsonNode routeNNs) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([A-Za-z]+Route)\\{")
                .matcher(routeType.path("expr").asText(""));
        if (m.find()) {
            return m.group(1);
        }
        java.util.Set<String> kinds = new java.util.TreeSet<>();
        List<JsonNode> routes = new ArrayList<>();
        routeNNs.forEach(r -> {
            if (r.isArray()) {
                r.forEach(routes::add);
            } else {
                routes.add(r);
            }
        });
        for (JsonNode r : routes) {
            StatusAssertions.NN route = nn(r);
            for (List<ObjectNode> docs : files.values()) {
                for (ObjectNode d : docs) {
                    String kind = Json.text(d, "kind");
                    if (kind.endsWith("Route") && d.path("metadata").path("name").asText().equals(route.name())
                            && d.path("metadata").path("namespace").asText("").equals(route.namespace())) {
                        kinds.add(kind);
                    }
                }
            }
        }
        return kinds.size() == 1 ? kinds.iterator().next()
                : "harness: cannot tell the route type of GatewayAndRoutesMustBeAccepted(" + routeType + ") from the "
                + "test's routes: " + kinds;
    }

    /** {@code args} without the elements at the given positions. */
    private static JsonNode withoutArgs(JsonNode args, int... drop) {
        com.fasterxml.jackson.databind.node.ArrayNode out = Json.JSON.createArrayNode();
        for (int i = 0; i < args.size(); i++) {
            final int idx = i;
            if (java.util.Arrays.stream(drop).noneMatch(d -> d == idx)) {
                out.add(args.get(i));
            }
        }
        return out;
    }

    private static String firstFailure(Supplier<String> a, Supplier<String> b) {
        String r = a.get();
        return r != null ? r : b.get();
    }

    private static String shortArgs(JsonNode args) {
        String s = args.toString();
        return s.length() > 240 ? s.substring(0, 240) + "..." : s;
    }

    private static StatusAssertions.NN nn(JsonNode n) {
        return StatusAssertions.NN.of(n);
    }

    private static List<StatusAssertions.Cond> conds(JsonNode arr) {
        List<StatusAssertions.Cond> out = new ArrayList<>();
        arr.forEach(c -> out.add(StatusAssertions.Cond.of(c)));
        return out;
    }

    private static List<String> listeners(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(l -> out.add(l.isNull() ? "" : l.asText()));
        return out;
    }

    /** The variadic listener names of a helper, from position {@code from} on (a slice or single names). */
    private static List<String> listenerNamesFrom(JsonNode args, int from) {
        List<String> names = new ArrayList<>();
        for (int i = from; i < args.size(); i++) {
            if (args.get(i).isArray()) {
                args.get(i).forEach(n -> names.add(n.asText()));
            } else {
                names.add(args.get(i).asText());
            }
        }
        return names;
    }

    /**
     * RoutesAndParentMustBeAccepted(resource, routeType, routeNNs...): each route has a parent per
     * listener name of the ResourceRef (one, section name "", without names), of the resource's
     * group and kind, name and namespace, our controller, Accepted=True/Accepted (RouteMustHaveParents,
     * the namespace required when the route lives elsewhere); then every listener of the resource
     * (a Gateway or a ListenerSet) has ResolvedRefs, Accepted and Programmed True.
     */
    private Supplier<String> routesAndParentAccepted(JsonNode resource, String routeKind, JsonNode routeNNs) {
        if (resource.has("$unresolved")) {
            return () -> "harness: cannot resolve " + resource.path("$unresolved").asText();
        }
        StatusAssertions.NN parentNN = nn(resource.path("gateway"));
        String group = resource.path("parentKind").path("Group").asText(StatusAssertions.GROUP);
        String kind = resource.path("parentKind").path("Kind").asText("Gateway");
        List<JsonNode> routes = new ArrayList<>();
        routeNNs.forEach(r -> {
            if (r.isArray()) {
                r.forEach(routes::add);
            } else {
                routes.add(r);
            }
        });
        int parentsPerRoute = Math.max(1, resource.path("listeners").size());
        StatusAssertions.Source s = env.status();
        Map<StatusAssertions.NN, JsonNode[]> actual = new java.util.HashMap<>();
        List<StatusAssertions.Cond> listenerConds = List.of(new StatusAssertions.Cond("ResolvedRefs", "True", ""),
                new StatusAssertions.Cond("Accepted", "True", ""), new StatusAssertions.Cond("Programmed", "True", ""));
        return () -> {
            for (JsonNode r0 : routes) {
                StatusAssertions.NN route = nn(r0);
                boolean nsRequired = !java.util.Objects.equals(route.namespace(), parentNN.namespace());
                List<StatusAssertions.Parent> parents = new ArrayList<>();
                for (int i = 0; i < parentsPerRoute; i++) {
                    parents.add(new StatusAssertions.Parent(group, kind, parentNN.namespace(), parentNN.name(),
                            Manifests.CONTROLLER, List.of(new StatusAssertions.Cond("Accepted", "True", "Accepted"))));
                }
                String r = StatusAssertions.routeParentsPolled(s, routeKind, route, parents, nsRequired,
                        actual.computeIfAbsent(route, k -> new JsonNode[1]));
                if (r != null) {
                    return r;
                }
            }
            return kind.equals("ListenerSet")
                    ? StatusAssertions.listenerSetListenersHaveConditions(s, parentNN, listenerConds, List.of())
                    : StatusAssertions.listenersHaveConditions(s, parentNN, listenerConds);
        };
    }

    private Supplier<String> gatewayAndRoutesAccepted(JsonNode args, String routeKind) {
        StatusAssertions.NN gw = nn(args.get(0).path("gateway"));
        lastGateway = gw;
        List<String> listenerNames = listeners(args.get(0).path("listeners"));
        StatusAssertions.Source s = env.status();
        // RouteMustHaveParents per route: the parents its previous poll saw
        Map<StatusAssertions.NN, JsonNode[]> actual = new java.util.HashMap<>();
        return () -> {
            Object addr = StatusAssertions.gatewayAddress(s, gw, listenerNames);
            if (addr instanceof String err) {
                return err;
            }
            List<JsonNode> routes = new ArrayList<>();
            for (int i = 1; i < args.size(); i++) {
                // variadic routeNNs, possibly passed as a slice (routeNNs...)
                if (args.get(i).isArray()) {
                    args.get(i).forEach(routes::add);
                } else {
                    routes.add(args.get(i));
                }
            }
            for (JsonNode r0 : routes) {
                StatusAssertions.NN route = nn(r0);
                boolean nsRequired = !java.util.Objects.equals(route.namespace(), gw.namespace());
                StatusAssertions.Parent parent = new StatusAssertions.Parent(StatusAssertions.GROUP, "Gateway",
                        gw.namespace(), gw.name(), Manifests.CONTROLLER,
                        List.of(new StatusAssertions.Cond("Accepted", "True", "Accepted")));
                String r = StatusAssertions.routeParentsPolled(s, routeKind, route, List.of(parent), nsRequired,
                        actual.computeIfAbsent(route, k -> new JsonNode[1]));
                if (r != null) {
                    return r;
                }
            }
            return StatusAssertions.listenersHaveConditions(s, gw, List.of(
                    new StatusAssertions.Cond("ResolvedRefs", "True", ""),
                    new StatusAssertions.Cond("Accepted", "True", ""),
                    new StatusAssertions.Cond("Programmed", "True", "")));
        };
    }

    /**
     * GatewayAndTLSRoutesMustBeAccepted: WaitForGatewayAddress, then TLSRouteMustHaveParents per
     * route with one expected parent per listener name of NewGatewayRef(gwNN) (one, section name
     * "", which parentsForRouteMatch does not compare): group, kind Gateway, the Gateway's name and
     * namespace, the suite's controller, Accepted=True/Accepted; the namespace required when the
     * route lives elsewhere. Unlike GatewayAndRoutesMustBeAccepted it checks no observedGeneration
     * of the routes and no listener conditions.
     */
    private Supplier<String> gatewayAndTlsRoutesAccepted(JsonNode args) {
        StatusAssertions.NN gw = nn(args.get(0).path("gateway"));
        lastGateway = gw;
        List<String> listenerNames = listeners(args.get(0).path("listeners"));
        StatusAssertions.Source s = env.status();
        List<JsonNode> routes = new ArrayList<>();
        for (int i = 1; i < args.size(); i++) {
            if (args.get(i).isArray()) {
                args.get(i).forEach(routes::add);
            } else {
                routes.add(args.get(i));
            }
        }
        return () -> {
            Object addr = StatusAssertions.gatewayAddress(s, gw, listenerNames);
            if (addr instanceof String err) {
                return err;
            }
            for (JsonNode r0 : routes) {
                StatusAssertions.NN route = nn(r0);
                boolean nsRequired = !java.util.Objects.equals(route.namespace(), gw.namespace());
                StatusAssertions.Parent parent = new StatusAssertions.Parent(StatusAssertions.GROUP, "Gateway",
                        gw.namespace(), gw.name(), Manifests.CONTROLLER,
                        List.of(new StatusAssertions.Cond("Accepted", "True", "Accepted")));
                String r = StatusAssertions.tlsRouteParents(s, route, List.of(parent), nsRequired);
                if (r != null) {
                    return r;
                }
            }
            return null;
        };
    }

    private Supplier<String> routeParents(JsonNode args, String kind) {
        StatusAssertions.NN route = nn(args.get(0));
        boolean nsRequired = args.size() > 2 && args.get(2).asBoolean(false);
        List<StatusAssertions.Parent> parents = new ArrayList<>();
        for (JsonNode p : args.get(1)) {
            JsonNode ref = p.path("ParentRef");
            StatusAssertions.Parent parent;
            if (ref.has("$unresolved")) {
                // parentRefTo(gwNN): group, kind Gateway, namespace and name of the test's Gateway
                if (lastGateway == null) {
                    return () -> "harness: cannot resolve " + ref.path("$unresolved").asText();
                }
                parent = new StatusAssertions.Parent(StatusAssertions.GROUP, "Gateway", lastGateway.namespace(),
                        lastGateway.name(), Manifests.CONTROLLER, conds(p.path("Conditions")));
            } else {
                parent = new StatusAssertions.Parent(textOrNull(ref, "Group"), textOrNull(ref, "Kind"),
                        textOrNull(ref, "Namespace"), ref.path("Name").asText(), Manifests.CONTROLLER,
                        conds(p.path("Conditions")));
            }
            parents.add(parent);
        }
        if (kind.equals("TLSRoute")) {
            return () -> StatusAssertions.tlsRouteParents(env.status(), route, parents, nsRequired);
        }
        JsonNode[] actual = {null};
        return () -> StatusAssertions.routeParentsPolled(env.status(), kind, route, parents, nsRequired, actual);
    }

    private static String textOrNull(JsonNode n, String f) {
        JsonNode v = n.path(f);
        return v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    /**
     * HTTPRouteMustHaveNoAcceptedParents polls every second (not the default interval: a negative
     * test) and takes empty parents as "correctly not set" only on a second look, one poll later.
     */
    private Supplier<String> noAcceptedParents(StatusAssertions.NN route, String kind) {
        boolean[] emptyChecked = {false};
        return () -> {
            String r = StatusAssertions.routeNoAcceptedParents(env.status(), kind, route);
            if ("empty".equals(r)) {
                if (!emptyChecked[0]) {
                    emptyChecked[0] = true;
                    Pause.sleep(NO_PARENTS_POLL_MS);
                    return "no parents yet";
                }
                return null;
            }
            return r;
        };
    }

    /** HTTPRouteMustHaveNoAcceptedParents' poll interval (1 s upstream). */
    static final long NO_PARENTS_POLL_MS = 1000;

    // ------------------------------------------------------------------ traffic

    /** The gateway address for a send: status address + spec port of the first (or named) listener. */
    private StatusAssertions.Address address(JsonNode gatewayAddr) {
        StatusAssertions.NN gw = nn(gatewayAddr.path("gateway"));
        List<String> names = listeners(gatewayAddr.path("listeners"));
        Object[] found = new Object[1];
        String err = poll(() -> {
            Object a = StatusAssertions.gatewayAddress(env.status(), gw, names);
            if (a instanceof String s) {
                return s;
            }
            found[0] = a;
            return null;
        });
        if (err != null) {
            throw new AssertionError("no address for Gateway " + gw + ": " + err);
        }
        StatusAssertions.Address a = (StatusAssertions.Address) found[0];
        if (gatewayAddr.has("port")) {
            return new StatusAssertions.Address(a.ip(), gatewayAddr.path("port").asInt());
        }
        return a;
    }

    /**
     * Where the extraction linked a send to the wrong address, the address the Go code really
     * uses. HTTPRouteListenerPortMatching picks gwAddr80/8080/8090 from the port in the Host.
     */
    static JsonNode gatewayAddrFor(String test, JsonNode exp, JsonNode gatewayAddr) {
        gatewayAddr = TlsClientSends.resolveJoinHostPort(gatewayAddr);
        if (test.equals("HTTPRouteListenerPortMatching")) {
            String host = exp.path("request").path("host").asText("");
            String listener = host.endsWith(":8080") ? "listener-2" : host.endsWith(":8090") ? "listener-4" : "listener-1";
            ObjectNode fixed = gatewayAddr.deepCopy();
            fixed.putArray("listeners").add(listener);
            return fixed;
        }
        return gatewayAddr;
    }

    /** Builds the request as upstream http.MakeRequest does. */
    HttpProbe.Request request(JsonNode exp, JsonNode via, StatusAssertions.Address addr, Map<String, String> extra) {
        return request(exp, via, addr, extra, new java.util.concurrent.atomic.AtomicBoolean());
    }

    /**
     * The same, presenting the client certificate the send names when the server asks
     * ({@code clientAsked} records that it did: GetClientCertificateHook).
     */
    HttpProbe.Request request(JsonNode exp, JsonNode via, StatusAssertions.Address addr, Map<String, String> extra,
                              java.util.concurrent.atomic.AtomicBoolean clientAsked) {
        JsonNode r = exp.path("request");
        String call = via.path("call").asText();
        String scheme = via.path("scheme").asText(call.startsWith("tls.") ? "https" : "http");
        String method = r.path("method").asText("");
        if (method.isEmpty()) {
            method = "GET";
        }
        String host = r.path("host").asText("");
        if (host.isEmpty()) {
            host = (scheme.equals("http") && addr.port() == 80) || (scheme.equals("https") && addr.port() == 443)
                    ? addr.ip() : addr.ip() + ":" + addr.port();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        r.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        headers.putAll(extra);
        List<String> set = new ArrayList<>();
        exp.path("backendSetResponseHeaders").fields().forEachRemaining(e -> set.add(e.getKey() + ":" + e.getValue().asText()));
        headers.put("X-Echo-Set-Header", String.join(",", set));
        String serverName = via.path("serverName").isTextual() ? via.path("serverName").asText() : r.path("host").asText("");
        if (serverName.isEmpty()) {
            serverName = r.path("sni").asText("");
        }
        return new HttpProbe.Request(scheme, addr.ip(), addr.port() + env.settings.portOffset(), method, host,
                r.path("path").asText("/"), headers, r.path("body").asText(""), serverName,
                scheme.equals("https") ? trustFor(via, clientAsked) : null, env.settings.requestTimeout())
                .withProtocol(r.path("protocol").asText(HttpProbe.HTTP));
    }

    /**
     * The Secret whose tls.crt a test reads into serverCertPem (GetTLSSecret(certNN)) when it is not
     * infra/tls-validity-checks-certificate, as every HTTPS listener test reads: the passthrough
     * test trusts the TLS backends' certificate only, so the gateway's own would fail the handshake.
     */
    static final Map<String, String> SERVER_CERT_PEM_SECRET = Map.of(
            "TLSRouteHostnameIntersection", "tls-checks-certificate");

    /**
     * Upstream HTTPS tests pass serverCertPem = the tls.crt of the Secret the test reads (see
     * above), and the tls helpers a client certificate (a Secret's, {@link TlsClientSends}).
     */
    private javax.net.ssl.SSLContext trustFor(JsonNode via, java.util.concurrent.atomic.AtomicBoolean clientAsked) {
        String client = via.path("clientCertificate").asText("");
        if (client.isEmpty()) {
            if (!"serverCertPem".equals(via.path("serverCertificate").asText(""))) {
                return env.tls;
            }
            String secret = SERVER_CERT_PEM_SECRET.get(spec.shortName());
            return secret == null ? env.tlsValidityChecks : HttpProbe.trusting(List.of(serverCertPem()));
        }
        List<java.security.cert.X509Certificate> trusted = "serverCertPem".equals(via.path("serverCertificate").asText(""))
                ? List.of(serverCertPem()) : env.certificates.allCertificates();
        return HttpProbe.trusting(trusted, TlsClientSends.presenting(env.certificates.secret(Certificates.INFRA,
                TlsClientSends.CLIENT_CERT_PEM_SECRET.get(client)), clientAsked));
    }

    /** The certificate of the Secret the test reads into serverCertPem. */
    private java.security.cert.X509Certificate serverCertPem() {
        return env.certificates.secret(Certificates.INFRA,
                SERVER_CERT_PEM_SECRET.getOrDefault(spec.shortName(), "tls-validity-checks-certificate")).certificate();
    }

    /**
     * The URL upstream sends {@code req} to: scheme, CalculateHost(gwAddr) (the spec port left
     * out when it is the scheme's default) and the escaped path with its query.
     */
    java.net.URI requestUrl(HttpProbe.Request req) {
        int port = req.connectPort() - env.settings.portOffset();
        boolean defaultPort = (req.scheme().equals("http") && port == 80) || (req.scheme().equals("https") && port == 443);
        String host = req.ip().contains(":") ? "[" + req.ip() + "]" : req.ip();
        return java.net.URI.create(req.scheme() + "://" + host + (defaultPort ? "" : ":" + port)
                + HttpProbe.escapePath(req.path()));
    }

    static String describe(JsonNode exp, HttpProbe.Request req) {
        JsonNode r = exp.path("request");
        String backend = exp.path("backend").asText("");
        boolean sniDiffers = req.scheme().equals("https") && !req.serverName().equals(req.host());
        return req.method() + " " + req.scheme() + "://" + req.host() + r.path("path").asText("/")
                + (r.path("headers").size() > 0 ? " " + r.path("headers") : "")
                + (req.protocol().equals(HttpProbe.HTTP) ? "" : " over " + req.protocol())
                + (sniDiffers ? " (SNI " + req.serverName() + ")" : "")
                + " -> " + ExpectationChecker.statusCodes(exp) + (backend.isEmpty() ? "" : " " + backend);
    }

    private void runHttp(JsonNode exp, JsonNode via, int index) {
        if (spec.testFunction().equals(PERCENT_MIRROR_TEST) && via.path("line").asInt() == PERCENT_MIRROR_DISTRIBUTION_LINE) {
            runMirrorDistribution(exp, via, index);
            return;
        }
        // ExpectMirroredRequest: the path gets a unique request id, the mirror pods' logs must show it
        boolean mirrored = exp.path("mirroredTo").size() > 0 && spec.json().path("other_traffic_checks").findValues("call")
                .stream().anyMatch(c -> c.asText().equals(EXPECT_MIRRORED));
        long logWindow = System.currentTimeMillis() - env.settings.consistencyTimeout().toMillis();
        if (mirrored) {
            exp = withRequestId(exp, java.util.UUID.randomUUID().toString());
        }
        exp = withClientCertificates(exp);
        StatusAssertions.Address addr = address(gatewayAddrFor(spec.testFunction(), exp, via.path("gatewayAddr")));
        java.util.concurrent.atomic.AtomicBoolean clientAsked = new java.util.concurrent.atomic.AtomicBoolean();
        HttpProbe.Request req = request(exp, via, addr, Map.of(), clientAsked);
        String what = "expectation #" + index + " (line " + exp.path("line").asInt() + ") " + describe(exp, req);
        if (via.path("call").asText().equals(TlsClientSends.EXPECT_FAILURE)) {
            runTlsFailure(what + " via " + TlsClientSends.EXPECT_FAILURE + " at line " + via.path("line").asInt(), req,
                    via, clientAsked);
            return;
        }
        boolean expectFailure = via.path("call").asText().contains("ExpectFailure") || via.path("expectFailure").asBoolean(false);
        String result = expectFailure ? awaitFailure(req) : awaitConsistent(exp, req);
        if (result == null) {
            passed(what);
        } else {
            fail(what + ": " + result);
        }
        if (via.hasNonNull("clientCertificate")) {
            // MakeTLSRequestAndExpectEventuallyConsistentResponse: assert.True(clientCertificatePresented)
            if (clientAsked.get()) {
                passed(what + ": the client certificate " + via.path("clientCertificate").asText()
                        + " was asked for during the handshake");
            } else {
                fail(what + ": client certificate was not presented during the handshake");
            }
        }
        if (mirrored) {
            checkMirrored(exp, logWindow);
        }
        if (tlsListener(nn(gatewayAddrFor(spec.testFunction(), exp, via.path("gatewayAddr")).path("gateway")),
                addr.port())) {
            log.add("explain: not compared, a TLS listener (explain request models HTTP routing)");
            return;
        }
        // archway explain request must agree with the live proxy on the same request.
        String explained = ExplainAgreement.check(env.cluster,
                nn(gatewayAddrFor(spec.testFunction(), exp, via.path("gatewayAddr")).path("gateway")), addr.port(), req,
                pod -> env.backends.allPods().stream().filter(p -> p.name().equals(pod)).map(EchoServer.Pod::ip)
                        .findFirst().orElse(null), log);
        if (explained != null) {
            fail(what + ": " + explained);
        }
    }

    /**
     * The Go variables a request's ClientCert names, resolved: each is the tls.crt of a Secret the
     * test reads with GetTLSSecret (GatewayTLSBackendClientCertificate: expectedClientCert, the
     * Secret infra/tls-checks-client-certificate the Gateway presents to its TLS backend).
     */
    private JsonNode withClientCertificates(JsonNode exp) {
        String expr = exp.path("request").path("clientCert").path("$unresolved").asText("");
        if (expr.isEmpty()) {
            return exp;
        }
        String secret = CLIENT_CERT_SECRETS.get(expr);
        if (secret == null) {
            throw new AssertionError("harness: the client certificate " + expr + " is not known");
        }
        ObjectNode copy = exp.deepCopy();
        ((ObjectNode) copy.path("request")).put("clientCert", env.certificates.secret(Certificates.INFRA, secret).certPem());
        return copy;
    }

    /** Go variable -> the infra Secret whose tls.crt it holds. */
    static final Map<String, String> CLIENT_CERT_SECRETS = Map.of("expectedClientCert", "tls-checks-client-certificate");

    /**
     * tls.MakeTLSRequestAndExpectFailureResponse: one request, which must fail (any error: a
     * refused handshake, an alert, a refused connection), with the client certificate asked for
     * when one is passed.
     */
    private void runTlsFailure(String what, HttpProbe.Request req, JsonNode via,
                               java.util.concurrent.atomic.AtomicBoolean clientAsked) {
        try {
            HttpProbe.Response res = HttpProbe.send(req);
            fail(what + ": Request should fail (got HTTP " + res.status() + ")");
        } catch (IOException e) {
            log.add("  request failed as expected: " + e);
            passed(what + ": the request failed (" + e.getClass().getSimpleName() + ")");
        }
        if (via.hasNonNull("clientCertificate")) {
            if (clientAsked.get()) {
                passed(what + ": the client certificate " + via.path("clientCertificate").asText()
                        + " was asked for during the handshake");
            } else {
                fail(what + ": client certificate was not presented during the handshake");
            }
        }
    }

    /** Whether the Gateway's spec has a TLS listener on {@code port}. */
    private boolean tlsListener(StatusAssertions.NN gw, int port) {
        JsonNode g = env.status().get("Gateway", gw.namespace(), gw.name());
        if (g == null) {
            return false;
        }
        for (JsonNode l : g.path("spec").path("listeners")) {
            if (l.path("port").asInt() == port && l.path("protocol").asText().equals("TLS")) {
                return true;
            }
        }
        return false;
    }

    /** A non-HTTP check of the timeline: tls.MakeTLSConnectionAndExpectEventuallyConnectionRejection. */
    private void runOther(JsonNode check) {
        String call = check.path("call").asText();
        JsonNode args = check.path("args");
        StatusAssertions.Address a = address(args.get(1).path("gatewayAddr"));
        String serverName = args.get(2).asText();
        String what = "line " + check.path("line").asInt() + ": " + call + "(" + a.ip() + ":" + a.port() + ", "
                + serverName + ")";
        if (!call.equals(TLS_REJECTION)) {
            fail(what + ": harness: not a timeline call");
            return;
        }
        String r = L4Clients.tlsRejectedEventually(new java.net.InetSocketAddress(a.ip(), a.port() + env.settings.portOffset()),
                serverName, env.settings.consistencyTimeout(), line -> {
                    synchronized (log) {
                        log.add("  " + line);
                    }
                });
        if (r == null) {
            passed(what);
        } else {
            fail(what + ": " + r);
        }
    }

    // ------------------------------------------------------------------ gRPC

    /** The Echo method an expectation calls: EchoRequest -> Echo, EchoTwoRequest -> EchoTwo, ... */
    static String grpcMethod(JsonNode exp) {
        String request = exp.path("method").asText("EchoRequest");
        return request.substring(0, request.length() - "Request".length());
    }

    /** A probe to the gateway address with the expectation's authority (the spec address when none). */
    private GrpcProbe grpcProbe(JsonNode exp, StatusAssertions.Address addr) {
        String authority = exp.path("authority").asText("");
        return new GrpcProbe(addr.ip() + ":" + (addr.port() + env.settings.portOffset()),
                authority.isEmpty() ? addr.ip() + ":" + addr.port() : authority);
    }

    private static Map<String, String> grpcMetadata(JsonNode exp) {
        Map<String, String> metadata = new LinkedHashMap<>();
        exp.path("metadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        return metadata;
    }

    /** grpc.MakeRequestAndExpectEventuallyConsistentResponse: 3 matching responses in a row. */
    private void runGrpc(JsonNode exp, JsonNode via, int index) {
        StatusAssertions.Address addr = address(via.path("gatewayAddr"));
        String method = grpcMethod(exp);
        String backend = exp.path("backend").asText("");
        String what = "gRPC expectation #" + index + " (line " + exp.path("line").asInt() + ") "
                + exp.path("authority").asText("") + "/" + GrpcEcho.SERVICE + "/" + method
                + (exp.path("metadata").size() > 0 ? " " + exp.path("metadata") : "") + " -> "
                + exp.path("code").asText() + (backend.isEmpty() ? "" : " " + backend);
        String result;
        try (GrpcProbe probe = grpcProbe(exp, addr)) {
            result = converge(3, () -> {
                try {
                    return compareGrpc(exp, method, probe.send(method, grpcMetadata(exp), env.settings.requestTimeout()));
                } catch (IOException e) {
                    return "response did not parse: " + e;
                }
            });
        }
        if (result == null) {
            passed(what);
        } else {
            fail(what + ": " + result);
        }
        log.add("explain: not compared, a gRPC call (explain request --grpc is not modelled by the harness)");
    }

    /** Upstream's compareResponse: the code, and for OK the method, namespace and pod the echo saw. */
    static String compareGrpc(JsonNode exp, String method, GrpcProbe.Result r) {
        io.grpc.Status.Code want = GrpcProbe.code(exp.path("code").asText("OK"));
        if (r.status().getCode() != want) {
            return "expected status code to be " + want + ", but got " + r.status().getCode()
                    + (r.status().getDescription() == null ? "" : " (" + r.status().getDescription() + ")");
        }
        if (want != io.grpc.Status.Code.OK) {
            return null;
        }
        String fqm = "/" + GrpcEcho.SERVICE + "/" + method;
        if (!fqm.equals(r.assertions().fullyQualifiedMethod())) {
            return "expected path to be " + fqm + ", got " + r.assertions().fullyQualifiedMethod();
        }
        String ns = exp.path("namespace").asText("");
        if (!ns.isEmpty() && !ns.equals(r.assertions().context().namespace())) {
            return "expected namespace to be " + ns + ", got " + r.assertions().context().namespace();
        }
        String backend = exp.path("backend").asText("");
        if (!r.assertions().context().pod().startsWith(backend)) {
            return "expected pod name to start with " + backend + ", got " + r.assertions().context().pod();
        }
        return null;
    }

    /**
     * GRPCRouteWeight's distribution: weight.TestWeightedDistribution over upstream's sender, a
     * fresh client per call with x-jitter metadata, each call OK and counted by the echo's pod.
     */
    private void runGrpcWeights(JsonNode dist, Map<String, Double> weights) {
        JsonNode exp = null;
        JsonNode via = null;
        for (JsonNode e : spec.json().path("grpc_expectations")) {
            for (JsonNode v : e.path("sentVia")) {
                if (v.has("gatewayAddr") && (via == null || v.path("call").asText().equals("client.SendRPC"))) {
                    exp = e;
                    via = v;
                }
            }
        }
        if (exp == null) {
            fail("harness: no gRPC call to send for the weighted distribution at line " + dist.path("line").asInt());
            return;
        }
        StatusAssertions.Address addr = address(via.path("gatewayAddr"));
        final JsonNode call = exp;
        String last = null;
        for (int attempt = 1; attempt <= 10; attempt++) {
            last = sampleDistribution(weights, () -> {
                Map<String, String> md = new LinkedHashMap<>(grpcMetadata(call));
                md.put("x-jitter", Long.toString(ThreadLocalRandom.current().nextLong(1 << 30)));
                try (GrpcProbe probe = grpcProbe(call, addr)) {
                    GrpcProbe.Result r = probe.send(grpcMethod(call), md, env.settings.consistencyTimeout());
                    if (r.status().getCode() != io.grpc.Status.Code.OK) {
                        throw new IllegalStateException("expected OK response, got " + r.status());
                    }
                    return r.assertions().context().pod();
                }
            });
            if (last == null) {
                passed("weighted gRPC distribution " + weights + " (attempt " + attempt + ")");
                return;
            }
            log.add("weighted gRPC distribution attempt " + attempt + "/10 failed: " + last);
        }
        fail("weighted gRPC distribution " + weights + " failed 10 times; last: " + last);
    }

    /** A pod per call from {@code sender}, 500 calls 10 at a time, compared with the weights. */
    private String sampleDistribution(Map<String, Double> weights, java.util.concurrent.Callable<String> sender) {
        final int total = 500;
        ExecutorService pool = Executors.newFixedThreadPool(10);
        Map<String, Integer> seen = new LinkedHashMap<>();
        try {
            List<Future<String>> pods = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                pods.add(pool.submit(sender));
            }
            for (Future<String> f : pods) {
                String pod;
                try {
                    pod = f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    return "error while sending requests: " + e.getCause().getMessage();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "interrupted";
                }
                String backend = backendName(pod);
                if (!weights.containsKey(backend)) {
                    return "request was handled by an unexpected pod " + pod + " (extracted backend " + backend + ")";
                }
                seen.merge(backend, 1, Integer::sum);
            }
        } finally {
            pool.shutdownNow();
        }
        return compareDistribution(weights, seen, total);
    }

    /** AwaitConvergence: 3 successes in a row within the consistency timeout. */
    String awaitConsistent(JsonNode exp, HttpProbe.Request req) {
        return converge(3, () -> {
            HttpProbe.Response res;
            try {
                res = HttpProbe.send(req);
            } catch (IOException e) {
                return "request failed: " + e;
            }
            return ExpectationChecker.check(exp, requestUrl(req), res);
        });
    }

    /** WaitForConsistentFailureResponse: 5 non-200 responses in a row; a 200 fails at once. */
    String awaitFailure(HttpProbe.Request req) {
        String[] fatal = {null};
        String r = converge(5, () -> {
            HttpProbe.Response res;
            try {
                res = HttpProbe.send(req);
            } catch (IOException e) {
                return "request failed: " + e;
            }
            if (ExpectationChecker.isTimeout(res.status())) {
                return "timeout status " + res.status();
            }
            if (res.status() == 200) {
                fatal[0] = "request should have failed, returned HTTP 200 instead";
            }
            return null;
        });
        return fatal[0] != null ? fatal[0] : r;
    }

    private String converge(int threshold, Supplier<String> attempt) {
        long deadline = System.nanoTime() + env.settings.consistencyTimeout().toNanos();
        int successes = 0;
        int attempts = 0;
        String last = null;
        while (System.nanoTime() < deadline) {
            String r = attempt.get();
            attempts++;
            if (r == null) {
                if (++successes >= threshold) {
                    return null;
                }
                continue;
            }
            successes = 0;
            last = r;
            Pause.sleep(100);
        }
        return "not consistent within " + env.settings.consistencyTimeout().toMillis() + " ms after " + attempts
                + " attempts; last: " + last;
    }

    /** http.ExpectedResponse.AddRequestIDQueryParam on a copy of {@code exp}. */
    static JsonNode withRequestId(JsonNode exp, String id) {
        ObjectNode copy = exp.deepCopy();
        String path = addQueryParam(copy.path("request").path("path").asText("/"), REQUEST_ID_PARAM, id);
        JsonNode er = copy.path("expectedRequest");
        if (er.isObject() && er.path("explicit").asBoolean(false)) {
            String ePath = er.path("path").asText("");
            ((ObjectNode) er).put("path", ePath.isEmpty() ? path : addQueryParam(ePath, REQUEST_ID_PARAM, id));
        }
        ((ObjectNode) copy.path("request")).put("path", path);
        return copy;
    }

    /** Go's addQueryParam: url.Values.Add then Encode (keys sorted, values query-escaped). */
    static String addQueryParam(String rawUrl, String name, String value) {
        int q = rawUrl.indexOf('?');
        java.util.TreeMap<String, List<String>> values = new java.util.TreeMap<>();
        if (q >= 0) {
            for (String kv : rawUrl.substring(q + 1).split("&")) {
                if (kv.isEmpty()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                String k = java.net.URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : java.net.URLDecoder.decode(kv.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
                values.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
        }
        values.computeIfAbsent(name, x -> new ArrayList<>()).add(value);
        StringBuilder out = new StringBuilder(q < 0 ? rawUrl : rawUrl.substring(0, q)).append('?');
        String sep = "";
        for (Map.Entry<String, List<String>> e : values.entrySet()) {
            for (String v : e.getValue()) {
                out.append(sep).append(java.net.URLEncoder.encode(e.getKey(), java.nio.charset.StandardCharsets.UTF_8))
                        .append('=').append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8));
                sep = "&";
            }
        }
        return out.toString();
    }

    /** GetMirrorLogRegexp: the line echo-basic prints for a request to {@code path}. */
    static boolean isMirrorLogOf(String line, String path) {
        return line.contains("Echoing back request made to " + path + " to client");
    }

    /**
     * ExpectMirroredRequest: every mirror's pods print the request within the request timeout
     * (polled every second, as assert.Eventually does), the log read from {@code since}.
     */
    private void checkMirrored(JsonNode exp, long since) {
        String path = exp.path("request").path("path").asText();
        for (JsonNode m : exp.path("mirroredTo")) {
            String ns = m.path("namespace").asText();
            String name = m.path("name").asText();
            String what = "mirrored request " + path + " in the logs of " + ns + "/" + name;
            long deadline = System.nanoTime() + env.settings.requestTimeout().toNanos();
            boolean found = false;
            while (!found) {
                found = env.echo.logs(ns, name, since).stream().anyMatch(l -> isMirrorLogOf(l, path));
                if (found || System.nanoTime() > deadline) {
                    break;
                }
                Pause.sleep(100);
            }
            if (found) {
                passed(what);
            } else {
                fail("Couldn't find " + what);
            }
        }
    }

    /** Upstream: totalRequests, concurrentRequests, numDistributionChecks, toleranceStdDevs. */
    private static final int MIRROR_REQUESTS = 500;
    private static final int MIRROR_CONCURRENCY = 10;
    private static final int MIRROR_DISTRIBUTION_CHECKS = 5;
    private static final double MIRROR_TOLERANCE_STDDEVS = 3.0;

    /**
     * The percentage mirror test's loop (line 171) and testMirroredRequestsDistribution: up to five
     * times, 500 requests (10 at a time) each eventually answered as expected, then each mirror's
     * logs since the batch started must count within 3 binomial standard deviations of
     * 500 x percent.
     */
    private void runMirrorDistribution(JsonNode exp, JsonNode via, int index) {
        String what = "expectation #" + index + " (line " + exp.path("line").asInt() + ") mirrored share of "
                + exp.path("request").path("path").asText() + " to " + exp.path("mirroredTo");
        String last = null;
        for (int k = 0; k < MIRROR_DISTRIBUTION_CHECKS; k++) {
            JsonNode e = withRequestId(exp, java.util.UUID.randomUUID().toString());
            HttpProbe.Request req = request(e, via, address(gatewayAddrFor(spec.testFunction(), e, via.path("gatewayAddr"))),
                    Map.of());
            long since = System.currentTimeMillis();
            ExecutorService pool = Executors.newFixedThreadPool(MIRROR_CONCURRENCY);
            List<Future<String>> sent = new ArrayList<>();
            for (int i = 0; i < MIRROR_REQUESTS; i++) {
                sent.add(pool.submit(() -> converge(1, () -> {
                    try {
                        return ExpectationChecker.check(e, requestUrl(req), HttpProbe.send(req));
                    } catch (IOException ex) {
                        return "request failed: " + ex;
                    }
                })));
            }
            String failed = null;
            for (Future<String> f : sent) {
                try {
                    String r = f.get();
                    failed = failed == null ? r : failed;
                } catch (Exception ex) {
                    failed = String.valueOf(ex);
                }
            }
            pool.shutdown();
            if (failed != null) {
                fail(what + ": " + failed);
                return;
            }
            Pause.sleep(300); // a mirror copy trails its response by a little
            String path = e.path("request").path("path").asText();
            List<String> errors = new ArrayList<>();
            for (JsonNode m : e.path("mirroredTo")) {
                double p = m.path("percent").asDouble() / 100.0;
                double expected = MIRROR_REQUESTS * p;
                double margin = MIRROR_TOLERANCE_STDDEVS * Math.sqrt(MIRROR_REQUESTS * p * (1 - p));
                long actual = env.echo.logs(m.path("namespace").asText(), m.path("name").asText(), since).stream()
                        .filter(l -> isMirrorLogOf(l, path)).count();
                log.add(String.format("  Pod: %s, Expected: %f (min: %f, max: %f), Actual: %d", m.path("name").asText(),
                        expected, expected - margin, expected + margin, actual));
                if (actual < expected - margin || actual > expected + margin) {
                    errors.add("pod " + m.path("name").asText() + " did not meet the mirroring percentage within "
                            + "tolerance. Expected between " + (expected - margin) + " and " + (expected + margin)
                            + ", but got " + actual);
                }
            }
            if (errors.isEmpty()) {
                passed(what + " within " + MIRROR_TOLERANCE_STDDEVS + " standard deviations");
                return;
            }
            last = String.join("; ", errors);
            log.add("  Traffic distribution test failed (" + (k + 1) + "/" + MIRROR_DISTRIBUTION_CHECKS + "): " + last);
            Pause.sleep(2000);
        }
        fail(what + ": Percentage based mirror distribution tests failed: " + last);
    }

    /** One case of HTTPRouteRetry's table (v1.6.1): path, simulated failures, expected status. */
    record RetryCase(String path, int responseCode, int succeedAfter, int want) {
    }

    static final List<RetryCase> RETRY_CASES = List.of(
            new RetryCase("/retry/code-500-attempts-3", 500, 2, 200),
            new RetryCase("/retry/code-500-attempts-3", 500, 4, 500),
            new RetryCase("/retry/code-500-attempts-3", 503, 2, 503),
            new RetryCase("/retry/code-all-attempts-2", 500, 1, 200),
            new RetryCase("/retry/code-all-attempts-2", 500, 3, 500),
            new RetryCase("/retry/code-all-attempts-2", 502, 1, 200),
            new RetryCase("/retry/code-all-attempts-2", 502, 3, 502),
            new RetryCase("/retry/code-all-attempts-2", 503, 1, 200),
            new RetryCase("/retry/code-all-attempts-2", 503, 3, 503),
            new RetryCase("/retry/code-all-attempts-2", 504, 1, 200),
            new RetryCase("/retry/code-all-attempts-2", 504, 3, 504));

    /**
     * assertConsistentRetryBehaviour for each case: AwaitConvergence (3 in a row) of a GET to
     * {@code path?responseCode=..&succeedAfter=..&uuid=<new each probe>} answered {@code want}
     * (for 200, by infra-backend-v3 as sent), the uuid letting echo-basic count the attempts.
     */
    private void retryChecks() {
        JsonNode template = spec.json().path("http_expectations").get(0);
        JsonNode via = template.path("sentVia").get(0);
        StatusAssertions.Address addr = address(via.path("gatewayAddr"));
        for (int i = 0; i < RETRY_CASES.size(); i++) {
            RetryCase c = RETRY_CASES.get(i);
            String what = i + " request to '" + c.path() + "' responseCode=" + c.responseCode() + " succeedAfter="
                    + c.succeedAfter() + " -> " + c.want();
            String r = converge(3, () -> {
                // url.Values.Encode: keys sorted
                String path = c.path() + "?responseCode=" + c.responseCode() + "&succeedAfter=" + c.succeedAfter()
                        + "&uuid=" + java.util.UUID.randomUUID();
                ObjectNode exp = Json.JSON.createObjectNode();
                exp.putObject("request").put("method", "GET").put("path", path);
                exp.put("backend", template.path("backend").asText());
                exp.put("namespace", template.path("namespace").asText());
                exp.putObject("response").putArray("statusCodes").add(c.want());
                HttpProbe.Request req = request(exp, via, addr, Map.of());
                try {
                    return ExpectationChecker.check(exp, requestUrl(req), HttpProbe.send(req));
                } catch (IOException e) {
                    return "request failed: " + e;
                }
            });
            if (r == null) {
                passed(what);
            } else {
                fail(what + ": " + r);
            }
        }
    }

    private void runWeights(JsonNode dist) {
        Map<String, Double> weights = new LinkedHashMap<>();
        dist.path("expectedWeights").fields().forEachRemaining(e -> weights.put(e.getKey(), e.getValue().asDouble()));
        if (spec.json().path("grpc_expectations").size() > 0) {
            runGrpcWeights(dist, weights);
            return;
        }
        JsonNode exp = null;
        JsonNode via = null;
        for (JsonNode e : spec.json().path("http_expectations")) {
            for (JsonNode v : e.path("sentVia")) {
                if (v.path("call").asText().equals("http.MakeRequest") || (via == null && v.has("gatewayAddr"))) {
                    exp = e;
                    via = v;
                }
            }
        }
        if (exp == null) {
            fail("harness: no request to send for the weighted distribution at line " + dist.path("line").asInt());
            return;
        }
        StatusAssertions.Address addr = address(via.path("gatewayAddr"));
        String last = null;
        for (int attempt = 1; attempt <= 10; attempt++) {
            last = weightedOnce(exp, via, addr, weights);
            if (last == null) {
                passed("weighted distribution " + weights + " (attempt " + attempt + ")");
                return;
            }
            log.add("weighted distribution attempt " + attempt + "/10 failed: " + last);
        }
        fail("weighted distribution " + weights + " failed 10 times; last: " + last);
    }

    /** weight.TestWeightedDistribution: 500 requests, 10 at a time, +/-5 %. */
    String weightedOnce(JsonNode exp, JsonNode via, StatusAssertions.Address addr, Map<String, Double> weights) {
        return sampleDistribution(weights, () -> {
            Map<String, String> jitter = Map.of("X-Jitter", Long.toString(ThreadLocalRandom.current().nextLong(1 << 30)));
            HttpProbe.Request req = request(exp, via, addr, jitter);
            HttpProbe.Response res = HttpProbe.send(req);
            ObjectNode e2 = exp.deepCopy();
            ((ObjectNode) e2.with("request").with("headers")).put("X-Jitter", req.headers().get("X-Jitter"));
            String err = ExpectationChecker.check(e2, requestUrl(req), res);
            if (err != null) {
                throw new IllegalStateException("response expectation failed: " + err);
            }
            return ExpectationChecker.Captured.parse(Json.parse(res.bodyText())).pod();
        });
    }

    static String compareDistribution(Map<String, Double> weights, Map<String, Integer> seen, int total) {
        List<String> errs = new ArrayList<>();
        long active = weights.values().stream().filter(w -> w > 0).count();
        if (seen.size() != active) {
            errs.add("expected " + active + " backends to receive traffic, but got " + seen.size() + " " + seen);
        }
        for (Map.Entry<String, Double> w : weights.entrySet()) {
            Integer got = seen.get(w.getKey());
            if (got == null && w.getValue() != 0.0) {
                errs.add("expect traffic to hit backend " + w.getKey() + " - but none was received");
                continue;
            }
            double pct = (got == null ? 0 : got) / (double) total;
            if (Math.abs(pct - w.getValue()) > 0.05) {
                errs.add("backend " + w.getKey() + " weighted traffic of " + pct + " not within tolerance "
                        + w.getValue() + " (+/-0.05)");
            }
        }
        errs.sort(String::compareTo);
        return errs.isEmpty() ? null : String.join("; ", errs);
    }

    /** {backend}-{rs-hash}-{pod-hash} -> backend. */
    static String backendName(String pod) {
        String[] parts = pod.split("-");
        if (parts.length < 3) {
            return pod;
        }
        return String.join("-", java.util.Arrays.copyOf(parts, parts.length - 2));
    }
}
