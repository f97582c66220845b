package io.archway.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Free loopback ports for tests. */
public final class Ports {
    /**
     * Below Linux's ephemeral range (32768-60999) and the conformance harness's (20000 and up), and
     * apart from the benchmarks' 18xxx. A port the kernel handed out for port 0 could be handed out
     * again, to a backend's listener or an outgoing connection, between this class closing it and the
     * proxy binding it; no automatic allocation takes a port from this range.
     */
    private static final int FIRST = 10_000;
    private static final int LAST = 17_999;

    private Ports() {
    }

    public static int free() {
        final int start = ThreadLocalRandom.current().nextInt(FIRST, LAST + 1);
        for (int i = 0; i <= LAST - FIRST; i++) {
            final int port = FIRST + (start - FIRST + i) % (LAST - FIRST + 1);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException inUse) {
                // taken: try the next one
            }
        }
        throw new UncheckedIOException(new IOException("no free loopback port in " + FIRST + "-" + LAST));
    }
}
