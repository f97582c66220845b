package io.archway.translate.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.archway.translate.Translation;
import io.archway.translate.Translator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden translator tests: each {@code golden/<case>.in.yaml} is translated and compared with
 * {@code <case>.out.yaml}. Run with {@code -Darchway.golden.update=true} to rewrite the goldens
 * (then review the diff). A missing {@code .out.yaml} fails and prints what it would contain.
 */
class GoldenTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final boolean UPDATE = Boolean.getBoolean("archway.golden.update");

    @TestFactory
    Stream<DynamicTest> goldens() throws IOException {
        final List<Path> inputs;
        try (Stream<Path> files = Files.list(GOLDEN)) {
            inputs = files.filter(p -> p.getFileName().toString().endsWith(".in.yaml")).sorted().toList();
        }
        assertThat(inputs).as("golden inputs in " + GOLDEN.toAbsolutePath()).isNotEmpty();
        return inputs.stream().map(in -> DynamicTest.dynamicTest(
                in.getFileName().toString().replace(".in.yaml", ""), () -> check(in)));
    }

    private static void check(Path in) throws IOException {
        final GoldenInput input = GoldenInput.read(GOLDEN, in);
        final String before = GoldenInput.SERIALIZATION.asJson(input.view.objects());
        final Translation translation = new Translator(input.options).translate(input.view, 1, input.now);
        // Never a setter on the input: the view serialises the same after translation.
        assertThat(GoldenInput.SERIALIZATION.asJson(input.view.objects())).isEqualTo(before);
        final String actual = GoldenOutput.render(translation);
        // The translator is a pure function: a second run gives the very same output.
        assertThat(GoldenOutput.render(new Translator(input.options).translate(input.view, 1, input.now))).isEqualTo(actual);
        final Path out = in.resolveSibling(in.getFileName().toString().replace(".in.yaml", ".out.yaml"));
        if (UPDATE) {
            Files.writeString(out, actual);
            return;
        }
        if (!Files.exists(out)) {
            fail("missing " + out + " (run with -Darchway.golden.update=true); it would contain:\n" + actual);
        }
        assertThat(actual).as("translation of " + in.getFileName()).isEqualTo(Files.readString(out));
    }
}
