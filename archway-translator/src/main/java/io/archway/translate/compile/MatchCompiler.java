package io.archway.translate.compile;

import io.archway.snapshot.HeaderMatch;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.PathMatch;
import io.archway.snapshot.QueryParamMatch;
import io.archway.snapshot.StringMatchType;
import io.archway.snapshot.dispatch.RegularExpression;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPQueryParamMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Converts an HTTPRouteMatch into the snapshot's {@link HttpRequestMatch}, applying the spec defaults. */
final class MatchCompiler {
    /** The implicit match of a rule without matches: PathPrefix {@code /}. */
    static final HttpRequestMatch MATCH_ALL = new HttpRequestMatch(new PathMatch(PathMatch.Type.PATH_PREFIX, "/"),
            null, List.of(), List.of());

    private MatchCompiler() {
    }

    /** @throws UnsupportedValueException for a match type the spec does not define */
    static HttpRequestMatch compile(HTTPRouteMatch match) {
        return new HttpRequestMatch(path(match.getPath()),
                match.getMethod() == null ? null : match.getMethod().toUpperCase(Locale.ROOT),
                headers(match.getHeaders()), queryParams(match.getQueryParams()));
    }

    private static PathMatch path(HTTPPathMatch path) {
        if (path == null) {
            return MATCH_ALL.path();
        }
        final String value = path.getValue() == null ? "/" : path.getValue();
        final String type = path.getType() == null ? "PathPrefix" : path.getType();
        switch (type) {
            case "Exact":
                return new PathMatch(PathMatch.Type.EXACT, value);
            case "PathPrefix":
                return new PathMatch(PathMatch.Type.PATH_PREFIX, value);
            case "RegularExpression":
                checkRegex("path", value);
                return new PathMatch(PathMatch.Type.REGULAR_EXPRESSION, value);
            default:
                throw new UnsupportedValueException("path match type " + type + " is not supported");
        }
    }

    private static void required(String name, String value, String what) {
        if (name == null || value == null) {
            throw new UnsupportedValueException(what + " needs a name and a value");
        }
    }

    /**
     * A pattern outside Archway's dialect (RE2 syntax, {@link RegularExpression}) is an unsupported
     * value: the dialect is implementation-specific (HTTPHeaderMatch.type), and the data plane
     * compiles with the same class, so whatever passes here serves.
     */
    static void checkRegex(String what, String value) {
        final String error = RegularExpression.syntaxError(value);
        if (error != null) {
            throw new UnsupportedValueException(what + " regular expression " + value
                    + " is not valid RE2 syntax: " + error);
        }
    }

    private static List<HeaderMatch> headers(List<HTTPHeaderMatch> headers) {
        final List<HeaderMatch> out = new ArrayList<>();
        final java.util.Set<String> seen = new java.util.HashSet<>();
        if (headers != null) {
            for (HTTPHeaderMatch h : headers) {
                required(h.getName(), h.getValue(), "header match");
                // HTTPHeaderMatch.name: only the first entry with an equivalent (case-insensitive) name counts.
                if (seen.add(h.getName().toLowerCase(Locale.ROOT))) {
                    out.add(new HeaderMatch(h.getName(), type(h.getType(), "header", h.getValue()), h.getValue()));
                }
            }
        }
        return out;
    }

    /** GRPCRouteMatch.headers: as HTTPHeaderMatch, only the first entry of an equivalent name counts. */
    static List<HeaderMatch> grpcHeaders(List<GRPCHeaderMatch> headers) {
        final List<HeaderMatch> out = new ArrayList<>();
        final java.util.Set<String> seen = new java.util.HashSet<>();
        if (headers != null) {
            for (GRPCHeaderMatch h : headers) {
                required(h.getName(), h.getValue(), "header match");
                if (seen.add(h.getName().toLowerCase(Locale.ROOT))) {
                    out.add(new HeaderMatch(h.getName(), type(h.getType(), "header", h.getValue()), h.getValue()));
                }
            }
        }
        return out;
    }

    private static List<QueryParamMatch> queryParams(List<HTTPQueryParamMatch> params) {
        final List<QueryParamMatch> out = new ArrayList<>();
        final java.util.Set<String> seen = new java.util.HashSet<>();
        if (params != null) {
            for (HTTPQueryParamMatch q : params) {
                required(q.getName(), q.getValue(), "query parameter match");
                // HTTPQueryParamMatch.name: only the first entry with an equal (case-sensitive) name counts.
                if (seen.add(q.getName())) {
                    out.add(new QueryParamMatch(q.getName(), type(q.getType(), "query parameter", q.getValue()),
                            q.getValue()));
                }
            }
        }
        return out;
    }

    private static StringMatchType type(String type, String what, String value) {
        if (type == null || type.equals("Exact")) {
            return StringMatchType.EXACT;
        }
        if (type.equals("RegularExpression")) {
            checkRegex(what, value);
            return StringMatchType.REGULAR_EXPRESSION;
        }
        throw new UnsupportedValueException(what + " match type " + type + " is not supported");
    }
}
