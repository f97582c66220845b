package io.archway.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two tiny HTTP backends for the quickstart: each answers any request with a line saying which one
 * it is (JSON when the client asks for it with {@code Accept: application/json}); and a UDP echo
 * (for the L4 example's UDPRoute) answering each datagram with {@code hello from udp-echo: } and
 * what it received.
 */
final class DemoBackends implements AutoCloseable {
    private final List<HttpServer> servers = new ArrayList<>();
    private java.net.DatagramSocket udp;

    static DemoBackends start(String host, int stablePort, int canaryPort, int udpPort) throws IOException {
        DemoBackends b = new DemoBackends();
        try {
            b.servers.add(backend("stable", host, stablePort));
            b.servers.add(backend("canary", host, canaryPort));
            b.udp = udpEcho(host, udpPort);
        } catch (IOException e) {
            b.close();
            throw new IOException("cannot start the demo backends on " + host + ":" + stablePort + "/" + canaryPort
                    + "/" + udpPort + "/udp (" + e.getMessage() + "); is another quickstart running?", e);
        }
        return b;
    }

    private static java.net.DatagramSocket udpEcho(String host, int port) throws IOException {
        java.net.DatagramSocket socket = new java.net.DatagramSocket(new InetSocketAddress(host, port));
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65_536];
            byte[] prefix = "hello from udp-echo: ".getBytes(StandardCharsets.UTF_8);
            while (!socket.isClosed()) {
                try {
                    java.net.DatagramPacket in = new java.net.DatagramPacket(buf, buf.length);
                    socket.receive(in);
                    byte[] reply = new byte[Math.min(prefix.length + in.getLength(), buf.length)];
                    System.arraycopy(prefix, 0, reply, 0, prefix.length);
                    System.arraycopy(buf, 0, reply, prefix.length, reply.length - prefix.length);
                    socket.send(new java.net.DatagramPacket(reply, reply.length, in.getSocketAddress()));
                } catch (IOException e) {
                    // closed, or a send to a vanished client: the next receive tells which
                }
            }
        }, "demo-udp-echo");
        t.setDaemon(true);
        t.start();
        return socket;
    }

    private static HttpServer backend(String name, String host, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
        AtomicLong count = new AtomicLong();
        server.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                long n = count.incrementAndGet();
                String accept = ex.getRequestHeaders().getFirst("Accept");
                boolean json = accept != null && accept.contains("application/json");
                String body = json
                        ? "{\"backend\":\"" + name + "\",\"address\":\"" + host + ":" + port + "\",\"path\":\""
                                + ex.getRequestURI().getPath().replace("\"", "") + "\",\"requests\":" + n + "}\n"
                        : "hello from " + name + " (" + host + ":" + port + ") path=" + ex.getRequestURI().getPath()
                                + " request #" + n + "\n";
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", json ? "application/json" : "text/plain; charset=utf-8");
                ex.getResponseHeaders().set("X-Backend", name);
                ex.sendResponseHeaders(200, bytes.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        });
        server.start();
        return server;
    }

    @Override
    public void close() {
        for (HttpServer s : servers) {
            s.stop(0);
        }
        if (udp != null) {
            udp.close();
        }
    }
}
