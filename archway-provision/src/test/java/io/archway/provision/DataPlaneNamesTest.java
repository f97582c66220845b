package io.archway.provision;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DataPlaneNamesTest {
    @Test
    void aGatewayNameThatIsAServiceNameIsKept() {
        assertThat(DataPlaneNames.objectName("gateway")).isEqualTo("gateway");
        assertThat(DataPlaneNames.labelValue("gateway")).isEqualTo("gateway");
    }

    @Test
    void otherNamesBecomeValidUniqueServiceNames() {
        final String dotted = DataPlaneNames.objectName("edge.example");
        assertThat(dotted).matches("edge-example-[0-9a-f]{8}").isNotEqualTo(DataPlaneNames.objectName("edge-example"));
        assertThat(DataPlaneNames.objectName("1st")).matches("gw-1st-[0-9a-f]{8}");
        final String longName = "g".repeat(200);
        assertThat(DataPlaneNames.objectName(longName)).hasSizeLessThanOrEqualTo(63)
                .isNotEqualTo(DataPlaneNames.objectName("g".repeat(199)));
        assertThat(DataPlaneNames.labelValue(longName)).hasSizeLessThanOrEqualTo(63).doesNotEndWith("-");
        assertThat(DataPlaneNames.clusterRoleBindingName("ns", longName + longName)).hasSizeLessThanOrEqualTo(253);
    }
}
