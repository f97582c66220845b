package io.archway.translate.compile;

import io.archway.snapshot.Header;
import io.archway.snapshot.HeaderEdits;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.PathModifier;
import io.archway.snapshot.dispatch.CorsFilter;
import io.archway.snapshot.dispatch.RegularExpression;
import io.archway.translate.status.Reasons;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Fraction;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPCORSFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathModifier;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestMirrorFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestRedirectFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPURLRewriteFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts HTTPRouteFilters into snapshot filters. Core and the extended filters we serve
 * (RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, URLRewrite, RequestMirror,
 * CORS) map one to one; any other type is an {@link UnsupportedValueException} (HTTPRouteFilter.type:
 * "Unknown values here must result in ... Accepted ... False, with a Reason of UnsupportedValue").
 * A RequestMirror's backendRef is resolved by the caller's {@link MirrorResolver}; one that does
 * not resolve is dropped (HTTPRequestMirrorFilter.backendRef: "must be dropped from the Gateway").
 */
final class FilterCompiler {
    /**
     * Resolves a RequestMirror's backendRef (reporting an invalid one); null drops the mirror.
     * The fraction is already checked.
     */
    interface MirrorResolver {
        HttpFilter.RequestMirror resolve(BackendObjectReference ref, int numerator, int denominator);
    }

    /** Fraction.denominator default ({@code +kubebuilder:default=100}). */
    static final int DEFAULT_FRACTION_DENOMINATOR = 100;
    /** RequestRedirect.statusCode default (HTTPRequestRedirectFilter: {@code +kubebuilder:default=302}). */
    static final int DEFAULT_REDIRECT_STATUS = 302;

    private FilterCompiler() {
    }

    static List<HttpFilter> compile(List<HTTPRouteFilter> filters, MirrorResolver mirrors) {
        final List<HttpFilter> out = new ArrayList<>();
        if (filters == null) {
            return out;
        }
        final java.util.Set<String> types = new java.util.HashSet<>();
        for (HTTPRouteFilter f : filters) {
            // HTTPRouteRule.filters: "Specifying the same filter multiple times is not supported
            // unless explicitly indicated in the filter"; RequestMirror "can be used multiple times".
            if (!types.add(String.valueOf(f.getType())) && !"RequestMirror".equals(f.getType())) {
                throw new UnsupportedValueException(Reasons.INCOMPATIBLE_FILTERS,
                        "filter " + f.getType() + " is specified more than once");
            }
            if ("RequestMirror".equals(f.getType())) {
                final HttpFilter.RequestMirror mirror = mirror(required(f.getRequestMirror(), "RequestMirror"), mirrors);
                if (mirror != null) {
                    out.add(mirror);
                }
                continue;
            }
            out.add(compile(f));
        }
        // "... except for the URLRewrite and RequestRedirect filters, which may not be combined."
        if (types.contains("URLRewrite") && types.contains("RequestRedirect")) {
            throw new UnsupportedValueException(Reasons.INCOMPATIBLE_FILTERS,
                    "URLRewrite and RequestRedirect may not be combined");
        }
        return out;
    }

    /**
     * GRPCRouteFilters: the core RequestHeaderModifier and ResponseHeaderModifier (the same header
     * filter as HTTPRoute's); RequestMirror and ExtensionRef are not served (UnsupportedValue).
     */
    static List<HttpFilter> compileGrpc(List<GRPCRouteFilter> filters) {
        final List<HttpFilter> out = new ArrayList<>();
        if (filters == null) {
            return out;
        }
        final java.util.Set<String> types = new java.util.HashSet<>();
        for (GRPCRouteFilter f : filters) {
            final String type = String.valueOf(f.getType());
            // GRPCRouteRule.filters: "Specifying the same filter multiple times is not supported".
            if (!types.add(type)) {
                throw new UnsupportedValueException(Reasons.INCOMPATIBLE_FILTERS,
                        "filter " + type + " is specified more than once");
            }
            switch (type) {
                case "RequestHeaderModifier":
                    out.add(new HttpFilter.RequestHeaderModifier(edits(required(f.getRequestHeaderModifier(), type))));
                    break;
                case "ResponseHeaderModifier":
                    out.add(new HttpFilter.ResponseHeaderModifier(edits(required(f.getResponseHeaderModifier(), type))));
                    break;
                default:
                    throw new UnsupportedValueException("filter type " + type + " is not supported on GRPCRoute");
            }
        }
        return out;
    }

    private static HttpFilter compile(HTTPRouteFilter f) {
        final String type = String.valueOf(f.getType());
        switch (type) {
            case "RequestHeaderModifier":
                return new HttpFilter.RequestHeaderModifier(edits(required(f.getRequestHeaderModifier(), type)));
            case "ResponseHeaderModifier":
                return new HttpFilter.ResponseHeaderModifier(edits(required(f.getResponseHeaderModifier(), type)));
            case "RequestRedirect":
                return redirect(required(f.getRequestRedirect(), type));
            case "URLRewrite":
                final HTTPURLRewriteFilter rewrite = required(f.getUrlRewrite(), type);
                return new HttpFilter.UrlRewrite(rewrite.getHostname(), path(rewrite.getPath()));
            case "CORS":
                return cors(required(f.getCors(), type));
            default:
                throw new UnsupportedValueException("filter type " + type + " is not supported");
        }
    }

