package io.archway.proxy.http;

import io.archway.snapshot.HeaderEdits;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.dispatch.CorsFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * The filters of a rule (or of a backendRef), sorted by what they act on. Built once per snapshot.
 *
 * @param redirect the first RequestRedirect, or null
 * @param requestEdits RequestHeaderModifier edits in list order
 * @param responseEdits ResponseHeaderModifier edits in list order
 * @param urlRewrite the last URLRewrite, or null
 * @param cors the CORS filter, or null (rules only: the translator refuses it on a backendRef)
 */
record FilterChain(HttpFilter.RequestRedirect redirect, List<HeaderEdits> requestEdits,
                   List<HeaderEdits> responseEdits, HttpFilter.UrlRewrite urlRewrite, CorsFilter cors) {
    static final FilterChain EMPTY = new FilterChain(null, List.of(), List.of(), null, null);

    static FilterChain of(List<HttpFilter> filters) {
        if (filters.isEmpty()) {
            return EMPTY;
        }
        HttpFilter.RequestRedirect redirect = null;
        HttpFilter.UrlRewrite rewrite = null;
        CorsFilter cors = null;
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
            } else if (f instanceof HttpFilter.Cors c) {
                cors = new CorsFilter(c);
            }
        }
        return new FilterChain(redirect, List.copyOf(request), List.copyOf(response), rewrite, cors);
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

    /** {@code edits} after {@code before} (a request's CORS response headers after the route's edits). */
    static List<HeaderEdits> then(List<HeaderEdits> before, HeaderEdits edits) {
        final List<HeaderEdits> out = new ArrayList<>(before.size() + 1);
        out.addAll(before);
        out.add(edits);
        return out;
    }

    boolean isEmpty() {
        return redirect == null && requestEdits.isEmpty() && responseEdits.isEmpty() && urlRewrite == null
                && cors == null;
    }
}
