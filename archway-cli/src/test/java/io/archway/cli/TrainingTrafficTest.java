package io.archway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.server.ArchwayServer;
import io.archway.server.ServerConfig;
import io.archway.translate.GatewayAddressing;
import io.archway.translate.TranslatorOptions;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's AOT-cache training with traffic ({@code serve --exit-when-ready --training-requests
 * N} over archway-cli/training): every request goes through the training listener over a real
 * socket, HTTP/1.1 and h2c, to the backend in the process, and is answered 200; a training whose
 * requests are not answered fails, so that the launcher falls back to the start-up alone. The
 * training configuration is copied with its ports moved by a free offset (the launcher's own ports
 * may be in use on a shared machine).
 */
class TrainingTrafficTest {
    @TempDir
    Path dir;

    @Test
    void everyRequestGoesThroughTheListenerToTheBackendAndIsAnswered200() throws Exception {
        final int offset = freeOffset();
        final Path config = trainingConfig(offset, TrainingTraffic.BACKEND_PORT + offset);
        try (ArchwayServer server = start(config, offset)) {
            final TrainingTraffic.Result r = TrainingTraffic.send("127.0.0.1", offset, 401);
            assertThat(r.failure()).isNull();
            // 8 connections, 2 per protocol and body: the first one takes the remainder.
            assertThat(r.h1Ok()).isEqualTo(201);
            assertThat(r.h2cOk()).isEqualTo(200);
            assertThat(r.allOk()).isTrue();
            // The proxy forwarded every one (none was answered by the gateway itself).
            assertThat(r.backendRequests()).isEqualTo(401);
        }
    }

    @Test
    void roundsFollowUntilTwoRunningCompileForUnderATenthOfTheirTime() throws Exception {
        final int offset = freeOffset();
        final Path config = trainingConfig(offset, TrainingTraffic.BACKEND_PORT + offset);
        try (ArchwayServer server = start(config, offset)) {
            // The JIT's total compilation time as each round begins and ends: two busy rounds, then quiet ones.
            final long[] compiled = {0, 100_000, 100_000, 200_000};
            final AtomicInteger reads = new AtomicInteger();
            final TrainingTraffic.Result r = TrainingTraffic.sendUntilSettled("127.0.0.1", offset, 40, 1_000,
                    () -> compiled[Math.min(reads.getAndIncrement(), compiled.length - 1)]);
            // 40 first, then rounds of 10: two busy, two quiet.
            assertThat(r.sent()).isEqualTo(80);
            assertThat(r.allOk()).isTrue();
            assertThat(r.backendRequests()).isEqualTo(80);
            assertThat(reads).hasValue(8);
        }
    }

    @Test
    void roundsStopAtTheMaximumWhenTheJitNeverSettles() throws Exception {
        final int offset = freeOffset();
        final Path config = trainingConfig(offset, TrainingTraffic.BACKEND_PORT + offset);
        try (ArchwayServer server = start(config, offset)) {
            final AtomicLong busy = new AtomicLong();
            final TrainingTraffic.Result r = TrainingTraffic.sendUntilSettled("127.0.0.1", offset, 40, 70,
                    () -> busy.addAndGet(100_000));
            // 40, then rounds of 10 while one more fits in 70: the last one reaches it.
            assertThat(r.sent()).isEqualTo(70);
            assertThat(r.allOk()).isTrue();
            assertThat(r.backendRequests()).isEqualTo(70);
        }
    }

    @Test
    void withoutTheJitsCompilationTimeOnlyTheFirstRequestsAreSent() throws Exception {
        final int offset = freeOffset();
        final Path config = trainingConfig(offset, TrainingTraffic.BACKEND_PORT + offset);
        try (ArchwayServer server = start(config, offset)) {
            final TrainingTraffic.Result r = TrainingTraffic.sendUntilSettled("127.0.0.1", offset, 40, 1_000, null);
            assertThat(r.sent()).isEqualTo(40);
            assertThat(r.backendRequests()).isEqualTo(40);
        }
    }

    @Test
    void theJitHasSettledAfterTwoQuietRoundsRunning() {
        final TrainingTraffic.Settling settling = new TrainingTraffic.Settling();
        final long second = 1_000_000_000L;
        settling.round(second, 99);
        assertThat(settling.settled()).isFalse();
        // A tenth of the round is not under a tenth: the count starts again.
        settling.round(second, 100);
        settling.round(second, 99);
        assertThat(settling.settled()).isFalse();
        settling.round(second, 0);
        assertThat(settling.settled()).isTrue();
    }

