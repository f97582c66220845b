package io.archway.translate.explain;

import io.archway.kinds.ResourceKind;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.ResourceKey;
import io.archway.translate.ResourceView;
import io.archway.translate.Translation;
import io.archway.translate.Translator;
import io.archway.translate.TranslatorOptions;
import io.archway.translate.bind.BackendResolver;
import io.archway.translate.bind.BackendTlsPolicies;
import io.archway.translate.bind.BoundGateway;
import io.archway.translate.bind.GatewayClassAcceptor;
import io.archway.translate.bind.Kinds;
import io.archway.translate.bind.ListenerParent;
import io.archway.translate.bind.ListenerValidator;
import io.archway.translate.bind.ReferenceGrantIndex;
import io.archway.translate.status.Diagnostics;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The translation of a view plus the intermediate results explain needs (bound Gateways, the
 * backend resolver), computed with the translator's own phase classes: explain never re-implements
 * a binding rule.
 */
final class BoundModel {
    final ResourceView view;
    final TranslatorOptions options;
    final Translation translation;
    final Map<ResourceKey, BoundGateway> gateways = new TreeMap<>();
    /** Our Gateways and the ListenerSets attached to them, by key: what a route's parentRef can name. */
    final Map<ResourceKey, ListenerParent> parents = new TreeMap<>();
    final BackendResolver backends;

    BoundModel(ResourceView view, TranslatorOptions options) {
        this.view = view;
        this.options = options;
        this.translation = new Translator(options).translate(view, 1);
        final Diagnostics scratch = new Diagnostics(view);
        final ReferenceGrantIndex grants = new ReferenceGrantIndex(view.referenceGrants());
        final GatewayClassAcceptor classes = new GatewayClassAcceptor(options);
        classes.accept(view, scratch);
        final Map<ResourceKey, Gateway> ours = new TreeMap<>();
        final Map<ResourceKey, GatewayClassAcceptor.ClassDecision> decisions = new TreeMap<>();
        for (Gateway g : view.gateways()) {
            final String className = g.getSpec() == null ? null : g.getSpec().getGatewayClassName();
            final Optional<GatewayClassAcceptor.ClassDecision> d = classes.decisionFor(className);
            if (d.isPresent()) {
                final ResourceKey key = Kinds.keyOf(ResourceKind.GATEWAY, g);
                ours.put(key, g);
                decisions.put(key, d.get());
            }
        }
        final List<ResourceKey> keys = List.copyOf(ours.keySet());
        final ListenerValidator validator = new ListenerValidator(view, grants, scratch, null,
                options.addressing() instanceof GatewayAddressing.ProvisionedServices);
        ours.forEach((key, g) -> gateways.put(key, validator.validate(g, decisions.get(key),
                options.addressing().addressFor(keys, key))));
        gateways.values().forEach(g -> {
            parents.put(g.key(), g);
            g.listenerSets().forEach(set -> parents.put(set.key(), set));
        });
        this.backends = new BackendResolver(view, grants, new BackendTlsPolicies(view, scratch));
    }
}
