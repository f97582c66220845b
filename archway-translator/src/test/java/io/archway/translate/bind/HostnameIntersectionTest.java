package io.archway.translate.bind;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostnameIntersectionTest {

    /** listener hostname ("" for none) | route hostnames (space-separated, "" for none) | effective hostnames. */
    @ParameterizedTest(name = "listener [{0}] x route [{1}] = [{2}]")
    @CsvSource(delimiter = '|', emptyValue = "", value = {
        // No hostnames on either side: any host.
        "                 |                                   | *",
        // A route without hostnames takes the listener's.
        "foo.example.com  |                                   | foo.example.com",
        "*.example.com    |                                   | *.example.com",
        // A listener without hostname accepts every route hostname.
        "                 | a.example.com *.b.com             | a.example.com *.b.com",
        // Exact against exact: only equal names intersect (case-insensitively).
        "foo.example.com  | foo.example.com bar.example.com   | foo.example.com",
        "foo.example.com  | FOO.Example.com                   | foo.example.com",
        "foo.example.com  | bar.example.com                   | ",
        // Exact route hostname under a wildcard listener stays exact; the wildcard needs a label.
        "*.example.com    | foo.example.com                   | foo.example.com",
        "*.example.com    | foo.bar.example.com               | foo.bar.example.com",
        "*.example.com    | example.com                       | ",
        // Wildcard route hostname over an exact listener yields the listener's hostname.
        "foo.example.com  | *.example.com                     | foo.example.com",
        "foo.example.com  | *.other.com                       | ",
        // Two wildcards: the more specific one.
        "*.example.com    | *.example.com                     | *.example.com",
        "*.example.com    | *.foo.example.com                 | *.foo.example.com",
        "*.foo.example.com| *.example.com                     | *.foo.example.com",
        "*.example.com    | *.example.net                     | ",
        // Duplicates collapse, route order is kept.
        "*.example.com    | b.example.com a.example.com b.example.com | b.example.com a.example.com",
    })
    void intersect(String listener, String route, String expected) {
        assertThat(HostnameIntersection.intersect(listener, split(route))).isEqualTo(split(expected));
    }

    /** Listener.hostname: an empty hostname is the same as none ("all hostnames"). */
    @org.junit.jupiter.api.Test
    void anEmptyListenerHostnameIsAny() {
        assertThat(HostnameIntersection.intersect("", List.of())).containsExactly("*");
        assertThat(HostnameIntersection.intersect("", List.of("A.example.com"))).containsExactly("a.example.com");
    }

    private static List<String> split(String value) {
        return value == null || value.isBlank() ? List.of() : Arrays.asList(value.trim().split("\\s+"));
    }
}
