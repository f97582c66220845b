package io.archway.server;

import io.archway.admission.Admission;
import io.archway.kinds.ResourceKind;
import io.archway.source.file.ManifestFiles;
import io.archway.source.file.ManifestLoader;
import io.archway.source.ResourceStore;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.Translator;
import io.archway.translate.TranslatorOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first uses of a directory {@code serve}'s start-up, made ahead on a second thread (issue 14:
 * ready in under a second with one route). A cold JVM spends most of that start-up loading and
 * initialising what reads the first manifest: SnakeYAML, Jackson's and fabric8's bean
 * introspection of the Gateway API model, the CRDs' schemas and CEL programs of admission, the
 * translator and the snapshot's compilation. Started at the top of {@code main}, this reads,
 * admits and translates a packaged sample ({@code warm-up.yaml}) while the main thread is still
 * in the JVM's and picocli's start-up, and then builds the server (Netty, Micrometer); the main
 * thread's own first read finds those classes initialised and their caches filled (on two cores
 * the two threads run side by side). The sample's result is discarded: nothing of it reaches the
 * store, the status or the data plane. A failure here is the real read's to report.
 */
public final class StartupWarmup {
    private static final Logger LOG = LoggerFactory.getLogger(StartupWarmup.class);
    private static final String SAMPLE = "warm-up.yaml";
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private StartupWarmup() {
    }

    /** Starts the warm-up on a daemon thread, once per process (later calls do nothing). */
    public static void startInBackground() {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(StartupWarmup::run, "archway-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private static void run() {
        try {
            // The CRDs of the kinds every directory has first: the real read waits for these.
            Admission.standalone().prepare(List.of(ResourceKind.GATEWAY_CLASS, ResourceKind.GATEWAY,
                    ResourceKind.HTTP_ROUTE));
            ManifestFiles files = new ManifestFiles(new ResourceStore());
            files.apply(new ManifestLoader().parse(SAMPLE, sample()));
            new Translator(new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                    new GatewayAddressing.Shared("127.0.0.1"), true)).translate(files.store().view(), 0);
        } catch (IOException | RuntimeException e) {
            LOG.debug("start-up warm-up", e);
        }
    }

    private static String sample() throws IOException {
        try (InputStream in = StartupWarmup.class.getResourceAsStream(SAMPLE)) {
            if (in == null) {
                throw new IOException(SAMPLE + " is not packaged");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