    @Test
    void serveExitWhenReadySendsTheRequestsAndExits0() throws Exception {
        final int offset = freeOffset();
        assertThat(train(trainingConfig(offset, TrainingTraffic.BACKEND_PORT + offset), offset, "200")).isZero();
    }

    @Test
    void aTrainingWhoseRequestsAreNotAnswered200Fails() throws Exception {
        final int offset = freeOffset();
        final int nothing;
        try (ServerSocket s = new ServerSocket(0)) {
            nothing = s.getLocalPort();
        }
        // The route's backend is a port nothing listens on: the gateway answers 503, not the backend 200.
        assertThat(train(trainingConfig(offset, nothing), offset, "40")).isEqualTo(ExitCodes.FAILURE);
    }

    @Test
    void aTrainingWhoseBackendPortIsTakenFails() throws Exception {
        final int offset = freeOffset();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", TrainingTraffic.BACKEND_PORT + offset));
            assertThat(train(trainingConfig(offset, TrainingTraffic.BACKEND_PORT + offset), offset, "40"))
                    .isEqualTo(ExitCodes.FAILURE);
        }
    }

    @Test
    void theTrainingRotatesTimerMaximaWithinASecond() throws Exception {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TrainingTraffic.rotateTimerMaxima(registry);
        final Timer timer = Timer.builder("archway.test").register(registry);
        final Timer production = Timer.builder("archway.test")
                .register(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        timer.record(Duration.ofMillis(5));
        production.record(Duration.ofMillis(5));
        assertThat(timer.max(TimeUnit.MILLISECONDS)).isEqualTo(5.0);
        Thread.sleep(1_000); // past the training's 3 buckets of 300 ms; production keeps a bucket for a minute
        assertThat(timer.max(TimeUnit.MILLISECONDS)).isZero();
        assertThat(production.max(TimeUnit.MILLISECONDS)).isEqualTo(5.0);
    }

    @Test
    void trainingMaxRequestsNeedTrainingRequests() {
        final StringWriter err = new StringWriter();
        assertThat(ArchwayCommand.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "serve", "--config", dir.toString(), "--exit-when-ready", "--training-max-requests", "10"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--training-max-requests needs --training-requests");
    }

    @Test
    void trainingRequestsNeedExitWhenReady() {
        final StringWriter err = new StringWriter();
        assertThat(ArchwayCommand.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "serve", "--config", dir.toString(), "--training-requests", "10")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--training-requests needs --exit-when-ready");
    }

    private static ArchwayServer start(Path config, int offset) throws Exception {
        return ArchwayServer.start(new ServerConfig(config, new TranslatorOptions(
                TranslatorOptions.DEFAULT_CONTROLLER_NAME, new GatewayAddressing.Shared("127.0.0.1"), true), offset,
                new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(100), false, null));
    }

    private static int train(Path config, int offset, String requests) {
        return ArchwayCommand.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true),
                "serve", "--config", config.toString(), "--address", "127.0.0.1", "--admin", "127.0.0.1:0",
                "--port-offset", Integer.toString(offset), "--drain-timeout", "0s", "--no-watch", "--exit-when-ready",
                "--training-requests", requests);
    }

    /** archway-cli/training, its {@code stable} endpoint on {@code stablePort}. */
    private Path trainingConfig(int offset, int stablePort) throws IOException {
        final Path copy = Files.createDirectories(dir.resolve("training-" + offset + "-" + stablePort));
        try (Stream<Path> files = Files.list(Path.of("training"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.writeString(copy.resolve(f.getFileName()), Files.readString(f)
                        .replace(Integer.toString(TrainingTraffic.BACKEND_PORT), Integer.toString(stablePort)));
            }
        }
        return copy;
    }

    /** An offset that moves the training's listener and backend ports onto two free ones. */
    private static int freeOffset() throws IOException {
        for (int attempt = 0; ; attempt++) {
            final int offset = ThreadLocalRandom.current().nextInt(1_000, 20_000);
            if (free(TrainingTraffic.LISTENER_PORT + offset) && free(TrainingTraffic.BACKEND_PORT + offset)) {
                return offset;
            }
            if (attempt == 50) {
                throw new IOException("no free pair of ports for the training");
            }
        }
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
