package io.archway.snapshot.dispatch;

import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.VirtualHost;
import java.util.List;

/**
 * What {@link CompiledPort#trace} examined for one request, and why each candidate lost. The
 * winner is always the one {@link CompiledPort#route} returns for the same request.
 *
 * @param binding the socket
 * @param listeners every listener of the socket, in snapshot order
 * @param listener the selected listener, or null (404)
 * @param virtualHosts the selected listener's virtual hosts; empty when no listener was selected
 * @param virtualHost the selected virtual host, or null (404)
 * @param entries every entry of the selected virtual host, in precedence order
 * @param winner the entry that serves the request, or null (404)
 * @param notFound why the answer is 404, or null when there is a winner
 */
public record DispatchTrace(PortBinding binding, String host, List<HostCandidate<ListenerEntry>> listeners,
                            ListenerEntry listener, List<HostCandidate<VirtualHost>> virtualHosts,
                            VirtualHost virtualHost, List<EntryCandidate> entries, HttpRouteEntry winner,
                            String notFound) {
    public DispatchTrace {
        listeners = List.copyOf(listeners);
        virtualHosts = List.copyOf(virtualHosts);
        entries = List.copyOf(entries);
    }

    /** Whether a listener, virtual host and entry were found. */
    public boolean found() {
        return winner != null;
    }

    /**
     * A listener or virtual host considered by hostname.
     *
     * @param hostname its hostname pattern ({@code null} or {@code *}: any host)
     * @param specificity {@link io.archway.snapshot.Hostnames#specificity}
     * @param matches whether the pattern matches the request host
     * @param selected whether it was chosen
     * @param reason why it was chosen or not
     */
    public record HostCandidate<T>(T value, String hostname, int specificity, boolean matches, boolean selected,
                                   String reason) {
    }

    /** How one entry of the selected virtual host fared. */
    public enum Outcome {
        /** The first matching entry: it serves the request. */
        WON,
        /** Its conditions hold too, but an entry of higher precedence came first. */
        LOWER_PRECEDENCE,
        /** A condition does not hold. */
        NO_MATCH
    }

    /**
     * @param position index in the virtual host's precedence order
     * @param failure {@link CompiledMatch#firstFailure} code
     * @param reason in words: the failed condition, or which entry won
     */
    public record EntryCandidate(int position, HttpRouteEntry entry, Outcome outcome, int failure, String reason) {
    }
}
