package io.archway.proxy.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class whose Netty buffers leaked: Netty's detector (paranoid in the build) logs
 * {@code LEAK:} through slf4j-simple on System.err; this tees System.err while the class runs,
 * then collects garbage, allocates (the detector reports on allocation) and looks for the report.
 */
public final class LeakCheck implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    public LeakCheck() {
        // Buffers an earlier test class lost are reported now, before the tee: they are not this
        // check's (the detector reports a leak whenever the collector finds it, at any later time).
        collectAndReport(2);
        final OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                synchronized (captured) {
                    captured.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                synchronized (captured) {
                    captured.write(b, off, len);
                }
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    public static boolean paranoid() {
        return ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID;
    }

    /** Forces leak reports of what is unreachable now; returns them (empty when none). */
    public String leaks() throws InterruptedException {
        collectAndReport(5);
        final String all;
        synchronized (captured) {
            all = captured.toString(StandardCharsets.UTF_8);
        }
        final int at = all.indexOf("LEAK:");
        return at < 0 ? "" : all.substring(at, Math.min(all.length(), at + 4000));
    }

    @Override
    public void close() {
        System.setErr(original);
    }

    private static void collectAndReport(int rounds) {
        for (int round = 0; round < rounds; round++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (int i = 0; i < 64; i++) {
                final ByteBuf probe = ByteBufAllocator.DEFAULT.directBuffer(16);
                probe.release();
                final ByteBuf heap = ByteBufAllocator.DEFAULT.heapBuffer(16);
                heap.release();
            }
        }
    }

    /**
     * {@code @ExtendWith(LeakCheck.PerClass.class)}: watches the whole test class, after its own
     * {@code @AfterAll} methods fails it unless leak detection is paranoid and nothing leaked.
     */
    public static final class PerClass implements BeforeAllCallback, AfterAllCallback {
        private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PerClass.class);

        @Override
        public void beforeAll(ExtensionContext context) {
            context.getStore(NAMESPACE).put(LeakCheck.class, new LeakCheck());
        }

        @Override
        public void afterAll(ExtensionContext context) throws Exception {
            final LeakCheck check = context.getStore(NAMESPACE).remove(LeakCheck.class, LeakCheck.class);
            try {
                if (!paranoid()) {
                    throw new AssertionError("leak detection level is " + ResourceLeakDetector.getLevel() + ", not PARANOID");
                }
                final String leaks = check.leaks();
                if (!leaks.isEmpty()) {
                    throw new AssertionError("Netty buffer leaks:\n" + leaks);
                }
            } finally {
                check.close();
            }
        }
    }
}
