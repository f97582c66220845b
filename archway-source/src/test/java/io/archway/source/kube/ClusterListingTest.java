package io.archway.source.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.kinds.ResourceKind;
import io.archway.source.SourcedObject;
import io.archway.source.file.ManifestLoader;
import io.archway.translate.ResourceView;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code archway explain --kubernetes} lists every kind the server watches: it once left out
 * GRPCRoutes (which claim hostnames), BackendTLSPolicies and the layer-4 routes.
 */
class ClusterListingTest {
    @Test
    void listsEveryKindTheServerReads() {
        try (MockCluster cluster = new MockCluster(); KubernetesClient kube = cluster.client()) {
            for (SourcedObject o : new ManifestLoader().parse("m.yaml", KubernetesStatusWriterTest.MANIFESTS + """
                    ---
                    apiVersion: gateway.networking.k8s.io/v1
                    kind: GRPCRoute
                    metadata: {name: rpc, namespace: shop}
                    spec: {parentRefs: [{name: gw}], rules: [{backendRefs: [{name: v1, port: 80}]}]}
                    ---
                    apiVersion: gateway.networking.k8s.io/v1
                    kind: TCPRoute
                    metadata: {name: raw, namespace: shop}
                    spec: {parentRefs: [{name: gw}], rules: [{backendRefs: [{name: v1, port: 80}]}]}
                    ---
                    apiVersion: gateway.networking.k8s.io/v1
                    kind: BackendTLSPolicy
                    metadata: {name: tls, namespace: shop}
                    spec:
                      targetRefs: [{group: "", kind: Service, name: v1}]
                      validation: {hostname: v1.shop.test, wellKnownCACertificates: System}
                    """).objects()) {
                kube.resource(o.object()).create();
            }
            List<String> warnings = new ArrayList<>();
            ResourceView view = ClusterListing.listOnce(kube, warnings::add);
            assertThat(view.grpcRoutes()).hasSize(1);
            assertThat(view.tcpRoutes()).hasSize(1);
            assertThat(view.list(ResourceKind.BACKEND_TLS_POLICY)).hasSize(1);
            assertThat(view.httpRoutes()).hasSize(1);
            assertThat(view.gatewayClasses()).hasSize(1);
            assertThat(view.services()).hasSize(1);
            assertThat(warnings).isEmpty();
        }
    }
}
