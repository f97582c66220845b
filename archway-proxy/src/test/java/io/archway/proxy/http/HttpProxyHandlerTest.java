package io.archway.proxy.http;

import static io.archway.proxy.testing.Snapshots.backend;
import static io.archway.proxy.testing.Snapshots.http;
import static io.archway.proxy.testing.Snapshots.invalidBackend;
import static io.archway.proxy.testing.Snapshots.listener;
import static io.archway.proxy.testing.Snapshots.prefix;
import static io.archway.proxy.testing.Snapshots.route;
import static io.archway.proxy.testing.Snapshots.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.http.h1.Http1Parser;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.PathModifier;
import io.archway.snapshot.PortBinding;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The downstream pipeline on an EmbeddedChannel: raw bytes in, raw bytes out. Covers everything
 * answered without a backend: malformed and smuggling requests, dispatch misses, redirects and
 * local 5xx. Each test asserts that nothing more was written.
 */
@ParameterizedClass(name = "{0} parser")
@EnumSource(Http1Parser.class)
class HttpProxyHandlerTest {
    private static final PortBinding BINDING = http(8080,
            listener("*.example.com", vhost("*.example.com", prefix("wild", "/", backend("none", 1)))),
            listener(null,
                    vhost("redirect.test",
                            route("r-prefix", new PathMatch(PathMatch.Type.PATH_PREFIX, "/old"), List.of(
                                    new HttpFilter.RequestRedirect("https", null,
                                            new PathModifier(PathModifier.Type.REPLACE_PREFIX_MATCH, "/new"), null, 301))),
                            route("r-port", new PathMatch(PathMatch.Type.EXACT, "/port"), List.of(
                                    new HttpFilter.RequestRedirect(null, "other.test", null, null, 0))),
                            route("r-explicit", new PathMatch(PathMatch.Type.EXACT, "/explicit"), List.of(
                                    new HttpFilter.RequestRedirect("http", null,
                                            new PathModifier(PathModifier.Type.REPLACE_FULL_PATH, "/full"), 8443, 308)))),
                    vhost("*",
                            prefix("invalid", "/invalid", invalidBackend("missing")),
                            prefix("empty", "/empty"),
                            prefix("noeps", "/noeps", backend("noeps", 1)))));

    private boolean draining;
    private final EmbeddedChannel channel;

    HttpProxyHandlerTest(Http1Parser parser) {
        channel = new EmbeddedChannel();
        parser.serverCodec(HttpCodecConfig.server(256, 512)).addLast(channel.pipeline());
        channel.pipeline().addLast(new HttpProxyHandler(new PortRoutes() {
                    private final RouteIndex index = new RouteIndex(BINDING, null);

                    @Override
                    public RouteIndex current() {
                        return index;
                    }

                    @Override
                    public boolean draining() {
                        return draining;
                    }
                }, null));
    }

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    private void write(String raw) {
        channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
    }

    /** The next response on the wire, or null. */
    private String response() {
        final ByteBuf buf = channel.readOutbound();
        if (buf == null) {
            return null;
        }
        try {
            return buf.toString(StandardCharsets.ISO_8859_1);
        } finally {
            buf.release();
        }
    }

    private void assertNothingMore() {
        assertThat(channel.<Object>readOutbound()).isNull();
    }

