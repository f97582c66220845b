package io.archway.translate.bind;

import io.archway.kinds.ResourceKind;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.TranslatorOptions;
import io.archway.translate.status.ConditionSpec;
import io.archway.translate.status.Diagnostics;
import io.archway.translate.status.Reasons;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParametersReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SupportedFeature;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Phase 1: decides which GatewayClasses are ours (spec.controllerName equals ours) and accepts
 * them. Classes of other controllers get no status, and their Gateways are ignored.
 */
public final class GatewayClassAcceptor {
    /**
     * The Gateway API features we claim, sorted as the spec requires and published in
     * {@code status.supportedFeatures} (the
     * conformance suite infers what to run from it, and so does our harness). Add a feature only
     * when its conformance tests pass.
     */
    public static final List<String> SUPPORTED_FEATURES = List.of(
            "BackendTLSPolicy",
            "BackendTLSPolicySANValidation",
            "GRPCRoute",
            "GRPCRouteNamedRouteRule",
            "Gateway",
            "GatewayAddressEmpty",
            "GatewayBackendClientCertificate",
            "GatewayFrontendClientCertificateValidation",
            "GatewayFrontendClientCertificateValidationInsecureFallback",
            "GatewayHTTPListenerIsolation",
            "GatewayHTTPSListenerDetectMisdirectedRequests",
            // provisioned data planes (serve --kubernetes --provisioner-config); the conformance
            // harness runs both tests in Kubernetes mode only
            "GatewayInfrastructurePropagation",
            "GatewayPort8080",
            "GatewayStaticAddresses",
            "HTTPRoute",
            "HTTPRoute303RedirectStatusCode",
            "HTTPRoute307RedirectStatusCode",
            "HTTPRoute308RedirectStatusCode",
            "HTTPRouteBackendProtocolH2C",
            "HTTPRouteBackendProtocolWebSocket",
            "HTTPRouteBackendRequestHeaderModification",
            "HTTPRouteBackendTimeout",
            "HTTPRouteCORS",
            "HTTPRouteDestinationPortMatching",
            "HTTPRouteHostRewrite",
            "HTTPRouteMethodMatching",
            "HTTPRouteNamedRouteRule",
            "HTTPRouteParentRefPort",
            "HTTPRoutePathRedirect",
            "HTTPRoutePathRewrite",
            "HTTPRoutePortRedirect",
            "HTTPRouteQueryParamMatching",
            "HTTPRouteRequestMirror",
            "HTTPRouteRequestMultipleMirrors",
            "HTTPRouteRequestPercentageMirror",
            "HTTPRouteRequestTimeout",
            "HTTPRouteResponseHeaderModification",
            "HTTPRouteRetry",
            "HTTPRouteRetryBackendTimeout",
            "HTTPRouteRetryConnectionError",
            "HTTPRouteSchemeRedirect",
            "ListenerSet",
            "ReferenceGrant",
            "TCPRoute",
            "TLSRoute",
            "TLSRouteModeMixed",
            "TLSRouteModeTerminate",
            "UDPRoute");

    /**
     * What we decided about the class a Gateway names.
     *
     * @param message why it is not accepted, or how it was adopted; null for an accepted class of ours
     */
    public record ClassDecision(boolean accepted, String message) {
    }

    private final TranslatorOptions options;
    private final Map<ResourceKey, GatewayClassStatus> statuses = new TreeMap<>();
    private final Map<String, ClassDecision> ours = new HashMap<>();
    private final Map<String, GatewayClass> byName = new HashMap<>();

    public GatewayClassAcceptor(TranslatorOptions options) {
        this.options = options;
    }

    public void accept(ResourceView view, Diagnostics diagnostics) {
        for (GatewayClass gatewayClass : view.gatewayClasses()) {
            final String name = gatewayClass.getMetadata().getName();
            byName.put(name, gatewayClass);
            if (gatewayClass.getSpec() == null
                    || !options.controllerName().equals(gatewayClass.getSpec().getControllerName())) {
                continue;
            }
            final ResourceKey key = Kinds.keyOf(ResourceKind.GATEWAY_CLASS, gatewayClass);
            final ConditionSpec accepted = acceptedCondition(gatewayClass, view, diagnostics, key);
            ours.put(name, new ClassDecision(accepted.status(), accepted.status() ? null : accepted.message()));
            final Long generation = gatewayClass.getMetadata().getGeneration();
            statuses.put(key, new GatewayClassStatusBuilder()
                    .withConditions(accepted.toCondition(generation))
                    .withSupportedFeatures(SUPPORTED_FEATURES.stream().map(SupportedFeature::new).toList())
                    .build());
        }
    }

    private static ConditionSpec acceptedCondition(GatewayClass gatewayClass, ResourceView view,
                                                   Diagnostics diagnostics, ResourceKey key) {
        final ParametersReference ref = gatewayClass.getSpec().getParametersRef();
        if (ref != null) {
            // We understand no parameters kind but a core ConfigMap, and read nothing from it.
            final boolean found = ResourceKind.CORE_GROUP.equals(Kinds.coreGroupIfUnset(ref.getGroup()))
                    && ResourceKind.CONFIG_MAP.kind().equals(ref.getKind())
                    && view.configMaps().stream().anyMatch(cm -> cm.getMetadata().getName().equals(ref.getName())
                            && java.util.Objects.equals(cm.getMetadata().getNamespace(), ref.getNamespace()));
            if (!found) {
                final String message = "parametersRef " + ref.getKind() + " " + ref.getName()
                        + " does not name an existing ConfigMap";
                diagnostics.error(key, "spec.parametersRef", message);
                return ConditionSpec.isFalse(Reasons.ACCEPTED, Reasons.INVALID_PARAMETERS, message);
            }
        }
        return ConditionSpec.isTrue(Reasons.ACCEPTED, Reasons.ACCEPTED, "GatewayClass is accepted");
    }

    /**
     * The decision for a Gateway's gatewayClassName: present when the class is ours, or when it
     * names no class at all and {@link TranslatorOptions#adoptUnknownGatewayClasses()} is on.
     */
    public Optional<ClassDecision> decisionFor(String gatewayClassName) {
        final ClassDecision decision = ours.get(gatewayClassName);
        if (decision != null) {
            return Optional.of(decision);
        }
        if (options.adoptUnknownGatewayClasses() && !byName.containsKey(gatewayClassName)) {
            return Optional.of(new ClassDecision(true, "GatewayClass " + gatewayClassName
                    + " does not exist; adopted by " + options.controllerName()));
        }
        return Optional.empty();
    }

    public Map<ResourceKey, GatewayClassStatus> statuses() {
        return statuses;
    }
}
