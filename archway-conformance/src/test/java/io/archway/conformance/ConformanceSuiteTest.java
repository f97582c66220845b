package io.archway.conformance;

/**
 * The conformance run the properties describe: {@code archway.conformance.mode} (standalone by
 * default, or kubernetes), {@code archway.conformance.tests=A,B} for a subset,
 * {@code archway.conformance.run=false} to skip it, {@code archway.conformance.dir} for the
 * extracted suite. Standalone reports to {@code target/conformance-report.yaml}, Kubernetes mode
 * to {@code target/conformance-report-kubernetes.yaml}.
 */
class ConformanceSuiteTest extends SuiteRun {
    @Override
    Environment.Settings settings() {
        Environment.Settings s = Environment.Settings.fromSystemProperties();
        return s.withMode(s.mode(), s.only());
    }
}