    private void assertAnsweredAndClosed(String raw, String statusLine) {
        write(raw);
        final String out = response();
        assertThat(out).startsWith("HTTP/1.1 " + statusLine + "\r\n").contains("connection: close");
        assertNothingMore();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void malformedRequestLineIs400AndCloses() {
        assertAnsweredAndClosed("GET /a HTTP/1.1 extra\r\nHost: h\r\n\r\n", "400 Bad Request");
    }

    @Test
    void headerWithoutColonIs400AndCloses() {
        assertAnsweredAndClosed("GET / HTTP/1.1\r\nHost h\r\n\r\n", "400 Bad Request");
    }

    @Test
    void missingHostOnHttp11Is400() {
        assertAnsweredAndClosed("GET / HTTP/1.1\r\n\r\n", "400 Bad Request");
    }

    @Test
    void duplicateHostIs400() {
        assertAnsweredAndClosed("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400 Bad Request");
    }

    @Test
    void longRequestLineIs414() {
        assertAnsweredAndClosed("GET /" + "a".repeat(300) + " HTTP/1.1\r\nHost: h\r\n\r\n", "414 Request-URI Too Long");
    }

    @Test
    void largeHeadersAre431() {
        assertAnsweredAndClosed("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + "b".repeat(600) + "\r\n\r\n",
                "431 Request Header Fields Too Large");
    }

    @Test
    void contentLengthWithTransferEncodingIs400() {
        assertAnsweredAndClosed("POST /noeps HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "400 Bad Request");
    }

    @Test
    void conflictingContentLengthsAre400() {
        assertAnsweredAndClosed("POST /noeps HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                "400 Bad Request");
    }

    @Test
    void duplicatedEqualContentLengthsAre400() {
        assertAnsweredAndClosed("POST /noeps HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\n\r\nabc",
                "400 Bad Request");
    }

    @Test
    void finalTransferCodingOtherThanChunkedIs400() {
        // RFC 9112 section 6.3: chunked not final -> the length cannot be determined -> 400.
        assertAnsweredAndClosed("POST /noeps HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
                "400 Bad Request");
    }

    @Test
    void unsupportedTransferCodingBeforeChunkedIs501() {
        // RFC 9112 section 6.1: a server SHOULD answer 501 to a transfer coding it does not understand.
        assertAnsweredAndClosed("POST /noeps HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                + "0\r\n\r\n", "501 Not Implemented");
    }

    @Test
    void transferEncodingInHttp10Is400() {
        assertAnsweredAndClosed("POST /noeps HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "400 Bad Request");
    }

    @Test
    void brokenChunkedBodyClosesTheConnection() {
        write("POST /zzz HTTP/1.1\r\nHost: redirect.test\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n");
        assertThat(response()).startsWith("HTTP/1.1 404 ");
        assertNothingMore();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void unknownHostOrPathIs404AndKeepsTheConnection() {
        write("GET /x HTTP/1.1\r\nHost: nowhere.example.org\r\n\r\nGET /zzz HTTP/1.1\r\nHost: redirect.test\r\n\r\n");
        assertThat(response()).startsWith("HTTP/1.1 404 Not Found\r\n").doesNotContain("connection: close");
        assertThat(response()).startsWith("HTTP/1.1 404 Not Found\r\n");
        assertNothingMore();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void expectContinueIsAnsweredBeforeTheBodyThenTheRequestIsServed() {
        // HttpProxyHandler answers Expect: 100-continue itself (no HttpServerExpectContinueHandler).
        write("PUT /zzz HTTP/1.1\r\nHost: redirect.test\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
        assertThat(response()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        assertThat(response()).startsWith("HTTP/1.1 404 Not Found\r\n");
        write("okGET /x HTTP/1.1\r\nHost: nowhere.example.org\r\n\r\n");
        assertThat(response()).startsWith("HTTP/1.1 404 Not Found\r\n");
        assertNothingMore();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void expectContinueOnHttp10IsNotAnswered() {
        write("PUT /zzz HTTP/1.0\r\nHost: redirect.test\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok");
        assertThat(response()).startsWith("HTTP/1.1 404 Not Found\r\n");
        assertNothingMore();
    }

    @Test
    void localAnswerDiscardsTheRequestBodyThenServesTheNextRequest() {
        write("POST /zzz HTTP/1.1\r\nHost: redirect.test\r\nContent-Length: 14\r\n\r\nGET / HTTP/1.1"
                + "GET /empty HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(response()).startsWith("HTTP/1.1 404 Not Found\r\n");
        // The body looked like a request line; it must not have been parsed as one.
        assertThat(response()).startsWith("HTTP/1.1 500 Internal Server Error\r\n");
        assertNothingMore();
    }

    @Test
    void redirectReplacesPrefixAndUsesWellKnownPortOfScheme() {
        write("GET /old/page?x=1 HTTP/1.1\r\nHost: redirect.test:8080\r\n\r\n");
        final String out = response();
        assertThat(out).startsWith("HTTP/1.1 301 Moved Permanently\r\n")
                .contains("location: https://redirect.test/new/page?x=1\r\n");
        assertNothingMore();
    }

    @Test
    void redirectWithoutSchemeKeepsListenerPortAndDefaultsTo302() {
        write("GET /port HTTP/1.1\r\nHost: redirect.test\r\n\r\n");
        assertThat(response()).startsWith("HTTP/1.1 302 Found\r\n").contains("location: http://other.test:8080/port\r\n");
        write("GET /explicit HTTP/1.1\r\nHost: redirect.test\r\n\r\n");
        assertThat(response()).startsWith("HTTP/1.1 308 Permanent Redirect\r\n")
                .contains("location: http://redirect.test:8443/full\r\n");
        assertNothingMore();
    }

    @Test
    void invalidBackendOrNoBackendIs500AndNoEndpointsIs503() {
        write("GET /invalid HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(response()).startsWith("HTTP/1.1 500 ");
        write("GET /empty HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(response()).startsWith("HTTP/1.1 500 ");
        write("GET /noeps HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(response()).startsWith("HTTP/1.1 503 ");
        // The wildcard listener is the most specific for a.example.com; its route has no endpoints.
        write("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n");
        assertThat(response()).startsWith("HTTP/1.1 503 ");
        assertNothingMore();
    }

    @Test
    void http10WithoutKeepAliveIsClosedAfterTheAnswer() {
        write("GET /x HTTP/1.0\r\n\r\n");
        assertThat(response()).startsWith("HTTP/1.1 404 ").contains("connection: close");
        assertNothingMore();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void drainingPortAnswersWithConnectionClose() {
        draining = true;
        write("GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(response()).startsWith("HTTP/1.1 404 ").contains("connection: close");
        assertNothingMore();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void absoluteFormTargetRoutesOnItsAuthority() {
        write("GET http://redirect.test/port HTTP/1.1\r\nHost: ignored.test\r\n\r\n");
        assertThat(response()).startsWith("HTTP/1.1 302 ").contains("location: http://other.test:8080/port\r\n");
        assertNothingMore();
    }
}
