package io.archway.server;

import io.archway.translate.TranslatorOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run one gateway process.
 *
 * @param configDir the directory of manifests (standalone source); null in Kubernetes mode
 * @param translator controller name, addressing, adoption of unknown classes
 * @param portOffset added to every listener port when binding (0 in production; the conformance
 *     harness uses it so that port 80 listeners need no privilege). Status and redirects keep the
 *     spec port.
 * @param adminAddress where the admin endpoint listens (loopback by default; port 0 = ephemeral)
 * @param debounce holdoff between a file change and the rebuild
 * @param watch whether to watch configDir for changes
 * @param accessLog the data plane's JSON access log: null (off), {@code stdout}, {@code stderr} or a
 *     file (appended to)
 * @param kubernetes null to serve {@code configDir}; else the cluster to read (informers) and write
 *     status to ({@code debounce} is then the hold-off between an event and the rebuild)
 * @param drainTimeout on shutdown (SIGTERM), how long in-flight requests and open connections may
 *     go on after the listeners stop accepting; null for the data plane's default (30 s)
 */
public record ServerConfig(Path configDir, TranslatorOptions translator, int portOffset,
                           InetSocketAddress adminAddress, Duration debounce, boolean watch, String accessLog,
                           KubernetesMode kubernetes, Duration drainTimeout) {
    /** Without an access log. */
    public ServerConfig(Path configDir, TranslatorOptions translator, int portOffset, InetSocketAddress adminAddress,
                        Duration debounce, boolean watch) {
        this(configDir, translator, portOffset, adminAddress, debounce, watch, null);
    }

    /** Serving a directory. */
    public ServerConfig(Path configDir, TranslatorOptions translator, int portOffset, InetSocketAddress adminAddress,
                        Duration debounce, boolean watch, String accessLog) {
        this(configDir, translator, portOffset, adminAddress, debounce, watch, accessLog, null, null);
    }

    /** With the data plane's default drain timeout. */
    public ServerConfig(Path configDir, TranslatorOptions translator, int portOffset, InetSocketAddress adminAddress,
                        Duration debounce, boolean watch, String accessLog, KubernetesMode kubernetes) {
        this(configDir, translator, portOffset, adminAddress, debounce, watch, accessLog, kubernetes, null);
    }

    public ServerConfig {
        if (kubernetes == null) {
            Objects.requireNonNull(configDir, "configDir");
        }
        Objects.requireNonNull(translator, "translator");
        Objects.requireNonNull(adminAddress, "adminAddress");
        Objects.requireNonNull(debounce, "debounce");
    }

    /** @param target {@code stdout}, {@code stderr}, a file, or null for no access log */
    public ServerConfig withAccessLog(String target) {
        return new ServerConfig(configDir, translator, portOffset, adminAddress, debounce, watch, target, kubernetes,
                drainTimeout);
    }

    /** Reading the cluster {@code mode} describes instead of a directory. */
    public ServerConfig withKubernetes(KubernetesMode mode) {
        return new ServerConfig(null, translator, portOffset, adminAddress, debounce, watch, accessLog, mode,
                drainTimeout);
    }

    /** Draining for at most {@code timeout} on shutdown. */
    public ServerConfig withDrainTimeout(Duration timeout) {
        return new ServerConfig(configDir, translator, portOffset, adminAddress, debounce, watch, accessLog, kubernetes,
                timeout);
    }
}
