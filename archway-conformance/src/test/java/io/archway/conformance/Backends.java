package io.archway.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Stands in for the kubelet and the EndpointSlice controller: turns the Deployments of the base
 * manifests into echo pods (each its own loopback address 127.1.x.y, named like Kubernetes pods
 * {@code <deployment>-<rs-hash>-<pod-hash>}), and every Service with a selector into an
 * EndpointSlice (label {@code kubernetes.io/service-name}) listing those pods.
 */
final class Backends {
    record Deployment(String namespace, String name, int replicas, Map<String, String> labels) {
    }

    record ServicePort(String name, int port, int targetPort, String protocol, String appProtocol) {
    }

    record Service(String namespace, String name, Map<String, String> selector, List<ServicePort> ports) {
    }

    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private final List<Deployment> deployments = new ArrayList<>();
    private final Map<String, List<EchoServer.Pod>> podsByDeployment = new LinkedHashMap<>();
    private final List<Service> services = new ArrayList<>();
    private int nextIp;

    /** Reads the Deployments and Services of {@code docs} and allocates pod addresses. */
    static Backends of(List<ObjectNode> docs) {
        Backends b = new Backends();
        for (ObjectNode doc : docs) {
            String kind = Json.text(doc, "kind");
            if (kind.equals("Deployment")) {
                b.addDeployment(doc);
            } else if (kind.equals("Service")) {
                b.services.add(parseService(doc));
            }
        }
        return b;
    }

    private void addDeployment(ObjectNode doc) {
        JsonNode meta = doc.path("metadata");
        String ns = meta.path("namespace").asText("default");
        String name = meta.path("name").asText();
        int replicas = doc.path("spec").path("replicas").asInt(1);
        Map<String, String> labels = new LinkedHashMap<>();
        doc.path("spec").path("template").path("metadata").path("labels").fields()
                .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        Deployment d = new Deployment(ns, name, replicas, labels);
        deployments.add(d);
        List<EchoServer.Pod> pods = new ArrayList<>();
        String rs = suffix(ns + "/" + name, 10);
        for (int i = 0; i < replicas; i++) {
            int n = nextIp++;
            String ip = "127.1." + (n / 250) + "." + (1 + n % 250);
            pods.add(new EchoServer.Pod(ns, name + "-" + rs + "-" + suffix(ns + "/" + name + "#" + i, 5), name, ip));
        }
        podsByDeployment.put(ns + "/" + name, pods);
    }

    static Service parseService(JsonNode doc) {
        JsonNode meta = doc.path("metadata");
        Map<String, String> selector = new LinkedHashMap<>();
        doc.path("spec").path("selector").fields().forEachRemaining(e -> selector.put(e.getKey(), e.getValue().asText()));
        List<ServicePort> ports = new ArrayList<>();
        for (JsonNode p : doc.path("spec").path("ports")) {
            int port = p.path("port").asInt();
            JsonNode tp = p.path("targetPort");
            int target = tp.isMissingNode() || tp.isNull() ? port : tp.canConvertToInt() ? tp.asInt() : -1;
            ports.add(new ServicePort(p.path("name").asText(""), port, target, p.path("protocol").asText("TCP"),
                    p.path("appProtocol").asText("")));
        }
        return new Service(meta.path("namespace").asText("default"), meta.path("name").asText(), selector, ports);
    }

