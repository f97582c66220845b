package io.archway.snapshot.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimpleRequestTest {
    @Test
    void pathEndsAtTheFirstQuestionMarkAndTheRestIsTheQuery() {
        final SimpleRequest r = SimpleRequest.of("get", "/a?b=1?c&d=2", "h", Map.of());
        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.path()).isEqualTo("/a");
        assertThat(r.queryParam("b")).isEqualTo("1?c");
        assertThat(r.queryParam("d")).isEqualTo("2");
        final SimpleRequest noPath = SimpleRequest.of("GET", "?v=2", "h", Map.of());
        assertThat(noPath.path()).isEmpty();
        assertThat(noPath.queryParam("v")).isEqualTo("2");
        final SimpleRequest noQuery = SimpleRequest.of("GET", "/a", "h", Map.of());
        assertThat(noQuery.path()).isEqualTo("/a");
        assertThat(noQuery.queryParam("v")).isNull();
    }

    @Test
    void hostIsNormalizedAndHeaderNamesCompareCaseInsensitively() {
        final SimpleRequest r = new SimpleRequest("GET", "/", "Foo.Example.com.:443",
                Map.of("X-A", List.of("1", "2")));
        assertThat(r.host()).isEqualTo("foo.example.com");
        assertThat(r.headerValues("x-a")).containsExactly("1", "2");
        assertThat(r.headerValues("x-b")).isEmpty();
        assertThatThrownBy(() -> r.headers().put("x", List.of())).isInstanceOf(UnsupportedOperationException.class);
    }
}
