package io.archway.snapshot.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** HTTPCORSFilter.allowOrigins: which request Origins a CORSOrigin matches. */
class CorsOriginTest {

    @Test
    void anExactOriginMatchesSameSchemeHostAndPort() {
        final CorsOrigin o = CorsOrigin.parse("https://www.foo.com");
        assertThat(o.matches("https://www.foo.com")).isTrue();
        assertThat(o.matches("HTTPS://WWW.FOO.COM")).as("scheme and host are case-insensitive").isTrue();
        assertThat(o.matches("http://www.foo.com")).as("another scheme").isFalse();
        assertThat(o.matches("https://foo.com")).isFalse();
        assertThat(o.matches("https://www.foo.com.evil.org")).isFalse();
        assertThat(o.matches("https://xwww.foo.com")).isFalse();
        assertThat(o.matches("https://www.foo.com/")).as("an origin has no path").isFalse();
        assertThat(o.matches("null")).isFalse();
        assertThat(o.matches(null)).isFalse();
        assertThat(o.isWildcard()).isFalse();
    }

    /** "if not included, port 80 is assumed for http scheme origins, and port 443 ... for https origins". */
    @Test
    void aMissingPortIsTheSchemesDefaultPort() {
        assertThat(CorsOrigin.parse("https://a.com").matches("https://a.com:443")).isTrue();
        assertThat(CorsOrigin.parse("https://a.com:443").matches("https://a.com")).isTrue();
        assertThat(CorsOrigin.parse("http://a.com").matches("http://a.com:80")).isTrue();
        assertThat(CorsOrigin.parse("http://a.com:80").matches("http://a.com")).isTrue();
        assertThat(CorsOrigin.parse("https://a.com").matches("https://a.com:8443")).isFalse();
        assertThat(CorsOrigin.parse("http://a.com").matches("http://a.com:443")).isFalse();
        assertThat(CorsOrigin.parse("https://a.com:8443").matches("https://a.com:8443")).isTrue();
        assertThat(CorsOrigin.parse("https://a.com:8443").matches("https://a.com")).isFalse();
        assertThat(CorsOrigin.parse("https://a.com").matches("https://a.com:")).as("empty port").isFalse();
        assertThat(CorsOrigin.parse("https://a.com").matches("https://a.com:44x")).isFalse();
    }

    /** "* is a greedy match to the left, including any number of DNS labels to the left of its position". */
    @Test
    void aLeadingWildcardLabelMatchesAnyNumberOfLabelsToTheLeft() {
        final CorsOrigin o = CorsOrigin.parse("https://*.bar.com");
        assertThat(o.matches("https://www.bar.com")).isTrue();
        assertThat(o.matches("https://xpto.www.bar.com")).isTrue();
        assertThat(o.matches("https://a.b.c.bar.com")).isTrue();
        assertThat(o.matches("https://bar.com")).as("the wildcard stands for at least one label").isFalse();
        assertThat(o.matches("https://foobar.com")).isFalse();
        assertThat(o.matches("https://www.bar.com.evil.org")).isFalse();
        assertThat(o.matches("http://www.bar.com")).isFalse();
        assertThat(o.matches("https://www.bar.com:8443")).isFalse();
    }

    @Test
    void aWildcardHostMatchesAnyHostOfThatSchemeAndPort() {
        final CorsOrigin o = CorsOrigin.parse("https://*");
        assertThat(o.matches("https://anything.example")).isTrue();
        assertThat(o.matches("https://[::1]")).isTrue();
        assertThat(o.matches("http://anything.example")).isFalse();
        final CorsOrigin port = CorsOrigin.parse("http://*:8080");
        assertThat(port.matches("http://[::1]:8080")).isTrue();
        assertThat(port.matches("http://x:8080")).isTrue();
        assertThat(port.matches("http://x")).isFalse();
    }

    /** "A wildcard by itself matches all hosts" and "only the * character indicates requests from all Origins". */
    @Test
    void theBareWildcardMatchesEveryOrigin() {
        final CorsOrigin any = CorsOrigin.parse("*");
        assertThat(any.isWildcard()).isTrue();
        assertThat(any.matches("https://foobar.com:12345")).isTrue();
        assertThat(any.matches("http://x")).isTrue();
        assertThat(any.matches("null")).isTrue();
        assertThat(any.matches("")).isFalse();
        assertThat(any).hasToString("*");
    }

    /** The CRD's CORSOrigin pattern: standalone mode has no API server to enforce it. */
    @Test
    void valuesOutsideTheCorsOriginPatternAreRejected() {
        for (String bad : new String[] {"", "www.foo.com", "ftp://a.com", "https://a.com/", "https://a.*.com",
                "https://*a.com", "HTTPS://a.com", "https://a.com:", "https://a.com:123456", "https://a.com:0", "https://a.com:70000",
                "https://", "*.foo.com", "https://a_b.com"}) {
            assertThatThrownBy(() -> CorsOrigin.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("allowOrigins entry");
        }
        assertThatThrownBy(() -> CorsOrigin.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(CorsOrigin.parse("https://WWW.Foo.com:8443").matches("https://www.foo.com:8443")).isTrue();
    }
}
