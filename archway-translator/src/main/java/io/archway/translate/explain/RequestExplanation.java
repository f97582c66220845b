package io.archway.translate.explain;

import java.util.List;

/**
 * {@code archway explain request}: for each socket the request could arrive on, the listener,
 * virtual host, route entry and backends that serve it, the candidates that lost and why; or why
 * the answer is 404.
 *
 * @param request the request as explained, e.g. {@code GET http://foo.example.com/bar}
 * @param answers one per socket examined; empty when no socket matched the --gateway/--port asked for
 * @param notFound when {@code answers} is empty: why
 */
public record RequestExplanation(String request, List<PortAnswer> answers, String notFound) {

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
     */
    public record PortAnswer(String address, int port, String protocol, List<String> gateways, int status,
                             String outcome, String listener, List<Candidate> listeners, String virtualHost,
                             List<Candidate> virtualHosts, Winner route, List<Entry> entries, List<String> filters,
                             List<Backend> backends) {
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
