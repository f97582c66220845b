package io.archway.provision;

import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How the controller provisions each Gateway's data plane (the Helm chart's {@code dataPlane}
 * values).
 *
 * @param controllerName the GatewayClass controllerName that marks a class as ours
 * @param image the data-plane container image
 * @param imagePullPolicy {@code IfNotPresent}, {@code Always} or {@code Never}
 * @param replicas the Deployment's replicas when it is created (later left to whoever scales it,
 *     e.g. the seeds' HorizontalPodAutoscaler)
 * @param resources the container's requests and limits (an HPA on CPU needs requests)
 * @param serviceType {@code LoadBalancer} (the default, as Istio), {@code NodePort} or {@code ClusterIP}
 * @param dataPlaneClusterRole the ClusterRole (read-only, created by the chart) each Gateway's
 *     ServiceAccount is bound to
 * @param adminPort the admin endpoint's port in the pod (probes and metrics)
 * @param extraArgs appended to the data plane's {@code archway serve} arguments (e.g. the watched namespaces)
 * @param watchedNamespaces the namespaces whose Gateways are provisioned; empty for all
 */
public record ProvisionerConfig(String controllerName, String image, String imagePullPolicy, int replicas,
                                ResourceRequirements resources, String serviceType, String dataPlaneClusterRole,
                                int adminPort, List<String> extraArgs, List<String> watchedNamespaces) {
    public static final String DEFAULT_SERVICE_TYPE = "LoadBalancer";
    public static final int DEFAULT_ADMIN_PORT = 9901;

    public ProvisionerConfig {
        Objects.requireNonNull(controllerName, "controllerName is required");
        Objects.requireNonNull(image, "image is required");
        serviceType = serviceType == null ? DEFAULT_SERVICE_TYPE : serviceType;
        Objects.requireNonNull(dataPlaneClusterRole, "dataPlaneClusterRole is required");
        if (!List.of("LoadBalancer", "NodePort", "ClusterIP").contains(serviceType)) {
            throw new IllegalArgumentException("serviceType must be LoadBalancer, NodePort or ClusterIP: " + serviceType);
        }
        replicas = replicas > 0 ? replicas : 1;
        adminPort = adminPort > 0 ? adminPort : DEFAULT_ADMIN_PORT;
        imagePullPolicy = imagePullPolicy == null ? "IfNotPresent" : imagePullPolicy;
        resources = resources == null ? new ResourceRequirements() : resources;
        extraArgs = List.copyOf(extraArgs == null ? List.of() : extraArgs);
        watchedNamespaces = List.copyOf(watchedNamespaces == null ? List.of() : watchedNamespaces);
    }

    /**
     * Reads the configuration the Helm chart renders (a ConfigMap mounted in the controller's pod,
     * given to {@code archway serve --kubernetes --provisioner-config FILE}): YAML or JSON with
     * the record's field names; controllerName, image and
     * dataPlaneClusterRole are required, the other fields take {@link #defaults}' values when unset.
     */
    public static ProvisionerConfig read(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    /** {@link #read(Path)} of a string. */
    public static ProvisionerConfig parse(String yaml) {
        return new KubernetesSerialization().unmarshal(yaml, ProvisionerConfig.class);
    }

    /** The defaults, for an image and the controller name; every Gateway namespace watched. */
    public static ProvisionerConfig defaults(String controllerName, String image) {
        return new ProvisionerConfig(controllerName, image, null, 1, null, DEFAULT_SERVICE_TYPE,
                "archway-data-plane", DEFAULT_ADMIN_PORT, List.of(), List.of());
    }

    public ProvisionerConfig withServiceType(String type) {
        return new ProvisionerConfig(controllerName, image, imagePullPolicy, replicas, resources, type,
                dataPlaneClusterRole, adminPort, extraArgs, watchedNamespaces);
    }
}
