package io.archway.conformance;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A deliberately small HTTP/1.1 client over a raw socket, behaving like the upstream Go round
 * tripper with {@code DisableKeepAlives}: one new connection (and TLS handshake) per request,
 * {@code Host} freely overridable, {@code Connection: close}, SNI = server name, trust = the
 * given certificates, Go's hostname verification rules. Like Go's Transport with a custom TLS
 * config and no {@code ForceAttemptHTTP2}, it offers no ALPN unless the request names protocols;
 * like Go's client it refuses a response it cannot parse strictly (status line, header lines,
 * Content-Length, Transfer-Encoding, chunk sizes).
 */
final class HttpProbe {
    /** roundtripper's protocols: HTTP/1.1 (the default), HTTP/2 over cleartext by prior knowledge and over TLS. */
    static final String HTTP = "HTTP";
    static final String H2C_PRIOR_KNOWLEDGE = "H2C_PRIOR_KNOWLEDGE";
    static final String H2 = "H2";

    /** What to send. {@code connectPort} is the real socket port (spec port + offset). */
    record Request(String scheme, String ip, int connectPort, String method, String host, String path,
                   Map<String, String> headers, String body, String serverName, SSLContext tls,
                   Duration timeout, List<String> alpn, String protocol) {
        Request {
            alpn = List.copyOf(alpn);
            protocol = protocol == null || protocol.isEmpty() ? HTTP : protocol;
        }

        /** Over HTTP/1.1 (roundtripper's default protocol). */
        Request(String scheme, String ip, int connectPort, String method, String host, String path,
                Map<String, String> headers, String body, String serverName, SSLContext tls,
                Duration timeout, List<String> alpn) {
            this(scheme, ip, connectPort, method, host, path, headers, body, serverName, tls, timeout, alpn, HTTP);
        }

        /** The same request over {@code protocol} (roundtripper.Request.Protocol). */
        Request withProtocol(String protocol) {
            return new Request(scheme, ip, connectPort, method, host, path, headers, body, serverName, tls, timeout,
                    alpn, protocol);
        }

        /** A request that offers no ALPN, as the upstream suite's round tripper. */
        Request(String scheme, String ip, int connectPort, String method, String host, String path,
                Map<String, String> headers, String body, String serverName, SSLContext tls, Duration timeout) {
            this(scheme, ip, connectPort, method, host, path, headers, body, serverName, tls, timeout, List.of());
        }
    }

