package io.archway.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes the manifests the end-to-end tests serve. */
final class Manifests {
    private Manifests() {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String gateway(int port) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GatewayClass
                metadata:
                  name: archway
                spec:
                  controllerName: archway.io/gateway-controller
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata:
                  name: gw
                spec:
                  gatewayClassName: archway
                  listeners:
                  - name: http
                    protocol: HTTP
                    port: %d
                """.formatted(port);
    }

    /** A route sending everything to {@code backend}; {@code label} goes into metadata only. */
    static String route(String backend, String label) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata:
                  name: route
                  labels:
                    note: "%s"
                spec:
                  parentRefs:
                  - name: gw
                  rules:
                  - backendRefs:
                    - name: %s
                      port: 80
                """.formatted(label, backend);
    }

    static String service(String name, int port) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %1$s
                spec:
                  ports:
                  - name: http
                    port: 80
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %1$s-1
                  labels:
                    kubernetes.io/service-name: %1$s
                addressType: IPv4
                ports:
                - name: http
                  port: %2$d
                endpoints:
                - addresses: ["127.0.0.1"]
                """.formatted(name, port);
    }

    /** Writes like an editor: a temporary file renamed over the target. */
    static void save(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
