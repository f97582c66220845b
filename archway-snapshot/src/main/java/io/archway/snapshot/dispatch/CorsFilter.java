package io.archway.snapshot.dispatch;

import io.archway.snapshot.Header;
import io.archway.snapshot.HeaderEdits;
import io.archway.snapshot.HttpFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * The decisions of one HTTPCORSFilter, shared by the proxy and {@code archway explain}: whether a
 * request is a CORS preflight the gateway answers itself, the headers of that answer, and the
 * headers added to the response of an actual cross-origin request.
 *
 * <p>Choices where the spec leaves one ("may either contain the wildcard {@code *} or echo"): the
 * gateway always echoes the request's Origin, Access-Control-Request-Method and
 * Access-Control-Request-Headers for a wildcard, which is right with and without credentials. A
 * preflight from an origin that is not allowed is answered 204 without CORS headers (the
 * spec's first option; the browser then refuses the actual request). {@code exposeHeaders: [*]}
 * with {@code allowCredentials: true} sends no Access-Control-Expose-Headers, since "the gateway
 * cannot use the {@code *}" then and the names of a response's headers are not known in advance.
 */
public final class CorsFilter {
    /** The status of the gateway's answer to a preflight ("always an OK status (i.e., 204 or 200)"). */
    public static final int PREFLIGHT_STATUS = 204;
    /** HTTPCORSFilter.maxAge's default. */
    public static final int DEFAULT_MAX_AGE = 5;
    public static final String ALLOW_ORIGIN = "access-control-allow-origin";
    public static final String ALLOW_CREDENTIALS = "access-control-allow-credentials";
    public static final String ALLOW_METHODS = "access-control-allow-methods";
    public static final String ALLOW_HEADERS = "access-control-allow-headers";
    public static final String EXPOSE_HEADERS = "access-control-expose-headers";
    public static final String MAX_AGE = "access-control-max-age";
    public static final String REQUEST_METHOD = "access-control-request-method";
    public static final String REQUEST_HEADERS = "access-control-request-headers";
    public static final String ORIGIN = "origin";
    private static final String WILDCARD = "*";
    /** The response depends on the request's Origin: shared caches must key on it (Fetch, "CORS protocol and HTTP caches"). */
    private static final Header VARY_ORIGIN = new Header("vary", "Origin");
    private static final HeaderEdits VARY_ONLY = new HeaderEdits(List.of(), List.of(VARY_ORIGIN), List.of());

    private final HttpFilter.Cors config;
    private final CorsOrigin[] origins;
    /** Access-Control-Allow-Methods as configured, null when unset or {@code *} (echoed). */
    private final String allowMethods;
    private final boolean anyMethod;
    private final String allowHeaders;
    private final boolean anyHeader;
    /** Access-Control-Expose-Headers, null when none is sent. */
    private final String exposeHeaders;
    private final String maxAge;

    /** @throws IllegalArgumentException when an allowOrigins entry is not a CORSOrigin */
    public CorsFilter(HttpFilter.Cors config) {
        this.config = config;
        this.origins = new CorsOrigin[config.allowOrigins().size()];
        for (int i = 0; i < origins.length; i++) {
            origins[i] = CorsOrigin.parse(config.allowOrigins().get(i));
        }
        this.anyMethod = config.allowMethods().contains(WILDCARD);
        this.allowMethods = anyMethod || config.allowMethods().isEmpty() ? null
                : String.join(", ", config.allowMethods());
        this.anyHeader = config.allowHeaders().contains(WILDCARD);
        this.allowHeaders = anyHeader || config.allowHeaders().isEmpty() ? null
                : String.join(", ", config.allowHeaders());
        final boolean anyExposed = config.exposeHeaders().contains(WILDCARD);
        this.exposeHeaders = config.exposeHeaders().isEmpty() || anyExposed && config.allowCredentials() ? null
                : String.join(", ", config.exposeHeaders());
        this.maxAge = Integer.toString(config.maxAge());
    }

    public HttpFilter.Cors config() {
        return config;
    }

    /**
     * Whether a request is a CORS-preflight request (Fetch standard): an OPTIONS request with an
     * Origin and an Access-Control-Request-Method header. Any other request is an actual one.
     */
    public static boolean isPreflight(String method, String origin, String requestMethod) {
        return "OPTIONS".equals(method) && origin != null && requestMethod != null;
    }

    /** {@link #isPreflight(String, String, String)} of a request's method and first header values. */
    public static boolean isPreflight(RequestFacts request) {
        return isPreflight(request.method(), origin(request), first(request, REQUEST_METHOD));
    }

    /** The request's Origin (its first value), or null. */
    public static String origin(RequestFacts request) {
        return first(request, ORIGIN);
    }

    /** {@link #preflightHeaders(String, String, String)} of a request (Access-Control-Request-Headers lines joined). */
    public List<Header> preflightHeaders(RequestFacts request) {
        final List<String> names = request.headerValues(REQUEST_HEADERS);
        return preflightHeaders(origin(request), first(request, REQUEST_METHOD),
                names.isEmpty() ? null : String.join(", ", names));
    }

    private static String first(RequestFacts request, String header) {
        final List<String> values = request.headerValues(header);
        return values.isEmpty() ? null : values.get(0);
    }

    /** Whether a request's Origin is one of allowOrigins. */
    public boolean allows(String origin) {
        for (CorsOrigin o : origins) {
            if (o.matches(origin)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The headers of the gateway's {@link #PREFLIGHT_STATUS} answer to a preflight; empty when the
     * origin is not allowed.
     *
     * @param requestHeaders the Access-Control-Request-Headers value, or null
     */
    public List<Header> preflightHeaders(String origin, String requestMethod, String requestHeaders) {
        if (!allows(origin)) {
            return List.of();
        }
        final List<Header> out = new ArrayList<>(6);
        allowOriginAndCredentials(origin, out);
        // allowMethods "*": echo the requested method (with allowCredentials true it "must return a
        // single HTTP method matching the value of the Access-Control-Request-Method request header").
        final String methods = anyMethod ? requestMethod : allowMethods;
        if (methods != null) {
            out.add(new Header(ALLOW_METHODS, methods));
        }
        // allowHeaders "*": echo the requested names; "If the Access-Control-Request-Headers header
        // is not present in the request, the gateway must omit the Access-Control-Allow-Headers".
        final String headers = anyHeader ? blankToNull(requestHeaders) : allowHeaders;
        if (headers != null) {
            out.add(new Header(ALLOW_HEADERS, headers));
        }
        if (exposeHeaders != null) {
            out.add(new Header(EXPOSE_HEADERS, exposeHeaders));
        }
        out.add(new Header(MAX_AGE, maxAge));
        return out;
    }

    /**
     * The edits to the response of an actual (not preflight) request: from an allowed origin,
     * Access-Control-Allow-Origin, -Allow-Credentials and -Expose-Headers are set; every response
     * gets {@code Vary: Origin}, since whether those headers are there depends on the Origin.
     *
     * @param origin the request's Origin, or null
     */
    public HeaderEdits responseEdits(String origin) {
        if (origin == null || !allows(origin)) {
            return VARY_ONLY;
        }
        final List<Header> set = new ArrayList<>(3);
        allowOriginAndCredentials(origin, set);
        if (exposeHeaders != null) {
            set.add(new Header(EXPOSE_HEADERS, exposeHeaders));
        }
        return new HeaderEdits(set, List.of(VARY_ORIGIN), List.of());
    }

    private void allowOriginAndCredentials(String origin, List<Header> out) {
        // "the gateway sets the response header Access-Control-Allow-Origin to the same value as the
        // Origin header provided by the client" (and never "*" when credentials are allowed).
        out.add(new Header(ALLOW_ORIGIN, origin));
        if (config.allowCredentials()) {
            out.add(new Header(ALLOW_CREDENTIALS, "true"));
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** The filter in words, for explain. */
    @Override
    public String toString() {
        return "CORS allowOrigins " + config.allowOrigins()
                + (config.allowMethods().isEmpty() ? "" : " allowMethods " + config.allowMethods())
                + (config.allowHeaders().isEmpty() ? "" : " allowHeaders " + config.allowHeaders())
                + (config.exposeHeaders().isEmpty() ? "" : " exposeHeaders " + config.exposeHeaders())
                + (config.allowCredentials() ? " allowCredentials" : "") + " maxAge " + config.maxAge();
    }
}
