package io.archway.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A UDP backend on loopback answering every datagram {@code p} with {@code name:p} to its sender. */
public final class UdpBackend implements AutoCloseable {
    private final String name;
    private final DatagramSocket socket;
    private final AtomicInteger received = new AtomicInteger();
    private final Set<SocketAddress> senders = ConcurrentHashMap.newKeySet();

    public UdpBackend(String name) {
        this.name = name;
        try {
            this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        final Thread t = new Thread(this::loop, "udp-backend-" + name);
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    public int received() {
        return received.get();
    }

    /** The distinct source addresses seen: one per proxy session. */
    public Set<SocketAddress> senders() {
        return senders;
    }

    private void loop() {
        final byte[] buf = new byte[65536];
        while (!socket.isClosed()) {
            try {
                final DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                received.incrementAndGet();
                senders.add(p.getSocketAddress());
                final byte[] reply = (name + ":" + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
