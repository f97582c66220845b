package io.archway.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The upstream layer-4 traffic helpers at v1.6.1, over real sockets: {@code conformance/utils/tcp}
 * (MakeTCPRequestAndExpectEventuallyValidResponse, EchoSendOnce, ExpectAddressBeAvailable),
 * {@code conformance/utils/udp} (ExpectEchoResponse, ExpectEchoResponseFromBackend), the test-local
 * {@code udpEchoSendOnce}, miekg/dns {@code dns.Exchange} and {@code weight.TestWeightedDistribution}
 * driven by a function-based sender. Addresses are where the gateway really listens (the spec port
 * plus the run's port offset).
 */
final class L4Clients {

    private L4Clients() {
    }

    static final String TLS_REJECTION = "tls.MakeTLSConnectionAndExpectEventuallyConnectionRejection";

    /** tcp.ExpectedResponse: BackendIsTLS, Backend (the pod-name prefix), Namespace, Hostname ("" = not checked). */
    record TcpExpected(boolean backendIsTls, String backend, String namespace, String hostname) {
    }

    /**
     * The tls.Config of tcp.MakeTCPRequestAndExpectEventuallyValidResponse with useTLS: ServerName
     * (SNI and the name verified), MinVersion TLS 1.2, RootCAs = the given certificate(s).
     */
    record TlsDial(javax.net.ssl.SSLContext trust, String serverName) {
    }

    /**
     * tcp.WaitForValidTCPResponse for a plain-TCP, no-TLS expectation: testify's
     * {@code assert.Eventually(cond, maxTimeToConsistency, time.Second)} (v1.11: the condition runs
     * at once, then one tick after each failed run). Each run dials, reads the welcome line, sends
     * PING, IS_TLS and TEST; it is retried when a read fails or the TEST line is not JSON, and it
     * ends the wait once TEST was decoded. The {@code assert.Equal}s inside do not stop the wait but
     * fail the test: they are returned (an empty list means the check held).
     */
    static List<String> tcpEventuallyValid(InetSocketAddress addr, String backend, String namespace,
                                           Duration maxTimeToConsistency, Consumer<String> log) {
        return tcpEventuallyValid(addr, null, new TcpExpected(false, backend, namespace, ""), maxTimeToConsistency, log);
    }

    /**
     * tcp.MakeTCPRequestAndExpectEventuallyValidResponse with {@code tls} set (useTLS): the dial is
     * a tls.Dialer's (a failed handshake, an untrusted certificate or one not valid for ServerName
     * is "could not connect", retried); IS_TLS must answer {@code expected.backendIsTls}; a set
     * Hostname must equal the ServerName the backend's TLS listener saw (a TEST answer without a
     * "tls" object fails: upstream dereferences a nil TLSAssertion).
     */
    static List<String> tcpEventuallyValid(InetSocketAddress addr, TlsDial tls, TcpExpected expected,
                                           Duration maxTimeToConsistency, Consumer<String> log) {
        List<String> failures = new ArrayList<>();
        long deadline = System.nanoTime() + maxTimeToConsistency.toNanos();
        while (true) {
            long start = System.nanoTime();
            if (tcpValidOnce(addr, tls, expected, deadline, failures, log)) {
                return failures;
            }
            long next = start + 1_000_000_000L;
            long now = System.nanoTime();
            // the ticker keeps its cadence: a run longer than a tick is followed at the next tick
            while (next <= now) {
                next += 1_000_000_000L;
            }
            if (next >= deadline) {
                failures.add("Condition never satisfied (" + (tls == null ? "tcp" : "tls") + " request to "
                        + hostPort(addr) + " within " + maxTimeToConsistency.toMillis() + " ms)");
                return failures;
            }
            sleepNanos(next - now);
        }
    }

    private static boolean tcpValidOnce(InetSocketAddress addr, TlsDial tls, TcpExpected expected, long deadline,
                                        List<String> failures, Consumer<String> log) {
        Socket s = new Socket();
        try (s) {
            Socket conn;
            try {
                s.connect(addr, (int) Math.max(1, millisUntil(deadline)));
                s.setSoTimeout((int) Math.max(1, millisUntil(deadline)));
                conn = tls == null ? s : tlsHandshake(s, addr, tls.trust(), tls.serverName());
            } catch (IOException e) {
                log.accept("client could not connect: " + e + "; retrying");
                return false;
            }
            try (conn) {
                InputStream in = conn.getInputStream();
                OutputStream out = conn.getOutputStream();
                String welcome = readString(in);
                if (!welcome.equals(L4Echo.TCP_WELCOME)) {
                    failures.add("TCPServer welcome message does not match: expected " + quote(L4Echo.TCP_WELCOME)
                            + ", got " + quote(welcome));
                }
                out.write("PING\n".getBytes(StandardCharsets.UTF_8));
                String pong = readString(in);
                if (!pong.equals("PONG\n")) {
                    failures.add("expected \"PONG\\n\", got " + quote(pong));
                }
                out.write("IS_TLS\n".getBytes(StandardCharsets.UTF_8));
                String isTls = readString(in);
                if (!stripNewline(isTls).equals(Boolean.toString(expected.backendIsTls()))) {
                    failures.add("IS_TLS: expected \"" + expected.backendIsTls() + "\", got " + quote(stripNewline(isTls)));
                }
                out.write("TEST\n".getBytes(StandardCharsets.UTF_8));
                String test = readString(in);
                JsonNode payload;
                try {
                    payload = Json.JSON.readTree(test);
                } catch (IOException e) {
                    log.accept("an error occurred during assertion, will retry: " + e.getMessage());
                    return false;
                }
                if (payload == null || !(payload.isObject() || payload.isNull())) {
                    log.accept("an error occurred during assertion, will retry: cannot unmarshal " + quote(test));
                    return false;
                }
                String ns = payload.path("namespace").asText("");
                String pod = payload.path("pod").asText("");
                if (!ns.equals(expected.namespace())) {
                    failures.add("namespace does not match: expected " + quote(expected.namespace()) + ", got " + quote(ns));
                }
                if (!pod.startsWith(expected.backend() + "-")) {
                    failures.add("backend name does not match with pod prefix. pod=" + pod + " and backend="
                            + expected.backend());
                }
                if (!expected.hostname().isEmpty()) {
                    JsonNode t = payload.path("tls");
                    if (!t.isObject()) {
                        failures.add("TEST answer has no \"tls\" object: upstream dereferences a nil TLSAssertion (panic)");
                    } else if (!t.path("serverName").asText("").equals(expected.hostname())) {
                        failures.add("server name: expected " + quote(expected.hostname()) + ", got "
                                + quote(t.path("serverName").asText("")));
                    }
                }
                log.accept((tls == null ? "tcp " : "tls ") + hostPort(addr) + ": TEST answered by pod " + pod
                        + " (namespace " + ns + ")" + (payload.has("tls") ? " tls " + payload.path("tls") : ""));
                return true;
            }
        } catch (IOException e) {
            log.accept("an error occurred during assertion, will retry: " + e);
            return false;
        }
    }

    /**
     * A crypto/tls client handshake over {@code plain}: SNI = {@code serverName} (none for an IP
     * or ""), TLS 1.2 or 1.3, no ALPN, the chain verified against {@code trust}, then Go's
     * VerifyHostname against the server name (or the dialled IP when it is ""). Throws as Go's
     * tls.Dialer fails its dial.
     */
    static javax.net.ssl.SSLSocket tlsHandshake(Socket plain, InetSocketAddress addr, javax.net.ssl.SSLContext trust,
                                                String serverName) throws IOException {
        String name = serverName.isEmpty() ? addr.getAddress().getHostAddress() : serverName;
        javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) trust.getSocketFactory().createSocket(plain, name,
                addr.getPort(), true);
        javax.net.ssl.SSLParameters params = ssl.getSSLParameters();
        params.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        params.setServerNames(HttpProbe.isIp(name) ? List.of() : List.of(new javax.net.ssl.SNIHostName(name)));
        params.setApplicationProtocols(new String[0]);
        ssl.setSSLParameters(params);
        ssl.startHandshake();
        java.security.cert.Certificate[] peer = ssl.getSession().getPeerCertificates();
        if (peer.length == 0 || !(peer[0] instanceof java.security.cert.X509Certificate leaf)
                || !HttpProbe.verifyHostname(leaf, name)) {
            ssl.close();
            throw new javax.net.ssl.SSLHandshakeException("tls: failed to verify certificate: x509: certificate is not "
                    + "valid for " + name);
        }
        return ssl;
    }

    /**
     * tls.MakeTLSConnectionAndExpectEventuallyConnectionRejection: {@code assert.Eventually(cond,
     * maxTimeToConsistency, time.Second)} around a tls.Dialer dial (ServerName, MinVersion TLS 1.2,
     * the system roots). It holds once a dial fails with a rejection ({@link #isConnectionRejected}:
     * EOF or a reset during the handshake); a completed handshake, a refused connect, a TLS alert or
     * an untrusted certificate are retried. Null when it held.
     */
    static String tlsRejectedEventually(InetSocketAddress addr, String serverName, Duration maxTimeToConsistency,
                                        Consumer<String> log) {
        javax.net.ssl.SSLContext systemRoots;
        try {
            systemRoots = javax.net.ssl.SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long deadline = System.nanoTime() + maxTimeToConsistency.toNanos();
        String last = null;
        while (true) {
            long start = System.nanoTime();
            try (Socket s = new Socket()) {
                try {
                    s.connect(addr, (int) Math.max(1, millisUntil(deadline)));
                    s.setSoTimeout((int) Math.max(1, millisUntil(deadline)));
                    tlsHandshake(s, addr, systemRoots, serverName).close();
                    last = "client could connect";
                    log.accept("tls " + hostPort(addr) + " (SNI " + serverName + "): client could connect");
                } catch (IOException e) {
                    if (isConnectionRejected(e)) {
                        log.accept("tls " + hostPort(addr) + " (SNI " + serverName + "): connection was rejected during "
                                + "dial: " + e);
                        return null;
                    }
                    last = "client could not connect: " + e;
                    log.accept("tls " + hostPort(addr) + " (SNI " + serverName + "): client could not connect: " + e
                            + "; retrying");
                }
            } catch (IOException closing) {
                // closing the socket
            }
            long next = start + 1_000_000_000L;
            long now = System.nanoTime();
            while (next <= now) {
                next += 1_000_000_000L;
            }
            if (next >= deadline) {
                return "Condition never satisfied: the TLS connection to " + hostPort(addr) + " with SNI " + serverName
                        + " was not rejected within " + maxTimeToConsistency.toMillis() + " ms; last: " + last;
            }
            sleepNanos(next - now);
        }
    }

    /**
     * isConnectionRejected: an EOF (the peer closed: JSSE's "Remote host terminated the handshake",
     * caused by an EOFException) or a reset (ECONNRESET, "Connection reset"). A refused connect
     * is not one.
     */
    static boolean isConnectionRejected(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.EOFException) {
                return true;
            }
            String m = t.getMessage() == null ? "" : t.getMessage();
            if (t instanceof javax.net.ssl.SSLHandshakeException && m.equals("Remote host terminated the handshake")) {
                return true;
            }
            if (t instanceof java.net.SocketException && !(t instanceof java.net.ConnectException)
                    && m.toLowerCase(java.util.Locale.ROOT).contains("connection reset")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** tcp.EchoSendOnce: one connection, welcome, TEST; the pod that answered. */
    static String tcpEchoSendOnce(InetSocketAddress addr, Duration timeout) throws IOException {
        try (Socket s = new Socket()) {
            try {
                s.connect(addr, (int) timeout.toMillis());
            } catch (IOException e) {
                throw new IOException("dialing TCP " + hostPort(addr) + ": " + e.getMessage(), e);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            s.setSoTimeout((int) Math.max(1, millisUntil(deadline)));
            InputStream in = s.getInputStream();
            String welcome;
            try {
                welcome = readString(in);
            } catch (IOException e) {
                throw new IOException("reading TCP welcome message: " + e.getMessage(), e);
            }
            if (!welcome.equals(L4Echo.TCP_WELCOME)) {
                throw new IOException("unexpected TCP welcome message: " + quote(welcome));
            }
            s.getOutputStream().write("TEST\n".getBytes(StandardCharsets.UTF_8));
            s.setSoTimeout((int) Math.max(1, millisUntil(deadline)));
            String line;
            try {
                line = readString(in);
            } catch (IOException e) {
                throw new IOException("reading TEST response: " + e.getMessage(), e);
            }
            return podOf(line, "TCP");
        }
    }

    /** tcp.ExpectAddressBeAvailable: polls (immediately, then every interval) until a TCP connect succeeds. */
    static String expectAddressAvailable(Duration interval, Duration timeout, InetSocketAddress addr,
                                         Consumer<String> log) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(addr, (int) Math.max(1, millisUntil(deadline)));
                log.accept("established TCP connection to " + hostPort(addr));
                return null;
            } catch (IOException e) {
                last = e.toString();
                log.accept("failed to establish TCP connection to " + hostPort(addr) + "; retrying: " + e);
            }
            if (System.nanoTime() + interval.toNanos() >= deadline) {
                return "failed waiting for TCP connection to " + hostPort(addr) + " after " + timeout.toMillis()
                        + " ms: " + last;
            }
            sleepNanos(interval.toNanos());
        }
    }

    /** The probe udp.ExpectEchoResponseFromBackend sends. */
    static final String UDP_PROBE = "gateway-api-conformance-udp-echo";
    /** The datagram udpEchoSendOnce sends (udproute-weighted-routing.go). */
    static final String UDP_WEIGHT_PROBE = "gateway-api-conformance-udp-weight\n";

    /**
     * udp.ExpectEchoResponseFromBackend (udp.ExpectEchoResponse when both are empty): polls every
     * second (immediately first) until a datagram round trip succeeds with a 2 s deadline and, when
     * set, the JSON answer names the expected service and namespace. Null when it held.
     */
    static String udpExpectEcho(Duration timeout, InetSocketAddress addr, String service, String namespace,
                                Consumer<String> log) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (udpEchoOnce(addr, service, namespace, log)) {
                return null;
            }
            if (System.nanoTime() + 1_000_000_000L >= deadline) {
                String backend = service.isEmpty() && namespace.isEmpty() ? ""
                        : " with expected backend service=" + quote(service) + " namespace=" + quote(namespace);
                return "UDP echo probe never succeeded against " + hostPort(addr) + backend
                        + ": context deadline exceeded";
            }
            sleepNanos(1_000_000_000L);
        }
    }

    private static boolean udpEchoOnce(InetSocketAddress addr, String service, String namespace, Consumer<String> log) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(addr);
            s.setSoTimeout(2000);
            byte[] probe = UDP_PROBE.getBytes(StandardCharsets.UTF_8);
            s.send(new DatagramPacket(probe, probe.length));
            byte[] buf = new byte[1024];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            if (service.isEmpty() && namespace.isEmpty()) {
                log.accept("got UDP echo response (" + p.getLength() + " bytes) from " + hostPort(addr));
                return true;
            }
            JsonNode resp;
            try {
                resp = Json.JSON.readTree(new String(buf, 0, p.getLength(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                log.accept("failed to decode UDP echo response from " + hostPort(addr) + ": " + e.getMessage());
                return false;
            }
            if (resp == null || !(resp.isObject() || resp.isNull())) {
                log.accept("failed to decode UDP echo response from " + hostPort(addr));
                return false;
            }
            String gotService = resp.path("service").asText("");
            String gotNs = resp.path("namespace").asText("");
            if (!service.isEmpty() && !gotService.equals(service)) {
                log.accept("UDP echo response service=" + quote(gotService) + " did not match expected " + quote(service)
                        + " (pod=" + resp.path("pod").asText("") + ")");
                return false;
            }
            if (!namespace.isEmpty() && !gotNs.equals(namespace)) {
                log.accept("UDP echo response namespace=" + quote(gotNs) + " did not match expected " + quote(namespace)
                        + " (pod=" + resp.path("pod").asText("") + ")");
                return false;
            }
            log.accept("got UDP echo response from " + hostPort(addr) + " service=" + quote(gotService) + " namespace="
                    + quote(gotNs) + " pod=" + quote(resp.path("pod").asText("")));
            return true;
        } catch (IOException e) {
            log.accept("UDP echo probe to " + hostPort(addr) + " failed: " + e);
            return false;
        }
    }

    /** udpEchoSendOnce (udproute-weighted-routing.go): one datagram, the pod of the JSON answer. */
    static String udpEchoSendOnce(InetSocketAddress addr, Duration timeout) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(addr);
            s.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            byte[] probe = UDP_WEIGHT_PROBE.getBytes(StandardCharsets.UTF_8);
            try {
                s.send(new DatagramPacket(probe, probe.length));
            } catch (IOException e) {
                throw new IOException("writing UDP probe: " + e.getMessage(), e);
            }
            byte[] buf = new byte[4096];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (IOException e) {
                throw new IOException("reading UDP echo response: " + e, e);
            }
            return podOf(new String(buf, 0, p.getLength(), StandardCharsets.UTF_8), "UDP");
        }
    }

    /**
     * miekg/dns {@code dns.Exchange(msg, addr)} for {@code msg.SetQuestion(name, TypeA)}: a UDP
     * query with a random id and RD set, 2 s dial/write/read timeouts, a 512-byte read buffer (no
     * EDNS0); answers with another id are skipped, the first with the query's id must unpack.
     * Any well-formed reply is a success, whatever its rcode.
     */
    static L4Echo.Dns.Message dnsExchange(InetSocketAddress addr, String name) throws IOException {
        int id = ThreadLocalRandom.current().nextInt(1 << 16);
        byte[] q = L4Echo.Dns.query(id, name, L4Echo.Dns.TYPE_A);
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(addr);
            s.send(new DatagramPacket(q, q.length));
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (true) {
                long left = millisUntil(deadline);
                if (left <= 0) {
                    throw new SocketTimeoutException("read udp " + hostPort(addr) + ": i/o timeout");
                }
                s.setSoTimeout((int) left);
                byte[] buf = new byte[512];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                L4Echo.Dns.Message m;
                try {
                    m = L4Echo.Dns.parse(buf, p.getLength());
                } catch (IllegalArgumentException e) {
                    throw new IOException(e.getMessage(), e);
                }
                if (m.id() == id) {
                    return m;
                }
            }
        }
    }

    // ------------------------------------------------------------------ weights

    /** weight.MaxTestRetries. */
    static final int MAX_TEST_RETRIES = 10;

    /**
     * weight.TestWeightedDistribution with a function-based sender: 500 sends, 10 at a time; the
     * first send error fails the attempt, as does a pod of a backend not in {@code weights}; then
     * {@link TestRunner#compareDistribution} (+/-5 %, every weighted backend and only those seen).
     */
    static String weightedDistribution(Callable<String> sender, Map<String, Double> weights) {
        final int total = 500;
        ExecutorService pool = Executors.newFixedThreadPool(10);
        Map<String, Integer> seen = new LinkedHashMap<>();
        String firstError = null;
        try {
            List<Future<String>> pods = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                pods.add(pool.submit(sender));
            }
            for (Future<String> f : pods) {
                String pod;
                try {
                    pod = f.get();
                } catch (ExecutionException e) {
                    if (firstError == null) {
                        firstError = e.getCause().getMessage();
                    }
                    continue;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "interrupted";
                }
                String backend = TestRunner.backendName(pod);
                if (!weights.containsKey(backend)) {
                    if (firstError == null) {
                        firstError = "request was handled by an unexpected pod \"" + pod + "\" (extracted backend: \""
                                + backend + "\")";
                    }
                    continue;
                }
                seen.merge(backend, 1, Integer::sum);
            }
        } finally {
            pool.shutdownNow();
        }
        if (firstError != null) {
            return "error while sending requests: " + firstError;
        }
        return TestRunner.compareDistribution(weights, seen, total);
    }

    // ------------------------------------------------------------------ plumbing

    /** The pod of a tcpserver/udpechoserver JSON line, as EchoSendOnce / udpEchoSendOnce decode it. */
    private static String podOf(String line, String proto) throws IOException {
        JsonNode resp;
        try {
            resp = Json.JSON.readTree(line);
        } catch (IOException e) {
            throw new IOException("decoding " + proto + " echo response " + quote(line) + ": " + e.getMessage(), e);
        }
        if (resp == null || !(resp.isObject() || resp.isNull())) {
            throw new IOException("decoding " + proto + " echo response " + quote(line));
        }
        String pod = resp.path("pod").asText("");
        if (pod.isEmpty()) {
            throw new IOException(proto + " echo response missing pod name: " + quote(line));
        }
        return pod;
    }

    /** bufio.Reader.ReadString('\n') on a fresh reader: up to and including '\n'; EOF before it is an error. */
    static String readString(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            buf.write(b);
            if (b == '\n') {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }
        throw new java.io.EOFException("EOF after " + quote(buf.toString(StandardCharsets.UTF_8)));
    }

    private static String stripNewline(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    static String hostPort(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    private static String quote(String s) {
        return L4Echo.goJsonString(s);
    }

    private static long millisUntil(long deadlineNanos) {
        return (deadlineNanos - System.nanoTime()) / 1_000_000L;
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(Math.max(0, nanos / 1_000_000L), (int) Math.max(0, nanos % 1_000_000L));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
