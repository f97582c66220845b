package io.archway.translate.bind;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ReferenceGrant: the grant lives in the namespace of the referenced object; {@code from} names
 * the referrer's group, kind and namespace; {@code to} names the target's group and kind, and
 * optionally its name ("When unspecified, this policy refers to all resources of the specified
 * Group and Kind in the local namespace").
 */
class ReferenceGrantIndexTest {
    private static final String GW = io.archway.kinds.ResourceKind.GATEWAY_GROUP;

    private static ReferenceGrant grant(String namespace, String fromGroup, String fromKind, String fromNamespace,
                                        String toGroup, String toKind, String toName) {
        return new ReferenceGrantBuilder().withNewMetadata().withName("g").withNamespace(namespace).endMetadata()
                .withNewSpec()
                .addNewFrom().withGroup(fromGroup).withKind(fromKind).withNamespace(fromNamespace).endFrom()
                .addNewTo().withGroup(toGroup).withKind(toKind).withName(toName).endTo()
                .endSpec().build();
    }

    private static boolean routeToService(ReferenceGrantIndex index, String serviceName) {
        return index.permits(GW, "HTTPRoute", "routes", "", "Service", "backends", serviceName);
    }

    @Test
    void sameNamespaceReferencesNeedNoGrant() {
        assertThat(new ReferenceGrantIndex(List.of()).permits(GW, "HTTPRoute", "a", "", "Service", "a", "s")).isTrue();
    }

    @Test
    void crossNamespaceReferencesNeedAGrant() {
        assertThat(routeToService(new ReferenceGrantIndex(List.of()), "s")).isFalse();
    }

    @Test
    void aGrantWithoutToNameCoversEveryObjectOfTheKind() {
        final ReferenceGrantIndex index = new ReferenceGrantIndex(List.of(
                grant("backends", GW, "HTTPRoute", "routes", "", "Service", null)));
        assertThat(routeToService(index, "s")).isTrue();
        assertThat(routeToService(index, "t")).isTrue();
    }

    @Test
    void anEmptyToNameCoversEveryObjectOfTheKind() {
        final ReferenceGrantIndex index = new ReferenceGrantIndex(List.of(
                grant("backends", GW, "HTTPRoute", "routes", "", "Service", "")));
        assertThat(routeToService(index, "t")).isTrue();
    }

    @Test
    void aGrantWithToNameCoversThatObjectOnly() {
        final ReferenceGrantIndex index = new ReferenceGrantIndex(List.of(
                grant("backends", GW, "HTTPRoute", "routes", "", "Service", "s")));
        assertThat(routeToService(index, "s")).isTrue();
        assertThat(routeToService(index, "t")).isFalse();
    }

    @Test
    void theGrantMustLiveInTheTargetNamespace() {
        final ReferenceGrantIndex index = new ReferenceGrantIndex(List.of(
                grant("routes", GW, "HTTPRoute", "routes", "", "Service", null)));
        assertThat(routeToService(index, "s")).isFalse();
    }

    @Test
    void fromMustNameTheReferrersGroupKindAndNamespace() {
        assertThat(routeToService(new ReferenceGrantIndex(List.of(
                grant("backends", "other.io", "HTTPRoute", "routes", "", "Service", null))), "s")).isFalse();
        assertThat(routeToService(new ReferenceGrantIndex(List.of(
                grant("backends", GW, "Gateway", "routes", "", "Service", null))), "s")).isFalse();
        assertThat(routeToService(new ReferenceGrantIndex(List.of(
                grant("backends", GW, "HTTPRoute", "elsewhere", "", "Service", null))), "s")).isFalse();
    }

    /** ReferenceGrantTo.group: "When empty, the Kubernetes core API group is inferred"; unset is the same. */
    @Test
    void toMustNameTheTargetsGroupAndKindWithUnsetGroupMeaningCore() {
        assertThat(routeToService(new ReferenceGrantIndex(List.of(
                grant("backends", GW, "HTTPRoute", "routes", null, "Service", null))), "s")).isTrue();
        assertThat(routeToService(new ReferenceGrantIndex(List.of(
                grant("backends", GW, "HTTPRoute", "routes", "apps", "Service", null))), "s")).isFalse();
        assertThat(routeToService(new ReferenceGrantIndex(List.of(
                grant("backends", GW, "HTTPRoute", "routes", "", "Secret", null))), "s")).isFalse();
    }

    @Test
    void anyOfSeveralGrantsOrEntriesSuffices() {
        final ReferenceGrant two = new ReferenceGrantBuilder().withNewMetadata().withName("two")
                .withNamespace("backends").endMetadata().withNewSpec()
                .addNewFrom().withGroup(GW).withKind("Gateway").withNamespace("routes").endFrom()
                .addNewFrom().withGroup(GW).withKind("HTTPRoute").withNamespace("routes").endFrom()
                .addNewTo().withGroup("").withKind("Secret").endTo()
                .addNewTo().withGroup("").withKind("Service").withName("s").endTo()
                .endSpec().build();
        final ReferenceGrant empty = new ReferenceGrantBuilder().withNewMetadata().withName("empty")
                .withNamespace("backends").endMetadata().build();
        final ReferenceGrant noFrom = new ReferenceGrantBuilder().withNewMetadata().withName("no-from")
                .withNamespace("backends").endMetadata().withNewSpec().addNewTo().withGroup("").withKind("Service")
                .endTo().endSpec().build();
        final ReferenceGrantIndex index = new ReferenceGrantIndex(List.of(empty, noFrom, two));
        assertThat(routeToService(index, "s")).isTrue();
        assertThat(routeToService(index, "t")).isFalse();
    }

    /** A grant whose from or to list is an explicit null grants nothing (and never throws). */
    @Test
    void nullFromOrToGrantsNothing() {
        final ReferenceGrant nullFrom = grant("backends", GW, "HTTPRoute", "routes", "", "Service", null);
        nullFrom.getSpec().setFrom(null);
        final ReferenceGrant nullTo = grant("backends", GW, "HTTPRoute", "routes", "", "Service", null);
        nullTo.getSpec().setTo(null);
        assertThat(routeToService(new ReferenceGrantIndex(List.of(nullFrom, nullTo)), "s")).isFalse();
    }
}
