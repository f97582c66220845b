package io.archway.bench;

import io.archway.proxy.listener.CompiledSnapshot;
import io.archway.snapshot.RoutingSnapshot;
import io.archway.translate.ResourceView;
import io.archway.translate.Translation;
import io.archway.translate.TranslationMemo;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 14's control path at 10, 1,000 and 10,000 HTTPRoutes over up to 1,000 hostnames: a full
 * translation, the data plane's compile of its snapshot (what {@code DataPlane.apply} does before
 * the swap) and the parse of one route file. Run with {@code bench/jmh.sh ControlPath}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class ControlPathBenchmark {
    @Param({"10", "1000", "10000"})
    public int routes;

    private ScaleState state;
    private ResourceView view;
    private RoutingSnapshot snapshot;
    private int edits;
    private final TranslationMemo memo = new TranslationMemo();

    @Setup(Level.Trial)
    public void setUp() {
        state = new ScaleState(routes);
        view = state.view();
        snapshot = state.translator.translate(view, 1, null, memo).snapshot();
    }

    /** Resources in, snapshot and status out: what every rebuild does today. */
    @Benchmark
    public Translation translate() {
        return state.translator.translate(view, 2);
    }

    /** One route edited (its weights flipped), then translated with the previous translation's memo. */
    @Benchmark
    public Translation editAndTranslateIncrementally() {
        state.edit(edits % routes, ++edits);
        return state.translator.translate(state.view(), 3, null, memo);
    }

    /** The data plane's half of a swap: dispatch tables compiled from the snapshot. */
    @Benchmark
    public CompiledSnapshot compileDataPlane() {
        return CompiledSnapshot.compile(snapshot, CompiledSnapshot.empty());
    }

    /** One route file parsed (its weights flipped), as the watcher does before the store. */
    @Benchmark
    public Object parseRouteFile() {
        return state.parse(edits++ % routes, edits);
    }
}
