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