    /** What came back; header names keep their case, lookups ignore it. */
    record Response(int status, String proto, Map<String, List<String>> headers, byte[] body) {
        List<String> header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue();
                }
            }
            return null;
        }

        String firstHeader(String name) {
            List<String> v = header(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private HttpProbe() {
    }

    /** An SSLContext trusting exactly {@code trusted} (hostname checks are done by {@link #verifyHostname}). */
    static SSLContext trusting(Collection<X509Certificate> trusted) {
        return trusting(trusted, null);
    }

    /** The same, presenting client certificates through {@code keys} (null: none). */
    static SSLContext trusting(Collection<X509Certificate> trusted, javax.net.ssl.KeyManager keys) {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (X509Certificate c : trusted) {
                ks.setCertificateEntry("c" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys == null ? null : new javax.net.ssl.KeyManager[] {keys}, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Response send(Request r) throws IOException {
        if (r.protocol().equals(H2C_PRIOR_KNOWLEDGE) || r.protocol().equals(H2)) {
            return H2Probe.send(r);
        }
        long deadline = System.nanoTime() + r.timeout().toNanos();
        int timeoutMs = (int) Math.max(1, r.timeout().toMillis());
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(r.ip(), r.connectPort()), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            socket.setTcpNoDelay(true);
            if (r.scheme().equals("https")) {
                socket = handshake(socket, r);
            }
            OutputStream out = socket.getOutputStream();
            out.write(encode(r));
            out.flush();
            return read(socket.getInputStream(), r.method().equals("HEAD"), deadline);
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static Socket handshake(Socket plain, Request r) throws IOException {
        if (r.tls() == null) {
            throw new IOException("https request has no trusted certificates configured");
        }
        if (r.serverName() == null || r.serverName().isEmpty()) {
            throw new IOException("https request has no server name configured");
        }
        SSLSocket ssl = (SSLSocket) r.tls().getSocketFactory().createSocket(plain, r.serverName(), r.connectPort(), true);
        SSLParameters params = ssl.getSSLParameters();
        if (!isIp(r.serverName())) {
            params.setServerNames(List.of(new SNIHostName(r.serverName())));
        }
        if (!r.alpn().isEmpty()) {
            params.setApplicationProtocols(r.alpn().toArray(new String[0]));
        }
        ssl.setSSLParameters(params);
        ssl.startHandshake();
        Certificate[] peer = ssl.getSession().getPeerCertificates();
        if (peer.length == 0 || !(peer[0] instanceof X509Certificate leaf)) {
            throw new IOException("no server certificate");
        }
        if (!verifyHostname(leaf, r.serverName())) {
            throw new IOException("x509: certificate is not valid for " + r.serverName());
        }
        return ssl;
    }

    static boolean isIp(String s) {
        return s.matches("\\d+\\.\\d+\\.\\d+\\.\\d+") || s.contains(":");
    }

    /** crypto/x509 Certificate.VerifyHostname: DNS SANs only, a wildcard only as the whole leftmost label. */
    static boolean verifyHostname(X509Certificate cert, String host) {
        // Parsed with BouncyCastle: the JDK refuses the whole SAN extension when it holds a URI such
        // as "*" (which Go's generator produces for hosts that are not DNS names).
        org.bouncycastle.asn1.x509.GeneralNames sans;
        try {
            byte[] ext = cert.getExtensionValue(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName.getId());
            if (ext == null) {
                return false;
            }
            sans = org.bouncycastle.asn1.x509.GeneralNames.getInstance(
                    org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets());
        } catch (RuntimeException e) {
            return false;
        }
        boolean ip = isIp(host);
        for (org.bouncycastle.asn1.x509.GeneralName san : sans.getNames()) {
            if (ip && san.getTagNo() == org.bouncycastle.asn1.x509.GeneralName.iPAddress) {
                byte[] addr = org.bouncycastle.asn1.ASN1OctetString.getInstance(san.getName()).getOctets();
                try {
                    if (java.net.InetAddress.getByAddress(addr).getHostAddress().equals(host)) {
                        return true;
                    }
                } catch (IOException e) {
                    // not an address
                }
            }
            if (!ip && san.getTagNo() == org.bouncycastle.asn1.x509.GeneralName.dNSName
                    && matchHostnames(san.getName().toString(), host)) {
                return true;
            }
        }
        return false;
    }

    static boolean matchHostnames(String pattern, String host) {
        pattern = trimDot(pattern.toLowerCase(Locale.ROOT));
        host = trimDot(host.toLowerCase(Locale.ROOT));
        if (pattern.isEmpty() || host.isEmpty()) {
            return false;
        }
        String[] p = pattern.split("\\.", -1);
        String[] h = host.split("\\.", -1);
        if (p.length != h.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (i == 0 && p[i].equals("*")) {
                continue;
            }
            if (!p[i].equals(h[i])) {
                return false;
            }
        }
        return true;
    }

    private static String trimDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    static byte[] encode(Request r) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.method()).append(' ').append(escapePath(r.path())).append(" HTTP/1.1\r\n");
        sb.append("Host: ").append(r.host()).append("\r\n");
        boolean ua = false;
        for (String name : r.headers().keySet()) {
            ua |= name.equalsIgnoreCase("User-Agent");
        }
        if (!ua) {
            sb.append("User-Agent: Go-http-client/1.1\r\n");
        }
        byte[] body = r.body() == null ? new byte[0] : r.body().getBytes(StandardCharsets.UTF_8);
        if (body.length > 0) {
            sb.append("Content-Length: ").append(body.length).append("\r\n");
        }
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
            sb.append(EchoServer.canonicalHeaderName(h.getKey())).append(": ").append(h.getValue()).append("\r\n");
        }
        sb.append("Connection: close\r\n");
        sb.append("Accept-Encoding: gzip\r\n");
        sb.append("\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** Escapes what Go's url.URL.EscapedPath would (spaces, non-ASCII, controls); keeps the query as is. */
    static String escapePath(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? null : pathAndQuery.substring(q + 1);
        StringBuilder sb = new StringBuilder();
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`'
                    || c == '{' || c == '|' || c == '}' || c == '#') {
                sb.append('%').append(String.format("%02X", c));
            } else {
                sb.append((char) c);
            }
        }
        if (sb.length() == 0) {
            sb.append('/');
        }
        if (query != null) {
            sb.append('?').append(query);
        }
        return sb.toString();
    }

    static Response read(InputStream raw, boolean head, long deadline) throws IOException {
        InputStream in = new java.io.BufferedInputStream(raw);
        String statusLine = line(in);
        while (statusLine.isEmpty()) {
            statusLine = line(in);
        }
        // net/http ReadResponse: "proto status reason", status exactly three digits, a valid version
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2) {
            throw new IOException("malformed HTTP response \"" + statusLine + "\"");
        }
        if (!parts[0].matches("HTTP/\\d\\.\\d")) {
            throw new IOException("malformed HTTP version \"" + parts[0] + "\"");
        }
        if (!parts[1].matches("\\d{3}")) {
            throw new IOException("malformed HTTP status code \"" + parts[1] + "\"");
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            // textproto.ReadMIMEHeader: a field name of token characters, then a colon
            int colon = l.indexOf(':');
            if (colon <= 0 || !isToken(l.substring(0, colon))) {
                throw new IOException("malformed MIME header line: " + l);
            }
            String name = EchoServer.canonicalHeaderName(l.substring(0, colon));
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(l.substring(colon + 1).trim());
        }
        if (status >= 100 && status < 200) {
            return read(in, head, deadline);
        }
        byte[] body;
        Response probe = new Response(status, parts[0], headers, new byte[0]);
        String te = probe.firstHeader("Transfer-Encoding");
        String cl = contentLength(probe.header("Content-Length"));
        if (te != null && !te.equalsIgnoreCase("chunked")) {
            throw new IOException("unsupported transfer encoding: \"" + te + "\"");
        }
        if (head || status == 204 || status == 304) {
            body = new byte[0];
        } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            while (true) {
                String size = line(in);
                int semi = size.indexOf(';');
                String hex = (semi < 0 ? size : size.substring(0, semi)).trim();
                if (!hex.matches("[0-9a-fA-F]{1,16}")) {
                    throw new IOException("invalid byte in chunk length: \"" + size + "\"");
                }
                int n = Integer.parseInt(hex, 16);
                if (n == 0) {
                    for (String t = line(in); !t.isEmpty(); t = line(in)) {
                        // trailers ignored
                    }
                    break;
                }
                buf.write(in.readNBytes(n));
                line(in);
            }
            body = buf.toByteArray();
        } else if (cl != null) {
            int n = Integer.parseInt(cl.trim());
            body = in.readNBytes(n);
            if (body.length < n) {
                throw new EOFException("unexpected EOF reading body");
            }
        } else {
            body = in.readAllBytes();
        }
        if ("gzip".equalsIgnoreCase(probe.firstHeader("Content-Encoding")) && body.length > 0) {
            body = new GZIPInputStream(new java.io.ByteArrayInputStream(body)).readAllBytes();
            headers.keySet().removeIf(k -> k.equalsIgnoreCase("Content-Encoding") || k.equalsIgnoreCase("Content-Length"));
        }
        if (System.nanoTime() > deadline) {
            throw new IOException("request timeout");
        }
        return new Response(status, parts[0], headers, body);
    }

    /** RFC 9110 token characters, as Go's validHeaderFieldByte. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 0x80) && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * net/http fixLength: every Content-Length line must carry the same non-negative decimal
     * value; returns it (or null when absent).
     */
    static String contentLength(List<String> values) throws IOException {
        if (values == null || values.isEmpty()) {
            return null;
        }
        String first = values.get(0).trim();
        for (String v : values) {
            if (!v.trim().equals(first)) {
                throw new IOException("http: message cannot contain multiple Content-Length headers; got " + values);
            }
        }
        if (!first.matches("\\d{1,18}")) {
            throw new IOException("bad Content-Length \"" + first + "\"");
        }
        return first;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            buf.write(c);
        }
        if (c == -1 && buf.size() == 0) {
            throw new EOFException("connection closed");
        }
        String s = buf.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
}
