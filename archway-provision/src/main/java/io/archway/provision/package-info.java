/**
 * Kubernetes mode, the data plane's side of the cluster: for each Gateway of our GatewayClass the
 * controller provisions a Deployment and a Service named after the Gateway (the seeds' Istio
 * walkthrough; GEP-1762 in-cluster deployments), owned by the Gateway, plus the ServiceAccount its
 * pods run as and the ClusterRoleBinding that lets them read (and only read) what the translator
 * reads.
 *
 * <p>Starting points: {@link io.archway.provision.GatewayProvisioner} (reconciles one Gateway or
 * all: creates, updates when the desired objects change, garbage-collects when the Gateway is
 * deleted or leaves our class), {@link io.archway.provision.DataPlaneResources} (the desired
 * objects, a pure function of the Gateway, its ListenerSets' ports and the
 * {@link io.archway.provision.ProvisionerConfig}), {@link io.archway.provision.ListenerPorts}
 * (Service ports from listeners), {@link io.archway.provision.StaticAddresses} (spec.addresses on
 * the Service), {@link io.archway.translate.bind.ServiceAddresses} (a Gateway's status.addresses from
 * its Service, for the status writer) and {@link io.archway.provision.ClusterPermissions} (the
 * RBAC rules the code needs; the Helm chart's test compares its ClusterRoles with them).
 *
 * <p>Updates compare a hash of the desired object, kept in an annotation, with the one last
 * written: equal objects are never written again (no churn, whatever the API server defaults),
 * and fields other controllers own (a Deployment's replicas under an HPA, a Service's clusterIP and
 * nodePorts) are kept. This module never sees Netty; the translator stays pure.
 */
package io.archway.provision;
