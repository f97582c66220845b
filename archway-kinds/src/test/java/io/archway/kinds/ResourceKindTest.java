package io.archway.kinds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ResourceKindTest {
    /** The Gateway API CRDs (v1.6.1), standard and experimental channels; see the pom. */
    private static final Path CRD_DIR = Path.of(System.getProperty("archway.crd.dir", "../../shared/conformance/crd"));

    @Test
    void everyGatewayApiCrdHasAnEntryWithItsNamesScopeAndServedVersions() throws IOException {
        assumeTrue(Files.isDirectory(CRD_DIR), "no Gateway API CRDs at " + CRD_DIR.toAbsolutePath());
        List<CustomResourceDefinition> crds = new ArrayList<>();
        for (String channel : List.of("standard", "experimental")) {
            try (Stream<Path> files = Files.list(CRD_DIR.resolve(channel))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                    try (InputStream in = Files.newInputStream(f)) {
                        Object o = Serialization.unmarshal(in);
                        if (o instanceof CustomResourceDefinition crd) {
                            crds.add(crd);
                        }
                    }
                }
            }
        }
        int checked = 0;
        Set<String> seen = new HashSet<>();
        for (CustomResourceDefinition crd : crds) {
            String group = crd.getSpec().getGroup();
            if (!ResourceKind.GATEWAY_GROUP.equals(group)) {
                // gateway.networking.x-k8s.io (XBackend, XMesh, ...): experiments Archway does not read.
                assertThat(ResourceKind.of(group, crd.getSpec().getNames().getKind())).isEmpty();
                continue;
            }
            String kindName = crd.getSpec().getNames().getKind();
            ResourceKind kind = ResourceKind.of(group, kindName).orElse(null);
            assertThat(kind).as("registry entry for %s", kindName).isNotNull();
            assertThat(kind.plural()).as(kindName).isEqualTo(crd.getSpec().getNames().getPlural());
            assertThat(kind.scope().name().toLowerCase(Locale.ROOT))
                    .as(kindName).isEqualTo(crd.getSpec().getScope().toLowerCase(Locale.ROOT));
            List<String> shortNames = crd.getSpec().getNames().getShortNames();
            assertThat(kind.shortNames()).as(kindName).containsExactlyInAnyOrderElementsOf(
                    shortNames == null ? List.of() : shortNames);
            List<String> served = crd.getSpec().getVersions().stream().filter(CustomResourceDefinitionVersion::getServed)
                    .map(CustomResourceDefinitionVersion::getName).toList();
            assertThat(kind.versions()).as(kindName + " versions").containsAll(served);
            // The version Archway reads must be served (not necessarily stored: ReferenceGrant stores v1beta1).
            assertThat(served).as(kindName + " read version").contains(kind.preferredVersion());
            seen.add(kindName);
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(20);
        assertThat(seen).containsExactlyInAnyOrder("GatewayClass", "Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute",
                "TCPRoute", "UDPRoute", "ReferenceGrant", "BackendTLSPolicy", "ListenerSet");
    }

    @Test
    void theSeedsDeprecatedVersionsAreAccepted() {
        assertThat(ResourceKind.GRPC_ROUTE.accepts("v1alpha2")).isTrue();
        assertThat(ResourceKind.TLS_ROUTE.versions()).contains("v1alpha2", "v1alpha3");
        assertThat(ResourceKind.TCP_ROUTE.accepts("v1alpha2")).isTrue();
        assertThat(ResourceKind.UDP_ROUTE.accepts("v1alpha2")).isTrue();
        for (ResourceKind k : List.of(ResourceKind.GATEWAY_CLASS, ResourceKind.GATEWAY, ResourceKind.HTTP_ROUTE,
                ResourceKind.REFERENCE_GRANT)) {
            assertThat(k.versions()).as(k.kind()).containsExactly("v1", "v1beta1", "v1alpha2");
        }
        assertThat(ResourceKind.ENDPOINT_SLICE.versions()).containsExactly("v1", "v1beta1");
        assertThat(ResourceKind.SERVICE.versions()).containsExactly("v1");
        assertThat(ResourceKind.GATEWAY.accepts("v2")).isFalse();
    }

    @Test
    void everyEntryReadsItsPreferredVersionIntoItsModelClass() throws Exception {
        for (ResourceKind k : ResourceKind.all()) {
            var o = k.modelClass().getDeclaredConstructor().newInstance();
            assertThat(o.getKind()).as(k.name()).isEqualTo(k.kind());
            assertThat(o.getApiVersion()).as(k.name()).isEqualTo(k.apiVersion());
            assertThat(ResourceKind.of(o)).contains(k);
            assertThat(ResourceKind.of(k.modelClass())).contains(k);
        }
        assertThat(ResourceKind.SERVICE.apiVersion()).isEqualTo("v1");
        assertThat(ResourceKind.ENDPOINT_SLICE.apiVersion()).isEqualTo("discovery.k8s.io/v1");
    }

    @Test
    void lookups() {
        assertThat(ResourceKind.byKind("HTTPRoute")).contains(ResourceKind.HTTP_ROUTE);
        assertThat(ResourceKind.byKind("httproute")).isEmpty();
        assertThat(ResourceKind.of(ResourceKind.GATEWAY_GROUP, "Gateway")).contains(ResourceKind.GATEWAY);
        assertThat(ResourceKind.of("", "Gateway")).isEmpty();
        assertThat(ResourceKind.of(null, "Secret")).contains(ResourceKind.SECRET);
        assertThat(ResourceKind.of("", "Secret")).contains(ResourceKind.SECRET);
        assertThat(ResourceKind.of(ResourceKind.DISCOVERY_GROUP, "EndpointSlice")).contains(ResourceKind.ENDPOINT_SLICE);
        for (String name : List.of("Gateway", "gateway", "gateways", "gtw", "GTW")) {
            assertThat(ResourceKind.parse(name)).as(name).contains(ResourceKind.GATEWAY);
        }
        for (String name : List.of("GatewayClass", "gatewayclasses", "gc")) {
            assertThat(ResourceKind.parse(name)).as(name).contains(ResourceKind.GATEWAY_CLASS);
        }
        assertThat(ResourceKind.parse("httproutes")).contains(ResourceKind.HTTP_ROUTE);
        assertThat(ResourceKind.parse("svc")).contains(ResourceKind.SERVICE);
        assertThat(ResourceKind.parse("http")).isEmpty();
        assertThat(ResourceKind.parse(null)).isEmpty();
        assertThat(ResourceKind.of(new HTTPRoute())).contains(ResourceKind.HTTP_ROUTE);
        assertThat(ResourceKind.of(new GRPCRoute())).contains(ResourceKind.GRPC_ROUTE);
        assertThat(ResourceKind.routes()).containsExactly(ResourceKind.HTTP_ROUTE, ResourceKind.GRPC_ROUTE,
                ResourceKind.TLS_ROUTE, ResourceKind.TCP_ROUTE, ResourceKind.UDP_ROUTE);
    }

    @Test
    void namesAreUnique() {
        Set<String> names = new HashSet<>();
        for (ResourceKind k : ResourceKind.all()) {
            assertThat(names.add(k.kind().toLowerCase(Locale.ROOT))).as(k.kind()).isTrue();
            assertThat(names.add(k.plural())).as(k.plural()).isTrue();
            for (String s : k.shortNames()) {
                assertThat(names.add(s)).as(s).isTrue();
            }
        }
    }

    @Test
    void servedNowAndTopLevelFields() {
        assertThat(ResourceKind.all().stream().filter(ResourceKind::servedByArchway).map(ResourceKind::kind))
                .containsExactly("GatewayClass", "Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute",
                        "ReferenceGrant", "BackendTLSPolicy", "ListenerSet", "Service", "EndpointSlice",
                        "Secret", "ConfigMap", "Namespace");
        assertThat(ResourceKind.SECRET.allowsTopLevelField("stringData")).isTrue();
        assertThat(ResourceKind.SECRET.allowsTopLevelField("spec")).isTrue();
        assertThat(ResourceKind.SERVICE.allowsTopLevelField("data")).isFalse();
        assertThat(ResourceKind.GATEWAY_CLASS.clusterScoped()).isTrue();
        assertThat(ResourceKind.NAMESPACE.namespaced()).isFalse();
    }
}
