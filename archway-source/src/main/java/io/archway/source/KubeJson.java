package io.archway.source;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The one fabric8 serialization set-up shared by the source, the server and the CLI, so that
 * objects serialise exactly as {@code kubectl get -o json|yaml} shows them.
 */
public final class KubeJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization(MAPPER, true);

    private KubeJson() {
    }

    /** The JSON mapper configured by fabric8 (do not reconfigure it). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static KubernetesSerialization serialization() {
        return SERIALIZATION;
    }

    /** A deep copy through JSON. */
    public static <T> T deepCopy(T object) {
        return SERIALIZATION.clone(object);
    }
}
