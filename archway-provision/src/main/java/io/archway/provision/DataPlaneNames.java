package io.archway.provision;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Names and labels of the objects provisioned for a Gateway. The Deployment, Service and
 * ServiceAccount take the Gateway's name when it is a valid DNS-1035 label (a Service name must
 * be one); a longer name, or one with dots, is shortened with a hash so that it stays unique.
 */
public final class DataPlaneNames {
    /** The spec's well-known label (apis/v1 well_known_labels.go), which GatewayInfrastructure lists by. */
    public static final String GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";
    /** The spec's well-known label of the GatewayClass. */
    public static final String GATEWAY_CLASS_NAME_LABEL = "gateway.networking.k8s.io/gateway-class-name";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "archway";
    public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    public static final String COMPONENT = "data-plane";
    /** NAMESPACE/NAME of the Gateway an object was provisioned for (also on cluster-scoped objects). */
    public static final String GATEWAY_ANNOTATION = io.archway.translate.bind.ServiceAddresses.GATEWAY_ANNOTATION;
    /** The hash of the desired object last written; an equal hash means nothing to update. */
    public static final String DESIRED_HASH_ANNOTATION = "archway.io/desired-hash";
    /** The prefix of each Gateway's ClusterRoleBinding. */
    public static final String CLUSTER_ROLE_BINDING_PREFIX = "archway-data-plane:";

    private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final int MAX_LABEL = 63;
    private static final int MAX_NAME = 253;

    private DataPlaneNames() {
    }

    /** The name of the Deployment, Service and ServiceAccount provisioned for a Gateway. */
    public static String objectName(String gatewayName) {
        if (DNS_1035_LABEL.matcher(gatewayName).matches()) {
            return gatewayName;
        }
        String cleaned = gatewayName.replace('.', '-');
        if (cleaned.isEmpty() || !Character.isLetter(cleaned.charAt(0))) {
            cleaned = "gw-" + cleaned;
        }
        return shorten(cleaned, gatewayName, MAX_LABEL);
    }

    /** The gateway-name label's value (a label value is at most 63 characters). */
    public static String labelValue(String gatewayName) {
        return gatewayName.length() <= MAX_LABEL ? gatewayName : shorten(gatewayName, gatewayName, MAX_LABEL);
    }

    /** The ClusterRoleBinding that lets a Gateway's data plane read the cluster. */
    public static String clusterRoleBindingName(String namespace, String gatewayName) {
        final String name = CLUSTER_ROLE_BINDING_PREFIX + namespace + ":" + gatewayName;
        return name.length() <= MAX_NAME ? name : shorten(name, name, MAX_NAME);
    }

    /** NAMESPACE/NAME, the value of {@link #GATEWAY_ANNOTATION}. */
    public static String gatewayRef(String namespace, String gatewayName) {
        return namespace + "/" + gatewayName;
    }

    /** {@code prefix} cut to leave room for "-" and 8 hex digits of the original's hash, which keeps it unique. */
    private static String shorten(String prefix, String original, int max) {
        String head = prefix.substring(0, Math.min(prefix.length(), max - 9));
        while (head.endsWith("-") || head.endsWith(".")) {
            head = head.substring(0, head.length() - 1);
        }
        return head + "-" + sha256(original).substring(0, 8);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
