package io.archway.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The GATEWAY-TCP and GATEWAY-UDP tests whose Go code the extraction marks {@code manual}, the
 * WebSocket test of GATEWAY-HTTP (also manual), and the GATEWAY-TLS tests (core, and the Terminate
 * and Mixed extended ones) whose traffic checks need values the extraction leaves as expressions
 * (a route's hostnames[0], a ConfigMap's CA), written
 * out step by step as the upstream test function (v1.6.1) runs them: loops unrolled, closures
 * inlined, in execution order (not source-line order). Status steps replay the extracted assertion
 * of that line (its arguments, with the loop variables the extraction could not resolve filled
 * in); mutations are the test's {@link Mutations}; traffic steps reproduce the upstream helpers
 * with {@link L4Clients}. Each case names every extraction marker it reproduces
 * ({@link Case#acknowledged}); {@link TestRunner#harnessGaps} reports any marker a case does not
 * name, and any manual test without a case.
 */
final class L4Cases {
    static final String INFRA = "gateway-conformance-infra";
    static final String WEB = "gateway-conformance-web-backend";

    /** What a traffic step can use of the running test. */
    interface Ctx {
        /** The address the Go code dials for an extracted {@code gatewayAddr} (WaitForGatewayAddress + the run's port offset). */
        InetSocketAddress dial(JsonNode gatewayAddr);

        /** The extracted test. */
        JsonNode spec();

        Duration maxTimeToConsistency();

        Duration defaultTestTimeout();

        Duration requestTimeout();

        Duration defaultPollInterval();

        void log(String line);

        /** The object the server reports now (client.Get), null when absent. */
        JsonNode resource(String kind, String namespace, String name);

        /** An SSLContext whose roots are the PEM under {@code ca.crt} of a ConfigMap (GetConfigMapData). */
        javax.net.ssl.SSLContext trustConfigMapCa(String namespace, String name);
    }

    sealed interface Step permits Status, Mutate, Traffic {
        int line();
    }

    /** Replays the {@code occurrence}-th extracted status assertion at {@code line}, its args rewritten. */
    record Status(int line, int occurrence, UnaryOperator<JsonNode> args, String note) implements Step {
    }

    /** Runs the test's mutation at {@code line}. */
    record Mutate(int line) implements Step {
    }

    /** A traffic check: the upstream call at {@code line}; null when it held, else the failures. */
    record Traffic(int line, String call, String description, Function<Ctx, List<String>> check) implements Step {
    }

    /**
     * One test's case. {@code acknowledged}: the markers of the extraction it reproduces, as
     * "other:call@line", "unmodelled:call@line", "local:call@line", "weights@line",
     * "expr:expression" or "note:text".
     */
    record Case(String test, List<Step> steps, Set<String> acknowledged) {
    }

    private static final Map<String, Case> CASES = new LinkedHashMap<>();

    static {
        add(tcpMultipleRoutesAttachment());
        add(tcpParentRefAttachAll());
        add(tcpParentRefPortAndSectionName());
        add(tcpReferenceGrant());
        add(tcpWeightedRouting());
        add(udpSimple());
        add(udpMultipleRoutesAttachment());
        add(udpParentRefAttachAllListeners());
        add(udpParentRefPortAndSectionName());
        add(udpReferenceGrant());
        add(udpWeightedRouting());
        add(tlsSimpleSameNamespace());
        add(tlsTerminateSimpleSameNamespace());
        add(tlsMixedTerminationSameNamespace());
        add(tlsInvalidBackendRef("TLSRouteInvalidBackendRefNonexistent", "invalid-backend-ref-nonexistent",
                "gateway-tlsroute-invalid-backend-ref-nonexistent"));
        add(tlsInvalidBackendRef("TLSRouteInvalidBackendRefUnknownKind", "invalid-backend-ref-unknown-kind",
                "gateway-tlsroute-invalid-backend-ref-unknown-kind"));
        add(httpRouteBackendProtocolWebSocket());
    }

    private L4Cases() {
    }

    private static void add(Case c) {
        CASES.put(c.test(), c);
    }

    static Case forTest(String testFunction) {
        return CASES.get(testFunction);
    }

    /** The manual tests this harness implements (every other manual test stays a gap). */
    static Set<String> implementedManualTests() {
        return Set.copyOf(CASES.keySet());
    }

    // ------------------------------------------------------------------ building blocks

    private static Status status(int line) {
        return new Status(line, 0, a -> a, "");
    }

    private static Status status(int line, int occurrence, UnaryOperator<JsonNode> args, String note) {
        return new Status(line, occurrence, args, note);
    }

    /** WaitForGatewayAddress(NewGatewayRef(gwNN, listener)) with the loop's listener. */
    private static Status waitForAddress(int line, String listener) {
        return status(line, 0, a -> {
            ArrayNode copy = (ArrayNode) a.deepCopy();
            ObjectNode ref = (ObjectNode) copy.get(0);
            ref.putArray("listeners").add(listener);
            return copy;
        }, "listener=" + listener);
    }

    /** acceptedParent(): group/kind Gateway, the Gateway's name and namespace, the suite's controller, Accepted. */
    private static Status parentsWithAcceptedParent(int line, int occurrence, String gateway, String note) {
        return status(line, occurrence, a -> {
            ArrayNode copy = (ArrayNode) a.deepCopy();
            ArrayNode parents = Json.JSON.createArrayNode();
            ObjectNode p = parents.addObject();
            p.putObject("ParentRef").put("Group", StatusAssertions.GROUP).put("Kind", "Gateway").put("Name", gateway)
                    .put("Namespace", INFRA);
            p.putObject("ControllerName").put("$unresolved", "suite.ControllerName");
            p.putArray("Conditions").addObject().put("Type", "Accepted").put("Status", "True").put("Reason", "Accepted");
            copy.set(1, parents);
            return copy;
        }, note);
    }

    /** The gatewayAddr of the extracted other_traffic_check {@code call} at {@code line}, listener set when given. */
    static JsonNode trafficAddr(JsonNode spec, String call, int line, String listener) {
        for (JsonNode c : spec.path("other_traffic_checks")) {
            if (c.path("call").asText().equals(call) && c.path("line").asInt() == line) {
                for (JsonNode arg : c.path("args")) {
                    if (arg.has("gatewayAddr")) {
                        ObjectNode addr = (ObjectNode) arg.path("gatewayAddr").deepCopy();
                        if (listener != null) {
                            addr.putArray("listeners").add(listener);
                        }
                        return addr;
                    }
                }
            }
        }
        throw new AssertionError("harness: no extracted " + call + " at line " + line + " with a gateway address");
    }

    /** The gatewayAddr a Gateway*RoutesMustBeAccepted status assertion at {@code line} returns. */
    static JsonNode helperAddr(JsonNode spec, int line) {
        for (JsonNode a : spec.path("status_assertions")) {
            if (a.path("line").asInt() == line) {
                return a.path("args").get(0);
            }
        }
        throw new AssertionError("harness: no extracted status assertion at line " + line);
    }

    /** tcp.MakeTCPRequestAndExpectEventuallyValidResponse(timeoutConfig, gwAddr, nil, "", false, {Backend, Namespace}). */
    private static Traffic tcpEventually(int line, String listener, String backend, String namespace) {
        String call = "tcp.MakeTCPRequestAndExpectEventuallyValidResponse";
        return new Traffic(line, call, call + "(" + (listener == null ? "" : "listener " + listener + ", ") + "backend "
                + backend + ", namespace " + namespace + ")",
                ctx -> L4Clients.tcpEventuallyValid(ctx.dial(trafficAddr(ctx.spec(), call, line, listener)), backend,
                        namespace, ctx.maxTimeToConsistency(), ctx::log));
    }

    /** udp.ExpectEchoResponseFromBackend(DefaultTestTimeout, gwAddr, {Service, Namespace}). */
    private static Traffic udpFromBackend(int line, String listener, String service) {
        String call = "udp.ExpectEchoResponseFromBackend";
        return new Traffic(line, call, call + "(listener " + listener + ", service " + service + ", namespace " + INFRA + ")",
                ctx -> none(L4Clients.udpExpectEcho(ctx.defaultTestTimeout(),
                        ctx.dial(trafficAddr(ctx.spec(), call, line, listener)), service, INFRA, ctx::log)));
    }

    private static List<String> none(String failure) {
        return failure == null ? List.of() : List.of(failure);
    }

    private static Map<String, Double> weightsAt(JsonNode spec, int line) {
        for (JsonNode w : spec.path("weighted_distributions")) {
            if (w.path("line").asInt() == line) {
                Map<String, Double> weights = new LinkedHashMap<>();
                w.path("expectedWeights").fields().forEachRemaining(e -> weights.put(e.getKey(), e.getValue().asDouble()));
                return weights;
            }
        }
        throw new AssertionError("harness: no extracted weighted distribution at line " + line);
    }

    /** The retry loop around weight.TestWeightedDistribution (MaxTestRetries, then t.Fatal). */
    private static List<String> weighted(Ctx ctx, String proto, Map<String, Double> weights,
                                         java.util.concurrent.Callable<String> sender) {
        for (int i = 0; i < L4Clients.MAX_TEST_RETRIES; i++) {
            String err = L4Clients.weightedDistribution(sender, weights);
            if (err == null) {
                ctx.log(proto + " weighted distribution " + weights + " held at attempt " + (i + 1));
                return List.of();
            }
            ctx.log(proto + " weighted distribution attempt " + (i + 1) + "/" + L4Clients.MAX_TEST_RETRIES + " failed: "
                    + err);
        }
        return List.of(proto + " weighted distribution did not converge within tolerance");
    }

    // ------------------------------------------------------------------ WebSocket

    /**
     * HTTPRouteBackendProtocolWebSocket: AwaitConvergence(RequiredConsecutiveSuccesses (3),
     * MaxTimeToConsistency) around one closure that dials ws://gwAddr/ws with an Origin, sends a
     * text message and reads it back, then a binary one.
     */
    private static Case httpRouteBackendProtocolWebSocket() {
        return new Case("HTTPRouteBackendProtocolWebSocket", List.of(
                status(55),
                new Traffic(65, "suite.WebSocketDialer.Dial", "http.AwaitConvergence(3, MaxTimeToConsistency) of: Dial"
                        + " ws://gwAddr/ws, Message.Send text, Message.Receive it, Message.Send binary, Message.Receive it",
                        ctx -> {
                            InetSocketAddress addr = ctx.dial(helperAddr(ctx.spec(), 55));
                            String origin = "ws://gateway/HTTPRouteBackendProtocolWebSocket/"
                                    + "websocket_connection_should_reach_backend";
                            long deadline = System.nanoTime() + ctx.maxTimeToConsistency().toNanos();
                            int successes = 0;
                            String last = null;
                            while (System.nanoTime() < deadline) {
                                last = WebSocketProbe.echoTextAndBinary(addr, origin, ctx.requestTimeout());
                                if (last == null) {
                                    if (++successes >= 3) {
                                        ctx.log("websocket text and binary echoed " + successes + " times in a row");
                                        return List.of();
                                    }
                                    continue;
                                }
                                ctx.log("websocket attempt failed: " + last);
                                successes = 0;
                                try {
                                    Thread.sleep(500);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    return List.of("interrupted");
                                }
                            }
                            return List.of("websocket echo did not converge within " + ctx.maxTimeToConsistency()
                                    + ": " + last);
                        })),
                Set.of("other:suite.WebSocketDialer.Dial@65", "other:websocket.Message.Send@77",
                        "other:websocket.Message.Receive@81", "other:websocket.Message.Send@95",
                        "other:websocket.Message.Receive@99"));
    }

    // ------------------------------------------------------------------ TCP

    private static Case tcpMultipleRoutesAttachment() {
        return new Case("TCPRouteMultipleRoutesAttachment", List.of(
                status(56),
                status(60),
                new Mutate(64),
                status(99),
                status(100),
                status(117),
                tcpEventually(127, null, "tcp-attach-backend-1", INFRA),
                new Traffic(145, "tcp.EchoSendOnce", "100 x tcp.EchoSendOnce(gwAddr, 5s): every pod is a "
                        + "tcp-attach-backend-1 pod, none a tcp-attach-backend-2 pod", ctx -> {
                            InetSocketAddress addr = ctx.dial(trafficAddr(ctx.spec(), "tcp.EchoSendOnce", 145, null));
                            for (int i = 0; i < 100; i++) {
                                String pod;
                                try {
                                    pod = L4Clients.tcpEchoSendOnce(addr, Duration.ofSeconds(5));
                                } catch (IOException e) {
                                    return List.of("TCP echo request " + (i + 1) + "/100 failed: " + e.getMessage());
                                }
                                if (pod.startsWith("tcp-attach-backend-2-")) {
                                    return List.of("request " + (i + 1) + "/100 reached newer route backend \"" + pod
                                            + "\"; only the oldest route should be attached");
                                }
                                if (!pod.startsWith("tcp-attach-backend-1-")) {
                                    return List.of("request " + (i + 1) + "/100 reached unexpected backend \"" + pod
                                            + "\"; expected pod from \"tcp-attach-backend-1-\"");
                                }
                            }
                            return List.of();
                        })),
                Set.of("other:tcp.MakeTCPRequestAndExpectEventuallyValidResponse@127", "other:tcp.EchoSendOnce@145"));
    }

    private static Case tcpParentRefAttachAll() {
        List<Step> steps = new ArrayList<>(List.of(status(52), status(74)));
        for (String listener : List.of("one", "two", "three", "four")) {
            steps.add(waitForAddress(82, listener));
            steps.add(tcpEventually(87, listener, "tcp-echo-attach-all", INFRA));
        }
        return new Case("TCPRouteParentRefAttachAll", steps,
                Set.of("other:tcp.MakeTCPRequestAndExpectEventuallyValidResponse@87", "expr:listener", "expr:backend"));
    }

    private static Case tcpParentRefPortAndSectionName() {
        String gw = "tcp-multi-listener-gateway";
        List<Step> steps = new ArrayList<>(List.of(status(51)));
        String[][] scenarios = {{"90", "one", "tcp-echo-one"}, {"97", "two", "tcp-echo-two"},
                {"104", "three", "tcp-echo-three"}};
        for (String[] s : scenarios) {
            steps.add(parentsWithAcceptedParent(Integer.parseInt(s[0]), 0, gw, "acceptedParent()"));
            // expectBackendForListener(t, listener, backend): lines 76 and 81
            steps.add(waitForAddress(76, s[1]));
            steps.add(tcpEventually(81, s[1], s[2], INFRA));
        }
        return new Case("TCPRouteParentRefPortAndSectionName", steps,
                Set.of("other:tcp.MakeTCPRequestAndExpectEventuallyValidResponse@81", "expr:listener", "expr:backend",
                        "expr:acceptedParent()"));
    }

    private static Case tcpReferenceGrant() {
        return new Case("TCPRouteReferenceGrant", List.of(
                status(56),
                status(59),
                tcpEventually(63, null, "tcp-reference-grant-backend", WEB),
                new Mutate(81),
                status(89)),
                Set.of("other:tcp.MakeTCPRequestAndExpectEventuallyValidResponse@63"));
    }

    private static Case tcpWeightedRouting() {
        return new Case("TCPRouteWeightedRouting", List.of(
                status(52),
                status(54),
                new Traffic(64, "tcp.ExpectAddressBeAvailable",
                        "tcp.ExpectAddressBeAvailable(DefaultPollInterval, MaxTimeToConsistency, gwAddr)",
                        ctx -> none(L4Clients.expectAddressAvailable(ctx.defaultPollInterval(), ctx.maxTimeToConsistency(),
                                ctx.dial(trafficAddr(ctx.spec(), "tcp.ExpectAddressBeAvailable", 64, null)), ctx::log))),
                new Traffic(71, "weight.TestWeightedDistribution",
                        "weight.TestWeightedDistribution with a tcp.EchoSendOnce(gwAddr, RequestTimeout) sender, "
                                + "up to MaxTestRetries attempts", ctx -> {
                            InetSocketAddress addr = ctx.dial(trafficAddr(ctx.spec(), "tcp.EchoSendOnce", 67, null));
                            Duration timeout = ctx.requestTimeout();
                            return weighted(ctx, "TCP", weightsAt(ctx.spec(), 71),
                                    () -> L4Clients.tcpEchoSendOnce(addr, timeout));
                        })),
                Set.of("other:tcp.ExpectAddressBeAvailable@64", "other:tcp.EchoSendOnce@67", "weights@71"));
    }

    // ------------------------------------------------------------------ UDP

    private static Case udpSimple() {
        return new Case("UDPRoute", List.of(
                status(53),
                new Traffic(60, "dns.Exchange", "poll dns.Exchange(A foo.bar.com.) every second until a reply",
                        ctx -> {
                            InetSocketAddress addr = ctx.dial(helperAddr(ctx.spec(), 53));
                            long deadline = System.nanoTime() + ctx.defaultTestTimeout().toNanos();
                            while (true) {
                                try {
                                    L4Echo.Dns.Message r = L4Clients.dnsExchange(addr, "foo.bar.com.");
                                    ctx.log("got DNS response: " + r);
                                    return List.of();
                                } catch (IOException e) {
                                    ctx.log("failed to perform a UDP query: " + e);
                                }
                                if (System.nanoTime() + 1_000_000_000L >= deadline) {
                                    return List.of("failed to perform DNS query: context deadline exceeded");
                                }
                                Pause.sleep(1000);
                            }
                        })),
                Set.of("unmodelled:dns.Exchange@60"));
    }

    private static Case udpMultipleRoutesAttachment() {
        return new Case("UDPRouteMultipleRoutesAttachment", List.of(
                status(58),
                status(62),
                new Mutate(67),
                status(102),
                status(103),
                status(120),
                new Traffic(134, "udpEchoSendOnce", "poll every second: 20 x udpEchoSendOnce(gwAddr, 2s) all answered by "
                        + "udp-attach-backend-1 (a send error retries, another backend fails at once)", ctx -> {
                            InetSocketAddress addr = ctx.dial(helperAddr(ctx.spec(), 62));
                            long deadline = System.nanoTime() + ctx.defaultTestTimeout().toNanos();
                            while (true) {
                                String retry = null;
                                for (int i = 0; i < 20 && retry == null; i++) {
                                    String pod;
                                    try {
                                        pod = L4Clients.udpEchoSendOnce(addr, Duration.ofSeconds(2));
                                    } catch (IOException e) {
                                        retry = "UDP probe " + (i + 1) + " failed, will retry: " + e.getMessage();
                                        continue;
                                    }
                                    String backend = TestRunner.backendName(pod);
                                    if (!backend.equals("udp-attach-backend-1")) {
                                        return List.of("UDP traffic verification failed: UDP traffic reached unexpected "
                                                + "backend \"" + backend + "\" (pod \"" + pod
                                                + "\"); only udp-attach-backend-1 should receive traffic");
                                    }
                                }
                                if (retry == null) {
                                    return List.of();
                                }
                                ctx.log(retry);
                                if (System.nanoTime() + 1_000_000_000L >= deadline) {
                                    return List.of("UDP traffic verification failed: context deadline exceeded");
                                }
                                Pause.sleep(1000);
                            }
                        })),
                Set.of("unmodelled:udpEchoSendOnce@134", "local:udpEchoSendOnce@134", "local:extractBackendName@139"));
    }

    private static Case udpParentRefAttachAllListeners() {
        List<Step> steps = new ArrayList<>(List.of(status(53), status(75), status(118)));
        for (String listener : List.of("udp-1", "udp-2", "udp-3")) {
            steps.add(waitForAddress(124, listener));
            steps.add(udpFromBackend(129, listener, "udp-echo-attach-all"));
        }
        return new Case("UDPRouteParentRefAttachAllListeners", steps,
                Set.of("other:udp.ExpectEchoResponseFromBackend@129", "expr:listener", "expr:backend"));
    }

    private static Case udpParentRefPortAndSectionName() {
        String gw = "udp-multi-listener-gateway";
        List<Step> steps = new ArrayList<>(List.of(status(51)));
        String[][] scenarios = {{"by-port", "udp-echo-by-port"}, {"by-section", "udp-echo-by-section"},
                {"by-section-and-port", "udp-echo-by-section-and-port"}};
        for (int i = 0; i < scenarios.length; i++) {
            steps.add(parentsWithAcceptedParent(107, i, gw, "acceptedParent(), scenario " + scenarios[i][0]));
            steps.add(waitForAddress(110, scenarios[i][0]));
            steps.add(udpFromBackend(115, scenarios[i][0], scenarios[i][1]));
        }
        return new Case("UDPRouteParentRefPortAndSectionName", steps,
                Set.of("other:udp.ExpectEchoResponseFromBackend@115", "expr:s.listener", "expr:s.backend",
                        "expr:acceptedParent()"));
    }

    private static Case udpReferenceGrant() {
        return new Case("UDPRouteReferenceGrant", List.of(
                status(55),
                status(57),
                status(65),
                new Traffic(69, "udp.ExpectEchoResponse", "udp.ExpectEchoResponse(DefaultTestTimeout, gwAddr)",
                        ctx -> none(L4Clients.udpExpectEcho(ctx.defaultTestTimeout(),
                                ctx.dial(trafficAddr(ctx.spec(), "udp.ExpectEchoResponse", 69, null)), "", "", ctx::log))),
                new Mutate(80),
                status(88)),
                Set.of("other:udp.ExpectEchoResponse@69"));
    }

    private static Case udpWeightedRouting() {
        return new Case("UDPRouteWeightedRouting", List.of(
                status(59),
                status(61),
                new Traffic(74, "udp.ExpectEchoResponse", "udp.ExpectEchoResponse(MaxTimeToConsistency, gwAddr)",
                        ctx -> none(L4Clients.udpExpectEcho(ctx.maxTimeToConsistency(),
                                ctx.dial(trafficAddr(ctx.spec(), "udp.ExpectEchoResponse", 74, null)), "", "", ctx::log))),
                new Traffic(81, "weight.TestWeightedDistribution",
                        "weight.TestWeightedDistribution with a udpEchoSendOnce(gwAddr, 2s) sender, up to "
                                + "MaxTestRetries attempts", ctx -> {
                            InetSocketAddress addr = ctx.dial(helperAddr(ctx.spec(), 61));
                            return weighted(ctx, "UDP", weightsAt(ctx.spec(), 81),
                                    () -> L4Clients.udpEchoSendOnce(addr, Duration.ofSeconds(2)));
                        })),
                Set.of("other:udp.ExpectEchoResponse@74", "other:dialer.DialContext@96", "unmodelled:udpEchoSendOnce@77",
                        "unmodelled:dialer.DialContext@96", "local:udpEchoSendOnce@77", "local:extractBackendName@130",
                        "weights@81", "note:gateway address also used by unmodeled code: dialer.DialContext, udpEchoSendOnce"));
    }

    // ------------------------------------------------------------------ TLS (GATEWAY-TLS core)

    /**
     * The hostnames GatewayAndTLSRoutesMustBeAccepted returns: route.Spec.Hostnames of the (last)
     * route it waited for, as the server reports it.
     */
    static List<String> routeHostnames(Ctx ctx, String namespace, String route) {
        JsonNode r = ctx.resource("TLSRoute", namespace, route);
        if (r == null) {
            throw new AssertionError("TLSRoute " + namespace + "/" + route + " not found");
        }
        List<String> out = new ArrayList<>();
        r.path("spec").path("hostnames").forEach(h -> out.add(h.asText()));
        return out;
    }

    /**
     * tlsroute-simple-same-namespace.go: NamespacesMustBeReady; gwAddr, hostnames =
     * GatewayAndTLSRoutesMustBeAccepted(gateway-tlsroute, gateway-conformance-infra-test);
     * t.Fatalf unless exactly one hostname; caString = ca.crt of ConfigMap tls-checks-ca-certificate;
     * tcp.MakeTCPRequestAndExpectEventuallyValidResponse(gwAddr, caString, serverStr, useTLS=true,
     * {BackendIsTLS: true, Backend: tcp-backend, Namespace: infra, Hostname: serverStr}): a TLS
     * dial with SNI = the route's hostname that must verify the BACKEND's certificate
     * (tls-passthrough-checks-certificate, issued by that CA for abc.example.com) and reach
     * tcpserver's TLS listener, which must have seen that SNI.
     */
    private static Case tlsSimpleSameNamespace() {
        String call = "tcp.MakeTCPRequestAndExpectEventuallyValidResponse";
        return new Case("TLSRouteSimpleSameNamespace", List.of(
                status(48),
                status(50),
                new Traffic(66, call, call + "(gwAddr, ca.crt of tls-checks-ca-certificate, hostnames[0], useTLS, "
                        + "{BackendIsTLS: true, Backend: tcp-backend, Namespace: " + INFRA + ", Hostname: hostnames[0]})",
                        ctx -> {
                            List<String> hostnames = routeHostnames(ctx, INFRA, "gateway-conformance-infra-test");
                            if (hostnames.size() != 1) {
                                return List.of("unexpected error in test configuration, found " + hostnames.size()
                                        + " hostnames");
                            }
                            String serverStr = hostnames.get(0);
                            javax.net.ssl.SSLContext ca = ctx.trustConfigMapCa(INFRA, "tls-checks-ca-certificate");
                            return L4Clients.tcpEventuallyValid(ctx.dial(trafficAddr(ctx.spec(), call, 66, null)),
                                    new L4Clients.TlsDial(ca, serverStr),
                                    new L4Clients.TcpExpected(true, "tcp-backend", INFRA, serverStr),
                                    ctx.maxTimeToConsistency(), ctx::log);
                        })),
                Set.of("other:" + call + "@66", "expr:hostnames[0]"));
    }

    /**
     * tlsroute-terminate-simple-same-namespace.go: NamespacesMustBeReady; gwAddr, hostnames =
     * GatewayAndTLSRoutesMustBeAccepted(gateway-tlsroute-terminate, tlsroute-terminated-test);
     * t.Fatalf unless exactly one hostname; caString = ca.crt of ConfigMap tls-checks-ca-certificate;
     * tcp.MakeTCPRequestAndExpectEventuallyValidResponse(gwAddr, caString, serverStr, useTLS=true,
     * {BackendIsTLS: false, Backend: tcp-backend, Namespace: infra, Hostname: ""}): a TLS dial with
     * SNI = the route's hostname that must verify the GATEWAY's certificate (the listener's
     * tls-terminate-checks-certificate, issued by that CA for tls.example.com) and reach tcpserver's
     * plain-text port, which must answer IS_TLS false.
     */
    private static Case tlsTerminateSimpleSameNamespace() {
        String call = "tcp.MakeTCPRequestAndExpectEventuallyValidResponse";
        return new Case("TLSRouteTerminateSimpleSameNamespace", List.of(
                status(50),
                status(52),
                new Traffic(68, call, call + "(gwAddr, ca.crt of tls-checks-ca-certificate, hostnames[0], useTLS, "
                        + "{BackendIsTLS: false, Backend: tcp-backend, Namespace: " + INFRA + ", Hostname: \"\"})",
                        ctx -> {
                            List<String> hostnames = routeHostnames(ctx, INFRA, "tlsroute-terminated-test");
                            if (hostnames.size() != 1) {
                                return List.of("unexpected error in test configuration, found " + hostnames.size()
                                        + " hostnames");
                            }
                            javax.net.ssl.SSLContext ca = ctx.trustConfigMapCa(INFRA, "tls-checks-ca-certificate");
                            return L4Clients.tcpEventuallyValid(ctx.dial(trafficAddr(ctx.spec(), call, 68, null)),
                                    new L4Clients.TlsDial(ca, hostnames.get(0)),
                                    new L4Clients.TcpExpected(false, "tcp-backend", INFRA, ""),
                                    ctx.maxTimeToConsistency(), ctx::log);
                        })),
                Set.of("other:" + call + "@68"));
    }

    /**
     * tlsroute-mixed-termination-same-namespace.go: NamespacesMustBeReady; gwAddr,
     * hostnamesPassthrough = GatewayAndTLSRoutesMustBeAccepted(gateway-tlsroute-mixed-termination,
     * gateway-conformance-mixed-passthroughroute); GatewayStatusMustHaveListeners (tls-terminate and
     * tls-passthrough on one port, both Accepted with TLSRoute supported and one route each); t.Fatalf
     * unless exactly one passthrough hostname; hostnamesTerminate = GatewayAndTLSRoutesMustBeAccepted(
     * gateway-conformance-mixed-terminateroute), exactly one; caString = ca.crt of
     * tls-checks-ca-certificate; then (parallel subtests, run here one after the other) a TLS request
     * for the terminate hostname that must verify the gateway's certificate and reach tcpserver's
     * plain-text port (IS_TLS false), and one for the passthrough hostname that must verify the
     * backend's certificate and reach its TLS port, which saw that SNI (IS_TLS true).
     */
    private static Case tlsMixedTerminationSameNamespace() {
        String call = "tcp.MakeTCPRequestAndExpectEventuallyValidResponse";
        return new Case("TLSRouteMixedTerminationSameNamespace", List.of(
                status(54),
                status(56),
                status(87),
                status(94),
                new Traffic(114, call, call + "(gwAddr, ca.crt of tls-checks-ca-certificate, hostnamesTerminate[0], "
                        + "useTLS, {BackendIsTLS: false, Backend: tcp-backend, Namespace: " + INFRA + ", Hostname: \"\"})",
                        ctx -> mixedRequest(ctx, call, 114, "gateway-conformance-mixed-terminateroute", false)),
                new Traffic(125, call, call + "(gwAddr, ca.crt of tls-checks-ca-certificate, hostnamesPassthrough[0], "
                        + "useTLS, {BackendIsTLS: true, Backend: tcp-backend, Namespace: " + INFRA
                        + ", Hostname: hostnamesPassthrough[0]})",
                        ctx -> mixedRequest(ctx, call, 125, "gateway-conformance-mixed-passthroughroute", true))),
                Set.of("other:" + call + "@114", "other:" + call + "@125", "expr:hostnamesPassthrough[0]"));
    }

    /** One subtest of TLSRouteMixedTerminationSameNamespace: the route's one hostname, through gwAddr. */
    private static List<String> mixedRequest(Ctx ctx, String call, int line, String route, boolean passthrough) {
        List<String> hostnames = routeHostnames(ctx, INFRA, route);
        if (hostnames.size() != 1) {
            return List.of("unexpected error in test configuration, found " + hostnames.size() + " "
                    + (passthrough ? "passthrough" : "terminate") + " hostnames");
        }
        String serverStr = hostnames.get(0);
        javax.net.ssl.SSLContext ca = ctx.trustConfigMapCa(INFRA, "tls-checks-ca-certificate");
        return L4Clients.tcpEventuallyValid(ctx.dial(trafficAddr(ctx.spec(), call, line, null)),
                new L4Clients.TlsDial(ca, serverStr),
                new L4Clients.TcpExpected(passthrough, "tcp-backend", INFRA, passthrough ? serverStr : ""),
                ctx.maxTimeToConsistency(), ctx::log);
    }

    /**
     * tlsroute-invalid-backendref-{nonexistent,unknown-kind}.go: NamespacesMustBeReady; gwAddr,
     * hostnames = GatewayAndTLSRoutesMustBeAccepted(gw, route); TLSRouteMustHaveCondition
     * (ResolvedRefs=False with the test's reason); then
     * tls.MakeTLSConnectionAndExpectEventuallyConnectionRejection(gwAddr, string(hostnames[0])):
     * a route with no usable backend must get the connection closed or reset during the handshake.
     */
    private static Case tlsInvalidBackendRef(String test, String route, String gateway) {
        String call = L4Clients.TLS_REJECTION;
        return new Case(test, List.of(
                status(51),
                status(54),
                status(64),
                new Traffic(69, call, call + "(gwAddr of " + gateway + ", hostnames[0] of " + route + ")", ctx -> {
                    List<String> hostnames = routeHostnames(ctx, INFRA, route);
                    if (hostnames.isEmpty()) {
                        // hostnames[0] on an empty slice: a Go panic
                        return List.of("TLSRoute " + route + " has no hostnames: index out of range");
                    }
                    return none(L4Clients.tlsRejectedEventually(ctx.dial(trafficAddr(ctx.spec(), call, 69, null)),
                            hostnames.get(0), ctx.maxTimeToConsistency(), ctx::log));
                })),
                Set.of("other:" + call + "@69", "note:" + TestRunner.TLS_REJECTION_NOTE));
    }
}
