package io.archway.proxy;

import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.snapshot;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.testing.Ports;
import io.archway.proxy.testing.Snapshots;
import io.archway.proxy.testing.WebSocketEchoBackend;
import io.archway.snapshot.AppProtocol;
import io.archway.snapshot.BackendOrigin;
import io.archway.snapshot.Endpoint;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.WeightedBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** WebSocket upgrades are passed through and the connection becomes a tunnel. */
class DataPlaneWebSocketTest {
    @Test
    void tunnelsAWebSocketToAWsBackend() throws Exception {
        final int port = Ports.free();
        try (WebSocketEchoBackend backend = new WebSocketEchoBackend();
             DataPlane plane = new DataPlane(ProxyConfig.defaults())) {
            final WeightedBackend ws = new WeightedBackend(new BackendOrigin("Service", "ns", "ws", 80), 1,
                    AppProtocol.WEBSOCKET, List.of(new Endpoint("127.0.0.1", backend.port())), null, List.of());
            plane.apply(snapshot(1, http(port, listener(null, vhost("*",
                    Snapshots.route("ws", new PathMatch(PathMatch.Type.PATH_PREFIX, "/"), List.of(), ws))))));
            final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
            final WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            received.add(data.toString());
                            webSocket.request(1);
                            return CompletableFuture.completedFuture(null);
                        }
                    }).get(10, TimeUnit.SECONDS);
            socket.sendText("hello", true).get(5, TimeUnit.SECONDS);
            assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo:hello");
            socket.sendText("again", true).get(5, TimeUnit.SECONDS);
            assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo:again");
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        }
    }
}
