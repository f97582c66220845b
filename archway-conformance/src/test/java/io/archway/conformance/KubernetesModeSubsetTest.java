package io.archway.conformance;

import java.util.Set;

/**
 * Kubernetes mode in every build, kept cheap: a representative subset of the suite against the
 * mock API server (the full Kubernetes-mode run takes as long as the standalone one; run it with
 * {@code -Darchway.conformance.mode=kubernetes}). Each profile's core Gateway and status tests,
 * the two tests only a cluster can run (GatewayInfrastructure, GatewayStaticAddresses), a
 * ReferenceGrant test, observedGeneration bumps and a listener change, plus one core traffic test
 * per route kind. Reports to {@code target/conformance-report-kubernetes-subset.yaml}. Skipped
 * when the main run is already in Kubernetes mode.
 */
class KubernetesModeSubsetTest extends SuiteRun {
    static final Set<String> SUBSET = Set.of(
            // the two tests that need provisioned infrastructure
            "GatewayInfrastructure", "GatewayStaticAddresses",
            // core Gateway and status tests (every profile runs them)
            "GatewayClassObservedGenerationBump", "GatewayObservedGenerationBump", "GatewayModifyListeners",
            "GatewayWithAttachedRoutes", "GatewayInvalidRouteKind", "GatewayInvalidTLSConfiguration",
            "GatewaySecretReferenceGrantAllInNamespace", "GatewayHTTPListenerIsolation",
            // routes: status, a ReferenceGrant deleted mid-test, a generation bump, traffic
            "HTTPRouteObservedGenerationBump", "HTTPRouteReferenceGrant", "HTTPRouteSimpleSameNamespace",
            "HTTPRouteInvalidCrossNamespaceParentRef", "GRPCExactMethodMatching", "TLSRouteSimpleSameNamespace",
            "TCPRouteReferenceGrant", "UDPRoute");

    @Override
    Environment.Settings settings() {
        Environment.Settings s = Environment.Settings.fromSystemProperties();
        org.junit.jupiter.api.Assumptions.assumeFalse(s.kubernetes(),
                "the main run is in Kubernetes mode: it covers this subset");
        Environment.Settings k = s.withMode(Environment.Settings.Mode.KUBERNETES, SUBSET);
        return new Environment.Settings(k.suiteDir(), k.configDir(),
                k.reportFile().resolveSibling("conformance-report-kubernetes-subset.yaml"), k.portOffset(),
                k.statusTimeout(), k.consistencyTimeout(), k.requestTimeout(), k.pkcs8Keys(), k.only(), k.run(), k.mode());
    }
}
