package io.archway.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * What the upstream TLS request helpers ({@code conformance/utils/tls}, v1.6.1) need beyond an
 * extracted send: the client certificate a test passes (a Go variable read from a Secret with
 * GetTLSSecret), the {@code GetClientCertificateHook} that records whether the server asked for it,
 * the {@code net.JoinHostPort(gwAddr, "PORT")} addresses of the frontend client certificate
 * tests, and their {@code tls.MakeTLSRequestAndExpectFailureResponse} calls, which the extraction
 * leaves unlinked ("some ExpectedResponse literals are not linked to a sending call").
 */
final class TlsClientSends {
    static final String EXPECT_FAILURE = "tls.MakeTLSRequestAndExpectFailureResponse";
    static final String UNLINKED_NOTE = "some ExpectedResponse literals are not linked to a sending call";

    /** The Secret (gateway-conformance-infra) each test's client certificate variable is read from. */
    static final Map<String, String> CLIENT_CERT_PEM_SECRET = Map.of(
            "clientCertPem", "tls-validity-checks-client-certificate",
            "clientCertPerPortPem", "tls-validity-checks-per-port-client-certificate");

    /**
     * One {@code tls.MakeTLSRequestAndExpectFailureResponse(t, r, net.JoinHostPort(gwAddr, port),
     * serverCertPem, clientCertificate, key, serverName, expectedFailure)} call.
     *
     * @param line the call's line
     * @param expectationLine the line of the {@code expectedFailure} literal it sends
     * @param clientCertificate the Go variable of the client certificate, or null (nil)
     */
    record FailureSend(int line, int expectationLine, String port, String clientCertificate, String serverName) {
    }

    /** The calls, in the Go code of each test (v1.6.1). */
    static final Map<String, List<FailureSend>> FAILURE_SENDS = Map.of(
            "GatewayFrontendClientCertificateValidation", List.of(
                    new FailureSend(109, 105, "443", "clientCertPerPortPem", "example.org"),
                    new FailureSend(129, 125, "8443", "clientCertPem", "second-example.org")),
            "GatewayFrontendInvalidDefaultClientCertificateValidation", List.of(
                    new FailureSend(129, 124, "443", null, "example.org")));

    private TlsClientSends() {
    }

    /** The extracted expectation a failure send sends, or null. */
    static JsonNode expectation(JsonNode spec, FailureSend send) {
        for (JsonNode e : spec.path("http_expectations")) {
            if (e.path("line").asInt() == send.expectationLine() && e.path("sentVia").isEmpty()) {
                return e;
            }
        }
        return null;
    }

    /**
     * The sentVia of a failure send: the address of the test's other sends (the same Gateway
     * helper) on the send's port.
     */
    static ObjectNode via(JsonNode spec, FailureSend send) {
        JsonNode base = null;
        for (JsonNode e : spec.path("http_expectations")) {
            for (JsonNode v : e.path("sentVia")) {
                base = base == null ? v.path("gatewayAddr") : base;
            }
        }
        if (base == null) {
            throw new AssertionError("harness: " + spec.path("shortName").asText() + " has no send to take the address of");
        }
        ObjectNode via = Json.JSON.createObjectNode();
        via.put("call", EXPECT_FAILURE).put("line", send.line()).put("scheme", "https")
                .put("serverCertificate", "serverCertPem").put("serverName", send.serverName());
        if (send.clientCertificate() == null) {
            via.putNull("clientCertificate");
        } else {
            via.put("clientCertificate", send.clientCertificate());
        }
        ObjectNode addr = base.deepCopy();
        addr.put("expr", "net.JoinHostPort(gwAddr,\"" + send.port() + "\")");
        addr.putArray("constArgs").add(send.port());
        via.set("gatewayAddr", addr);
        return via;
    }

    /**
     * The note a test leaves when some expectations have no send, acknowledged when every one of
     * them is sent by a {@link FailureSend}.
     */
    static Set<String> acknowledged(JsonNode spec) {
        List<FailureSend> sends = FAILURE_SENDS.getOrDefault(spec.path("shortName").asText(), List.of());
        List<Integer> covered = new ArrayList<>();
        sends.forEach(s -> covered.add(s.expectationLine()));
        for (JsonNode e : spec.path("http_expectations")) {
            if (e.path("sentVia").isEmpty() && !covered.contains(e.path("line").asInt())) {
                return Set.of();
            }
        }
        return sends.isEmpty() ? Set.of() : Set.of("note:" + UNLINKED_NOTE);
    }

    /**
     * {@code net.JoinHostPort(gwAddr, "PORT")} of a Gateway helper's address (possibly through
     * {@code net.SplitHostPort}): the helper's gateway and listeners with {@code port}; any other
     * address as it is.
     */
    static JsonNode resolveJoinHostPort(JsonNode gatewayAddr) {
        if (!gatewayAddr.path("expr").asText("").startsWith("net.JoinHostPort(gwAddr,")
                || gatewayAddr.path("constArgs").size() != 1) {
            return gatewayAddr;
        }
        JsonNode helper = gatewayAddr;
        while (!helper.has("helper") && helper.path("base").size() == 1) {
            helper = helper.path("base").get(0);
        }
        if (!helper.has("gateway")) {
            return gatewayAddr;
        }
        ObjectNode resolved = helper.deepCopy();
        resolved.put("port", Integer.parseInt(gatewayAddr.path("constArgs").get(0).asText()));
        return resolved;
    }

    /**
     * A key manager that presents {@code certificate} whenever the server asks and records that
     * it asked, as the Go helpers' GetClientCertificateHook does.
     */
    static X509ExtendedKeyManager presenting(Certificates.Issued certificate, AtomicBoolean asked) {
        return new X509ExtendedKeyManager() {
            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                asked.set(true);
                return "client";
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                return chooseClientAlias(keyType, issuers, null);
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return new X509Certificate[] {certificate.certificate()};
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return certificate.key();
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[] {"client"};
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return new String[0];
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }
        };
    }
}
