package io.archway.snapshot.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.Hostnames;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HostIndexTest {
    /** The definition: the highest {@link Hostnames#specificity} among matching candidates, first wins ties. */
    private static int byScan(HostPattern[] candidates, String host) {
        int best = -1;
        int bestScore = -1;
        for (int i = 0; i < candidates.length; i++) {
            final HostPattern c = candidates[i];
            if (c.specificity > bestScore && Hostnames.matches(c.pattern, host)) {
                best = i;
                bestScore = c.specificity;
            }
        }
        return best;
    }

    private static HostPattern[] patterns(String... names) {
        final HostPattern[] out = new HostPattern[names.length];
        for (int i = 0; i < names.length; i++) {
            out[i] = new HostPattern(names[i]);
        }
        return out;
    }

    @Test
    void exactThenLongestWildcardThenAnyFirstWinsTies() {
        final HostPattern[] c = patterns("*", "*.example.com", "foo.example.com", "*.b.example.com", null,
                "FOO.example.com", "*.example.com");
        final HostIndex index = HostIndex.of(c);
        assertThat(index.mostSpecific("foo.example.com")).isEqualTo(2);
        assertThat(index.mostSpecific("x.b.example.com")).isEqualTo(3);
        assertThat(index.mostSpecific("b.example.com")).isEqualTo(1);
        assertThat(index.mostSpecific("example.com")).isEqualTo(0); // a wildcard needs a label before it
        assertThat(index.mostSpecific("other.test")).isEqualTo(0);
        assertThat(HostIndex.of(patterns("a.test")).mostSpecific("b.test")).isEqualTo(-1);
        assertThat(HostIndex.of(patterns()).mostSpecific("b.test")).isEqualTo(-1);
        assertThat(HostIndex.of(patterns("*.Example.COM")).mostSpecific("A.example.com")).isZero();
    }

    /** Differential: random candidate lists and hosts, against the definition. */
    @Test
    void agreesWithTheScanOnRandomHostnames() {
        final Random random = new Random(14);
        final String[] labels = {"a", "b", "ab", "example", "com", "test", "x-1", "b2"};
        for (int round = 0; round < 2_000; round++) {
            final HostPattern[] c = new HostPattern[random.nextInt(12)];
            for (int i = 0; i < c.length; i++) {
                final int kind = random.nextInt(10);
                final String name = name(random, labels);
                c[i] = new HostPattern(kind == 0 ? null : kind == 1 ? "*" : kind < 5 ? "*." + name
                        : random.nextBoolean() ? name : name.toUpperCase(java.util.Locale.ROOT));
            }
            final HostIndex index = HostIndex.of(c);
            for (int h = 0; h < 20; h++) {
                final String host = name(random, labels);
                assertThat(index.mostSpecific(host)).as("%s in %s", host, java.util.Arrays.toString(
                        java.util.Arrays.stream(c).map(p -> p.pattern).toArray())).isEqualTo(byScan(c, host));
            }
        }
    }

    private static String name(Random random, String[] labels) {
        final StringBuilder b = new StringBuilder(labels[random.nextInt(labels.length)]);
        for (int n = random.nextInt(4); n > 0; n--) {
            b.append('.').append(labels[random.nextInt(labels.length)]);
        }
        return b.toString();
    }
}
