package io.archway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The scale configuration of issue 14: one Gateway with one HTTP listener, {@code routes}
 * HTTPRoutes spread over {@code hostnames} hostnames (route i serves {@code host-(i % hostnames)}
 * under the path prefix {@code /r<i>}), each to one of {@code services} Services whose endpoint is
 * the load backend. JDK only, so {@code bench/scale-churn.sh} runs it as a single-file program:
 * {@code java ScaleConfig.java DIR ROUTES HOSTNAMES LISTENER_PORT BACKEND_PORT}.
 */
public final class ScaleConfig {
    public static final int SERVICES = 100;

    private ScaleConfig() {
    }

    public static void main(String[] args) throws IOException {
        final Path dir = Path.of(args[0]);
        writeDirectory(dir, Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                Integer.parseInt(args[4]));
    }

    /** Writes {@code base.yaml} and {@code routes/route-NNNNN.yaml}, one file per route. */
    public static void writeDirectory(Path dir, int routes, int hostnames, int listenerPort, int backendPort)
            throws IOException {
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("base.yaml"), base(listenerPort, backendPort));
        for (int i = 0; i < routes; i++) {
            Files.writeString(dir.resolve(routeFile(i)), route(i, hostnames, 1, 0));
        }
    }

    public static String routeFile(int i) {
        return String.format("routes/route-%05d.yaml", i);
    }

    public static String hostname(int i, int hostnames) {
        return "host-" + (i % hostnames) + ".example.com";
    }

    /** GatewayClass, Gateway (listener "http" on {@code listenerPort}), Services and EndpointSlices. */
    public static String base(int listenerPort, int backendPort) {
        final StringBuilder b = new StringBuilder();
        b.append("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: GatewayClass
                metadata:
                  name: archway
                spec:
                  controllerName: archway.io/gateway-controller
                ---
                """);
        b.append(gateway(listenerPort, false));
        for (int s = 0; s < SERVICES; s++) {
            b.append("---\n").append(service(s, backendPort));
        }
        return b.toString();
    }

    /** The Gateway; with {@code extraListener}, a second HTTP listener on the next port. */
    public static String gateway(int listenerPort, boolean extraListener) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata:
                  name: scale
                  namespace: default
                spec:
                  gatewayClassName: archway
                  listeners:
                  - name: http
                    protocol: HTTP
                    port: %d
                """.formatted(listenerPort) + (extraListener ? """
                  - name: extra
                    protocol: HTTP
                    port: %d
                """.formatted(listenerPort + 1) : "");
    }

    static String service(int s, int backendPort) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: svc-%1$d
                  namespace: default
                spec:
                  ports:
                  - name: http
                    port: 80
                    targetPort: %2$d
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: svc-%1$d
                  namespace: default
                  labels:
                    kubernetes.io/service-name: svc-%1$d
                addressType: IPv4
                ports:
                - name: http
                  port: %2$d
                endpoints:
                - addresses: ["127.0.0.1"]
                """.formatted(s, backendPort);
    }

    /**
     * HTTPRoute {@code route-i}: hostname {@code host-(i % hostnames)}, path prefix {@code /r<i>},
     * {@code rules} rules (rule k adds {@code /k} to the prefix), each split between two Services
     * by {@code weightVariant} (even: all to the first) and answering with the response header
     * {@code x-variant: <weightVariant>}, which tells which version of the route served a request.
     */
    public static String route(int i, int hostnames, int rules, int weightVariant) {
        final StringBuilder b = new StringBuilder("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata:
                  name: route-%d
                  namespace: default
                spec:
                  parentRefs:
                  - name: scale
                  hostnames: ["%s"]
                  rules:
                """.formatted(i, hostname(i, hostnames)));
        for (int k = 0; k < rules; k++) {
            final int first = weightVariant % 2 == 0 ? 1 : 0;
            b.append("""
                      - matches:
                        - path:
                            type: PathPrefix
                            value: /r%d%s
                        filters:
                        - type: ResponseHeaderModifier
                          responseHeaderModifier:
                            set:
                            - name: x-variant
                              value: "%d"
                        backendRefs:
                        - name: svc-%d
                          port: 80
                          weight: %d
                        - name: svc-%d
                          port: 80
                          weight: %d
                    """.formatted(i, k == 0 ? "" : "/" + k, weightVariant, i % SERVICES, first, (i + 1) % SERVICES, 1 - first));
        }
        return b.toString();
    }
}
