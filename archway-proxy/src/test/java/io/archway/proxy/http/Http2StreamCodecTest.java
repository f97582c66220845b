package io.archway.proxy.http;

import static io.archway.proxy.http.H2Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.archway.proxy.http.H2Wire.Frame;
import io.archway.proxy.http.H2Wire.Recorder;
import io.archway.proxy.testing.LeakCheck;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Downstream HTTP/2 streams without a channel each ({@link Http2Streams} and one
 * {@link Http2StreamCodec} per stream, behind Netty's server codec, bytes in and out): the RFC 9113
 * section 8 request rules (a reset with the right code), the request's frames as HTTP messages,
 * the response's messages as frames, flow control on a paused request body, resets both ways,
 * writability by the stream's window; nothing leaks (paranoid detection in the build).
 */
class Http2StreamCodecTest {
    private static Http2Headers get() {
        return new DefaultHttp2Headers().method("GET").scheme("http").path("/").authority("h");
    }

    private static void assertReset(Frame f, int stream, Http2Error error) {
        assertThat(f.type()).isEqualTo("RST_STREAM");
        assertThat(f.stream()).isEqualTo(stream);
        assertThat(f.value()).isEqualTo(error.code());
    }

    @Test
    void aWellFormedRequestPassesWithItsBodyAndTrailers() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            try (H2Wire wire = new H2Wire()) {
                wire.headers(1, get().method("POST"), false).data(1, "ab", false)
                        .headers(1, new DefaultHttp2Headers().add("x-sum", "3"), true);
                final Recorder s = wire.stream(0);
                final HttpRequest request = s.next();
                assertThat(request.method().name()).isEqualTo("POST");
                assertThat(request.uri()).isEqualTo("/");
                assertThat(request.headers().get(HttpHeaderNames.HOST)).isEqualTo("h");
                // No content-length: the body is re-framed chunked for an HTTP/1.1 backend.
                assertThat(HttpUtil.isTransferEncodingChunked(request)).isTrue();
                final HttpContent data = s.next();
                assertThat(data).isNotInstanceOf(LastHttpContent.class);
                assertThat(data.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ab");
                data.release();
                final LastHttpContent trailers = s.next();
                assertThat(trailers.content().readableBytes()).isZero();
                assertThat(trailers.trailingHeaders().get("x-sum")).isEqualTo("3");
                trailers.release();
                assertThat(s.readCompletes).isEqualTo(3); // one per read batch
                assertThat(wire.next()).isNull();
            }
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void aRequestEndingWithItsHeadersIsTheRequestThenAnEmptyEnd() {
        try (H2Wire wire = new H2Wire()) {
            wire.headers(1, get().add("cookie", "a=1").add("cookie", "b=2"), true);
            final Recorder s = wire.stream(0);
            final HttpRequest request = s.next();
            assertThat(HttpUtil.isTransferEncodingChunked(request)).isFalse();
            assertThat(request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)).isFalse();
            // RFC 9113 section 8.2.3: cookie crumbs are joined for HTTP/1.1.
            assertThat(request.headers().getAll(HttpHeaderNames.COOKIE)).containsExactly("a=1; b=2");
            assertThat((Object) s.next()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
            assertThat(s.messages).isEmpty();
        }
    }

    @Test
    void theFieldsAreTheBlocksWithHostForAuthorityAndNothingAdded() {
        try (H2Wire wire = new H2Wire()) {
            wire.headers(1, get().method("DELETE").path("/a?b=c").add("accept", "*/*")
                    .add("x-two", "1").add("x-two", "2"), true);
            final HttpRequest request = wire.stream(0).next();
            assertThat(request.method()).isSameAs(HttpMethod.DELETE);
            assertThat(request.uri()).isEqualTo("/a?b=c");
            assertThat(request.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
            // Host from :authority, the fields in order; no x-http2-* markers.
            final List<String> fields = new ArrayList<>();
            request.headers().forEach(e -> fields.add(e.getKey() + "=" + e.getValue()));
            assertThat(fields).containsExactly("host=h", "accept=*/*", "x-two=1", "x-two=2");
        }
    }

    @Test
    void aValueHttp1WouldRefuseIsAMalformedRequest() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            try (H2Wire wire = new H2Wire()) {
                // A line break must not reach an HTTP/1.1 backend: Netty's HPACK decoder (4.2) refuses it
                // before the stream exists; Http2RequestFields refuses it too, for a decoder that would not.
                wire.headers(1, new DefaultHttp2Headers(false).method("POST").scheme("http").path("/").authority("h")
                        .add("x-a", "1\r\nx-b: 2"), false);
                assertReset(wire.next(), 1, Http2Error.PROTOCOL_ERROR);
                assertThat(wire.streams).isEmpty();
                assertThat(wire.next()).isNull();
            }
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void hostMayRepeatTheAuthorityButNotDifferFromIt() {
        try (H2Wire wire = new H2Wire()) {
            wire.headers(1, get().add("host", "H"), true);
            assertThat(((HttpRequest) wire.stream(0).next()).headers().getAll(HttpHeaderNames.HOST)).containsExactly("h");
            wire.headers(3, get().add("host", "elsewhere"), true);
            assertReset(wire.next(), 3, Http2Error.PROTOCOL_ERROR);
            assertThat(wire.stream(1).messages).isEmpty();
            // Without :authority, Host is the authority (section 8.3.1).
            wire.headers(5, new DefaultHttp2Headers().method("GET").scheme("http").path("/").add("host", "only"), true);
            assertThat(((HttpRequest) wire.stream(2).next()).headers().getAll(HttpHeaderNames.HOST))
                    .containsExactly("only");
        }
    }

    @Test
    void aTrailerValueHttp1WouldRefuseResetsTheStream() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            try (H2Wire wire = new H2Wire()) {
                wire.headers(1, get().method("POST"), false).data(1, "ab", false)
                        .headers(1, new DefaultHttp2Headers(false).add("x-sum", "3\n"), true);
                final Recorder s = wire.stream(0);
                assertThat((Object) s.next()).isInstanceOf(HttpRequest.class);
                ((HttpContent) s.next()).release();
                assertThat(s.messages).isEmpty();
                assertReset(wire.next(), 1, Http2Error.PROTOCOL_ERROR);
                assertThat(s.closed).isTrue(); // the exchange ends
            }
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void aBodyWithContentLengthIsNotMarkedChunkedAndEndsWithTheLastData() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            try (H2Wire wire = new H2Wire()) {
                wire.headers(1, get().method("PUT").add("content-length", "2"), false).data(1, "ok", true);
                final Recorder s = wire.stream(0);
                final HttpRequest request = s.next();
                assertThat(HttpUtil.isTransferEncodingChunked(request)).isFalse();
                assertThat(HttpUtil.getContentLength(request)).isEqualTo(2);
                final LastHttpContent last = s.next();
                assertThat(last.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ok");
                assertThat(last.trailingHeaders()).isSameAs(EmptyHttpHeaders.INSTANCE); // none in DATA
                last.release();
            }
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void expectContinueIsAnsweredOnTheStreamAndNotForwarded() {
        try (H2Wire wire = new H2Wire()) {
            wire.headers(1, get().method("POST").add("expect", "100-continue").add("content-length", "1"), false);
            final Frame interim = wire.next();
            assertThat(interim.type()).isEqualTo("HEADERS");
            assertThat(interim.headers().status().toString()).isEqualTo("100");
            assertThat(interim.end()).isFalse();
            final HttpRequest request = wire.stream(0).next();
            assertThat(request.headers().contains(HttpHeaderNames.EXPECT)).isFalse();
        }
    }

    @Test
    void malformedRequestsResetTheStream() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            try (H2Wire wire = new H2Wire()) {
                // No :scheme (section 8.3.1).
                wire.headers(1, new DefaultHttp2Headers(false).method("POST").path("/").authority("h"), false);
                assertReset(wire.next(), 1, Http2Error.PROTOCOL_ERROR);
                // An empty :path.
                wire.headers(3, new DefaultHttp2Headers(false).method("GET").scheme("http").path("").authority("h"),
                        true);
                assertReset(wire.next(), 3, Http2Error.PROTOCOL_ERROR);
                // A pseudo-header in trailers.
                wire.headers(5, get(), false).headers(5, new DefaultHttp2Headers(false).path("/x"), true);
                assertReset(wire.next(), 5, Http2Error.PROTOCOL_ERROR);
                // CONNECT with a :path (section 8.5).
                wire.headers(7, new DefaultHttp2Headers(false).method("CONNECT").authority("b.test:443").path("/"),
                        true);
                assertReset(wire.next(), 7, Http2Error.PROTOCOL_ERROR);
                for (Recorder s : wire.streams) {
                    while (!s.messages.isEmpty()) {
                        assertThat((Object) s.next()).isInstanceOf(HttpRequest.class); // stream 5's head only
                    }
                }
                assertThat(wire.next()).isNull();
            }
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void connectIsAnswered405() {
        try (H2Wire wire = new H2Wire()) {
            wire.headers(1, new DefaultHttp2Headers().method("CONNECT").authority("b.test:443"), true);
            final Frame answer = wire.next();
            assertThat(answer.headers().status().toString()).isEqualTo("405");
            assertThat(answer.end()).isTrue();
            assertThat(wire.stream(0).messages).isEmpty();
            assertThat(wire.stream(0).closed).isFalse(); // the stream ended with the answer
        }
    }

    @Test
    void aStreamErrorOfTheCodecResetsWithItsOwnCodeAndEndsTheExchange() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            try (H2Wire wire = new H2Wire()) {
                // Netty checks content-length against the DATA received (section 8.1.1).
                wire.headers(1, get().method("POST").add("content-length", "5"), false).data(1, "ab", true);
                final Recorder s = wire.stream(0);
                assertThat((Object) s.next()).isInstanceOf(HttpRequest.class);
                assertReset(wire.next(), 1, Http2Error.PROTOCOL_ERROR);
                assertThat(s.closed).isTrue();
                assertThat(wire.next()).isNull(); // one reset, not a second CANCEL
            }
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void aStreamedResponseBecomesHeadersDataAndTrailers() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            try (H2Wire wire = new H2Wire()) {
                wire.headers(1, get(), true);
                final Recorder s = wire.stream(0);
                final Downstream d = s.downstream;
                final DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().add("Content-Type", "application/grpc").add("Connection", "keep-alive");
                d.write(head, d.voidPromise());
                d.write(new DefaultHttpContent(bytes("ab")), d.voidPromise());
                final LastHttpContent last = new DefaultLastHttpContent(bytes("c"));
                last.trailingHeaders().add("grpc-status", "0");
                final ChannelFuture lastWrite = d.writeAndFlush(last);
                final Frame headers = wire.next();
                assertThat(headers.end()).isFalse();
                assertThat(headers.headers().status().toString()).isEqualTo("200");
                assertThat(headers.headers().get("content-type").toString()).isEqualTo("application/grpc");
                assertThat(headers.headers().contains("connection")).isFalse(); // connection-specific
                // The body as DATA not ending the stream (Netty's flow controller may merge the parts).
                final StringBuilder body = new StringBuilder();
                Frame f;
                while ((f = wire.next()).type().equals("DATA")) {
                    assertThat(f.end()).isFalse();
                    body.append(f.data());
                }
                assertThat(body.toString()).isEqualTo("abc");
                final Frame trailers = f;
                assertThat(trailers.end()).isTrue();
                assertThat(trailers.headers().get("grpc-status").toString()).isEqualTo("0");
                assertThat(lastWrite.isSuccess()).isTrue();
                assertThat(s.closed).isFalse(); // ended by its response: nothing to tell the handler
                assertThat(wire.next()).isNull();
                s.next(); // the request's head
                s.next(); // its end
            }
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void aBodyEndsWithOneDataFrameAndAHeadersOnlyResponseWithOneHeadersFrame() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            try (H2Wire wire = new H2Wire()) {
                wire.headers(1, get(), true).headers(3, get(), true).headers(5, get(), true);
                final Downstream first = wire.stream(0).downstream;
                first.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), first.voidPromise());
                first.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                assertThat(wire.next().end()).isFalse();
                final Frame end = wire.next();
                assertThat(end.type()).isEqualTo("DATA");
                assertThat(end.end()).isTrue();
                assertThat(end.data()).isEmpty();

                // A gRPC Trailers-Only answer: one HEADERS frame that ends the stream.
                final DefaultFullHttpResponse trailersOnly = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
                trailersOnly.headers().add("grpc-status", "14");
                wire.stream(1).downstream.writeAndFlush(trailersOnly);
                final Frame only = wire.next();
                assertThat(only.stream()).isEqualTo(3);
                assertThat(only.end()).isTrue();
                assertThat(only.headers().get("grpc-status").toString()).isEqualTo("14");

                // A local answer with a body: HEADERS, then the body ending the stream.
                final ChannelFuture local = wire.stream(2).downstream.writeAndFlush(new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND, bytes("nope")));
                assertThat(wire.next().end()).isFalse();
                final Frame body = wire.next();
                assertThat(body.stream()).isEqualTo(5);
                assertThat(body.end()).isTrue();
                assertThat(body.data()).isEqualTo("nope");
                assertThat(local.isSuccess()).isTrue();
                assertThat(wire.next()).isNull();
            }
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void aPausedStreamHoldsItsFramesAndItsWindowUntilResumed() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            try (H2Wire wire = new H2Wire()) {
                wire.headers(1, get().method("POST"), false);
                final Recorder s = wire.stream(0);
                assertThat((Object) s.next()).isInstanceOf(HttpRequest.class);
                s.downstream.setAutoRead(false);
                final String chunk = "x".repeat(16384);
                wire.data(1, chunk, false).data(1, chunk, false).data(1, chunk, false);
                // Held: nothing handed on, no stream WINDOW_UPDATE (the client's window stays used).
                assertThat(s.messages).isEmpty();
                assertThat(wire.next()).isNull();
                final int completes = s.readCompletes;
                s.downstream.setAutoRead(true);
                for (int i = 0; i < 3; i++) {
                    final HttpContent part = s.next();
                    assertThat(part.content().readableBytes()).isEqualTo(16384);
                    part.release();
                }
                assertThat(s.readCompletes).isEqualTo(completes + 1);
                // Consumed: the window goes back (Netty's local flow controller, past half the window).
                final Frame update = wire.next();
                assertThat(update.type()).isEqualTo("WINDOW_UPDATE");
                assertThat(update.stream()).isEqualTo(1);
                assertThat(update.value()).isEqualTo(2 * 16384); // sent once half the window is consumed
                wire.data(1, "", true);
                final LastHttpContent end = s.next();
                assertThat(end.content().readableBytes()).isZero();
                end.release();
            }
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void aResetStreamEndsItsExchangeAndDropsHeldFrames() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            try (H2Wire wire = new H2Wire()) {
                wire.headers(1, get().method("POST"), false);
                final Recorder s = wire.stream(0);
                s.downstream.setAutoRead(false);
                wire.data(1, "held", false);
                wire.reset(1, Http2Error.CANCEL.code());
                assertThat(s.closed).isTrue();
                assertThat(s.downstream.isActive()).isFalse();
                assertThat((Object) s.next()).isInstanceOf(HttpRequest.class);
                assertThat(s.messages).isEmpty();

                // The proxy gives up on a stream: RST_STREAM(CANCEL), then the exchange ends.
                wire.headers(3, get().method("POST"), false);
                final Recorder t = wire.stream(1);
                t.downstream.close();
                assertReset(wire.next(), 3, Http2Error.CANCEL);
                assertThat(t.closed).isTrue();
                assertThat(wire.next()).isNull();
            }
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void aStreamIsWritableWhileItsWindowHasRoom() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            try (H2Wire wire = new H2Wire()) {
                wire.headers(1, get(), true);
                final Recorder s = wire.stream(0);
                final Downstream d = s.downstream;
                assertThat(d.isWritable()).isTrue();
                d.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), d.voidPromise());
                // The client's initial window is 65,535 bytes.
                d.write(new DefaultHttpContent(bytes("y".repeat(70_000))), d.voidPromise());
                d.flush();
                assertThat(d.isWritable()).isFalse();
                assertThat(s.writabilityChanges).isPositive();
                final int changes = s.writabilityChanges;
                Frame f;
                int sent = 0;
                while ((f = wire.next()) != null) {
                    if (f.type().equals("DATA")) {
                        sent += f.data().length();
                    }
                }
                assertThat(sent).isEqualTo(65_535);
                wire.windowUpdate(0, 100_000).windowUpdate(1, 100_000);
                assertThat(d.isWritable()).isTrue();
                assertThat(s.writabilityChanges).isGreaterThan(changes);
                d.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                while ((f = wire.next()) != null) {
                    if (f.type().equals("DATA")) {
                        sent += f.data().length();
                    }
                }
                assertThat(sent).isEqualTo(70_000);
            }
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    /**
     * RFC 9113 section 5.3.2 lets a server ignore the priority signals of RFC 7540, and
     * {@link Http2ServerCodec} shares the window without them: a stream the client made depend on
     * another (exclusively) still gets its turn of the connection window, where Netty's default
     * weighted tree gave all of it to the stream depended on.
     */
    @Test
    void priorityIsIgnoredWhenTheConnectionWindowIsShared() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            try (H2Wire wire = new H2Wire()) {
                wire.headers(1, get(), true).headers(3, get(), true).priority(3, 1, true);
                for (int i = 0; i < 2; i++) {
                    final Downstream d = wire.stream(i).downstream;
                    d.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), d.voidPromise());
                    d.write(new DefaultHttpContent(bytes("y".repeat(70_000))), d.voidPromise());
                }
                wire.stream(1).downstream.flush();
                final int[] sent = new int[4];
                Frame f;
                while ((f = wire.next()) != null) {
                    if (f.type().equals("DATA")) {
                        sent[f.stream()] += f.data().length();
                    }
                }
                // The connection's initial window (65,535 bytes), about half to each stream.
                assertThat(sent[1] + sent[3]).isEqualTo(65_535);
                assertThat(sent[1]).isGreaterThan(30_000);
                assertThat(sent[3]).isGreaterThan(30_000);
                for (int i = 0; i < 2; i++) {
                    wire.stream(i).downstream.close();
                }
            }
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    /** PRIORITY frames are still read and checked: a stream cannot depend on itself (a stream error). */
    @Test
    void aStreamDependingOnItselfIsReset() throws Exception {
        try (LeakCheck leaks = new LeakCheck()) {
            try (H2Wire wire = new H2Wire()) {
                wire.headers(1, get().method("POST"), false).priority(1, 1, false);
                final Recorder s = wire.stream(0);
                assertThat((Object) s.next()).isInstanceOf(HttpRequest.class);
                assertReset(wire.next(), 1, Http2Error.PROTOCOL_ERROR);
                assertThat(s.closed).isTrue();
            }
            assertThat(leaks.leaks()).isEmpty();
        }
    }
}
