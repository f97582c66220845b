package io.archway.translate.compile;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.HeaderMatch;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.QueryParamMatch;
import io.archway.snapshot.RouteOrigin;
import io.archway.snapshot.StringMatchType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpRulePrecedenceTest {

    /**
     * Each row: a higher-ranked entry and a lower-ranked one, as
     * {@code path-type path method headers queries created ns/name rule match}; the comparator
     * must put the first before the second whatever the input order.
     */
    @ParameterizedTest(name = "{0} before {1}")
    @CsvSource(delimiter = '|', value = {
        // 1. Exact beats PathPrefix, even a longer prefix.
        "EXACT /a - 0 0 2024 ns/r 0 0                 | PATH_PREFIX /a/b/c - 0 0 2024 ns/r 0 0",
        // 1. RegularExpression sits between Exact and PathPrefix.
        "REGULAR_EXPRESSION /a.* - 0 0 2024 ns/r 0 0  | PATH_PREFIX /a/b/c - 0 0 2024 ns/r 0 0",
        // 2. The longest PathPrefix, by characters.
        "PATH_PREFIX /foo/bar - 0 0 2024 ns/r 0 0     | PATH_PREFIX /foo - 0 0 2024 ns/r 0 0",
        // 3. A method match beats more headers.
        "PATH_PREFIX /x GET 0 0 2024 ns/r 0 0         | PATH_PREFIX /x - 3 3 2024 ns/r 0 0",
        // 4. More header matches.
        "PATH_PREFIX /x - 2 0 2024 ns/r 0 0           | PATH_PREFIX /x - 1 5 2024 ns/r 0 0",
        // 5. More query param matches.
        "PATH_PREFIX /x - 1 2 2024 ns/r 0 0           | PATH_PREFIX /x - 1 1 2024 ns/r 0 0",
        // 6. The oldest route.
        "PATH_PREFIX /x - 0 0 2020 zz/zz 5 5          | PATH_PREFIX /x - 0 0 2024 aa/aa 0 0",
        // 6. A known creation time before an unknown one.
        "PATH_PREFIX /x - 0 0 2024 zz/zz 0 0          | PATH_PREFIX /x - 0 0 none aa/aa 0 0",
        // 7. "{namespace}/{name}" alphabetically.
        "PATH_PREFIX /x - 0 0 2024 a/z 3 3            | PATH_PREFIX /x - 0 0 2024 b/a 0 0",
        // 8. Rule order within a route.
        "PATH_PREFIX /x - 0 0 2024 ns/r 1 9           | PATH_PREFIX /x - 0 0 2024 ns/r 2 0",
        // 9. Match order within a rule.
        "PATH_PREFIX /x - 0 0 2024 ns/r 1 0           | PATH_PREFIX /x - 0 0 2024 ns/r 1 1",
    })
    void ranksFirstBeforeSecond(String first, String second) {
        final RankedEntry a = entry(first);
        final RankedEntry b = entry(second);
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
