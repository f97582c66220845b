package io.archway.cli;

import io.archway.source.ResourceStore;
import io.archway.source.file.DirectorySource;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.ResourceView;
import io.archway.translate.TranslatorOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where explain reads resources: {@code --config DIR} (loaded and translated locally, as
 * {@code archway validate} does) or {@code --kubernetes} (listed from the API server once, then
 * translated locally with the same translator). Prints the mode line on stderr.
 */
final class ExplainSource {
    @Mixin
    ClientOptions client;

    @Option(names = "--controller-name", defaultValue = TranslatorOptions.DEFAULT_CONTROLLER_NAME,
            description = "GatewayClass controllerName that marks a class as ours (default: ${DEFAULT-VALUE}).")
    String controllerName;

    @Option(names = "--no-adopt", description = "Gateways whose class is not among the resources are not ours.")
    boolean noAdopt;

    @Option(names = "--address", defaultValue = "0.0.0.0", paramLabel = "IP",
            description = "Bind address of every Gateway, as 'archway serve --address' (default: ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--loopback-per-gateway",
            description = "Each Gateway on its own 127.0.x.y, as the conformance server binds (default: all on --address).")
    boolean loopbackPerGateway;

    record Loaded(ResourceView view, TranslatorOptions options, String mode) {
    }

    TranslatorOptions options() {
        return new TranslatorOptions(controllerName, loopbackPerGateway
                ? new GatewayAddressing.LoopbackPerGateway() : new GatewayAddressing.Shared(address), !noAdopt);
    }

    Loaded load(CommandLine cmd) {
        final ClientOptions.Mode mode = client.mode(cmd);
        final PrintWriter err = cmd.getErr();
        switch (mode) {
            case DIRECTORY -> {
                if (!Files.isDirectory(client.config)) {
                    throw new ClientOptions.CliFailure(ExitCodes.FAILURE, client.config + " is not a directory");
                }
                final String line = "standalone directory " + client.config + " (translated locally)";
                err.println("mode: " + line);
                err.flush();
                final ResourceStore store;
                try {
                    store = DirectorySource.loadOnce(client.config).store();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                store.diagnostics().forEach(d -> err.println("warning: " + d));
                err.flush();
                return new Loaded(store.view(), options(), line);
            }
            case KUBERNETES -> {
                try (ClientOptions.Connection c = client.open(cmd, true)) {
                    return new Loaded(fromCluster(c.kube(), err), options(), c.describe() + " (translated locally)");
                }
            }
            default -> throw new CommandLine.ParameterException(cmd,
                    "say where the routes live: --config DIR (standalone) or --kubernetes [--context C]");
        }
    }

    /** Lists every resource the translator reads, once (warnings on stderr). */
    static ResourceView fromCluster(KubernetesClient kube, PrintWriter err) {
        return io.archway.source.kube.ClusterListing.listOnce(kube, w -> {
            err.println("warning: " + w);
            err.flush();
        });
    }
}
