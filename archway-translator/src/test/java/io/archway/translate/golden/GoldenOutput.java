package io.archway.translate.golden;

import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.HeaderEdits;
import io.archway.snapshot.HeaderMatch;
import io.archway.snapshot.HttpFilter;
import io.archway.snapshot.HttpRequestMatch;
import io.archway.snapshot.HttpRouteEntry;
import io.archway.snapshot.ListenerEntry;
import io.archway.snapshot.PathModifier;
import io.archway.snapshot.HttpPort;
import io.archway.snapshot.PortBinding;
import io.archway.snapshot.QueryParamMatch;
import io.archway.snapshot.VirtualHost;
import io.archway.snapshot.WeightedBackend;
import io.archway.translate.Diagnostic;
import io.archway.translate.ResourceKey;
import io.archway.translate.Translation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders a translation as the golden {@code .out.yaml}: {@code status} of every resource in key
 * order, {@code snapshot} with a fixed field order, and {@code diagnostics}. Key material is never
 * printed, only where a certificate came from.
 */
final class GoldenOutput {
    private static final com.fasterxml.jackson.databind.ObjectMapper YAML =
            new com.fasterxml.jackson.databind.ObjectMapper(com.fasterxml.jackson.dataformat.yaml.YAMLFactory.builder()
                    .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.SPLIT_LINES)
                    .build());

    private GoldenOutput() {
    }

    static String render(Translation t) {
        final Map<String, Object> root = new LinkedHashMap<>();
        final List<Object> status = new ArrayList<>();
        final Map<ResourceKey, Object> all = new TreeMap<>(java.util.Comparator
                .comparingInt((ResourceKey k) -> List.of("GatewayClass", "Gateway", "ListenerSet", "HTTPRoute", "TLSRoute", "TCPRoute", "UDPRoute", "BackendTLSPolicy").indexOf(k.kind()))
                .thenComparing(k -> k));
        all.putAll(t.status().gatewayClasses());
        all.putAll(t.status().gateways());
        all.putAll(t.status().listenerSets());
        t.status().routes().forEach((key, parents) -> all.put(key, Map.of("parents", parents)));
        all.putAll(t.status().policies());
        all.forEach((key, value) -> {
            final Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("kind", key.kind());
            if (!key.namespace().isEmpty()) {
                entry.put("namespace", key.namespace());
            }
            entry.put("name", key.name());
            entry.put("status", withClaimedFeaturesNamed(GoldenInput.SERIALIZATION.convertValue(value, Map.class)));
            status.add(entry);
        });
        root.put("status", status);
        final Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("version", t.snapshot().version());
        snapshot.put("ports", t.snapshot().ports().stream().map(GoldenOutput::port).toList());
        root.put("snapshot", snapshot);
        root.put("diagnostics", t.diagnostics().stream().map(Diagnostic::toString).toList());
        try {
            return YAML.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A GatewayClass's {@code supportedFeatures} equal to the claimed set is printed by name, so
     * that claiming a feature changes one list ({@code GatewayClassAcceptor.SUPPORTED_FEATURES},
     * proven by {@code GatewayClassFeaturesTest}) and not every golden file; any other list is
     * printed in full.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withClaimedFeaturesNamed(Map<String, Object> status) {
        final Object features = status.get("supportedFeatures");
        final List<Map<String, Object>> claimed = io.archway.translate.bind.GatewayClassAcceptor.SUPPORTED_FEATURES
                .stream().map(name -> Map.<String, Object>of("name", name)).toList();
        if (features instanceof List<?> list && list.equals(claimed)) {
            final Map<String, Object> named = new LinkedHashMap<>(status);
            named.put("supportedFeatures", "GatewayClassAcceptor.SUPPORTED_FEATURES");
            return named;
        }
        return status;
    }

    private static Map<String, Object> port(PortBinding p) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", p.address());
        m.put("port", p.port());
        if (p.kind() instanceof HttpPort http) {
            m.put("protocol", http.protocol().name());
            m.put("listeners", http.listeners().stream().map(GoldenOutput::listener).toList());
            if (http.clientValidation() != null) {
                final Map<String, Object> v = new LinkedHashMap<>();
                v.put("mode", http.clientValidation().mode().name());
                v.put("caCertificates", http.clientValidation().sources());
                m.put("clientValidation", v);
            }
        } else if (p.kind() instanceof io.archway.snapshot.TlsPort tls) {
            m.put("protocol", "TLS");
            m.put("listeners", tls.listeners().stream().map(GoldenOutput::tlsListener).toList());
        } else if (p.kind() instanceof io.archway.snapshot.TcpPort tcp) {
            m.put("protocol", "TCP");
            m.put("listener", tcp.listener().toString());
            m.put("route", l4Route(tcp.route()));
        } else if (p.kind() instanceof io.archway.snapshot.UdpPort udp) {
            m.put("protocol", "UDP");
            m.put("listener", udp.listener().toString());
            m.put("route", l4Route(udp.route()));
        }
        return m;
    }

    private static Map<String, Object> tlsListener(io.archway.snapshot.TlsPort.TlsListener l) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("origin", l.origin().toString());
        m.put("hostname", l.hostname());
        m.put("mode", l.mode().name());
        if (l.mode() == io.archway.snapshot.TlsPort.Mode.TERMINATE) {
            m.put("certificates", l.certificates().stream().map(c -> c.source()).toList());
        }
        m.put("routes", l.routes().stream().map(r -> {
            final Map<String, Object> sni = new LinkedHashMap<>();
            sni.put("hostname", r.hostname());
            sni.putAll(l4Route(r.route()));
            return sni;
        }).toList());
        return m;
    }

    private static Map<String, Object> l4Route(io.archway.snapshot.L4Route r) {
        if (r == null) {
            return null;
        }
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("origin", r.origin().toString());
        m.put("backends", r.backends().stream().map(GoldenOutput::backend).toList());
        return m;
    }

    private static Map<String, Object> listener(ListenerEntry l) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("origin", l.origin().toString());
        m.put("hostname", l.hostname());
        if (!l.certificates().isEmpty()) {
            m.put("certificates", l.certificates().stream().map(CertificateBundle::source).toList());
        }
        m.put("virtualHosts", l.virtualHosts().stream().map(GoldenOutput::virtualHost).toList());
        return m;
    }

    private static Map<String, Object> virtualHost(VirtualHost v) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("hostname", v.hostname());
        m.put("routes", v.routes().stream().map(GoldenOutput::route).toList());
        return m;
    }

    private static Map<String, Object> route(HttpRouteEntry e) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("origin", e.origin().toString());
        m.put("match", match(e.match()));
        if (!e.filters().isEmpty()) {
            m.put("filters", e.filters().stream().map(GoldenOutput::filter).toList());
        }
        m.put("backends", e.backends().stream().map(GoldenOutput::backend).toList());
        if (!e.timeouts().equals(io.archway.snapshot.RouteTimeouts.NONE)) {
            final Map<String, Object> t = new LinkedHashMap<>();
            t.put("request", e.timeouts().request() == null ? null : e.timeouts().request().toString());
            t.put("backendRequest", e.timeouts().backendRequest() == null ? null
                    : e.timeouts().backendRequest().toString());
            m.put("timeouts", t);
        }
        if (e.retry() != null) {
            final Map<String, Object> r = new LinkedHashMap<>();
            r.put("codes", e.retry().codes());
            r.put("attempts", e.retry().attempts());
            r.put("backoff", e.retry().backoff().toString());
            m.put("retry", r);
        }
        return m;
    }

    private static Map<String, Object> match(HttpRequestMatch match) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", match.path().type() + " " + match.path().value());
        if (match.method() != null) {
            m.put("method", match.method());
        }
        if (!match.headers().isEmpty()) {
            m.put("headers", match.headers().stream().map(GoldenOutput::header).toList());
        }
        if (!match.queryParams().isEmpty()) {
            m.put("queryParams", match.queryParams().stream().map(GoldenOutput::query).toList());
        }
        return m;
    }

    private static String header(HeaderMatch h) {
        return h.name() + " " + h.type() + " " + h.value();
    }

    private static String query(QueryParamMatch q) {
        return q.name() + " " + q.type() + " " + q.value();
    }

    private static Map<String, Object> backend(WeightedBackend b) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("origin", b.origin().toString());
        m.put("weight", b.weight());
        m.put("protocol", b.protocol().name());
        m.put("endpoints", b.endpoints().stream().map(Object::toString).toList());
        if (b.invalidReason() != null) {
            m.put("invalidReason", b.invalidReason());
        }
        if (!b.filters().isEmpty()) {
            m.put("filters", b.filters().stream().map(GoldenOutput::filter).toList());
        }
        if (b.tls() != null) {
            final Map<String, Object> tls = new LinkedHashMap<>();
            tls.put("policy", b.tls().policy());
            tls.put("hostname", b.tls().hostname());
            if (b.tls().caCertificatesPem() != null) {
                // the subjects, not the PEM: what a reader checks
                tls.put("caCertificates", caSubjects(b.tls().caCertificatesPem()));
            }
            if (b.tls().systemTrust()) {
                tls.put("systemTrust", true);
            }
            if (!b.tls().subjectAltNames().isEmpty()) {
                tls.put("subjectAltNames", b.tls().subjectAltNames().stream().map(x -> x.type() + " " + x.value()).toList());
            }
            if (b.tls().clientCertificate() != null) {
                tls.put("clientCertificate", b.tls().clientCertificate().source());
            }
            if (b.tls().refusal() != null) {
                tls.put("refusal", b.tls().refusal());
            }
            m.put("tls", tls);
        }
        return m;
    }

    private static List<String> caSubjects(String pem) {
        try {
            return java.util.Arrays.stream(io.archway.snapshot.certificate.PemKeyMaterial.certificates(pem))
                    .map(c -> c.getSubjectX500Principal().getName()).toList();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> filter(HttpFilter f) {
        final Map<String, Object> m = new LinkedHashMap<>();
        if (f instanceof HttpFilter.RequestHeaderModifier r) {
            m.put("requestHeaderModifier", edits(r.edits()));
        } else if (f instanceof HttpFilter.ResponseHeaderModifier r) {
            m.put("responseHeaderModifier", edits(r.edits()));
        } else if (f instanceof HttpFilter.RequestRedirect r) {
            final Map<String, Object> c = new LinkedHashMap<>();
            c.put("scheme", r.scheme());
            c.put("hostname", r.hostname());
            c.put("path", path(r.path()));
            c.put("port", r.port());
            c.put("statusCode", r.statusCode());
            m.put("requestRedirect", c);
        } else if (f instanceof HttpFilter.UrlRewrite r) {
            final Map<String, Object> c = new LinkedHashMap<>();
            c.put("hostname", r.hostname());
            c.put("path", path(r.path()));
            m.put("urlRewrite", c);
        } else if (f instanceof HttpFilter.RequestMirror r) {
            final Map<String, Object> c = new LinkedHashMap<>();
            c.put("fraction", r.numerator() + "/" + r.denominator());
            c.put("backend", backend(r.backend()));
            m.put("requestMirror", c);
        }
        return m;
    }

    private static String path(PathModifier p) {
        return p == null ? null : p.type() + " " + p.value();
    }

    private static Map<String, Object> edits(HeaderEdits e) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("set", e.set().stream().map(h -> h.name() + ": " + h.value()).toList());
        m.put("add", e.add().stream().map(h -> h.name() + ": " + h.value()).toList());
        m.put("remove", e.remove());
        return m;
    }
}
