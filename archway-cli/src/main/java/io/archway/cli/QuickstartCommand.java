package io.archway.cli;

import io.archway.server.AdminServer;
import io.archway.server.ServerConfig;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code archway quickstart}: two demo backends and the quickstart example, served. */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"Starts two demo backends (stable on 127.0.0.1:9001, canary on 127.0.0.1:9002), a UDP echo"
                + " (127.0.0.1:9003, for examples/l4), and serves"
                + " examples/quickstart: a Gateway on port 8080 splitting traffic 90/10 between them.",
                "Then: curl http://127.0.0.1:8080/   and edit the weights in the example; changes are live within a"
                        + " second."},
        footer = ExitCodes.HELP_FOOTER)
final class QuickstartCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger("archway");
    /** The files of examples/quickstart bundled in the jar under /quickstart/. */
    static final List<String> BUNDLED = List.of("README.md", "gateway.yaml", "route.yaml", "backends.yaml");

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Example directory to serve (default: examples/quickstart of the Archway checkout, or a"
                    + " copy of the bundled example in ./archway-quickstart).")
    Path dir;

    @Option(names = "--admin", defaultValue = AdminServer.DEFAULT_HOST + ":" + AdminServer.DEFAULT_PORT,
            paramLabel = "HOST:PORT", description = "Admin endpoint address (default: ${DEFAULT-VALUE}).")
    String admin;

    @Option(names = "--no-backends", description = "Do not start the demo backends (you run your own on 9001/9002).")
    boolean noBackends;

    @Option(names = "--access-log", paramLabel = "stdout|FILE", arity = "0..1", fallbackValue = "stdout",
            description = "Write one JSON line per request to stdout (the default when given without a value),"
                    + " stderr or FILE. Off by default.")
    String accessLog;

    @Override
    public Integer call() throws Exception {
        Path example = dir != null ? dir : locateExample();
        DemoBackends backends = noBackends ? null : DemoBackends.start("127.0.0.1", 9001, 9002, 9003);
        if (backends != null) {
            Runtime.getRuntime().addShutdownHook(new Thread(backends::close, "archway-demo-backends"));
            LOG.info("demo backends: stable on http://127.0.0.1:9001, canary on http://127.0.0.1:9002, udp echo on 127.0.0.1:9003");
        }
        LOG.info("serving {}; try:  curl http://127.0.0.1:8080/   (about 9 in 10 answers come from stable)", example);
        LOG.info("edit the weights in {} and watch the split change", example.resolve("route.yaml"));
        ServerConfig cfg = new ServerConfig(example,
                new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME, new GatewayAddressing.Shared("127.0.0.1"),
                        true), 0, ServeCommand.parseHostPort(admin), Duration.ofMillis(100), true, accessLog);
        return ServeCommand.run(cfg);
    }

    /** $ARCHWAY_HOME/examples/quickstart, ./examples/quickstart, else a copy of the bundled example. */
    static Path locateExample() throws IOException {
        String home = System.getenv("ARCHWAY_HOME");
        if (home != null && Files.isDirectory(Paths.get(home, "examples", "quickstart"))) {
            return Paths.get(home, "examples", "quickstart");
        }
        if (Files.isDirectory(Paths.get("examples", "quickstart"))) {
            return Paths.get("examples", "quickstart");
        }
        Path target = Paths.get("archway-quickstart");
        if (!Files.isDirectory(target)) {
            Files.createDirectories(target);
            for (String name : BUNDLED) {
                try (InputStream in = QuickstartCommand.class.getResourceAsStream("/quickstart/" + name)) {
                    if (in != null) {
                        Files.copy(in, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            LOG.info("wrote the quickstart example to {}", target.toAbsolutePath());
        }
        return target;
    }
}
