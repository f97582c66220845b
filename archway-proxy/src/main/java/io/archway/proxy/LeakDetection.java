package io.archway.proxy;

import io.netty.util.ResourceLeakDetector;

/**
 * Netty's buffer leak detection for a serving gateway. Netty's default level (SIMPLE) tracks one
 * buffer in 128 and records a stack trace when it is allocated and when it is released: on the
 * proxy's hot path that is a {@code Throwable} filled in for about one request in sixteen (the head
 * encoders and the read buffers allocate per request), a cost of a few percent of the event loop's
 * CPU. The test suites run every buffer under PARANOID detection instead (leaks fail the build), so
 * a serving gateway runs without it, unless the operator asks for it with Netty's own property
 * ({@code -Dio.netty.leakDetection.level=simple}, through {@code ARCHWAY_JAVA_OPTS}).
 */
public final class LeakDetection {
    /** Netty's property; when set, its level stands. */
    static final String PROPERTY = "io.netty.leakDetection.level";

    private LeakDetection() {
    }

    /** Turns Netty's leak detection off unless {@link #PROPERTY} chose a level. */
    public static void forServing() {
        if (System.getProperty(PROPERTY) == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }
}
