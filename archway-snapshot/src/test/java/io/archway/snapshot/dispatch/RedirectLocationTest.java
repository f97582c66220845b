package io.archway.snapshot.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.PathModifier;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedirectLocationTest {
    private static String location(String scheme, String host, Integer port, String requestScheme, int listenerPort) {
        return RedirectLocation.of(new HttpFilter.RequestRedirect(scheme, host, null, port, 302),
                SimpleRequest.of("GET", "/p?q=1", "req.test", Map.of()), requestScheme, listenerPort, null);
    }

    @Test
    void portRules() {
        // No scheme, no port: the listener port, omitted when well-known for the request scheme.
        assertThat(location(null, null, null, "http", 8080)).isEqualTo("http://req.test:8080/p?q=1");
        assertThat(location(null, null, null, "http", 80)).isEqualTo("http://req.test/p?q=1");
        assertThat(location(null, null, null, "https", 443)).isEqualTo("https://req.test/p?q=1");
        assertThat(location(null, null, null, "https", 80)).isEqualTo("https://req.test:80/p?q=1");
        // A scheme without port: the scheme's well-known port, so none in Location.
        assertThat(location("https", null, null, "http", 8080)).isEqualTo("https://req.test/p?q=1");
        assertThat(location("http", "new.test", null, "https", 8443)).isEqualTo("http://new.test/p?q=1");
        // An explicit port is kept unless well-known for the scheme.
        assertThat(location("https", null, 8443, "http", 80)).isEqualTo("https://req.test:8443/p?q=1");
        assertThat(location(null, null, 443, "https", 8443)).isEqualTo("https://req.test/p?q=1");
        assertThat(location(null, null, 443, "http", 8080)).isEqualTo("http://req.test:443/p?q=1");
    }

    @Test
    void unsafeHostnameKeepsTheRequestHost() {
        assertThat(location(null, "evil.test\r\nSet-Cookie: a=b", null, "http", 80)).isEqualTo("http://req.test/p?q=1");
    }

    @Test
    void defaultStatusIs302() {
        assertThat(RedirectLocation.statusCode(new HttpFilter.RequestRedirect(null, null, null, null, 0))).isEqualTo(302);
        assertThat(RedirectLocation.statusCode(new HttpFilter.RequestRedirect(null, null, null, null, 301))).isEqualTo(301);
    }

    @ParameterizedTest
    @CsvSource({
        // prefix, replacement, path, expected (gateway-api httproute-rewrite-path / redirect-path cases)
        "/prefix/one, /one, /prefix/one/two, /one/two",
        "/prefix/one, /one, /prefix/one, /one",
        "/strip-prefix, /, /strip-prefix/three, /three",
        "/strip-prefix, /, /strip-prefix, /",
        "/strip-prefix, /, /strip-prefix/, /",
        "/prefix/one, /one/, /prefix/one/two, /one/two",
        "/, /x, /a/b, /x/a/b",
    })
    void replacePrefixMatch(String prefix, String replacement, String path, String expected) {
        final String matched = CompiledMatch.stripTrailingSlashes(prefix);
        assertThat(PathRewrite.apply(new PathModifier(PathModifier.Type.REPLACE_PREFIX_MATCH, replacement), path,
                matched)).isEqualTo(expected);
    }

    @Test
    void replaceFullPath() {
        assertThat(PathRewrite.apply(new PathModifier(PathModifier.Type.REPLACE_FULL_PATH, "/full"), "/a/b", "/a"))
                .isEqualTo("/full");
    }
}
