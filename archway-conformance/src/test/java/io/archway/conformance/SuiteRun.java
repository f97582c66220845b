package io.archway.conformance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * One run of the Gateway API v1.6.1 conformance suite against one embedded Archway server, in
 * the mode its settings name (standalone or Kubernetes, see {@link Cluster}): one dynamic test
 * per {@code tests/*.json} of the extracted suite, sequentially. Tests needing a feature Archway
 * does not claim ({@link Features#CLAIMED}) are skipped with the missing features named, and so
 * are tests that need a cluster in standalone mode ({@link Features#needsCluster}). Writes the
 * report its settings name and prints one line per profile.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SuiteRun {
    private Environment.Settings settings;
    private Environment env;
    private String setupFailure;
    private ConformanceReport report;
    private long startedNanos;

    /** This run's settings (mode, subset, report file). */
    abstract Environment.Settings settings();

    @TestFactory
    Stream<DynamicTest> conformance() throws IOException {
        settings = settings();
        assumeTrue(settings.run(), "the conformance run is off; enable it with -Darchway.conformance.run=true");
        startedNanos = System.nanoTime();
        Path suite = settings.suiteDir();
        if (!Files.isRegularFile(suite.resolve("index.json"))) {
            throw new IllegalStateException("no extracted conformance suite at " + suite
                    + " (expected ../shared/conformance beside the checkout; set -Darchway.conformance.dir, "
                    + "or -Darchway.conformance.run=false to skip the run)");
        }
        JsonNode index = Json.parse(Files.readString(suite.resolve("index.json")));
        Map<String, Set<String>> profiles = new LinkedHashMap<>();
        index.path("profiles").fields().forEachRemaining(e -> {
            Set<String> ext = new TreeSet<>();
            e.getValue().path("extended").forEach(f -> ext.add(f.asText()));
            profiles.put(e.getKey(), ext);
        });
        report = new ConformanceReport(profiles, Features.claimed());
        List<TestSpec> specs = TestSpec.loadSuite(suite.resolve("tests"));
        for (String name : settings.only()) {
            if (specs.stream().noneMatch(s -> s.shortName().equals(name))) {
                throw new IllegalArgumentException("archway.conformance.tests names unknown test " + name);
            }
        }
        return specs.stream().map(spec -> DynamicTest.dynamicTest(spec.shortName(), () -> runOne(spec)));
    }

    private void runOne(TestSpec spec) throws Exception {
        Set<String> missing = spec.unclaimed(Features.claimed());
        if (!missing.isEmpty()) {
            skip(spec, "unsupported features " + missing);
        }
        String early = Features.returnsEarly(spec.shortName(), Features.claimed());
        if (early != null) {
            skip(spec, early);
        }
        String cluster = settings.kubernetes() ? null : Features.needsCluster(spec.shortName());
        if (cluster != null) {
            skip(spec, cluster);
        }
        if (!settings.only().isEmpty() && !settings.only().contains(spec.shortName())) {
            skip(spec, "not selected by archway.conformance.tests");
        }
        ensureStarted();
        if (setupFailure != null) {
            record(spec, ConformanceReport.Outcome.FAILED, "suite setup failed: " + setupFailure);
            throw new AssertionFailedError(spec.shortName() + ": suite setup failed: " + setupFailure);
        }
        System.out.println("=== RUN " + spec.shortName() + " [" + settings.mode().name().toLowerCase(java.util.Locale.ROOT) + "]" + ": " + spec.description());
        TestRunner runner = new TestRunner(env, spec);
        try {
            runner.run();
        } catch (Exception | Error e) {
            record(spec, ConformanceReport.Outcome.FAILED, "harness error: " + e);
            runner.log().forEach(l -> System.out.println("    " + l));
            throw e;
        }
        if (!runner.failures().isEmpty() || Boolean.getBoolean("archway.conformance.verbose")) {
            runner.log().forEach(l -> System.out.println("    " + l));
        }
        if (runner.failures().isEmpty()) {
            report.add(new ConformanceReport.Result(spec.shortName(), ConformanceReport.Outcome.PASSED,
                    spec.profileLevels(), "", spec.provisional(), runner.checks()));
            System.out.println("--- PASS " + spec.shortName());
            return;
        }
        record(spec, ConformanceReport.Outcome.FAILED, runner.failures().get(0));
        System.out.println("--- FAIL " + spec.shortName());
        throw new AssertionFailedError(spec.shortName() + " failed " + runner.failures().size() + " check(s):\n  "
                + String.join("\n  ", runner.failures()));
    }

    private void skip(TestSpec spec, String reason) {
        record(spec, ConformanceReport.Outcome.SKIPPED, reason);
        throw new TestAbortedException(spec.shortName() + " skipped: " + reason);
    }

    private void record(TestSpec spec, ConformanceReport.Outcome outcome, String reason) {
        report.add(new ConformanceReport.Result(spec.shortName(), outcome, spec.profileLevels(), reason,
                spec.provisional()));
    }

    private synchronized void ensureStarted() {
        if (env != null || setupFailure != null) {
            return;
        }
        try {
            env = Environment.prepare(settings);
            long started = System.nanoTime();
            env.startGateway();
            // ConformanceTestSuite.Setup: the class is accepted, the base namespaces are ready.
            String r = waitFor(() -> StatusAssertions.gatewayClassAccepted(env.status(), Manifests.GATEWAY_CLASS, "True"));
            if (r == null) {
                r = waitFor(() -> StatusAssertions.namespacesReady(env.status(), List.of(
                        Certificates.INFRA, Certificates.APP, Certificates.WEB)));
            }
            setupFailure = r;
            if (r == null) {
                System.out.println("suite setup: the " + settings.mode().name().toLowerCase(java.util.Locale.ROOT)
                        + " gateway served the base Gateways " + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(
                        System.nanoTime() - started) + " ms after its start");
                checkAdvertisedFeatures();
            }
            if (r != null) {
                System.out.println("suite setup failed: " + r);
                env.gateway.statusView().diagnostics().forEach(d -> System.out.println("    diagnostic: " + d));
            }
        } catch (Throwable e) {
            setupFailure = e.toString();
            e.printStackTrace(System.out);
        }
    }

    /**
     * Upstream, without --supported-features, infers the features to test from the GatewayClass's
     * status.supportedFeatures: say so when that differs from what this harness claims.
     */
    private void checkAdvertisedFeatures() {
        JsonNode gwc = env.status().get("GatewayClass", null, Manifests.GATEWAY_CLASS);
        Set<String> advertised = new TreeSet<>();
        gwc.path("status").path("supportedFeatures").forEach(f -> advertised.add(f.isTextual() ? f.asText() : f.path("name").asText()));
        if (!advertised.equals(new TreeSet<>(Features.claimed()))) {
            System.out.println("WARNING: GatewayClass " + Manifests.GATEWAY_CLASS + " status.supportedFeatures " + advertised
                    + " differs from the features this run claims " + new TreeSet<>(Features.claimed())
                    + " (upstream would infer the former)");
        }
    }

    /**
     * Upstream's TimeoutConfig.NamespacesMustBeReady (v1.6.1), the suite set-up's wait: in
     * Kubernetes mode the set-up also waits for the leader's election and the provisioning of
     * every base Gateway (four objects each, then the load balancer's address), which takes
     * seconds on a loaded machine. Standalone reloads synchronously: twice the status timeout.
     */
    static final java.time.Duration NAMESPACES_MUST_BE_READY = java.time.Duration.ofSeconds(300);

    private String waitFor(java.util.function.Supplier<String> check) throws InterruptedException {
        long deadline = System.nanoTime() + (settings.kubernetes() ? NAMESPACES_MUST_BE_READY.toNanos()
                : settings.statusTimeout().toNanos() * 2);
        String r = check.get();
        while (r != null && System.nanoTime() < deadline) {
            Thread.sleep(50);
            r = check.get();
        }
        return r;
    }

    @AfterAll
    void finish() throws IOException {
        if (env != null) {
            env.close();
        }
        if (report == null) {
            return;
        }
        report.write(settings.reportFile(), System.getProperty("archway.version", "0.1.0-SNAPSHOT"));
        System.out.println("Conformance report: " + settings.reportFile());
        for (ConformanceReport.Result r : report.results()) {
            if (r.outcome() != ConformanceReport.Outcome.PASSED) {
                System.out.println("  " + r.outcome() + " " + r.test() + (r.reason().isEmpty() ? "" : ": " + r.reason()));
            }
        }
        System.out.println("Mode: " + settings.mode().name().toLowerCase(java.util.Locale.ROOT) + ", "
                + java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos) + " s");
        report.summaryLines().forEach(System.out::println);
    }
}
