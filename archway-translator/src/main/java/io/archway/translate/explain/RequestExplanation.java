package io.archway.translate.explain;

import java.util.List;

/**
 * {@code archway explain request}: for each socket the request could arrive on, the listener,
 * virtual host, route entry and backends that serve it, the candidates that lost and why; or why
 * the answer is 404. For a connection to a TCP, UDP or TLS passthrough socket (no Host asked):
 * the listener, route and backends it reaches, in {@code connections}.
 *
 * @param request the request as explained, e.g. {@code GET http://foo.example.com/bar}
 * @param answers one per HTTP socket examined; empty when no socket matched the --gateway/--port asked for
 * @param notFound when {@code answers} and {@code connections} are empty: why
 * @param connections one per L4 socket examined (a connection, not an HTTP request, was asked)
 */
public record RequestExplanation(String request, List<PortAnswer> answers, String notFound,
                                 List<ConnectionAnswer> connections) {
    public RequestExplanation {
        answers = List.copyOf(answers);
        connections = connections == null ? List.of() : List.copyOf(connections);
    }

    /** An HTTP request's explanation. */
    public RequestExplanation(String request, List<PortAnswer> answers, String notFound) {
        this(request, answers, notFound, List.of());
    }

    /**
     * A connection to an L4 socket: TCP, UDP (a client session) or TLS passthrough.
     *
     * @param protocol {@code tcp}, {@code udp} or {@code tls}
     * @param serverName the SNI asked (TLS), normalized as the data plane does; null when none
     * @param forwarded whether the connection reaches a backend (for a mix of backends: some share does)
     * @param outcome what the data plane does, in words
     * @param listener the listener that takes it ({@code ns/gateway/listener}), or null
     * @param listeners TLS: the listeners of the socket by hostname, and how each fared
     * @param routes TLS: the routes of the chosen listener by hostname, and how each fared
     * @param route the route it is forwarded by, e.g. {@code TCPRoute ns/name}, or null
     * @param rule the route's rule name, or its index; null without a route
     * @param otherRoutes TCP/UDP: the other routes attached to the listener, which lose to {@code route}
     * @param backends the route's backends, with weights, shares and ready endpoints
     */
    public record ConnectionAnswer(String address, int port, String protocol, List<String> gateways,
                                   String serverName, boolean forwarded, String outcome, String listener,
                                   List<Candidate> listeners, List<Candidate> routes, String route, String rule,
                                   List<OtherRoute> otherRoutes, List<Backend> backends) {
    }

    /** An attached route that does not serve the listener, and why. */
    public record OtherRoute(String route, String reason) {
    }

    /**
     * The outcome on one socket.
     *
     * @param gateways the Gateways with a listener on this socket
     * @param status what the data plane answers: 200 (proxied), 404, 500, 503, or a redirect's code;
     *     for a mix of backends, the status of the largest share
     * @param outcome the answer in words
     * @param listener the selected listener ({@code ns/gateway/listener}), or null
     * @param route the winning entry, or null
     * @param entries the entries of the selected virtual host, in precedence order, with how each fared
     * @param filters the winning entry's filters, in order
     * @param backends the winning entry's backends, with weights and shares
     * @param decisions every answer the request can get, with its share: the data plane's own
     *     decision ({@code CompiledPort.alternatives}), one per backend when it depends on the pick
     */
    public record PortAnswer(String address, int port, String protocol, List<String> gateways, int status,
                             String outcome, String listener, List<Candidate> listeners, String virtualHost,
                             List<Candidate> virtualHosts, Winner route, List<Entry> entries, List<String> filters,
                             List<Backend> backends, List<Decision> decisions) {
    }

    /**
     * One answer the request can get.
     *
     * @param kind {@code NOT_FOUND}, {@code REDIRECT}, {@code NO_BACKEND}, {@code INVALID_BACKEND},
     *     {@code NO_ENDPOINTS} or {@code PROXY} ({@code io.archway.snapshot.dispatch.RouteDecision.Kind})
     * @param status the status the gateway answers; 200 for proxied
     * @param share of the requests, e.g. {@code 75.0%}
     * @param backend the picked backendRef ({@link Backend#backend()}), or null when none is picked
     * @param location a redirect's Location for this request, else null
     * @param reason in words
     */
    public record Decision(String kind, int status, String share, String backend, String location, String reason) {
    }

    /** A listener or virtual host considered by hostname. */
    public record Candidate(String name, String hostname, boolean matches, boolean selected, String reason) {
    }

    /**
     * The winning entry.
     *
     * @param route e.g. {@code HTTPRoute ns/name}
     * @param rule the rule name, or its index
     * @param match the match's conditions in words
     */
    public record Winner(String route, String rule, int ruleIndex, int matchIndex, String match) {
    }

    /**
     * An entry of the selected virtual host.
     *
     * @param outcome WON, LOWER_PRECEDENCE (matched too; {@code reason} names the precedence step that
     *     decided) or NO_MATCH ({@code reason} names the condition that failed)
     */
    public record Entry(int position, String route, String rule, int matchIndex, String match, String outcome,
                        String reason) {
    }

    /**
     * @param share percentage of the traffic, e.g. {@code 50.0%}
     * @param valid false: its share answers 500 ({@code invalidReason} says why)
     * @param readyEndpoints 0: its share answers 503
     * @param endpoints the ready endpoints, {@code address:port}
     */
    public record Backend(String backend, String namespace, String name, int port, int weight, String share,
                          boolean valid, String invalidReason, int readyEndpoints, List<String> endpoints,
                          List<String> filters) {
    }
}
