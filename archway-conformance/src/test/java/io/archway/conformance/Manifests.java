package io.archway.conformance;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The standalone configuration directory the server reads, and the upstream Applier's manifest
 * preparation: placeholder substitution, {@code spec.gatewayClassName} forced on every Gateway,
 * {@code spec.controllerName} on every GatewayClass. Deployments are dropped (their pods are the
 * in-process echo servers).
 */
final class Manifests {
    static final String GATEWAY_CLASS = "gateway-conformance";
    static final String CONTROLLER = "archway.io/gateway-controller";

    private final Path dir;

    Manifests(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    Path dir() {
        return dir;
    }

    static String substitute(String yaml) {
        return yaml.replace("{GATEWAY_CLASS_NAME}", GATEWAY_CLASS).replace("{GATEWAY_CONTROLLER_NAME}", CONTROLLER);
    }

    /** Parses a manifest text into documents prepared as the upstream Applier would. */
    static List<ObjectNode> prepare(String yaml) {
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode doc : Json.readYamlDocuments(substitute(yaml))) {
            String kind = Json.text(doc, "kind");
            if (kind.equals("Deployment")) {
                continue;
            }
            if (kind.equals("Gateway") && doc.path("spec").isObject()) {
                ((ObjectNode) doc.get("spec")).put("gatewayClassName", GATEWAY_CLASS);
            }
            if (kind.equals("GatewayClass") && doc.path("spec").isObject()) {
                ((ObjectNode) doc.get("spec")).put("controllerName", CONTROLLER);
            }
            out.add(doc);
        }
        return out;
    }

    /** Upstream's test/fake-invalid-type: an address type no implementation supports. */
    static final String FAKE_INVALID_TYPE = "test/fake-invalid-type";

    /**
     * The Applier's prepareGateway for static addresses (apply.go, v1.6.1): a Gateway whose
     * spec.addresses hold PLACEHOLDER_UNUSABLE_ADDRS or PLACEHOLDER_USABLE_ADDRS gets, in order,
     * its test/fake-invalid-type addresses, the unusable pool, then the usable pool (each an
     * IPAddress, as the --usable-address and --unusable-address flags parse an IP); an empty pool
     * (null {@code pools}) adds nothing.
     *
     * @return whether the Gateway had placeholders
     */
    static boolean overlayAddresses(ObjectNode gateway, Cluster.NetworkAddresses pools) {
        com.fasterxml.jackson.databind.JsonNode addresses = gateway.path("spec").path("addresses");
        boolean usable = false;
        boolean unusable = false;
        com.fasterxml.jackson.databind.node.ArrayNode out = Json.JSON.createArrayNode();
        for (com.fasterxml.jackson.databind.JsonNode a : addresses) {
            usable |= a.path("value").asText().equals("PLACEHOLDER_USABLE_ADDRS");
            unusable |= a.path("value").asText().equals("PLACEHOLDER_UNUSABLE_ADDRS");
            if (a.path("type").asText().equals(FAKE_INVALID_TYPE)) {
                out.add(a.deepCopy());
            }
        }
        if (!usable && !unusable) {
            return false;
        }
        if (unusable && pools != null) {
            out.addObject().put("type", "IPAddress").put("value", pools.unusable());
        }
        if (usable && pools != null) {
            out.addObject().put("type", "IPAddress").put("value", pools.usable());
        }
        ((ObjectNode) gateway.path("spec")).set("addresses", out);
        return true;
    }

    static String gatewayClassYaml() {
        return "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata:\n  name: " + GATEWAY_CLASS
                + "\nspec:\n  controllerName: " + CONTROLLER + "\n";
    }

    /** Writes {@code name} atomically (temp file, then rename). */
    Path write(String name, String content) throws IOException {
        Path target = dir.resolve(name);
        Path tmp = dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    Path write(String name, List<ObjectNode> docs) throws IOException {
        return write(name, Json.writeYamlDocuments(docs));
    }

    void delete(String name) throws IOException {
        Files.deleteIfExists(dir.resolve(name));
    }
}
