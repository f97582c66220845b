package io.archway.translate.bind;

import io.archway.kinds.ResourceKind;
import io.archway.snapshot.CertificateBundle;
import io.archway.snapshot.FrontendValidation;
import io.archway.snapshot.ListenerOrigin;
import io.archway.snapshot.ListenerProtocol;
import io.archway.snapshot.TlsPort;
import io.archway.translate.status.ConditionSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import java.util.List;

/**
 * A Gateway listener after validation.
 *
 * @param protocol null when the protocol is not supported
 * @param tlsMode for a TLS listener: Passthrough or Terminate; null for other protocols
 * @param hostname the listener hostname, lower-cased, or null for any
 * @param accepted whether routes may attach (Accepted=True)
 * @param programmed whether it is served as specified (Programmed=True)
 * @param served whether it goes into the snapshot: when programmed, and also when only its
 *     certificate Secrets' data is invalid (then without certificates: the data plane keeps
 *     presenting the listener's last good ones)
 * @param allowedNamespaces where attaching routes may live
 * @param supportedKinds the valid route kinds
 * @param certificates for HTTPS and TLS Terminate: the certificates to present
 * @param clientValidation for HTTPS: the client certificates the handshake asks for (its
 *     Gateway's spec.tls.frontend for its port); null when none
 * @param conditions Accepted, Programmed, ResolvedRefs, Conflicted, in that order
 */
public record BoundListener(ListenerOrigin origin, int port, ListenerProtocol protocol, TlsPort.Mode tlsMode,
                            String hostname,
                            boolean accepted, boolean programmed, boolean served, AllowedNamespaces allowedNamespaces,
                            List<RouteGroupKind> supportedKinds, List<CertificateBundle> certificates,
                            FrontendValidation clientValidation, List<ConditionSpec> conditions) {
    public BoundListener {
        supportedKinds = List.copyOf(supportedKinds);
        certificates = List.copyOf(certificates);
        conditions = List.copyOf(conditions);
    }

    public String name() {
        return origin.listenerName();
    }

    public boolean allowsKind(String group, String kind) {
        return supportedKinds.stream().anyMatch(k -> kind.equals(k.getKind())
                && group.equals(Kinds.orDefault(k.getGroup(), ResourceKind.GATEWAY_GROUP)));
    }
}
