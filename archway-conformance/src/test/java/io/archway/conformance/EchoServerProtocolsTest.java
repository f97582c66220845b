package io.archway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** echo-basic's h2c port (3001) and its {@code /ws} WebSocket, with the harness's own clients. */
class EchoServerProtocolsTest {
    private static final EchoServer.Pod POD = new EchoServer.Pod("gateway-conformance-infra",
            "infra-backend-v1-6b8d9f7c5d-h2ws1", "infra-backend-v1", "127.1.251.31");
    private static EchoServer echo;
    private static int httpPort;

    @BeforeAll
    static void start() throws Exception {
        echo = new EchoServer();
        echo.listen(POD, EchoServer.H2C_PORT);
        httpPort = echo.listen(POD, 0).getPort();
    }

    @AfterAll
    static void stop() {
        echo.close();
    }

    private static HttpProbe.Request request(int port, String protocol) {
        return new HttpProbe.Request("http", POD.ip(), port, "GET", "gw.test", "/h2c?x=1", Map.of("x-a", "1"), "", null,
                null, Duration.ofSeconds(5)).withProtocol(protocol);
    }

    @Test
    void theH2cPortEchoesHttp2ByPriorKnowledgeAndRefusesPlainHttp1() throws Exception {
        final HttpProbe.Response h2 = HttpProbe.send(request(EchoServer.H2C_PORT, HttpProbe.H2C_PRIOR_KNOWLEDGE));
        assertThat(h2.status()).isEqualTo(200);
        assertThat(h2.proto()).isEqualTo("HTTP/2.0");
        final JsonNode body = Json.parse(h2.bodyText());
        assertThat(body.path("proto").asText()).isEqualTo("HTTP/2.0");
        assertThat(body.path("host").asText()).isEqualTo("gw.test");
        assertThat(body.path("path").asText()).isEqualTo("/h2c?x=1");
        assertThat(body.path("httpPort").asText()).isEqualTo("3000");
        assertThat(body.path("headers").path("X-A").get(0).asText()).isEqualTo("1");

        final HttpProbe.Response h1 = HttpProbe.send(request(EchoServer.H2C_PORT, HttpProbe.HTTP));
        assertThat(h1.status()).isEqualTo(400);
        assertThat(h1.bodyText()).isEqualTo("Expected h2c request");
    }

    @Test
    void wsEchoesTextAndBinaryAndNeedsAnOrigin() throws Exception {
        final InetSocketAddress addr = new InetSocketAddress(POD.ip(), httpPort);
        assertThat(WebSocketProbe.echoTextAndBinary(addr, "ws://gateway/t", Duration.ofSeconds(5))).isNull();
        final HttpProbe.Response noOrigin = HttpProbe.send(new HttpProbe.Request("http", POD.ip(), httpPort, "GET",
                "gw.test", "/ws", Map.of("Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Version", "13",
                        "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), "", null, null, Duration.ofSeconds(5)));
        assertThat(noOrigin.status()).isEqualTo(403);
    }
}