    private static HttpFilter.RequestMirror mirror(HTTPRequestMirrorFilter m, MirrorResolver mirrors) {
        if (m.getBackendRef() == null) {
            throw new UnsupportedValueException("filter RequestMirror lacks its backendRef");
        }
        final int numerator;
        final int denominator;
        if (m.getPercent() != null && m.getFraction() != null) {
            throw new UnsupportedValueException("Only one of percent or fraction may be specified in HTTPRequestMirrorFilter");
        } else if (m.getPercent() != null) {
            numerator = m.getPercent();
            denominator = 100;
        } else if (m.getFraction() != null) {
            final Fraction f = m.getFraction();
            numerator = f.getNumerator() == null ? -1 : f.getNumerator();
            denominator = f.getDenominator() == null ? DEFAULT_FRACTION_DENOMINATOR : f.getDenominator();
        } else {
            numerator = 1; // neither: "100% of requests will be mirrored"
            denominator = 1;
        }
        // percent: Minimum 0, Maximum 100; Fraction: numerator >= 0, denominator >= 1, and
        // "numerator must be less than or equal to denominator".
        if (numerator < 0 || denominator < 1 || numerator > denominator) {
            throw new UnsupportedValueException("RequestMirror: the mirrored share " + numerator + "/" + denominator
                    + " is not within 0 and 1");
        }
        return mirrors.resolve(m.getBackendRef(), numerator, denominator);
    }

    private static <T> T required(T config, String type) {
        if (config == null) {
            throw new UnsupportedValueException("filter " + type + " lacks its configuration");
        }
        return config;
    }

    private static HttpFilter redirect(HTTPRequestRedirectFilter r) {
        return new HttpFilter.RequestRedirect(r.getScheme(), r.getHostname(), path(r.getPath()), r.getPort(),
                r.getStatusCode() == null ? DEFAULT_REDIRECT_STATUS : r.getStatusCode());
    }

    /** HTTPMethodWithWildcard's enum in the CRD. */
    private static final List<String> CORS_METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
            "OPTIONS", "TRACE", "PATCH", "*");
    /** HTTPHeaderName's pattern in the CRD (an RFC 9110 token). */
    private static final RegularExpression HEADER_NAME = RegularExpression.compile("[A-Za-z0-9!#$%&'*+\\-.^_`|~]+");

    /**
     * HTTPCORSFilter, checked as the CRD would (standalone mode has no API server to do it): every
     * allowOrigins entry a CORSOrigin, methods from the enum, header names tokens, a wildcard only
     * alone in its list, maxAge at least 1 (default 5).
     */
    private static HttpFilter cors(HTTPCORSFilter c) {
        final List<String> origins = list(c.getAllowOrigins());
        final List<String> methods = list(c.getAllowMethods());
        final List<String> allowHeaders = list(c.getAllowHeaders());
        final List<String> exposeHeaders = list(c.getExposeHeaders());
        wildcardAlone("allowOrigins", origins);
        wildcardAlone("allowMethods", methods);
        wildcardAlone("allowHeaders", allowHeaders);
        for (String m : methods) {
            if (!CORS_METHODS.contains(m)) {
                throw new UnsupportedValueException("CORS allowMethods entry " + m + " is not one of " + CORS_METHODS);
            }
        }
        for (String h : concat(allowHeaders, exposeHeaders)) {
            if (h == null || !HEADER_NAME.matchesWhole(h)) {
                throw new UnsupportedValueException("CORS header name " + h + " is not a valid HTTP header name");
            }
        }
        final int maxAge = c.getMaxAge() == null ? CorsFilter.DEFAULT_MAX_AGE : c.getMaxAge();
        if (maxAge < 1) {
            throw new UnsupportedValueException("CORS maxAge " + maxAge + " must be at least 1");
        }
        final HttpFilter.Cors cors = new HttpFilter.Cors(origins, methods, allowHeaders, exposeHeaders,
                Boolean.TRUE.equals(c.getAllowCredentials()), maxAge);
        try {
            new CorsFilter(cors); // parses every allowOrigins entry
        } catch (IllegalArgumentException e) {
            throw new UnsupportedValueException("CORS " + e.getMessage());
        }
        return cors;
    }

    private static List<String> list(List<String> values) {
        return values == null ? List.of() : values;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        final List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** "AllowOrigins cannot contain '*' alongside other origins" (and the same for methods and headers). */
    private static void wildcardAlone(String field, List<String> values) {
        if (values.contains("*") && values.size() > 1) {
            throw new UnsupportedValueException("CORS " + field + " cannot contain '*' alongside other values");
        }
    }

    private static PathModifier path(HTTPPathModifier p) {
        if (p == null) {
            return null;
        }
        if ("ReplaceFullPath".equals(p.getType()) && p.getReplaceFullPath() != null) {
            return new PathModifier(PathModifier.Type.REPLACE_FULL_PATH, p.getReplaceFullPath());
        }
        if ("ReplacePrefixMatch".equals(p.getType()) && p.getReplacePrefixMatch() != null) {
            return new PathModifier(PathModifier.Type.REPLACE_PREFIX_MATCH, p.getReplacePrefixMatch());
        }
        throw new UnsupportedValueException("path modifier type " + p.getType() + " is not supported");
    }

    private static HeaderEdits edits(HTTPHeaderFilter h) {
        return new HeaderEdits(headers(h.getSet()), headers(h.getAdd()),
                h.getRemove() == null ? List.of() : h.getRemove());
    }

    private static List<Header> headers(List<HTTPHeader> headers) {
        final List<Header> out = new ArrayList<>();
        if (headers != null) {
            for (HTTPHeader h : headers) {
                if (h.getName() == null || h.getValue() == null) {
                    throw new UnsupportedValueException("header filter entries need a name and a value");
                }
                out.add(new Header(h.getName(), h.getValue()));
            }
        }
        return out;
    }
}
