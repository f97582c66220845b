package io.archway.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RefsTest {

    @Test
    void routeRefParsing() {
        assertThat(RouteRef.parse("checkout", RouteKind.HTTP_ROUTE)).isEqualTo(RouteRef.http("default", "checkout"));
        assertThat(RouteRef.parse("shop/checkout", RouteKind.HTTP_ROUTE)).isEqualTo(RouteRef.http("shop", "checkout"));
        assertThat(RouteRef.parse("grpcroute/shop/api", RouteKind.HTTP_ROUTE)).isEqualTo(RouteRef.grpc("shop", "api"));
        assertThat(RouteRef.http(null, "x").namespace()).isEqualTo("default");
        assertThatThrownBy(() -> RouteRef.parse("a/b/c/d", RouteKind.HTTP_ROUTE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RouteRef.parse("tcproute/a/b", RouteKind.HTTP_ROUTE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void routeKindParsing() {
        assertThat(RouteKind.parse("HTTPRoute")).isEqualTo(RouteKind.HTTP_ROUTE);
        assertThat(RouteKind.parse("httproutes")).isEqualTo(RouteKind.HTTP_ROUTE);
        assertThat(RouteKind.parse("grpc")).isEqualTo(RouteKind.GRPC_ROUTE);
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
