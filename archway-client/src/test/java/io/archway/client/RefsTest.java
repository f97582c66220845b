package io.archway.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archway.kinds.ResourceKind;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import org.junit.jupiter.api.Test;

class RefsTest {

    @Test
    void routeRefParsing() {
        assertThat(RouteRef.parse("checkout", ResourceKind.HTTP_ROUTE)).isEqualTo(RouteRef.http("default", "checkout"));
        assertThat(RouteRef.parse("shop/checkout", ResourceKind.HTTP_ROUTE)).isEqualTo(RouteRef.http("shop", "checkout"));
        assertThat(RouteRef.parse("grpcroute/shop/api", ResourceKind.HTTP_ROUTE)).isEqualTo(RouteRef.grpc("shop", "api"));
        assertThat(RouteRef.http(null, "x").namespace()).isEqualTo("default");
        assertThatThrownBy(() -> RouteRef.parse("a/b/c/d", ResourceKind.HTTP_ROUTE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RouteRef.parse("tcproute/a/b", ResourceKind.HTTP_ROUTE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void routeKindParsing() {
        assertThat(RouteRef.parseKind("HTTPRoute")).isEqualTo(ResourceKind.HTTP_ROUTE);
        assertThat(RouteRef.parseKind("httproutes")).isEqualTo(ResourceKind.HTTP_ROUTE);
        assertThat(RouteRef.parseKind("grpc")).isEqualTo(ResourceKind.GRPC_ROUTE);
        assertThat(RouteRef.parseKind(" GRPCRoute ")).isEqualTo(ResourceKind.GRPC_ROUTE);
        assertThatThrownBy(() -> RouteRef.parseKind("tls")).hasMessage(
                "unknown route kind 'tls' (expected HTTPRoute or GRPCRoute)");
        assertThatThrownBy(() -> RouteRef.parseKind("gateway")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RouteRef(ResourceKind.TCP_ROUTE, "a", "b"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(RouteRef.of(new GRPCRouteBuilder().withNewMetadata().withNamespace("shop").withName("api").endMetadata()
                .build())).isEqualTo(RouteRef.grpc("shop", "api"));
    }

    @Test
    void ruleSelectorParsing() {
        assertThat(RuleSelector.parse(null).isAuto()).isTrue();
        assertThat(RuleSelector.parse("2")).isEqualTo(RuleSelector.index(2));
        assertThat(RuleSelector.parse("static")).isEqualTo(RuleSelector.named("static"));
        assertThatThrownBy(() -> RuleSelector.index(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void adminAddresses() {
        assertThat(AdminAddress.parse("127.0.0.1:9901")).hasToString("http://127.0.0.1:9901");
        assertThat(AdminAddress.parse("https://gw.example:9443/")).hasToString("https://gw.example:9443");
        assertThatThrownBy(() -> AdminAddress.parse(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
