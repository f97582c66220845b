package io.archway.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archway.server.ArchwayServer;
import io.archway.server.ServerConfig;
import io.archway.server.StatusView;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * The product under test: one embedded {@link ArchwayServer} (standalone on a directory, or in
 * Kubernetes mode on the mock API server; see {@link Cluster}). Calls the server's contract
 * ({@code start(ServerConfig)}, {@code status()}, {@code reloadNow()}, {@code close()})
 * reflectively, so that this module compiles against whichever archway-server is installed.
 */
final class GatewayProcess implements AutoCloseable, StatusAssertions.Source {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Object server;
    private final Method status;
    private final Method reloadNow;
    private final java.util.Set<Fault> faults;

    private GatewayProcess(Object server, java.util.Set<Fault> faults) throws NoSuchMethodException {
        this.server = server;
        this.faults = faults;
        this.status = server.getClass().getMethod("status");
        this.reloadNow = server.getClass().getMethod("reloadNow");
    }

    /** Starts the server; {@code faults} distort the status this process reports (see {@link Fault}). */
    static GatewayProcess start(ServerConfig config, java.util.Set<Fault> faults) throws Exception {
        Method start;
        try {
            start = ArchwayServer.class.getMethod("start", ServerConfig.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("archway-server does not implement ArchwayServer.start(ServerConfig) yet "
                    + "(install the current archway-server into ~/.m2)", e);
        }
        return new GatewayProcess(invoke(start, null, config), faults);
    }

    private static Object invoke(Method m, Object target, Object... args) throws Exception {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        }
    }

    StatusView statusView() {
        try {
            return (StatusView) invoke(status, server);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The server's resource store (what its informers or directory last delivered). */
    io.archway.source.ResourceStore store() {
        return ((ArchwayServer) server).store();
    }

    /** Re-reads the configuration directory; returns once the result is served (or rejected). */
    void reloadNow() {
        try {
            invoke(reloadNow, server);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public List<JsonNode> list(String kind, String namespace) {
        List<JsonNode> out = new ArrayList<>();
        for (HasMetadata r : statusView().list(kind, namespace)) {
            JsonNode json = MAPPER.valueToTree(r);
            faults.forEach(f -> f.distortStatus(kind, json));
            out.add(json);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            ((AutoCloseable) server).close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
