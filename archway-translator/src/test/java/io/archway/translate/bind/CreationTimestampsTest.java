package io.archway.translate.bind;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CreationTimestampsTest {
    private static HTTPRoute created(String timestamp) {
        return new HTTPRouteBuilder().withMetadata(new ObjectMetaBuilder().withName("r")
                .withCreationTimestamp(timestamp).build()).build();
    }

    /** The last timestamp is remembered: each answer is still that of its own object, in any order. */
    @Test
    void eachObjectGetsItsOwnInstantWhateverWasParsedBefore() {
        String[] order = {"2026-12-05T03:00:00Z", "2026-12-05T03:00:00Z", "2026-12-05T03:00:01Z", "not a time",
            "2026-12-05T03:00:01Z", "not a time", "2026-12-05T03:00:00Z", "", null, "2026-12-05T03:00:00.5+01:00"};
        for (String ts : order) {
            Instant expected = ts == null || ts.isEmpty() || ts.equals("not a time") ? null : Instant.parse(
                    ts.equals("2026-12-05T03:00:00.5+01:00") ? "2026-12-05T02:00:00.5Z" : ts);
            assertThat(CreationTimestamps.of(created(ts))).as(ts).isEqualTo(expected);
        }
    }
}
