package io.archway.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Gateway Listener.hostname and HTTPRouteSpec.hostnames matching, shared by translator and data plane. */
class HostnamesTest {
    @Test
    void normalizeLowerCasesAndDropsPortAndTrailingDot() {
        assertThat(Hostnames.normalizeHost("Foo.Example.COM:8080")).isEqualTo("foo.example.com");
        assertThat(Hostnames.normalizeHost("foo.example.com.")).isEqualTo("foo.example.com");
        assertThat(Hostnames.normalizeHost("foo.example.com.:80")).isEqualTo("foo.example.com");
        assertThat(Hostnames.normalizeHost(":80")).isEmpty();
        assertThat(Hostnames.normalizeHost(null)).isEmpty();
    }

    @Test
    void normalizeKeepsABracketedIpv6LiteralWhole() {
        assertThat(Hostnames.normalizeHost("[FE80::1]:8080")).isEqualTo("[fe80::1]");
        assertThat(Hostnames.normalizeHost("[::1]")).isEqualTo("[::1]");
        assertThat(Hostnames.normalizeHost("[::1")).as("unterminated: kept as sent").isEqualTo("[::1");
    }

    /**
     * Listener.hostname: "*.example.com" matches "bar.example.com" and "foo.bar.example.com" (the
     * wildcard spans labels) but not "example.com"; names compare case-insensitively.
     */
    @Test
    void wildcardMatchesOneOrMoreLabelsButNotTheBareSuffix() {
        assertThat(Hostnames.matches("*.example.com", "bar.example.com")).isTrue();
        assertThat(Hostnames.matches("*.example.com", "foo.bar.example.com")).isTrue();
        assertThat(Hostnames.matches("*.Example.com", "bar.example.COM")).isTrue();
        assertThat(Hostnames.matches("*.example.com", "example.com")).isFalse();
        assertThat(Hostnames.matches("*.example.com", ".example.com")).as("an empty label is no label").isFalse();
        assertThat(Hostnames.matches("*.example.com", "barexample.com")).isFalse();
    }

    @Test
    void exactMatchesCaseInsensitivelyAndNullOrStarMatchesAnyHost() {
        assertThat(Hostnames.matches("Foo.example.com", "foo.example.com")).isTrue();
        assertThat(Hostnames.matches("foo.example.com", "bar.example.com")).isFalse();
        assertThat(Hostnames.matches(null, "anything")).isTrue();
        assertThat(Hostnames.matches("*", "anything")).isTrue();
    }

    /** Any exact hostname beats any wildcard, a longer wildcard beats a shorter one, "any" comes last. */
    @Test
    void specificityOrdersExactThenLongerWildcardThenAny() {
        final String longestWildcard = "*." + "a.".repeat(125) + "com"; // 255 characters
        assertThat(Hostnames.specificity("a.b")).isGreaterThan(Hostnames.specificity(longestWildcard));
        assertThat(Hostnames.specificity("*.foo.example.com")).isGreaterThan(Hostnames.specificity("*.example.com"));
        assertThat(Hostnames.specificity("*.example.com")).isGreaterThan(Hostnames.specificity("*"));
        assertThat(Hostnames.specificity("*")).isZero();
        assertThat(Hostnames.specificity(null)).isZero();
    }
}
