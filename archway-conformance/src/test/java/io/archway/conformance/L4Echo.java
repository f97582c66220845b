package io.archway.conformance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * In-process equivalents of the upstream layer-4 conformance backends, one per pod address and
 * port like {@link EchoServer}:
 *
 * <ul>
 *   <li>{@code echo-basic} with {@code TCP_ECHO_SERVER} ({@code conformance/echo-basic/tcpserver} at
 *       v1.6.1): writes {@link #TCP_WELCOME} on accept, then answers line by line: {@code TEST} with
 *       the pod's JSON ({@code {"namespace","ingress","service","pod","tcpport","tlsport","isTLS"}}),
 *       {@code IS_TLS} with {@code false}, {@code PING} with {@code PONG}; other lines are ignored;
 *       the connection closes when the client does (or a line exceeds bufio.Scanner's 64 KiB);
 *       with TLS_SERVER_CERT and TLS_SERVER_PRIV_KEY set it also listens on TLS_PORT (8443) with
 *       that certificate (TLS 1.2 and up, no client certificate, no ALPN), handshakes each
 *       connection before the welcome (a failed handshake closes it silently), and answers the
 *       same lines with {@code IS_TLS} {@code true} and, in the TEST JSON, {@code "isTLS":true} and
 *       {@code "tls":{"version","serverName","cipherSuite"}} (Go's names: "TLS 1.3"; the SNI the
 *       client sent). tcpserver also reports {@code "curves"}, the negotiated group, which JSSE
 *       does not expose: it is left out (omitzero), and no upstream check reads it;</li>
 *   <li>{@code echo-basic} with {@code UDP_ECHO_SERVER} ({@code conformance/echo-basic/udpechoserver}):
 *       answers every datagram (read into a 1024-byte buffer, so longer ones are cut) with
 *       {@code {"request","namespace","ingress","service","pod"}} sent back to the sender;</li>
 *   <li>the base manifests' {@code coredns} pod ({@code registry.k8s.io/coredns/coredns} with the
 *       Corefile of ConfigMap {@code coredns}): the zone {@code foo.bar.com} is served by the
 *       {@code whoami} plugin (an authoritative reply with an empty answer section and, in the
 *       additional section, an A record of the client's address and an SRV record
 *       {@code _udp.<qname>} with the client's port, TTL 0); every other name goes to
 *       {@code forward . 8.8.8.8 9.9.9.9}, which this sandbox cannot reach: SERVFAIL, as CoreDNS
 *       answers when no upstream responds.</li>
 * </ul>
 */
final class L4Echo implements AutoCloseable {
    static final String TCP_WELCOME = "Gateway API Test TCP Server\n";

    /** The pod context the echo servers report (the Deployment's env: POD_NAME, NAMESPACE, SERVICE_NAME...). */
    record PodContext(String namespace, String ingress, String service, String pod, String tcpPort, String tlsPort) {
        static PodContext of(EchoServer.Pod pod, String serviceEnv) {
            return new PodContext(pod.namespace(), "", serviceEnv, pod.name(), "3000", "8443");
        }

        PodContext withPorts(String tcp, String tls) {
            return new PodContext(namespace, ingress, service, pod, tcp, tls);
        }
    }

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "l4-echo");
        t.setDaemon(true);
        return t;
    });
    private final List<AutoCloseable> sockets = new CopyOnWriteArrayList<>();

    /** What tcpserver reports of a TLS connection (TLSAssertions; curves left out, see above). */
    record TlsState(String version, String serverName, String negotiatedProtocol, String cipherSuite) {
        static TlsState of(javax.net.ssl.SSLSocket ssl) {
            javax.net.ssl.SSLSession session = ssl.getSession();
            String sni = "";
            if (session instanceof javax.net.ssl.ExtendedSSLSession ext) {
                for (javax.net.ssl.SNIServerName n : ext.getRequestedServerNames()) {
                    if (n instanceof javax.net.ssl.SNIHostName h) {
                        sni = h.getAsciiName();
                    }
                }
            }
            String alpn = ssl.getApplicationProtocol();
            return new TlsState(goVersionName(session.getProtocol()), sni, alpn == null ? "" : alpn,
                    session.getCipherSuite());
        }
    }

    /** crypto/tls VersionName for a JSSE protocol name ("TLSv1.3" -> "TLS 1.3"). */
    static String goVersionName(String jsse) {
        return switch (jsse) {
            case "TLSv1.3" -> "TLS 1.3";
            case "TLSv1.2" -> "TLS 1.2";
            case "TLSv1.1" -> "TLS 1.1";
            case "TLSv1" -> "TLS 1.0";
            case "SSLv3" -> "SSLv3";
            default -> jsse;
        };
    }

    /** tcpserver's TEST payload: Go's json.Marshal of TCPAssertions (plain TCP: no "tls"). */
    static String tcpTestPayload(PodContext c) {
        return tcpTestPayload(c, null);
    }

    /** tcpserver's TEST payload, with the TLS state of a connection to its TLS listener. */
    static String tcpTestPayload(PodContext c, TlsState tls) {
        StringBuilder sb = new StringBuilder("{");
        field(sb, "namespace", c.namespace()).append(',');
        field(sb, "ingress", c.ingress()).append(',');
        field(sb, "service", c.service()).append(',');
        field(sb, "pod", c.pod()).append(',');
        field(sb, "tcpport", c.tcpPort());
        if (!c.tlsPort().isEmpty()) {
            sb.append(',');
            field(sb, "tlsport", c.tlsPort());
        }
        sb.append(",\"isTLS\":").append(tls != null);
        if (tls != null) {
            sb.append(",\"tls\":{");
            field(sb, "version", tls.version()).append(',');
            field(sb, "serverName", tls.serverName()).append(',');
            if (!tls.negotiatedProtocol().isEmpty()) {
                field(sb, "negotiatedProtocol", tls.negotiatedProtocol()).append(',');
            }
            field(sb, "cipherSuite", tls.cipherSuite()).append('}');
        }
        return sb.append('}').toString();
    }

    /** udpechoserver's EchoResponse for a datagram. */
    static String udpEchoPayload(PodContext c, byte[] data, int len) {
        StringBuilder sb = new StringBuilder("{");
        field(sb, "request", new String(data, 0, len, StandardCharsets.UTF_8)).append(',');
        field(sb, "namespace", c.namespace()).append(',');
        field(sb, "ingress", c.ingress()).append(',');
        field(sb, "service", c.service()).append(',');
        field(sb, "pod", c.pod());
        return sb.append('}').toString();
    }

    private static StringBuilder field(StringBuilder sb, String name, String value) {
        return sb.append('"').append(name).append("\":").append(goJsonString(value));
    }

    /** A string as Go's encoding/json writes it (HTML-safe escaping, U+2028/9 escaped). */
    static String goJsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) ch));
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    // ------------------------------------------------------------------ TCP

    /** Starts the tcpserver of {@code ctx} on {@code ip:port}; returns the bound address. */
    InetSocketAddress listenTcp(String ip, int port, PodContext ctx) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(ip, port), 1024);
        sockets.add(server);
        threads.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket conn = server.accept();
                    threads.execute(() -> handleTcp(conn, ctx));
                } catch (IOException e) {
                    if (server.isClosed()) {
                        return;
                    }
                }
            }
        });
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /**
     * Starts tcpserver's TLS listener of {@code ctx} on {@code ip:port}, presenting the key and
     * certificate {@code server} holds (tls.Listen with MinVersion TLS 1.2); returns the bound address.
     */
    InetSocketAddress listenTls(String ip, int port, PodContext ctx, javax.net.ssl.SSLContext server) throws IOException {
        javax.net.ssl.SSLServerSocket ss = (javax.net.ssl.SSLServerSocket) server.getServerSocketFactory().createServerSocket();
        ss.setReuseAddress(true);
        ss.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        ss.setNeedClientAuth(false);
        ss.setWantClientAuth(false);
        ss.bind(new InetSocketAddress(ip, port), 1024);
        sockets.add(ss);
        threads.execute(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket conn = ss.accept();
                    threads.execute(() -> handleTcp(conn, ctx));
                } catch (IOException e) {
                    if (ss.isClosed()) {
                        return;
                    }
                }
            }
        });
        return (InetSocketAddress) ss.getLocalSocketAddress();
    }

    /** tcpserver.handleConnection (a TLS connection is handshaken first; a failed handshake closes it). */
    static void handleTcp(Socket conn, PodContext ctx) {
        try (conn) {
            conn.setTcpNoDelay(true);
            TlsState tls = null;
            if (conn instanceof javax.net.ssl.SSLSocket ssl) {
                try {
                    ssl.startHandshake();
                } catch (IOException e) {
                    return; // slog.Error("TLS Handshake failed"); the deferred Close
                }
                tls = TlsState.of(ssl);
            }
            boolean isTls = tls != null;
            OutputStream out = conn.getOutputStream();
            out.write(TCP_WELCOME.getBytes(StandardCharsets.UTF_8));
            out.flush();
            byte[] test = (tcpTestPayload(ctx, tls) + "\n").getBytes(StandardCharsets.UTF_8);
            InputStream in = conn.getInputStream();
            String line;
            while ((line = scanLine(in)) != null) {
                switch (line) {
                    case "TEST" -> out.write(test);
                    case "IS_TLS" -> out.write((isTls + "\n").getBytes(StandardCharsets.UTF_8));
                    case "PING" -> out.write("PONG\n".getBytes(StandardCharsets.UTF_8));
                    default -> {
                        continue;
                    }
                }
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** bufio.Scanner with ScanLines: a line without its "\n" and one trailing "\r"; null at EOF or past 64 KiB. */
    static String scanLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                return dropCr(buf);
            }
            buf.write(b);
            if (buf.size() >= 64 * 1024) {
                return null;
            }
        }
        return buf.size() == 0 ? null : dropCr(buf);
    }

    private static String dropCr(ByteArrayOutputStream buf) {
        byte[] bytes = buf.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ UDP

    /** Starts the udpechoserver of {@code ctx} on {@code ip:port}; returns the bound address. */
    InetSocketAddress listenUdp(String ip, int port, PodContext ctx) throws IOException {
        return serveUdp(ip, port, (data, len, from) -> udpEchoPayload(ctx, data, len).getBytes(StandardCharsets.UTF_8));
    }

    /** Starts the coredns pod's DNS server on {@code ip:port} (UDP). */
    InetSocketAddress listenDns(String ip, int port) throws IOException {
        return serveUdp(ip, port, Dns::answer);
    }

    interface DatagramHandler {
        /** The reply, or null for none. */
        byte[] handle(byte[] data, int len, InetSocketAddress from);
    }

    private InetSocketAddress serveUdp(String ip, int port, DatagramHandler handler) throws IOException {
        DatagramSocket socket = new DatagramSocket(null);
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(ip, port));
        sockets.add(socket);
        int bufferSize = 1024;
        threads.execute(() -> {
            byte[] buf = new byte[bufferSize];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    byte[] reply = handler.handle(p.getData(), p.getLength(), (InetSocketAddress) p.getSocketAddress());
                    if (reply != null) {
                        socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                    }
                } catch (SocketException e) {
                    if (socket.isClosed()) {
                        return;
                    }
                } catch (IOException | RuntimeException e) {
                    // like the Go servers: log-and-continue
                }
            }
        });
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() {
        for (AutoCloseable s : sockets) {
            try {
                s.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
        threads.shutdownNow();
    }

    // ------------------------------------------------------------------ DNS

    /** The few DNS wire-format pieces the coredns stand-in and the dns.Exchange client need. */
    static final class Dns {
        static final int TYPE_A = 1;
        static final int TYPE_SRV = 33;
        static final int CLASS_IN = 1;
        static final int RCODE_FORMERR = 1;
        static final int RCODE_SERVFAIL = 2;
        /** The Corefile's whoami zone. */
        static final String WHOAMI_ZONE = "foo.bar.com.";

        private Dns() {
        }

        /** A query as miekg/dns Msg.SetQuestion(name, type) packs it (RD set, random id). */
        static byte[] query(int id, String name, int type) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writeShort(out, id);
            writeShort(out, 0x0100); // RD
            writeShort(out, 1);
            writeShort(out, 0);
            writeShort(out, 0);
            writeShort(out, 0);
            writeName(out, name);
            writeShort(out, type);
            writeShort(out, CLASS_IN);
            return out.toByteArray();
        }

        /** A parsed message: header, questions, and every record (section, name, type, rdata). */
        record Message(int id, int flags, List<String> questions, List<Rr> records) {
            int rcode() {
                return flags & 0xF;
            }

            boolean response() {
                return (flags & 0x8000) != 0;
            }

            @Override
            public String toString() {
                return "id=" + id + " flags=0x" + Integer.toHexString(flags) + " rcode=" + rcode() + " question="
                        + questions + " records=" + records;
            }
        }

        record Rr(String section, String name, int type, int cls, long ttl, String data) {
        }

        /** Unpacks a whole message, failing on anything malformed (as miekg/dns Msg.Unpack). */
        static Message parse(byte[] m, int len) {
            if (len < 12) {
                throw new IllegalArgumentException("dns: short message (" + len + " bytes)");
            }
            int id = u16(m, 0);
            int flags = u16(m, 2);
            int qd = u16(m, 4);
            int[] counts = {u16(m, 6), u16(m, 8), u16(m, 10)};
            int[] off = {12};
            List<String> qs = new java.util.ArrayList<>();
            for (int i = 0; i < qd; i++) {
                String name = readName(m, len, off);
                need(len, off[0], 4);
                qs.add(name + " " + u16(m, off[0]) + "/" + u16(m, off[0] + 2));
                off[0] += 4;
            }
            List<Rr> rrs = new java.util.ArrayList<>();
            String[] sections = {"answer", "authority", "additional"};
            for (int s = 0; s < 3; s++) {
                for (int i = 0; i < counts[s]; i++) {
                    String name = readName(m, len, off);
                    need(len, off[0], 10);
                    int type = u16(m, off[0]);
                    int cls = u16(m, off[0] + 2);
                    long ttl = ((long) u16(m, off[0] + 4) << 16) | u16(m, off[0] + 6);
                    int rdlen = u16(m, off[0] + 8);
                    off[0] += 10;
                    need(len, off[0], rdlen);
                    String data;
                    if (type == TYPE_A) {
                        if (rdlen != 4) {
                            throw new IllegalArgumentException("dns: bad A rdata length " + rdlen);
                        }
                        data = (m[off[0]] & 0xFF) + "." + (m[off[0] + 1] & 0xFF) + "." + (m[off[0] + 2] & 0xFF) + "."
                                + (m[off[0] + 3] & 0xFF);
                    } else if (type == TYPE_SRV) {
                        if (rdlen < 7) {
                            throw new IllegalArgumentException("dns: bad SRV rdata length " + rdlen);
                        }
                        int[] t = {off[0] + 6};
                        data = u16(m, off[0]) + " " + u16(m, off[0] + 2) + " " + u16(m, off[0] + 4) + " "
                                + readName(m, off[0] + rdlen, t);
                    } else {
                        data = rdlen + " bytes";
                    }
                    off[0] += rdlen;
                    rrs.add(new Rr(sections[s], name, type, cls, ttl, data));
                }
            }
            return new Message(id, flags, qs, rrs);
        }

        /** The coredns pod's reply to a datagram from {@code from} (null: dropped). */
        static byte[] answer(byte[] m, int len, InetSocketAddress from) {
            if (len < 12 || (u16(m, 2) & 0x8000) != 0) {
                return null;
            }
            int id = u16(m, 0);
            int reqFlags = u16(m, 2);
            int opcode = (reqFlags >> 11) & 0xF;
            String qname;
            int qtype;
            int qclass;
            int qEnd;
            try {
                if (u16(m, 4) != 1) {
                    return header(id, reqFlags, RCODE_FORMERR, false);
                }
                int[] off = {12};
                qname = readName(m, len, off);
                need(len, off[0], 4);
                qtype = u16(m, off[0]);
                qclass = u16(m, off[0] + 2);
                qEnd = off[0] + 4;
            } catch (IllegalArgumentException e) {
                return header(id, reqFlags, RCODE_FORMERR, false);
            }
            // dns.Msg.SetReply: same id and opcode, QR, RD and CD copied for a query, the question
            boolean whoami = opcode == 0 && inZone(qname, WHOAMI_ZONE);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int flags = 0x8000 | (opcode << 11) | (opcode == 0 ? reqFlags & 0x0110 : 0);
            if (whoami) {
                flags |= 0x0400; // AA
            } else {
                flags |= RCODE_SERVFAIL;
            }
            writeShort(out, id);
            writeShort(out, flags);
            writeShort(out, 1);
            writeShort(out, 0);
            writeShort(out, 0);
            writeShort(out, whoami ? 2 : 0);
            out.write(m, 12, qEnd - 12);
            if (whoami) {
                String name = qname.toLowerCase(Locale.ROOT);
                byte[] ip = from.getAddress().getAddress();
                // A (or AAAA) of the client's address
                writeName(out, name);
                writeShort(out, ip.length == 4 ? TYPE_A : 28);
                writeShort(out, qclass);
                writeInt(out, 0);
                writeShort(out, ip.length);
                out.write(ip, 0, ip.length);
                // SRV _udp.<qname> 0 0 <client port> .
                writeName(out, name.equals(".") ? "_udp." : "_udp." + name);
                writeShort(out, TYPE_SRV);
                writeShort(out, qclass);
                writeInt(out, 0);
                writeShort(out, 7);
                writeShort(out, 0);
                writeShort(out, 0);
                writeShort(out, from.getPort());
                out.write(0);
            }
            return out.toByteArray();
        }

        private static byte[] header(int id, int reqFlags, int rcode, boolean aa) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writeShort(out, id);
            writeShort(out, 0x8000 | (reqFlags & 0x7900) | (aa ? 0x0400 : 0) | rcode);
            for (int i = 0; i < 4; i++) {
                writeShort(out, 0);
            }
            return out.toByteArray();
        }

        static boolean inZone(String qname, String zone) {
            String q = qname.toLowerCase(Locale.ROOT);
            return q.equals(zone) || q.endsWith("." + zone);
        }

        private static void need(int len, int off, int n) {
            if (off + n > len) {
                throw new IllegalArgumentException("dns: overflow unpacking message");
            }
        }

        static int u16(byte[] m, int off) {
            return ((m[off] & 0xFF) << 8) | (m[off + 1] & 0xFF);
        }

        /** A possibly compressed name, as "a.b.c." ("." for the root). */
        static String readName(byte[] m, int len, int[] off) {
            StringBuilder sb = new StringBuilder();
            int p = off[0];
            boolean jumped = false;
            int hops = 0;
            while (true) {
                need(len, p, 1);
                int l = m[p] & 0xFF;
                if (l == 0) {
                    p++;
                    break;
                }
                if ((l & 0xC0) == 0xC0) {
                    need(len, p, 2);
                    int ptr = ((l & 0x3F) << 8) | (m[p + 1] & 0xFF);
                    if (!jumped) {
                        off[0] = p + 2;
                    }
                    jumped = true;
                    if (++hops > 10 || ptr >= len) {
                        throw new IllegalArgumentException("dns: too many compression pointers");
                    }
                    p = ptr;
                    continue;
                }
                if ((l & 0xC0) != 0) {
                    throw new IllegalArgumentException("dns: bad label type");
                }
                need(len, p + 1, l);
                sb.append(new String(m, p + 1, l, StandardCharsets.US_ASCII)).append('.');
                p += 1 + l;
                if (sb.length() > 255) {
                    throw new IllegalArgumentException("dns: name too long");
                }
            }
            if (!jumped) {
                off[0] = p;
            }
            return sb.length() == 0 ? "." : sb.toString();
        }

        static void writeName(ByteArrayOutputStream out, String name) {
            if (!name.equals(".")) {
                for (String label : name.split("\\.")) {
                    if (label.isEmpty()) {
                        continue;
                    }
                    byte[] b = label.getBytes(StandardCharsets.US_ASCII);
                    out.write(b.length);
                    out.write(b, 0, b.length);
                }
            }
            out.write(0);
        }

        static void writeShort(ByteArrayOutputStream out, int v) {
            out.write((v >> 8) & 0xFF);
            out.write(v & 0xFF);
        }

        private static void writeInt(ByteArrayOutputStream out, int v) {
            writeShort(out, (v >>> 16) & 0xFFFF);
            writeShort(out, v & 0xFFFF);
        }
    }
}
