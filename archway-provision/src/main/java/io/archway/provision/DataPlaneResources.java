package io.archway.provision;

import io.archway.kinds.ResourceKind;
import io.archway.provision.ListenerPorts.ListenerPort;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The objects provisioned for one Gateway, as a pure function of the Gateway, its ports and the
 * configuration: a Deployment and a Service named after it and owned by it (ownerReference with
 * controller=true, so the cluster deletes them with it), the ServiceAccount its pods run as, and
 * a ClusterRoleBinding of that account to the read-only data-plane ClusterRole (cluster-scoped, so
 * it cannot be owned by a namespaced Gateway: the provisioner deletes it).
 *
 * <p>GatewayInfrastructurePropagation: {@code spec.infrastructure.labels} and {@code annotations}
 * go on every object and on the pods; our own labels ({@link DataPlaneNames}) win over a
 * same-named infrastructure label. Each object carries {@link DataPlaneNames#DESIRED_HASH_ANNOTATION},
 * a hash of the rest of it, so an update is written only when something we decide changed.
 *
 * <p>Each pod runs {@code archway serve --kubernetes --gateway NAMESPACE/NAME}: it serves that
 * Gateway alone, reads the cluster and writes no status. Ports below 1024 are bound without root
 * through the safe sysctl {@code net.ipv4.ip_unprivileged_port_start=0}, so the Service's target
 * ports are the listener ports themselves.
 */
public final class DataPlaneResources {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static final String CONTAINER = "archway";

    private final ProvisionerConfig config;

    public DataPlaneResources(ProvisionerConfig config) {
        this.config = config;
    }

    /** Labels of every provisioned object and pod: the infrastructure labels, then ours. */
    static Map<String, String> labels(Gateway gateway) {
        final Map<String, String> labels = new TreeMap<>();
        if (gateway.getSpec().getInfrastructure() != null && gateway.getSpec().getInfrastructure().getLabels() != null) {
            labels.putAll(gateway.getSpec().getInfrastructure().getLabels());
        }
        labels.putAll(selector(gateway));
        labels.put(DataPlaneNames.MANAGED_BY_LABEL, DataPlaneNames.MANAGED_BY);
        labels.put(DataPlaneNames.GATEWAY_CLASS_NAME_LABEL, DataPlaneNames.labelValue(gateway.getSpec().getGatewayClassName()));
        return labels;
    }

    /** The pods of one Gateway's data plane (the Deployment's and the Service's selector; a PDB's too). */
    public static Map<String, String> selector(Gateway gateway) {
        final Map<String, String> selector = new TreeMap<>();
        selector.put(DataPlaneNames.GATEWAY_NAME_LABEL, DataPlaneNames.labelValue(gateway.getMetadata().getName()));
        selector.put(DataPlaneNames.COMPONENT_LABEL, DataPlaneNames.COMPONENT);
        return selector;
    }

    private static Map<String, String> infrastructureAnnotations(Gateway gateway) {
        final Map<String, String> annotations = new TreeMap<>();
        if (gateway.getSpec().getInfrastructure() != null && gateway.getSpec().getInfrastructure().getAnnotations() != null) {
            annotations.putAll(gateway.getSpec().getInfrastructure().getAnnotations());
        }
        return annotations;
    }

    private static Map<String, String> annotations(Gateway gateway) {
        final Map<String, String> annotations = infrastructureAnnotations(gateway);
        annotations.put(DataPlaneNames.GATEWAY_ANNOTATION,
                DataPlaneNames.gatewayRef(gateway.getMetadata().getNamespace(), gateway.getMetadata().getName()));
        return annotations;
    }

    static OwnerReference ownerReference(Gateway gateway) {
        return new OwnerReferenceBuilder().withApiVersion(ResourceKind.GATEWAY.apiVersion())
                .withKind(ResourceKind.GATEWAY.kind()).withName(gateway.getMetadata().getName())
                .withUid(gateway.getMetadata().getUid()).withController(true).build();
    }

    public Deployment deployment(Gateway gateway, List<ListenerPort> ports) {
        final String namespace = gateway.getMetadata().getNamespace();
        final String name = DataPlaneNames.objectName(gateway.getMetadata().getName());
        final List<ContainerPort> containerPorts = new ArrayList<>();
        for (ListenerPort port : ports) {
            containerPorts.add(new ContainerPortBuilder().withName(port.name()).withContainerPort(port.port())
                    .withProtocol(port.transport()).build());
        }
        containerPorts.add(new ContainerPortBuilder().withName("admin").withContainerPort(config.adminPort())
                .withProtocol("TCP").build());
        final List<String> args = new ArrayList<>(List.of("serve", "--kubernetes",
                "--gateway", DataPlaneNames.gatewayRef(namespace, gateway.getMetadata().getName()),
                "--controller-name", config.controllerName(), "--admin", "0.0.0.0:" + config.adminPort()));
        args.addAll(config.extraArgs());
        final Deployment deployment = new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels(gateway))
                .withAnnotations(annotations(gateway)).withOwnerReferences(ownerReference(gateway)).endMetadata()
                .withNewSpec()
                .withReplicas(config.replicas())
                .withNewSelector().withMatchLabels(selector(gateway)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels(gateway)).withAnnotations(infrastructureAnnotations(gateway)).endMetadata()
                .withNewSpec()
                .withServiceAccountName(name)
                .withNewSecurityContext().withRunAsNonRoot(true)
                .withSysctls(new Sysctl("net.ipv4.ip_unprivileged_port_start", "0"))
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .addNewContainer().withName(CONTAINER).withImage(config.image()).withImagePullPolicy(config.imagePullPolicy())
                .withArgs(args).withPorts(containerPorts).withResources(config.resources())
                .withNewReadinessProbe().withNewHttpGet().withPath("/readyz").withPort(new IntOrString("admin")).endHttpGet()
                .withPeriodSeconds(2).endReadinessProbe()
                .withNewLivenessProbe().withNewHttpGet().withPath("/healthz").withPort(new IntOrString("admin")).endHttpGet()
                .withPeriodSeconds(10).withFailureThreshold(3).endLivenessProbe()
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                // Netty unpacks its native transport into java.io.tmpdir: a writable /tmp beside a read-only root
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        // replicas belong to whoever scales the Deployment once it exists (the seeds' HPA): not hashed, never updated
        final Deployment hashed = new DeploymentBuilder(deployment).editSpec().withReplicas(null).endSpec().build();
        return withHash(deployment, hashed);
    }

    public Service service(Gateway gateway, List<ListenerPort> ports) {
        final List<ServicePort> servicePorts = new ArrayList<>();
        for (ListenerPort port : ports) {
            servicePorts.add(new ServicePortBuilder().withName(port.name()).withPort(port.port())
                    .withProtocol(port.transport()).withTargetPort(new IntOrString(port.port())).build());
        }
        final StaticAddresses addresses = StaticAddresses.of(gateway, config.serviceType());
        final Service service = new ServiceBuilder()
                .withNewMetadata().withName(DataPlaneNames.objectName(gateway.getMetadata().getName()))
                .withNamespace(gateway.getMetadata().getNamespace()).withLabels(labels(gateway))
                .withAnnotations(annotations(gateway)).withOwnerReferences(ownerReference(gateway)).endMetadata()
                .withNewSpec().withType(config.serviceType()).withSelector(selector(gateway)).withPorts(servicePorts)
                .withLoadBalancerIP(addresses.loadBalancerIp())
                .withExternalIPs(addresses.externalIps().isEmpty() ? null : addresses.externalIps())
                .endSpec()
                .build();
        return withHash(service, service);
    }

    public ServiceAccount serviceAccount(Gateway gateway) {
        final ServiceAccount account = new ServiceAccountBuilder()
                .withNewMetadata().withName(DataPlaneNames.objectName(gateway.getMetadata().getName()))
                .withNamespace(gateway.getMetadata().getNamespace()).withLabels(labels(gateway))
                .withAnnotations(annotations(gateway)).withOwnerReferences(ownerReference(gateway)).endMetadata()
                .build();
        return withHash(account, account);
    }

    public ClusterRoleBinding clusterRoleBinding(Gateway gateway) {
        final String namespace = gateway.getMetadata().getNamespace();
        final ClusterRoleBinding binding = new ClusterRoleBindingBuilder()
                .withNewMetadata().withName(DataPlaneNames.clusterRoleBindingName(namespace, gateway.getMetadata().getName()))
                .withLabels(labels(gateway)).withAnnotations(annotations(gateway)).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName(config.dataPlaneClusterRole()).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withNamespace(namespace)
                .withName(DataPlaneNames.objectName(gateway.getMetadata().getName())).endSubject()
                .build();
        return withHash(binding, binding);
    }

    /** {@code object} with the hash of {@code hashed}'s JSON (built from sorted maps, so stable) in its annotations. */
    private static <T extends HasMetadata> T withHash(T object, HasMetadata hashed) {
        final String hash = DataPlaneNames.sha256(JSON.asJson(hashed)).substring(0, 16);
        final Map<String, String> annotations = new TreeMap<>(object.getMetadata().getAnnotations());
        annotations.put(DataPlaneNames.DESIRED_HASH_ANNOTATION, hash);
        object.getMetadata().setAnnotations(annotations);
        return object;
    }
}
