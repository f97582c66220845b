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
    record Deployment(String namespace, String name, int replicas, Map<String, String> labels, Server server,
                      Map<String, String> env, Map<String, SecretFile> files, Map<String, ConfigMapFile> configMapFiles) {
        Deployment(String namespace, String name, int replicas, Map<String, String> labels, Server server,
                   Map<String, String> env) {
            this(namespace, name, replicas, labels, server, env, Map.of(), Map.of());
        }

        Deployment(String namespace, String name, int replicas, Map<String, String> labels, Server server,
                   Map<String, String> env, Map<String, SecretFile> files) {
            this(namespace, name, replicas, labels, server, env, files, Map.of());
        }
    }

    /**
     * A file the container sees from a Secret volume: {@code volumeMounts[].mountPath} + the
     * volume's {@code items[].path} (or the key itself when the volume lists no items).
     */
    record SecretFile(String namespace, String secret, String key) {
    }

    /**
     * A server certificate a pod presents, read as the container reads it: the files its env
     * names (TLS_SERVER_CERT and the key variable of the server it runs) must both come from the
     * same Secret's {@code tls.crt} and {@code tls.key}.
     */
    record TlsSecret(String namespace, String name) {
    }

    /**
     * What a pod runs: echo-basic answers HTTP unless its env names another server (echo-basic's
     * main: TCP_ECHO_SERVER, UDP_ECHO_SERVER, GRPC_ECHO_SERVER); the coredns image answers DNS.
     */
    enum Server { HTTP, GRPC, TCP, UDP, DNS }

    /** One socket a pod answers on outside the HTTP echo: its server, protocol and port. */
    record L4Listen(EchoServer.Pod pod, Server server, int port, L4Echo.PodContext context, TlsSecret tls) {
        L4Listen(EchoServer.Pod pod, Server server, int port, L4Echo.PodContext context) {
            this(pod, server, port, context, null);
        }

        String key() {
            return server + (tls == null ? "" : "+TLS") + " " + pod.ip() + ":" + port;
        }
    }

    /** A file the container sees from a ConfigMap volume (as {@link SecretFile} for Secrets). */
    record ConfigMapFile(String namespace, String configMap, String key) {
    }

    /**
     * echo-basic's HTTPS listener on a pod (HTTPS_PORT, 8443 by default), presenting {@code tls};
     * {@code clientCa}: the CA bundle file TLS_CLIENT_CACERTS names, when set (a client
     * certificate is then verified if given, tls.VerifyClientCertIfGiven), else null.
     */
    record HttpsListen(EchoServer.Pod pod, int port, TlsSecret tls, ConfigMapFile clientCa) {
        String key() {
            return pod.ip() + ":" + port;
        }
    }

    record ServicePort(String name, int port, int targetPort, String protocol, String appProtocol) {
    }

    record Service(String namespace, String name, Map<String, String> selector, List<ServicePort> ports) {
    }

    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private final List<Deployment> deployments = new ArrayList<>();
    private final Map<String, List<EchoServer.Pod>> podsByDeployment = new LinkedHashMap<>();
    private final List<Service> services = new ArrayList<>();
    /**
     * The second octet of every pod address (127.N.x.y). Two harness runs on one machine (two
     * checkouts) need distinct values here and distinct {@code archway.conformance.portOffset}s.
     */
    static final int POD_NET = podNet(System.getProperty("archway.conformance.podNet", "1"));

    private int nextIp;

    /** An octet, or a clear error: a value such as a CIDR must not silently fall back to the default net. */
    static int podNet(String value) {
        try {
            final int octet = Integer.parseInt(value.trim());
            if (octet >= 1 && octet <= 254) {
                return octet;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("archway.conformance.podNet must be the second octet of the pod"
                + " addresses 127.N.x.y, 1 to 254; got '" + value + "'");
    }

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
        JsonNode container = doc.path("spec").path("template").path("spec").path("containers").path(0);
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : container.path("env")) {
            // valueFrom (the downward API's pod name and namespace) is what the Pod record carries
            env.put(e.path("name").asText(), e.has("value") ? e.path("value").asText() : null);
        }
        Server server = container.path("image").asText().contains("/coredns") ? Server.DNS
                : env.containsKey("TCP_ECHO_SERVER") ? Server.TCP
                : env.containsKey("UDP_ECHO_SERVER") ? Server.UDP
                : env.containsKey("GRPC_ECHO_SERVER") ? Server.GRPC : Server.HTTP;
        Deployment d = new Deployment(ns, name, replicas, labels, server, env,
                secretFiles(ns, doc.path("spec").path("template").path("spec"), container),
                configMapFiles(ns, doc.path("spec").path("template").path("spec"), container));
        deployments.add(d);
        List<EchoServer.Pod> pods = new ArrayList<>();
        String rs = suffix(ns + "/" + name, 10);
        for (int i = 0; i < replicas; i++) {
            int n = nextIp++;
            String ip = "127." + POD_NET + "." + (n / 250) + "." + (1 + n % 250);
            pods.add(new EchoServer.Pod(ns, name + "-" + rs + "-" + suffix(ns + "/" + name + "#" + i, 5), name, ip));
        }
        podsByDeployment.put(ns + "/" + name, pods);
    }

    /** The files a container sees from Secret volumes, by absolute path. */
    static Map<String, SecretFile> secretFiles(String namespace, JsonNode podSpec, JsonNode container) {
        Map<String, SecretFile> files = new LinkedHashMap<>();
        for (JsonNode mount : container.path("volumeMounts")) {
            String dir = mount.path("mountPath").asText();
            for (JsonNode v : podSpec.path("volumes")) {
                if (!v.path("name").asText().equals(mount.path("name").asText()) || !v.has("secret")) {
                    continue;
                }
                String secret = v.path("secret").path("secretName").asText();
                String base = dir.endsWith("/") ? dir : dir + "/";
                if (v.path("secret").path("items").size() > 0) {
                    for (JsonNode item : v.path("secret").path("items")) {
                        files.put(base + item.path("path").asText(), new SecretFile(namespace, secret,
                                item.path("key").asText()));
                    }
                } else {
                    // without items every key of the Secret is a file named after it
                    for (String key : List.of("tls.crt", "tls.key", "ca.crt")) {
                        files.put(base + key, new SecretFile(namespace, secret, key));
                    }
                }
            }
        }
        return files;
    }

    /**
     * The certificate a server presents when its env sets both {@code certVar} and {@code keyVar}
     * (null when either is unset or empty: the server does not serve TLS). Throws when the files
     * are not one Secret's tls.crt and tls.key: the harness could not present them.
     */
    static TlsSecret tlsSecret(Deployment d, String certVar, String keyVar) {
        String cert = d.env().get(certVar);
        String key = d.env().get(keyVar);
        if (cert == null || cert.isEmpty() || key == null || key.isEmpty()) {
            return null;
        }
        SecretFile c = d.files().get(cert);
        SecretFile k = d.files().get(key);
        if (c == null || k == null || !c.secret().equals(k.secret()) || !c.key().equals("tls.crt")
                || !k.key().equals("tls.key")) {
            throw new IllegalStateException("harness: Deployment " + d.namespace() + "/" + d.name() + " reads " + certVar
                    + "=" + cert + " and " + keyVar + "=" + key + ", which are not one Secret's tls.crt and tls.key: "
                    + d.files());
        }
        return new TlsSecret(c.namespace(), c.secret());
    }

    /**
     * echo-basic's HTTPS servers: a pod running the HTTP echo with TLS_SERVER_CERT and
     * TLS_SERVER_PRIVKEY set listens on HTTPS_PORT (8443) with that certificate, as its main does
     * on start, whether or not a Service selects it.
     */
    List<HttpsListen> httpsListeners() {
        List<HttpsListen> out = new ArrayList<>();
        for (Deployment d : deployments) {
            if (d.server() != Server.HTTP) {
                continue;
            }
            TlsSecret tls = tlsSecret(d, "TLS_SERVER_CERT", "TLS_SERVER_PRIVKEY");
            if (tls == null) {
                continue;
            }
            int port = Integer.parseInt(envOr(d, "HTTPS_PORT", "8443"));
            for (EchoServer.Pod pod : pods(d.namespace(), d.name())) {
                out.add(new HttpsListen(pod, port, tls, clientCaFile(d)));
            }
        }
        return out;
    }

    /**
     * The ConfigMap file TLS_CLIENT_CACERTS names (a {@code configMap} volume mounted in the
     * container), or null when unset. Throws when the path is not such a file: the harness could
     * not give the server its client CAs.
     */
    static ConfigMapFile clientCaFile(Deployment d) {
        String path = d.env().get("TLS_CLIENT_CACERTS");
        if (path == null || path.isEmpty()) {
            return null;
        }
        ConfigMapFile f = d.configMapFiles().get(path);
        if (f == null) {
            throw new IllegalStateException("harness: Deployment " + d.namespace() + "/" + d.name()
                    + " reads TLS_CLIENT_CACERTS=" + path + ", which no configMap volume provides: " + d.configMapFiles());
        }
        return f;
    }

    /** The files a container sees from ConfigMap volumes, by absolute path ({@code items} listed). */
    static Map<String, ConfigMapFile> configMapFiles(String namespace, JsonNode podSpec, JsonNode container) {
        Map<String, ConfigMapFile> files = new LinkedHashMap<>();
        for (JsonNode mount : container.path("volumeMounts")) {
            String dir = mount.path("mountPath").asText();
            for (JsonNode v : podSpec.path("volumes")) {
                if (!v.path("name").asText().equals(mount.path("name").asText()) || !v.has("configMap")) {
                    continue;
                }
                String name = v.path("configMap").path("name").asText();
                String base = dir.endsWith("/") ? dir : dir + "/";
                for (JsonNode item : v.path("configMap").path("items")) {
                    files.put(base + item.path("path").asText(), new ConfigMapFile(namespace, name,
                            item.path("key").asText()));
                }
                if (v.path("configMap").path("items").isEmpty()) {
                    files.put(base + "ca.crt", new ConfigMapFile(namespace, name, "ca.crt"));
                }
            }
        }
        return files;
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

    /**
     * Adds the Deployments of a test's own manifests (the upstream TCP/UDP tests bring their
     * backends); one already known (same namespace and name) keeps its pods. Returns the new ones.
     */
    List<Deployment> addDeployments(List<ObjectNode> docs) {
        List<Deployment> added = new ArrayList<>();
        for (ObjectNode doc : docs) {
            if (!Json.text(doc, "kind").equals("Deployment")) {
                continue;
            }
            JsonNode meta = doc.path("metadata");
            String key = meta.path("namespace").asText("default") + "/" + meta.path("name").asText();
            if (!podsByDeployment.containsKey(key)) {
                addDeployment(doc);
                added.add(deployments.get(deployments.size() - 1));
            }
        }
        return added;
    }

    /** The Deployment a pod belongs to. */
    Deployment deploymentOf(EchoServer.Pod pod) {
        for (Deployment d : deployments) {
            if (d.namespace().equals(pod.namespace()) && pods(d.namespace(), d.name()).contains(pod)) {
                return d;
            }
        }
        throw new IllegalArgumentException("no Deployment for pod " + pod);
    }

    /**
     * The non-HTTP servers every pod runs, whether or not a Service selects it (a container binds
     * its ports on start): the gRPC echo server on HTTP_PORT (3000), tcpserver on TCP_PORT (3000),
     * udpechoserver on UDP_PORT (8080), coredns
     * on 53/UDP (its Corefile's {@code .:53} and {@code foo.bar.com:53}); tcpserver's TLS listener
     * on TLS_PORT (8443) when TLS_SERVER_CERT and TLS_SERVER_PRIV_KEY (tcpserver's name, not
     * echo-basic's TLS_SERVER_PRIVKEY) are set, with the certificate those files hold.
     */
    List<L4Listen> l4Listeners() {
        List<L4Listen> out = new ArrayList<>();
        for (Deployment d : deployments) {
            for (EchoServer.Pod pod : pods(d.namespace(), d.name())) {
                String service = d.env().get("SERVICE_NAME") == null ? "" : d.env().get("SERVICE_NAME");
                L4Echo.PodContext ctx = L4Echo.PodContext.of(pod, service);
                switch (d.server()) {
                    case TCP -> {
                        String tcp = envOr(d, "TCP_PORT", "3000");
                        String tlsPort = envOr(d, "TLS_PORT", "8443");
                        out.add(new L4Listen(pod, Server.TCP, Integer.parseInt(tcp), ctx.withPorts(tcp, tlsPort)));
                        TlsSecret tls = tlsSecret(d, "TLS_SERVER_CERT", "TLS_SERVER_PRIV_KEY");
                        if (tls != null) {
                            out.add(new L4Listen(pod, Server.TCP, Integer.parseInt(tlsPort), ctx.withPorts(tcp, tlsPort),
                                    tls));
                        }
                    }
                    case UDP -> out.add(new L4Listen(pod, Server.UDP, Integer.parseInt(envOr(d, "UDP_PORT", "8080")), ctx));
                    case DNS -> out.add(new L4Listen(pod, Server.DNS, 53, ctx));
                    case GRPC -> out.add(new L4Listen(pod, Server.GRPC, Integer.parseInt(envOr(d, "HTTP_PORT", "3000")),
                            ctx));
                    default -> {
                    }
                }
            }
        }
        return out;
    }

    private static String envOr(Deployment d, String name, String dflt) {
        String v = d.env().get(name);
        return v == null || v.isEmpty() ? dflt : v;
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
     * TCP ports each HTTP echo pod must answer on in plain HTTP: the target ports of every Service
     * selecting it but 8443 (echo-basic's HTTPS port: {@link #httpsListeners} when the pod has a
     * certificate, nothing otherwise). Pods
     * running another server are in {@link #l4Listeners} instead.
     */
    Map<EchoServer.Pod, Set<Integer>> listenPorts(List<Service> extraServices) {
        Map<EchoServer.Pod, Set<Integer>> ports = new LinkedHashMap<>();
        for (EchoServer.Pod pod : allPods()) {
            ports.put(pod, new TreeSet<>());
        }
        java.util.Set<EchoServer.Pod> l4 = new java.util.HashSet<>();
        l4Listeners().forEach(l -> l4.add(l.pod()));
        List<Service> all = new ArrayList<>(services);
        all.addAll(extraServices);
        for (Service s : all) {
            for (EchoServer.Pod pod : select(s.namespace(), s.selector())) {
                if (l4.contains(pod)) {
                    // a TCP/UDP/DNS pod answers with its own server, not echo-basic's HTTP
                    continue;
                }
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
