package io.archway.bench;

import io.archway.proxy.listener.CompiledSnapshot;
import io.archway.translate.ResourceView;
import io.archway.translate.Translation;
import io.archway.translate.TranslationMemo;

/**
 * Wall-clock split of one rebuild at a given scale (view, translate, data-plane compile), for
 * finding where the time goes (run it under JFR) before writing a JMH case:
 * {@code java -cp ... io.archway.bench.ScaleProfile 10000 [rounds [full|memo [addremove]]]} (full: without a
 * {@link TranslationMemo}; addremove: each round adds one more route or removes it, instead of
 * editing one in place).
 */
public final class ScaleProfile {
    private ScaleProfile() {
    }

    public static void main(String[] args) {
        final int routes = Integer.parseInt(args[0]);
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        long t0 = System.nanoTime();
        final ScaleState state = new ScaleState(routes);
        System.out.printf("parse %d routes: %d ms%n", routes, (System.nanoTime() - t0) / 1_000_000);
        final TranslationMemo memo = args.length > 2 && args[2].equals("full") ? null : new TranslationMemo();
        final boolean addRemove = args.length > 3 && args[3].equals("addremove");
        CompiledSnapshot compiled = CompiledSnapshot.empty();
        final java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int r = 0; r < rounds; r++) {
            long a = System.nanoTime();
            if (addRemove) {
                state.addOrRemove(r + 1);
            } else {
                state.edit(r % routes, r + 1);
            }
            final ResourceView view = state.view();
            long c = System.nanoTime();
            final long cpu0 = cpu.getCurrentThreadCpuTime();
            final Translation t = state.translator.translate(view, r + 2, null, memo);
            long d = System.nanoTime();
            final long cpu1 = cpu.getCurrentThreadCpuTime();
            compiled = CompiledSnapshot.compile(t.snapshot(), memo == null ? CompiledSnapshot.empty() : compiled);
            long e = System.nanoTime();
            final long cpu2 = cpu.getCurrentThreadCpuTime();
            System.out.printf("round %d: edit+view %.1f ms, translate %.1f ms (cpu %.1f ms), data-plane compile %.1f ms"
                    + " (cpu %.1f ms)%n", r, (c - a) / 1e6, (d - c) / 1e6, (cpu1 - cpu0) / 1e6, (e - d) / 1e6,
                    (cpu2 - cpu1) / 1e6);
        }
    }
}
