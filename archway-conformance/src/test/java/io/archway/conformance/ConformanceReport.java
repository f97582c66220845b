package io.archway.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Collects per-test outcomes and writes an upstream-format ConformanceReport
 * ({@code conformance/utils/suite/reports.go}; compare {@code conformance/reports/v1.6/*}).
 *
 * <p>Counting follows upstream for run tests: a test counts in every profile its JSON lists, at
 * the level listed there (core, or extended when it needs any non-core feature). Unlike upstream,
 * which leaves "not supported" tests out of the statistics, tests skipped because Archway does not
 * claim one of their features are counted as Skipped and listed in {@code skippedTests}, so that
 * nothing is hidden.
 */
final class ConformanceReport {

    /** Placeholders until the project has a public home: override with -Darchway.conformance.url/contact. */
    static final String URL = "https://archway.io";
    static final String CONTACT = "https://archway.io";

    enum Outcome { PASSED, FAILED, SKIPPED }

    /**
     * One test's outcome; {@code checks} are the checks it executed and saw hold. A test counts as
     * passed only with at least one: one that executed nothing has proved nothing.
     */
    record Result(String test, Outcome outcome, Map<String, String> profileLevels, String reason,
                  boolean provisional, List<String> checks) {
        Result {
            checks = List.copyOf(checks);
            if (outcome == Outcome.PASSED && checks.isEmpty()) {
                throw new IllegalArgumentException(test + " cannot pass without an executed check");
            }
        }

        Result(String test, Outcome outcome, Map<String, String> profileLevels, String reason, boolean provisional) {
            this(test, outcome, profileLevels, reason, provisional, List.of());
        }
    }

    /** Per profile and level. */
    static final class Tally {
        int passed;
        int failed;
        int skipped;
        final List<String> failedTests = new ArrayList<>();
        final List<String> skippedTests = new ArrayList<>();

        void add(Result r) {
            switch (r.outcome()) {
                case PASSED -> passed++;
                case FAILED -> {
                    failed++;
                    failedTests.add(r.test());
                }
                case SKIPPED -> {
                    skipped++;
                    skippedTests.add(r.test());
                }
            }
        }

        String result() {
            return failed > 0 ? "failure" : skipped > 0 ? "partial" : "success";
        }

        String summary() {
            return switch (result()) {
                case "failure" -> "failed with " + failed + " test failures";
                case "partial" -> "partially succeeded with " + skipped + " test skips";
                default -> "succeeded";
            };
        }
    }

    private final List<Result> results = new ArrayList<>();
    private final Map<String, Set<String>> profileExtendedFeatures;
    private final Set<String> claimed;

    /**
     * @param profileExtendedFeatures index.json "profiles": name -> extended features
     * @param claimed the features Archway claims
     */
    ConformanceReport(Map<String, Set<String>> profileExtendedFeatures, Set<String> claimed) {
        this.profileExtendedFeatures = new TreeMap<>(profileExtendedFeatures);
        this.claimed = Set.copyOf(claimed);
    }

    synchronized void add(Result r) {
        results.add(r);
    }

    synchronized List<Result> results() {
        return List.copyOf(results);
    }

    /** profile -> level ("core"/"extended") -> tally, for profiles with at least one test. */
    synchronized Map<String, Map<String, Tally>> tallies() {
        Map<String, Map<String, Tally>> out = new TreeMap<>();
        for (Result r : results) {
            r.profileLevels().forEach((profile, level) -> out
                    .computeIfAbsent(profile, p -> new LinkedHashMap<>())
                    .computeIfAbsent(level.equals("core") ? "core" : "extended", l -> new Tally())
                    .add(r));
        }
        return out;
    }

    /** {@code GATEWAY-HTTP: N passed, N failed, N skipped}, one line per profile. */
    List<String> summaryLines() {
        List<String> lines = new ArrayList<>();
        tallies().forEach((profile, levels) -> {
            int p = 0;
            int f = 0;
            int s = 0;
            for (Tally t : levels.values()) {
                p += t.passed;
                f += t.failed;
                s += t.skipped;
            }
            lines.add(profile + ": " + p + " passed, " + f + " failed, " + s + " skipped");
        });
        return lines;
    }

    String toYaml(String version, OffsetDateTime date) {
        StringBuilder y = new StringBuilder();
        y.append("# Archway conformance report (archway-conformance harness, standalone mode).\n");
        y.append("# Unlike upstream, tests skipped because a feature is not claimed are counted as Skipped\n");
        y.append("# and listed under skippedTests.\n");
        y.append("apiVersion: gateway.networking.k8s.io/v1\n");
        y.append("date: \"").append(date.truncatedTo(ChronoUnit.SECONDS)).append("\"\n");
        y.append("gatewayAPIChannel: standard\n");
        y.append("gatewayAPIVersion: v1.6.1\n");
        y.append("implementation:\n");
        y.append("  contact:\n  - ").append(quote(System.getProperty("archway.conformance.contact", CONTACT))).append('\n');
        y.append("  organization: archway\n");
        y.append("  project: archway\n");
        y.append("  url: ").append(quote(System.getProperty("archway.conformance.url", URL))).append('\n');
        y.append("  version: ").append(quote(version)).append('\n');
        y.append("kind: ConformanceReport\n");
        y.append("mode: default\n");
        Map<String, Map<String, Tally>> tallies = tallies();
        y.append(tallies.isEmpty() ? "profiles: []\n" : "profiles:\n");
        for (Map.Entry<String, Map<String, Tally>> e : tallies.entrySet()) {
            String profile = e.getKey();
            Tally core = e.getValue().getOrDefault("core", new Tally());
            Tally ext = e.getValue().get("extended");
            y.append("- core:\n");
            status(y, "    ", core);
            if (ext != null) {
                y.append("  extended:\n");
                status(y, "    ", ext);
                Set<String> all = profileExtendedFeatures.getOrDefault(profile, Set.of());
                Set<String> supported = new TreeSet<>(all);
                supported.retainAll(claimed);
                Set<String> unsupported = new TreeSet<>(all);
                unsupported.removeAll(claimed);
                list(y, "    ", "supportedFeatures", new ArrayList<>(supported));
                list(y, "    ", "unsupportedFeatures", new ArrayList<>(unsupported));
            }
            y.append("  name: ").append(profile).append('\n');
            y.append("  summary: Core tests ").append(core.summary()).append('.');
            if (ext != null) {
                y.append(" Extended tests ").append(ext.summary()).append('.');
            }
            y.append('\n');
        }
        List<String> provisional = new ArrayList<>();
        for (Result r : results()) {
            if (r.provisional() && r.outcome() == Outcome.PASSED) {
                provisional.add(r.test());
            }
        }
        if (!provisional.isEmpty()) {
            list(y, "", "succeededProvisionalTests", provisional);
        }
        return y.toString();
    }

    private static void status(StringBuilder y, String indent, Tally t) {
        if (!t.failedTests.isEmpty()) {
            list(y, indent, "failedTests", t.failedTests);
        }
        y.append(indent).append("result: ").append(t.result()).append('\n');
        if (!t.skippedTests.isEmpty()) {
            list(y, indent, "skippedTests", t.skippedTests);
        }
        y.append(indent).append("statistics:\n");
        y.append(indent).append("  Failed: ").append(t.failed).append('\n');
        y.append(indent).append("  Passed: ").append(t.passed).append('\n');
        y.append(indent).append("  Skipped: ").append(t.skipped).append('\n');
    }

    private static void list(StringBuilder y, String indent, String key, List<String> items) {
        if (items.isEmpty()) {
            y.append(indent).append(key).append(": []\n");
            return;
        }
        y.append(indent).append(key).append(":\n");
        List<String> sorted = new ArrayList<>(items);
        sorted.sort(String::compareTo);
        for (String s : sorted) {
            y.append(indent).append("- ").append(s).append('\n');
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The side file: every passed test with the checks it executed, in the order they ran. */
    String checksYaml() {
        StringBuilder y = new StringBuilder();
        y.append("# The checks each passed conformance test executed (archway-conformance harness).\n");
        List<Result> passed = new ArrayList<>();
        for (Result r : results()) {
            if (r.outcome() == Outcome.PASSED) {
                passed.add(r);
            }
        }
        passed.sort(java.util.Comparator.comparing(Result::test));
        y.append(passed.isEmpty() ? "tests: {}\n" : "tests:\n");
        for (Result r : passed) {
            y.append("  ").append(r.test()).append(": # ").append(r.checks().size()).append(" checks\n");
            for (String c : r.checks()) {
                y.append("  - ").append(quote(c)).append('\n');
            }
        }
        return y.toString();
    }

    /** Writes the report to {@code file} and the checks side file beside it ({@code *-checks.yaml}). */
    void write(Path file, String version) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, toYaml(version, OffsetDateTime.now()));
        Files.writeString(checksFile(file), checksYaml());
    }

    static Path checksFile(Path report) {
        String name = report.getFileName().toString();
        String base = name.endsWith(".yaml") ? name.substring(0, name.length() - 5) : name;
        return report.resolveSibling(base + "-checks.yaml");
    }
}
