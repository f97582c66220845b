package io.archway.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A backend that decodes nothing on the proxy's behalf: a plain {@link ServerSocket} that records
 * the exact bytes of every request it receives (the head as sent, then the body with its framing:
 * Content-Length bytes, or the chunked coding up to and including the last chunk and trailer
 * section) and answers each with a fixed {@code 200 ok}. It frames requests itself only far enough
 * to know where one ends, so keep-alive connections the proxy reuses keep working.
 */
public final class RawBackend implements AutoCloseable {
    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            .getBytes(StandardCharsets.ISO_8859_1);

    private final ServerSocket server;
    private final BlockingQueue<Captured> requests = new LinkedBlockingQueue<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public RawBackend() {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = new Thread(this::accept, "raw-backend-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The next request received (in arrival order), waiting up to 10 seconds for it. */
    public Captured take() throws InterruptedException {
        final Captured c = requests.poll(10, TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("the backend received no request within 10 seconds");
        }
        return c;
    }

    /** Requests received and not yet taken. */
    public int pending() {
        return requests.size();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                final Socket s = server.accept();
                sockets.add(s);
                final Thread t = new Thread(() -> serve(s), "raw-backend-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(30_000);
            final InputStream in = socket.getInputStream();
            final OutputStream out = socket.getOutputStream();
            while (true) {
                final byte[] head = readHead(in);
                if (head == null) {
                    return;
                }
                final String headText = new String(head, StandardCharsets.ISO_8859_1);
                final byte[] body = readBody(in, headText);
                requests.add(new Captured(headText, body));
                out.write(RESPONSE);
                out.flush();
            }
        } catch (IOException e) {
            // The proxy closed or reset the connection.
        }
    }

    /** The bytes up to and including the blank line, or null at a clean end of stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            // Looking for CR LF CR LF.
            if (b == (matched % 2 == 0 ? '\r' : '\n')) {
                matched++;
                if (matched == 4) {
                    return head.toByteArray();
                }
            } else {
                matched = b == '\r' ? 1 : 0;
            }
        }
        if (head.size() == 0) {
            return null;
        }
        throw new IOException("end of stream inside a request head: " + head);
    }

    private static byte[] readBody(InputStream in, String head) throws IOException {
        String contentLength = null;
        boolean chunked = false;
        for (String line : head.split("\r\n")) {
            final int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            final String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            final String value = line.substring(colon + 1).trim();
            if (name.equals("content-length")) {
                contentLength = value;
            } else if (name.equals("transfer-encoding") && value.equalsIgnoreCase("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            final ByteArrayOutputStream raw = new ByteArrayOutputStream();
            while (true) {
                final String sizeLine = readLine(in, raw);
                final int semicolon = sizeLine.indexOf(';');
                final int size = Integer.parseInt((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(),
                        16);
                if (size == 0) {
                    // Trailer section: field lines up to an empty line.
                    while (!readLine(in, raw).isEmpty()) {
                        // recorded in raw
                    }
                    return raw.toByteArray();
                }
                raw.write(in.readNBytes(size));
                readLine(in, raw);
            }
        }
        if (contentLength != null) {
            return in.readNBytes(Integer.parseInt(contentLength));
        }
        return new byte[0];
    }

    /** Reads one CRLF-terminated line, recording its bytes in {@code raw}; returns it without CRLF. */
    private static String readLine(InputStream in, ByteArrayOutputStream raw) throws IOException {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            raw.write(b);
            if (b == '\n') {
                final byte[] bytes = line.toByteArray();
                final int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        throw new IOException("end of stream inside a chunked body");
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /**
     * One request as received.
     *
     * @param head the request line and field lines, each ending CRLF, then the blank line
     * @param body the body bytes with their framing (chunk sizes and trailers included)
     */
    public record Captured(String head, byte[] body) {
        /** The head split into lines: the request line first, the field lines in wire order, no blank line. */
        public List<String> lines() {
            if (!head.endsWith("\r\n\r\n")) {
                throw new AssertionError("head does not end with CRLF CRLF: " + head);
            }
            return Arrays.asList(head.substring(0, head.length() - 4).split("\r\n", -1));
        }

        public String bodyText() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }
}
