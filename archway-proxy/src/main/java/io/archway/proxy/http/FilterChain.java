package io.archway.proxy.http;

import io.archway.snapshot.HeaderEdits;
import io.archway.snapshot.HttpFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * The filters of a rule (or of a backendRef), sorted by what they act on. Built once per snapshot.
 *
 * @param redirect the first RequestRedirect, or null
 * @param requestEdits RequestHeaderModifier edits in list order
 * @param responseEdits ResponseHeaderModifier edits in list order
 * @param urlRewrite the last URLRewrite, or null
 */
record FilterChain(HttpFilter.RequestRedirect redirect, List<HeaderEdits> requestEdits,
                   List<HeaderEdits> responseEdits, HttpFilter.UrlRewrite urlRewrite) {
    static final FilterChain EMPTY = new FilterChain(null, List.of(), List.of(), null);

    static FilterChain of(List<HttpFilter> filters) {
        if (filters.isEmpty()) {
            return EMPTY;
        }
        HttpFilter.RequestRedirect redirect = null;
        HttpFilter.UrlRewrite rewrite = null;
        final List<HeaderEdits> request = new ArrayList<>();
        final List<HeaderEdits> response = new ArrayList<>();
        for (HttpFilter f : filters) {
            if (f instanceof HttpFilter.RequestRedirect r) {
                if (redirect == null) {
                    redirect = r;
                }
            } else if (f instanceof HttpFilter.RequestHeaderModifier m) {
                request.add(m.edits());
            } else if (f instanceof HttpFilter.ResponseHeaderModifier m) {
                response.add(m.edits());
            } else if (f instanceof HttpFilter.UrlRewrite u) {
                rewrite = u;
            }
        }
        return new FilterChain(redirect, List.copyOf(request), List.copyOf(response), rewrite);
    }

    /** This chain's ResponseHeaderModifier edits followed by {@code next}'s (rule, then backendRef). */
    List<HeaderEdits> responseEditsThen(FilterChain next) {
        if (next.responseEdits.isEmpty()) {
            return responseEdits;
        }
        if (responseEdits.isEmpty()) {
            return next.responseEdits;
        }
        final List<HeaderEdits> out = new ArrayList<>(responseEdits.size() + next.responseEdits.size());
        out.addAll(responseEdits);
        out.addAll(next.responseEdits);
        return out;
    }

    boolean isEmpty() {
        return redirect == null && requestEdits.isEmpty() && responseEdits.isEmpty() && urlRewrite == null;
    }
}
