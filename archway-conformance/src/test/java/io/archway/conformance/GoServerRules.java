package io.archway.conformance;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * What Go's {@code net/http} server and {@code ServeMux} do before echo-basic's handlers run, so
 * that the in-process echo backend refuses what the upstream one refuses (a proxy that sends two
 * Host lines fails here as it fails upstream).
 */
final class GoServerRules {
    private GoServerRules() {
    }

    /**
     * Why Go's server refuses this request with 400 ({@code net/http.readRequest} and
     * {@code conn.readRequest}), or null.
     */
    static String refusal(HttpRequest req) {
        if (req.decoderResult().isFailure()) {
            return "400 Bad Request";
        }
        List<String> hosts = req.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            // request.go readRequest: fmt.Errorf("too many Host headers"), answered as a bare 400
            return "400 Bad Request";
        }
        boolean http11 = req.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0;
        if (http11 && hosts.isEmpty() && !HttpMethod.CONNECT.equals(req.method())) {
            return "400 Bad Request: missing required Host header";
        }
        if (hosts.size() == 1 && !validHostHeader(hosts.get(0))) {
            return "400 Bad Request: malformed Host header";
        }
        return null;
    }

    /** Go's answer to a refused request: plain text, {@code Connection: close}. */
    static FullHttpResponse badRequest(String publicError) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
                Unpooled.copiedBuffer(publicError, StandardCharsets.UTF_8));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.headers().set(HttpHeaderNames.CONNECTION, "close");
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
        return res;
    }

    /** {@code golang.org/x/net/http/httpguts.ValidHostHeader}: the bytes a Host may hold. */
    static boolean validHostHeader(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || "!$%&'()*+,-.:;=[]_~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where {@code ServeMux} redirects this request URI with 301, or null. echo-basic's
     * {@code preserveSlashes} first folds {@code //} into {@code /}; the mux then redirects a path
     * that {@code cleanPath} changes, and a subtree root registered only with its trailing slash
     * ({@code /status/}, {@code /retry/}).
     */
    static String muxRedirect(String requestUri) {
        int q = requestUri.indexOf('?');
        String path = q < 0 ? requestUri : requestUri.substring(0, q);
        String query = q < 0 ? "" : requestUri.substring(q);
        if (!path.startsWith("/")) {
            return null; // absolute-form or '*': not a path the mux cleans
        }
        path = path.replace("//", "/");
        String clean = cleanPath(path);
        if (clean.equals("/status") || clean.equals("/retry")) {
            return clean + "/" + query;
        }
        return clean.equals(path) ? null : clean + query;
    }

    /** net/http cleanPath: path.Clean, keeping a trailing slash. */
    static String cleanPath(String p) {
        if (p.isEmpty()) {
            return "/";
        }
        if (p.charAt(0) != '/') {
            p = "/" + p;
        }
        Deque<String> out = new ArrayDeque<>();
        for (String seg : p.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                out.pollLast();
            } else {
                out.addLast(seg);
            }
        }
        String np = "/" + String.join("/", out);
        if (p.endsWith("/") && !np.equals("/")) {
            np += "/";
        }
        return np;
    }

    /** echo-basic tlsStateToAssertions. */
    static ObjectNode tlsAssertions(SslHandler ssl) {
        SSLSession session = ssl.engine().getSession();
        ObjectNode tls = Json.JSON.createObjectNode();
        tls.put("version", session.getProtocol());
        try {
            ArrayNode peers = tls.putArray("peerCertificates");
            for (Certificate c : session.getPeerCertificates()) {
                peers.add("-----BEGIN CERTIFICATE-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(c.getEncoded())
                        + "\n-----END CERTIFICATE-----\n");
            }
        } catch (SSLPeerUnverifiedException e) {
            tls.remove("peerCertificates"); // omitempty
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        String serverName = "";
        if (session instanceof ExtendedSSLSession ext) {
            for (SNIServerName n : ext.getRequestedServerNames()) {
                if (n instanceof SNIHostName h) {
                    serverName = h.getAsciiName();
                }
            }
        }
        tls.put("serverName", serverName);
        String alpn = ssl.applicationProtocol();
        if (alpn != null && !alpn.isEmpty()) {
            tls.put("negotiatedProtocol", alpn);
        }
        tls.put("cipherSuite", session.getCipherSuite());
        return tls;
    }
}
