package io.archway.proxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking TCP backend on loopback: on accept it sends {@code name\n}, then echoes every byte;
 * when the client half-closes (EOF) it sends {@code eof:name\n} and closes.
 */
public final class TcpBackend implements AutoCloseable {
    private final String name;
    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    public TcpBackend(String name) {
        this.name = name;
        try {
            this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        final Thread t = new Thread(this::acceptLoop, "tcp-backend-" + name);
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                final Socket s = server.accept();
                accepted.incrementAndGet();
                open.add(s);
                final Thread t = new Thread(() -> serve(s), "tcp-backend-" + name + "-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            TcpBackend.echo(s, name);
        } catch (IOException ignored) {
            // client gone
        } finally {
            open.remove(s);
        }
    }

    /**
     * The backends' conversation: greet with {@code name}, echo every byte, and on the client's
     * FIN say {@code eof:name} and close (so a test sees which backend it reached, and that
     * half-close crossed the proxy).
     */
    static void echo(java.net.Socket s, String name) throws IOException {
        final OutputStream out = s.getOutputStream();
        final InputStream in = s.getInputStream();
        out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        final byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            out.flush();
        }
        out.write(("eof:" + name + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
