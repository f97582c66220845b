package io.archway.proxy.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A raw HTTP/2 client over a plain socket, for requests no well-behaved client library sends:
 * header blocks are written exactly as given (order, case, duplicates, pseudo-headers anywhere),
 * as HPACK literals without indexing; frames are read one by one. Cleartext, prior knowledge.
 */
public final class RawH2 implements AutoCloseable {
    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int WINDOW_UPDATE = 0x8;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int ACK = 0x1;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);

    /** One frame as read; {@code headers} decoded for HEADERS frames. */
    public record Frame(int type, int flags, int stream, byte[] payload, Http2Headers headers) {
        public boolean endStream() {
            return (type == DATA || type == HEADERS) && (flags & END_STREAM) != 0;
        }

        /** RST_STREAM's or GOAWAY's error code. */
        public long errorCode() {
            final int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xffL) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8)
                    | (payload[at + 3] & 0xff);
        }

        /** GOAWAY's last stream id. */
        public int lastStreamId() {
            return ((payload[0] & 0x7f) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8)
                    | (payload[3] & 0xff);
        }

        @Override
        public String toString() {
            return "frame type " + type + " stream " + stream + " flags " + flags + " length " + payload.length
                    + (headers != null ? " " + headers : "");
        }
    }

    private RawH2(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /**
     * Connects, sends the preface and SETTINGS with {@code initialWindow} as
     * SETTINGS_INITIAL_WINDOW_SIZE, and {@code receiveBuffer} as the socket's receive buffer.
     */
    public static RawH2 connect(int port, int initialWindow, int receiveBuffer) throws IOException {
        final Socket s = new Socket();
        s.setReceiveBufferSize(receiveBuffer);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        final RawH2 c = new RawH2(s);
        final ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
        final byte[] p = new byte[preface.readableBytes()];
        preface.readBytes(p);
        preface.release();
        c.out.write(p);
        c.frame(SETTINGS, 0, 0, new byte[] {0, 0x4, (byte) (initialWindow >>> 24), (byte) (initialWindow >>> 16),
                (byte) (initialWindow >>> 8), (byte) initialWindow});
        return c;
    }

    public static RawH2 connect(int port) throws IOException {
        return connect(port, 65535, 256 * 1024);
    }

    /** A HEADERS frame (END_HEADERS) with the fields in this order: name, value, name, value... */
    public void headers(int stream, boolean endStream, String... fields) throws IOException {
        final ByteArrayOutputStream block = new ByteArrayOutputStream();
        for (int i = 0; i < fields.length; i += 2) {
            block.write(0x00); // literal header field without indexing, new name
            string(block, fields[i]);
            string(block, fields[i + 1]);
        }
        frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, block.toByteArray());
    }

    /** The usual request head: :method, :scheme, :path, :authority, then the extra fields. */
    public void get(int stream, String path, String... extra) throws IOException {
        final String[] fields = new String[8 + extra.length];
        System.arraycopy(new String[] {":method", "GET", ":scheme", "http", ":path", path, ":authority", "h"}, 0,
                fields, 0, 8);
        System.arraycopy(extra, 0, fields, 8, extra.length);
        headers(stream, true, fields);
    }

    public void data(int stream, byte[] payload, boolean endStream) throws IOException {
        frame(DATA, endStream ? END_STREAM : 0, stream, payload);
    }

    /** WINDOW_UPDATE for {@code stream} (0: the connection). */
    public void windowUpdate(int stream, int increment) throws IOException {
        frame(WINDOW_UPDATE, 0, stream, new byte[] {(byte) (increment >>> 24), (byte) (increment >>> 16),
                (byte) (increment >>> 8), (byte) increment});
    }

    /** The next frame; SETTINGS are acknowledged and PINGs answered before they are returned. */
    public Frame read() throws IOException {
        final int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
        final int type = in.readUnsignedByte();
        final int flags = in.readUnsignedByte();
        final int stream = in.readInt() & 0x7fffffff;
        final byte[] payload = new byte[length];
        in.readFully(payload);
        Http2Headers headers = null;
        if (type == HEADERS) {
            try {
                headers = decoder.decodeHeaders(stream, Unpooled.wrappedBuffer(payload, headerBlockOffset(flags, payload),
                        headerBlockLength(flags, payload)));
            } catch (Http2Exception e) {
                throw new IOException(e);
            }
        } else if (type == SETTINGS && (flags & ACK) == 0) {
            frame(SETTINGS, ACK, 0, new byte[0]);
        } else if (type == PING && (flags & ACK) == 0) {
            frame(PING, ACK, 0, payload);
        }
        return new Frame(type, flags, stream, payload, headers);
    }

    /**
     * Reads until {@code stream} gets a response head ({@code status 400}), a reset
     * ({@code reset 1}), or the connection a GOAWAY ({@code goaway 1}) or closes ({@code closed}).
     */
    public String outcome(int stream) throws IOException {
        while (true) {
            final Frame f;
            try {
                f = read();
            } catch (EOFException | java.net.SocketException e) {
                return "closed";
            }
            if (f.type() == HEADERS && f.stream() == stream) {
                return "status " + f.headers().status();
            }
            if (f.type() == RST_STREAM && f.stream() == stream) {
                return "reset " + f.errorCode();
            }
            if (f.type() == GOAWAY) {
                return "goaway " + f.errorCode();
            }
        }
    }

    public Socket socket() {
        return socket;
    }

    private static int headerBlockOffset(int flags, byte[] payload) {
        int offset = (flags & 0x8) != 0 ? 1 : 0; // PADDED
        return offset + ((flags & 0x20) != 0 ? 5 : 0); // PRIORITY
    }

    private static int headerBlockLength(int flags, byte[] payload) {
        final int pad = (flags & 0x8) != 0 ? payload[0] & 0xff : 0;
        return payload.length - headerBlockOffset(flags, payload) - pad;
    }

    private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        final byte[] head = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
                (byte) stream};
        out.write(head);
        out.write(payload);
        out.flush();
    }

    /** An HPACK string literal, not Huffman-coded, with its 7-bit-prefix length. */
    private static void string(ByteArrayOutputStream block, String s) {
        final byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        int n = b.length;
        if (n < 127) {
            block.write(n);
        } else {
            block.write(127);
            n -= 127;
            while (n >= 128) {
                block.write((n & 0x7f) | 0x80);
                n >>>= 7;
            }
            block.write(n);
        }
        block.write(b, 0, b.length);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
