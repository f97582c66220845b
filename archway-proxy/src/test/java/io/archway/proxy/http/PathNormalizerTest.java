package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathNormalizerTest {
    @ParameterizedTest
    @CsvSource({
        // RFC 3986 section 5.2.4 and its examples
        "/a/b/c/./../../g, /a/g",
        "/public/../admin, /admin",
        "/public/./x, /public/x",
        "/.., /",
        "/../../x, /x",
        "/a/.., /",
        "/a/., /a/",
        "/a/b/.., /a/",
        "/., /",
        // not dot segments
        "/a/.b, /a/.b",
        "/a/..b/c, /a/..b/c",
        "/a.., /a..",
        "/, /",
        "/a//b, /a//b",
    })
    void removesDotSegments(String in, String expected) {
        assertThat(PathNormalizer.normalize(in)).isEqualTo(expected);
    }

    @Test
    void returnsTheSameInstanceWhenNothingToDo() {
        final String path = "/plain/path";
        assertThat(PathNormalizer.normalize(path)).isSameAs(path);
    }
}
