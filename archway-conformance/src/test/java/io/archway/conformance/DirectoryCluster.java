package io.archway.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.server.ServerConfig;
import io.archway.source.file.DirectorySource;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.ResourceView;
import io.archway.translate.TranslatorOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Standalone mode: each group is a file of the configuration directory ({@code <group>.yaml}),
 * which the embedded server reloads synchronously after every change; status is the server's
 * {@code StatusView}. Each Gateway is served on a loopback address of its own.
 */
final class DirectoryCluster implements Cluster {
    static final TranslatorOptions OPTIONS = new TranslatorOptions(Manifests.CONTROLLER,
            new GatewayAddressing.LoopbackPerGateway(), false);

    private final Manifests manifests;
    private GatewayProcess gateway;

    DirectoryCluster(Manifests manifests) {
        this.manifests = manifests;
    }

    @Override
    public String mode() {
        return "standalone";
    }

    @Override
    public void apply(Map<String, List<ObjectNode>> groups) throws IOException {
        for (Map.Entry<String, List<ObjectNode>> g : groups.entrySet()) {
            manifests.write(g.getKey() + ".yaml", g.getValue());
        }
        reload();
    }

    @Override
    public void delete(java.util.Collection<String> groups) throws IOException {
        for (String group : groups) {
            manifests.delete(group + ".yaml");
        }
        reload();
    }

    private void reload() {
        if (gateway != null) {
            gateway.reloadNow();
        }
    }

    @Override
    public GatewayProcess start(Environment.Settings settings, Set<Fault> faults) throws Exception {
        ServerConfig config = new ServerConfig(manifests.dir(), OPTIONS, settings.portOffset(),
                new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(20), false);
        gateway = GatewayProcess.start(config, faults);
        return gateway;
    }

    @Override
    public TranslatorOptions translatorOptions() {
        return OPTIONS;
    }

    @Override
    public ResourceView explainView() throws IOException {
        return DirectorySource.loadOnce(manifests.dir()).store().view();
    }

    /** A directory has no network to request addresses of: GatewayStaticAddresses needs Kubernetes mode. */
    @Override
    public NetworkAddresses networkAddresses(StatusAssertions.NN gateway) {
        return null;
    }

    @Override
    public List<JsonNode> list(String kind, String namespace) {
        return gateway.list(kind, namespace);
    }

    @Override
    public void close() {
        if (gateway != null) {
            gateway.close();
        }
    }
}