    /** Deterministic pod-name-like suffix. */
    static String suffix(String seed, int len) {
        long h = seed.hashCode() * 0x9E3779B97F4A7C15L;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            h ^= h >>> 29;
            h *= 0xBF58476D1CE4E5B9L;
            sb.append(ALPHABET.charAt((int) Math.floorMod(h, (long) ALPHABET.length())));
        }
        return sb.toString();
    }

    List<Deployment> deployments() {
        return List.copyOf(deployments);
    }

    List<EchoServer.Pod> pods(String namespace, String deployment) {
        return podsByDeployment.getOrDefault(namespace + "/" + deployment, List.of());
    }

    List<EchoServer.Pod> allPods() {
        List<EchoServer.Pod> all = new ArrayList<>();
        podsByDeployment.values().forEach(all::addAll);
        return all;
    }

    /** Pods selected by {@code selector} in {@code namespace} (matching the Deployment template labels). */
    List<EchoServer.Pod> select(String namespace, Map<String, String> selector) {
        List<EchoServer.Pod> out = new ArrayList<>();
        if (selector.isEmpty()) {
            return out;
        }
        for (Deployment d : deployments) {
            if (d.namespace().equals(namespace) && d.labels().entrySet().containsAll(selector.entrySet())) {
                out.addAll(pods(d.namespace(), d.name()));
            }
        }
        return out;
    }

    /**
     * TCP ports each pod must answer on: the target ports of every Service selecting it (8443, the
     * TLS port of the TLS echo backends, and DNS are not served: no core test uses them).
     */
    Map<EchoServer.Pod, Set<Integer>> listenPorts(List<Service> extraServices) {
        Map<EchoServer.Pod, Set<Integer>> ports = new LinkedHashMap<>();
        for (EchoServer.Pod pod : allPods()) {
            ports.put(pod, new TreeSet<>());
        }
        List<Service> all = new ArrayList<>(services);
        all.addAll(extraServices);
        for (Service s : all) {
            for (EchoServer.Pod pod : select(s.namespace(), s.selector())) {
                for (ServicePort p : s.ports()) {
                    if (p.protocol().equals("TCP") && p.targetPort() > 0 && p.targetPort() != 8443
                            && p.targetPort() != 53) {
                        ports.get(pod).add(p.targetPort());
                    }
                }
            }
        }
        return ports;
    }

    List<Service> services() {
        return List.copyOf(services);
    }

    /** EndpointSlices for every Service in {@code svcs} that has a selector. */
    List<ObjectNode> endpointSlices(List<Service> svcs) {
        List<ObjectNode> out = new ArrayList<>();
        for (Service s : svcs) {
            if (s.selector().isEmpty()) {
                continue;
            }
            out.add(endpointSlice(s.namespace(), s.name() + "-archway", s.name(), s.ports(),
                    select(s.namespace(), s.selector())));
        }
        return out;
    }

    static ObjectNode endpointSlice(String namespace, String sliceName, String serviceName, List<ServicePort> ports,
                                    List<EchoServer.Pod> pods) {
        ObjectNode slice = Json.JSON.createObjectNode();
        slice.put("apiVersion", "discovery.k8s.io/v1");
        slice.put("kind", "EndpointSlice");
        ObjectNode meta = slice.putObject("metadata");
        meta.put("name", sliceName);
        meta.put("namespace", namespace);
        ObjectNode labels = meta.putObject("labels");
        labels.put("kubernetes.io/service-name", serviceName);
        labels.put("endpointslice.kubernetes.io/managed-by", "archway-conformance");
        slice.put("addressType", "IPv4");
        ArrayNode p = slice.putArray("ports");
        for (ServicePort sp : ports) {
            if (sp.targetPort() <= 0) {
                continue;
            }
            ObjectNode o = p.addObject();
            o.put("name", sp.name());
            o.put("port", sp.targetPort());
            o.put("protocol", sp.protocol());
            if (!sp.appProtocol().isEmpty()) {
                o.put("appProtocol", sp.appProtocol());
            }
        }
        addEndpoints(slice, pods);
        return slice;
    }

    /** Sets {@code endpoints} of an EndpointSlice document to the given pods (setupEndpointSlices). */
    static void addEndpoints(ObjectNode slice, List<EchoServer.Pod> pods) {
        ArrayNode eps = slice.putArray("endpoints");
        for (EchoServer.Pod pod : pods) {
            ObjectNode ep = eps.addObject();
            ep.putArray("addresses").add(pod.ip());
            ObjectNode cond = ep.putObject("conditions");
            cond.put("ready", true);
            cond.put("serving", true);
            cond.put("terminating", false);
            ObjectNode ref = ep.putObject("targetRef");
            ref.put("kind", "Pod");
            ref.put("name", pod.name());
            ref.put("namespace", pod.namespace());
        }
    }
}
