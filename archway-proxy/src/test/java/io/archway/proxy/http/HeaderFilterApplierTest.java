package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.snapshot.Header;
import io.archway.snapshot.HeaderEdits;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderFilterApplierTest {
    @Test
    void setReplacesAddAppendsRemoveDeletesCaseInsensitively() {
        final HttpHeaders h = new DefaultHttpHeaders()
                .add("X-Set", "old").add("x-set", "older")
                .add("X-Add", "a")
                .add("X-Remove", "r").add("x-REMOVE", "r2")
                .add("Keep", "k");
        HeaderFilterApplier.apply(new HeaderEdits(
                List.of(new Header("x-SET", "new"), new Header("X-New", "n")),
                List.of(new Header("x-add", "b"), new Header("X-Fresh", "f")),
                List.of("x-remove")), h);
        assertThat(h.getAll("x-set")).containsExactly("new");
        assertThat(h.getAll("x-new")).containsExactly("n");
        assertThat(h.getAll("x-add")).containsExactly("a,b");
        assertThat(h.getAll("x-fresh")).containsExactly("f");
        assertThat(h.contains("x-remove")).isFalse();
        assertThat(h.get("keep")).isEqualTo("k");
    }

    @Test
    void skipsEditsThatWouldInjectHeaders() {
        final HttpHeaders h = new DefaultHttpHeaders();
        HeaderFilterApplier.apply(new HeaderEdits(
                List.of(new Header("X-A", "ok\r\nX-Injected: 1"), new Header("X-B", "fine")),
                List.of(new Header("X-C\n", "v")), List.of()), h);
        assertThat(h.contains("x-a")).isFalse();
        assertThat(h.contains("x-c\n")).isFalse();
        assertThat(h.get("x-b")).isEqualTo("fine");
    }

    @Test
    void editsApplyInOrder() {
        final HttpHeaders h = new DefaultHttpHeaders();
        HeaderFilterApplier.apply(List.of(
                new HeaderEdits(List.of(new Header("A", "1")), List.of(), List.of()),
                new HeaderEdits(List.of(), List.of(new Header("A", "2")), List.of())), h);
        assertThat(h.get("a")).isEqualTo("1,2");
    }
}
