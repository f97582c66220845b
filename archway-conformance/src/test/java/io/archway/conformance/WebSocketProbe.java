package io.archway.conformance;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client side of HTTPRouteBackendProtocolWebSocket: {@code suite.WebSocketDialer.Dial(remote,
 * "", origin)}, then a text message and a binary message each sent and read back
 * (golang.org/x/net/websocket's {@code Message.Send} / {@code Message.Receive}), with the JDK's
 * WebSocket client (an HTTP/1.1 Upgrade).
 */
final class WebSocketProbe {
    static final String TEXT = "Websocket Support!";
    static final byte[] BINARY = {1, 2, 3, 4, 5, 6, 7};

    private WebSocketProbe() {
    }

    /** One attempt of the test's closure: null when both messages came back as sent, else why not. */
    static String echoTextAndBinary(InetSocketAddress gateway, String origin, Duration timeout) {
        BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        WebSocket ws;
        try {
            ws = client.newWebSocketBuilder().header("Origin", origin).connectTimeout(timeout)
                    .buildAsync(URI.create("ws://" + gateway.getAddress().getHostAddress() + ":" + gateway.getPort()
                            + "/ws"), new Collector(received)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return "failed to dial: " + e;
        }
        try {
            ws.sendText(TEXT, true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Object text = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!TEXT.equals(text)) {
                return "unexpected reply - want: " + TEXT + " got: " + describe(text);
            }
            ws.sendBinary(ByteBuffer.wrap(BINARY), true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Object binary = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            // x/net/websocket's Message.Receive into []byte takes a text frame's payload too.
            byte[] bytes = binary instanceof byte[] b ? b : binary instanceof String s ? s.getBytes(
                    java.nio.charset.StandardCharsets.UTF_8) : null;
            if (!Arrays.equals(BINARY, bytes)) {
                return "unexpected reply - want: " + Arrays.toString(BINARY) + " got: " + describe(binary);
            }
            return null;
        } catch (Exception e) {
            return "failed to exchange frames: " + e;
        } finally {
            ws.abort();
        }
    }

    private static String describe(Object o) {
        if (o == null) {
            return "nothing in time";
        }
        return o instanceof byte[] b ? Arrays.toString(b) : String.valueOf(o);
    }

    /** Whole messages into the queue: a String per text message, a byte[] per binary one. */
    private static final class Collector implements WebSocket.Listener {
        private final BlockingQueue<Object> received;
        private final StringBuilder text = new StringBuilder();
        private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

        Collector(BlockingQueue<Object> received) {
            this.received = received;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                received.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (last) {
                received.add(binary.toByteArray());
                binary.reset();
            }
            ws.request(1);
            return null;
        }
    }
}
