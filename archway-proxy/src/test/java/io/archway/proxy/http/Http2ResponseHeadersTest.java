package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Http2ResponseHeadersTest {
    private static List<String> lines(Http2Headers headers) {
        final List<String> out = new ArrayList<>();
        for (Map.Entry<CharSequence, CharSequence> e : headers) {
            out.add(e.getKey() + ": " + e.getValue());
        }
        return out;
    }

    @Test
    void namesInLowerCaseWithoutConnectionSpecificFieldsStatusFirst() {
        final HttpHeaders in = DefaultHttpHeadersFactory.headersFactory().newHeaders()
                .add("Server", "nginx").add("Date", "Thu, 03 Dec 2026 18:00:00 GMT")
                .add("Content-Type", "text/plain").add("Content-Length", "2")
                .add("Connection", "keep-alive, X-Hop").add("Keep-Alive", "timeout=5").add("X-Hop", "1")
                .add("Transfer-Encoding", "chunked").add("Upgrade", "h2c").add("Host", "b")
                .add("X-Custom-Thing", "v").add("set-cookie", "a=1").add("Set-Cookie", "b=2");
        final Http2Headers out = Http2ResponseHeaders.head(HttpResponseStatus.OK, in);
        assertThat(lines(out)).containsExactly(":status: 200", "server: nginx",
                "date: Thu, 03 Dec 2026 18:00:00 GMT", "content-type: text/plain", "content-length: 2",
                "x-custom-thing: v", "set-cookie: a=1", "set-cookie: b=2");
        // The same fields as Netty's own conversion keeps (it differs only in how it lower-cases).
        final Http2Headers netty = HttpConversionUtil.toHttp2Headers(in, true);
        netty.status("200");
        assertThat(out).isEqualTo(netty);
    }

    @Test
    void commonNamesAreTheSharedConstants() {
        assertThat((Object) Http2ResponseHeaders.validName(new AsciiString("Content-Type")))
                .isSameAs(HttpHeaderNames.CONTENT_TYPE);
        assertThat((Object) Http2ResponseHeaders.validName("DATE")).isSameAs(HttpHeaderNames.DATE);
        assertThat(Http2ResponseHeaders.validName("grpc-status").toString()).isEqualTo("grpc-status");
        assertThat(Http2ResponseHeaders.validName("X-Unusual-Name").toString()).isEqualTo("x-unusual-name");
        assertThat(Http2ResponseHeaders.validName("a-name-longer-than-every-known-one-of-the-table").toString())
                .isEqualTo("a-name-longer-than-every-known-one-of-the-table");
    }

    /** The block skips Netty's name check for the table's constants: each must pass it. */
    @Test
    void everyConstantIsAValidHttp2Name() {
        int names = 0;
        for (AsciiString[] sameLength : Http2ResponseHeaders.KNOWN) {
            for (AsciiString name : sameLength) {
                new DefaultHttp2Headers(true).add(name, "v"); // throws for an invalid or upper-case name
                assertThat(name.toLowerCase().toString()).isEqualTo(name.toString());
                names++;
            }
        }
        assertThat(names).isGreaterThan(30);
    }

    /** Other names are checked as Netty's validating HTTP/2 headers check them (and a pseudo-header is refused). */
    @Test
    void otherNamesAreCheckedAsNettyChecksThem() {
        for (String name : new String[] {"x-ok", "X-Mixed-Case", "x_under.score~", "bad name", "", "a:b", "x\ty",
                "x\u0000y", "caf\u00e9", "x(y)", "x\"y\"", "x{y}", "x/y", "x@y", "x,y", "x;y", "x=y", "x?y"}) {
            final String lower = name.toLowerCase(java.util.Locale.ROOT);
            boolean netty;
            try {
                new DefaultHttp2Headers(true).add(new AsciiString(lower), "v");
                netty = true;
            } catch (Exception invalid) { // Http2Exception, thrown unchecked
                netty = false;
            }
            boolean ours;
            try {
                Http2ResponseHeaders.validName(name);
                ours = true;
            } catch (IllegalArgumentException invalid) {
                ours = false;
            }
            assertThat(ours).as(name).isEqualTo(netty);
        }
        assertThatThrownBy(() -> Http2ResponseHeaders.validName(":path")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anInvalidNameFailsTheBlockAndValuesAreStillChecked() {
        final HttpHeaders badName = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders()
                .add("Bad Name", "v");
        assertThatThrownBy(() -> Http2ResponseHeaders.head(HttpResponseStatus.OK, badName))
                .isInstanceOf(IllegalArgumentException.class);
        final HttpHeaders badValue = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders()
                .add("x-value", "a\r\nb");
        assertThatThrownBy(() -> Http2ResponseHeaders.head(HttpResponseStatus.OK, badValue))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void trailersCarryNoPseudoHeader() {
        final HttpHeaders in = DefaultHttpHeadersFactory.trailersFactory().newHeaders()
                .add("Grpc-Status", "0").add("grpc-message", "ok");
        assertThat(lines(Http2ResponseHeaders.trailers(in))).containsExactly("grpc-status: 0", "grpc-message: ok");
        assertThat(Http2ResponseHeaders.trailers(DefaultHttpHeadersFactory.trailersFactory().newHeaders()).isEmpty())
                .isTrue();
    }
}
