package io.archway.cli;

import io.archway.client.AdminStatusProvider;
import io.archway.client.ArchwayClient;
import io.archway.client.StatusProvider;
import io.archway.server.AdminServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Where a command reads and writes resources: {@code --config DIR} (standalone directory, statuses
 * from the admin endpoint when it answers), {@code --kubernetes} (kubeconfig), or neither (the
 * admin endpoint alone, read-only). Every command says on stderr which one it used.
 */
final class ClientOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "DIR",
            description = "Standalone mode: the directory of manifests (as given to 'archway serve --config').")
    Path config;

    @Option(names = "--kubernetes", description = "Kubernetes mode: talk to the API server of the kubeconfig.")
    boolean kubernetes;

    @Option(names = "--context", paramLabel = "CONTEXT", description = "kubeconfig context (implies --kubernetes).")
    String context;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "kubeconfig file (implies --kubernetes; default: $KUBECONFIG or ~/.kube/config).")
    File kubeconfig;

    @Option(names = "--admin", defaultValue = AdminServer.DEFAULT_HOST + ":" + AdminServer.DEFAULT_PORT,
            paramLabel = "HOST:PORT", description = "Admin endpoint of 'archway serve': statuses in standalone mode,"
            + " metrics for canaries (default: ${DEFAULT-VALUE}).")
    String admin;

    enum Mode { ADMIN, DIRECTORY, KUBERNETES }

    Mode mode(CommandLine cmd) {
        boolean kube = kubernetes || context != null || kubeconfig != null;
        if (kube && config != null) {
            throw new CommandLine.ParameterException(cmd, "--config and --kubernetes exclude each other");
        }
        return kube ? Mode.KUBERNETES : config != null ? Mode.DIRECTORY : Mode.ADMIN;
    }

    /** An open back end; closes the Kubernetes client it made. */
    record Connection(Mode mode, ArchwayClient client, KubernetesClient kube, boolean adminReachable, String describe)
            implements AutoCloseable {
        @Override
        public void close() {
            if (client != null) {
                client.close();
            }
            if (kube != null) {
                kube.close();
            }
        }
    }

    /**
     * Opens the back end and prints the mode line ({@code mode: ...}) on stderr.
     *
     * @param requireClient when true, the admin-only mode is refused (a usage error)
     */
    Connection open(CommandLine cmd, boolean requireClient) {
        Mode mode = mode(cmd);
        PrintWriter err = cmd.getErr();
        Connection c;
        switch (mode) {
            case KUBERNETES -> {
                Config cfg = kubeconfig != null ? Config.fromKubeconfig(context, kubeconfig) : Config.autoConfigure(context);
                // A command line should fail fast: one retry, not fabric8's ten with backoff.
                cfg.setRequestRetryBackoffLimit(1);
                cfg.setConnectionTimeout(5_000);
                KubernetesClient kube = new KubernetesClientBuilder().withConfig(cfg).build();
                String ctx = cfg.getCurrentContext() != null ? cfg.getCurrentContext().getName() : null;
                c = new Connection(mode, ArchwayClient.forKubernetes(kube), kube, false,
                        "kubernetes " + (ctx != null ? "context " + ctx + " " : "") + "(" + cfg.getMasterUrl() + ")");
            }
            case DIRECTORY -> {
                if (!Files.isDirectory(config)) {
                    throw new CliFailure(ExitCodes.FAILURE, config + " is not a directory");
                }
                boolean reachable = adminReachable(admin);
                StatusProvider status = reachable ? AdminStatusProvider.forAdmin(admin) : StatusProvider.NONE;
                c = new Connection(mode, ArchwayClient.forDirectory(config, status), null, reachable,
                        "standalone directory " + config + (reachable ? " (status from admin endpoint " + admin + ")"
                                : " (no status: admin endpoint " + admin + " not reachable)"));
            }
            default -> {
                if (requireClient) {
                    throw new CommandLine.ParameterException(cmd, "say where the routes live: --config DIR (standalone)"
                            + " or --kubernetes [--context C]");
                }
                c = new Connection(mode, null, null, true, "admin endpoint " + admin);
            }
        }
        err.println("mode: " + c.describe());
        err.flush();
        return c;
    }

    /** Whether {@code GET /healthz} answers 200 within a second or two. */
    static boolean adminReachable(String admin) {
        try {
            URI base = io.archway.client.AdminAddress.parse(admin);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base + "/healthz"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    /** A failure with its exit code and message, reported by the execution exception handler. */
    static final class CliFailure extends RuntimeException {
        final int code;

        CliFailure(int code, String message) {
            super(message);
            this.code = code;
        }
    }
}
