package io.archway.proxy.http;

import io.archway.snapshot.Header;
import io.archway.snapshot.HeaderEdits;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Applies HTTPHeaderFilter edits (RequestHeaderModifier and ResponseHeaderModifier) to Netty
 * headers. Netty header names compare case-insensitively, which is what the spec asks for
 * (HTTPHeaderName is case-insensitive).
 */
public final class HeaderFilterApplier {
    private HeaderFilterApplier() {
    }

    /** Applies each edit in order. */
    public static void apply(List<HeaderEdits> edits, HttpHeaders headers) {
        for (int i = 0; i < edits.size(); i++) {
            apply(edits.get(i), headers);
        }
    }

    /**
     * Applies one filter: remove, then set, then add. Removing first means a filter that both
     * removes and sets a name ends with the set value (as Envoy does); "add" appends to an
     * existing value with a comma (HTTPHeaderFilter.add: "my-header: foo" + add bar ->
     * "my-header: foo,bar").
     */
    public static void apply(HeaderEdits edits, HttpHeaders headers) {
        final List<String> remove = edits.remove();
        for (int i = 0; i < remove.size(); i++) {
            headers.remove(remove.get(i));
        }
        final List<Header> set = edits.set();
        for (int i = 0; i < set.size(); i++) {
            if (safe(set.get(i))) {
                headers.set(set.get(i).name(), set.get(i).value());
            }
        }
        final List<Header> add = edits.add();
        for (int i = 0; i < add.size(); i++) {
            final Header h = add.get(i);
            if (!safe(h)) {
                continue;
            }
            final List<String> existing = headers.getAll(h.name());
            if (existing.isEmpty()) {
                headers.add(h.name(), h.value());
            } else {
                headers.set(h.name(), String.join(",", existing) + "," + h.value());
            }
        }
    }

    /** A configured field that is not well formed is skipped ({@link Header#wellFormed}). */
    static boolean safe(Header h) {
        return h.wellFormed();
    }
}
