package io.archway.cli;

import io.archway.client.canary.CanaryEvent;
import io.archway.client.canary.CanaryListener;
import io.archway.client.canary.CanaryPlan;
import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Live progress of a canary run: on a terminal a progress bar redrawn in place (events scroll above
 * it); otherwise one timestamped line per event, for logs and CI.
 */
final class CanaryProgress implements CanaryListener, AutoCloseable {
    enum Style { auto, bar, plain }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean bar;
    private final CanaryPlan plan;
    private final ScheduledExecutorService ticker;
    private volatile int step = -1;
    private volatile int weight;
    private volatile long stepStarted = System.nanoTime();
    private volatile boolean finished;
    private int drawn;

    CanaryProgress(PrintWriter out, Style style, CanaryPlan plan) {
        this.out = out;
        this.plan = plan;
        this.bar = style == Style.bar || (style == Style.auto && System.console() != null);
        if (bar) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "archway-canary-progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::redraw, 500, 500, TimeUnit.MILLISECONDS);
        } else {
            ticker = null;
        }
    }

    @Override
    public synchronized void onEvent(CanaryEvent e) {
        if (e.type() == CanaryEvent.Type.STEP_STARTED || e.type() == CanaryEvent.Type.WAITING_FOR_TRAFFIC) {
            stepStarted = System.nanoTime();
        }
        step = e.step();
        weight = e.canaryWeight();
        switch (e.type()) {
            case ROLLED_BACK, ABORTED, PROMOTED -> finished = true;
            default -> {
            }
        }
        if (bar) {
            clear();
        }
        out.println(LocalTime.ofInstant(e.at(), ZoneId.systemDefault()).format(TIME) + " " + e.message());
        if (bar && !finished) {
            draw();
        }
        out.flush();
    }

    private synchronized void redraw() {
        if (!finished) {
            clear();
            draw();
            out.flush();
        }
    }

    private void clear() {
        if (drawn > 0) {
            out.print("\r" + " ".repeat(drawn) + "\r");
            drawn = 0;
        }
    }

    private void draw() {
        int filled = Math.min(WIDTH, weight * WIDTH / 100);
        double interval = plan.interval().toMillis() / 1000.0;
        double elapsed = Math.min(interval, (System.nanoTime() - stepStarted) / 1e9);
        String line = "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + plan.canaryBackend() + " "
                + weight + "%  step " + Math.max(0, step + 1) + "/" + plan.steps().size() + "  "
                + String.format(java.util.Locale.ROOT, "%.0fs/%.0fs", Math.floor(elapsed), Math.ceil(interval));
        out.print(line);
        drawn = line.length();
    }

    @Override
    public synchronized void close() {
        finished = true;
        if (ticker != null) {
            ticker.shutdownNow();
            clear();
            out.flush();
        }
    }
}
