package io.archway.translate.compile;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.translate.bind.CreationTimestamps;

import io.archway.snapshot.HeaderMatch;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.QueryParamMatch;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.StringMatchType;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpRulePrecedenceTest {

    /**
     * Each row: a higher-ranked entry and a lower-ranked one, as
     * {@code path-type path method headers queries created ns/name rule match}; the comparator
     * must put the first before the second whatever the input order.
     */
    @ParameterizedTest(name = "{0} before {1} by {2}")
    @CsvSource(delimiter = '|', value = {
        // 1. Exact beats PathPrefix, even a longer prefix.
        "EXACT /a - 0 0 2024 ns/r 0 0                 | PATH_PREFIX /a/b/c - 0 0 2024 ns/r 0 0 | path match type",
        // 1. RegularExpression sits between Exact and PathPrefix.
        "REGULAR_EXPRESSION /a.* - 0 0 2024 ns/r 0 0  | PATH_PREFIX /a/b/c - 0 0 2024 ns/r 0 0 | path match type",
        // 2. The longest PathPrefix, by characters.
        "PATH_PREFIX /foo/bar - 0 0 2024 ns/r 0 0     | PATH_PREFIX /foo - 0 0 2024 ns/r 0 0 | path length",
        // 3. A method match beats more headers.
        "PATH_PREFIX /x GET 0 0 2024 ns/r 0 0         | PATH_PREFIX /x - 3 3 2024 ns/r 0 0 | method match",
        // 4. More header matches.
        "PATH_PREFIX /x - 2 0 2024 ns/r 0 0           | PATH_PREFIX /x - 1 5 2024 ns/r 0 0 | header matches",
        // 5. More query param matches.
        "PATH_PREFIX /x - 1 2 2024 ns/r 0 0           | PATH_PREFIX /x - 1 1 2024 ns/r 0 0 | query param matches",
        // 6. The oldest route.
        "PATH_PREFIX /x - 0 0 2020 zz/zz 5 5          | PATH_PREFIX /x - 0 0 2024 aa/aa 0 0 | route age",
        // 6. A known creation time before an unknown one.
        "PATH_PREFIX /x - 0 0 2024 zz/zz 0 0          | PATH_PREFIX /x - 0 0 none aa/aa 0 0 | route age",
        // 7. "{namespace}/{name}" alphabetically.
        "PATH_PREFIX /x - 0 0 2024 a/z 3 3            | PATH_PREFIX /x - 0 0 2024 b/a 0 0 | route name",
        // 8. Rule order within a route.
        "PATH_PREFIX /x - 0 0 2024 ns/r 1 9           | PATH_PREFIX /x - 0 0 2024 ns/r 2 0 | rule order",
        // 9. Match order within a rule.
        "PATH_PREFIX /x - 0 0 2024 ns/r 1 0           | PATH_PREFIX /x - 0 0 2024 ns/r 1 1 | match order",
    })
    void ranksFirstBeforeSecond(String first, String second, String step) {
        final RankedEntry a = entry(first);
        final RankedEntry b = entry(second);
        assertThat(HttpRulePrecedence.decidingStep(a, b).name()).isEqualTo(step);
        assertThat(HttpRulePrecedence.decidingStep(b, a).name()).isEqualTo(step);
        assertThat(HttpRulePrecedence.STEPS.stream().filter(x -> x.name().equals(step)).findFirst().orElseThrow()
                .order().compare(a, b)).isNegative();
        assertThat(HttpRulePrecedence.ORDER.compare(a, b)).isNegative();
        assertThat(HttpRulePrecedence.ORDER.compare(b, a)).isPositive();
        final List<RankedEntry> list = new ArrayList<>(List.of(b, a));
        list.sort(HttpRulePrecedence.ORDER);
        assertThat(list).containsExactly(a, b);
    }

    @ParameterizedTest(name = "shuffle seed {0}")
    @CsvSource({"1", "2", "3", "4", "5"})
    void totalOrderDoesNotDependOnInput(long seed) {
        final List<RankedEntry> sorted = List.of(
                entry("EXACT /a/b - 0 0 2024 ns/r 0 0"),
                entry("EXACT /a - 0 0 2024 ns/r 0 0"),
                entry("PATH_PREFIX /a/b - 0 0 2024 ns/r 0 0"),
                entry("PATH_PREFIX /a POST 0 0 2024 ns/r 0 0"),
                entry("PATH_PREFIX /a - 1 0 2024 ns/r 0 0"),
                entry("PATH_PREFIX /a - 0 0 2021 ns/r 0 0"),
                entry("PATH_PREFIX /a - 0 0 2024 ns/a 0 0"),
                entry("PATH_PREFIX /a - 0 0 2024 ns/r 0 0"),
                entry("PATH_PREFIX /a - 0 0 2024 ns/r 0 1"),
                entry("PATH_PREFIX / - 0 0 2024 ns/r 0 0"));
        final List<RankedEntry> shuffled = new ArrayList<>(sorted);
        Collections.shuffle(shuffled, new java.util.Random(seed));
        shuffled.sort(HttpRulePrecedence.ORDER);
        assertThat(shuffled).containsExactlyElementsOf(sorted);
    }

    @Test
    void theSameEntryHasNoDecidingStep() {
        final RankedEntry a = entry("PATH_PREFIX /x - 0 0 2024 ns/r 0 0");
        assertThat(HttpRulePrecedence.decidingStep(a, entry("PATH_PREFIX /x - 0 0 2024 ns/r 0 0"))).isNull();
        assertThat(HttpRulePrecedence.STEPS).extracting(HttpRulePrecedence.Step::name).containsExactly(
                "path match type", "path length", "method match", "header matches", "query param matches",
                "route age", "route name", "rule order", "match order");
    }

    /**
     * Creation timestamps compare as instants: each pair sorts the other way round as strings
     * (an offset, a fraction of a second), and an unparsable one counts as unknown (last).
     */
    @ParameterizedTest(name = "{0} is older than {1}")
    @CsvSource({
        "2024-01-01T10:00:00+02:00, 2024-01-01T09:00:00Z",
        "2024-01-01T00:00:00Z, 2024-01-01T00:00:00.5Z",
        "2024-01-01T00:00:00Z, 1999-13-45T00:00:00Z",
    })
    void creationTimestampsCompareAsInstants(String older, String newer) {
        assertThat(older.compareTo(newer)).as("as strings the order is the other way").isPositive();
        final RankedEntry a = created("zz", older);
        final RankedEntry b = created("aa", newer);
        assertThat(HttpRulePrecedence.ORDER.compare(a, b)).isNegative();
        assertThat(HttpRulePrecedence.decidingStep(a, b).name()).isEqualTo("route age");
    }

    private static RankedEntry created(String name, String timestamp) {
        final HTTPRoute route = new HTTPRouteBuilder().withNewMetadata().withName(name).withNamespace("ns")
                .withCreationTimestamp(timestamp).endMetadata().build();
        final HttpRouteEntry e = entry("PATH_PREFIX /x - 0 0 none ns/" + name + " 0 0").entry();
        return new RankedEntry(e, CreationTimestamps.of(route));
    }

    /** {@code type path method headers queries created(year|none) ns/name rule match}. */
    private static RankedEntry entry(String spec) {
        final String[] f = spec.trim().split("\\s+");
        final List<HeaderMatch> headers = IntStream.range(0, Integer.parseInt(f[3]))
                .mapToObj(i -> new HeaderMatch("h" + i, StringMatchType.EXACT, "v")).toList();
        final List<QueryParamMatch> queries = IntStream.range(0, Integer.parseInt(f[4]))
                .mapToObj(i -> new QueryParamMatch("q" + i, StringMatchType.EXACT, "v")).toList();
        final HttpRequestMatch match = new HttpRequestMatch(new PathMatch(PathMatch.Type.valueOf(f[0]), f[1]),
                f[2].equals("-") ? null : f[2], headers, queries);
        final String[] nn = f[6].split("/");
        final RouteOrigin origin = new RouteOrigin("HTTPRoute", nn[0], nn[1], Integer.parseInt(f[7]), null,
                Integer.parseInt(f[8]));
        final Instant created = f[5].equals("none") ? null : Instant.parse(f[5] + "-01-01T00:00:00Z");
        return new RankedEntry(new HttpRouteEntry(origin, match, List.of(), List.of()), created);
    }
}
