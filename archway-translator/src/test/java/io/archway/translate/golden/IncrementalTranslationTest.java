package io.archway.translate.golden;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.translate.ResourceView;
import io.archway.translate.Translation;
import io.archway.translate.TranslationMemo;
import io.archway.translate.Translator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * A translation with a {@link TranslationMemo} equals the full one, whatever came before: every
 * golden input (Gateways, ListenerSets, TLS, gRPC, L4, grants, ...) goes through a randomized
 * sequence of edits (objects removed, put back as the same instance, replaced by an equal copy
 * or by a changed copy; routes' rules, weights, hostnames and parentRefs changed; bursts of
 * several objects removed or put back at once; the clock moved across certificate validity), and
 * after each edit the memoized translation is compared with a
 * full one of the same view, snapshot, status and diagnostics.
 */
class IncrementalTranslationTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EDITS = 40;

    @TestFactory
    Stream<DynamicTest> memoizedEqualsFullOnRandomEdits() throws IOException {
        final List<Path> inputs;
        try (Stream<Path> files = Files.list(GOLDEN)) {
            inputs = files.filter(p -> p.getFileName().toString().endsWith(".in.yaml")).sorted().toList();
        }
        assertThat(inputs).isNotEmpty();
        return inputs.stream().map(in -> DynamicTest.dynamicTest(in.getFileName().toString(), () -> check(in)));
    }

    /** The memo is used at all: an unrelated route edit reuses the other routes' results. */
    @Test
    void aRouteEditReusesTheRest() throws IOException {
        final GoldenInput input = GoldenInput.read(GOLDEN, GOLDEN.resolve("backendref-cross-namespace-with-referencegrant.in.yaml"));
        final Translator translator = new Translator(input.options);
        final TranslationMemo memo = new TranslationMemo();
        translator.translate(input.view, 1, input.now, memo);
        translator.translate(input.view, 2, input.now, memo);
        assertThat(memo.stats()).isEqualTo("1 of 2 translations reused per-route results, 1 edited in place");
    }

    private static void check(Path in) throws IOException {
        final GoldenInput input = GoldenInput.read(GOLDEN, in);
        final Translator translator = new Translator(input.options);
        final TranslationMemo memo = new TranslationMemo();
        final Random random = new Random(in.getFileName().toString().hashCode());
        final List<HasMetadata> objects = new ArrayList<>();
        input.view.objects().values().forEach(objects::addAll);
        final List<HasMetadata> removed = new ArrayList<>();
        Instant now = input.now;
        for (int step = 0; step <= EDITS; step++) {
            String edit = "none";
            if (step > 0) {
                edit = edit(random, objects, removed);
                if (input.now != null && random.nextInt(8) == 0) {
                    now = input.now.plus(Duration.ofDays(random.nextInt(3) * 3650L - 3650L));
                    edit += ", clock " + now;
                }
            }
            final ResourceView view = ResourceView.of(objects, input.view.locations());
            final Translation full = translator.translate(view, step, now);
            final Translation incremental = translator.translate(view, step, now, memo);
            assertThat(incremental).as("step %d (%s)", step, edit).isEqualTo(full);
        }
    }

    private static String edit(Random random, List<HasMetadata> objects, List<HasMetadata> removed) {
        final int what = random.nextInt(12);
        if (what >= 10 && objects.size() > 3) {
            // A burst: several objects removed or put back at once, so that the memo's previous
            // results are out of step with the next translation's (Memoized looks them up by position).
            final StringBuilder burst = new StringBuilder("burst:");
            for (int n = 2 + random.nextInt(4); n > 0 && objects.size() > 1; n--) {
                if (what == 10 || removed.isEmpty()) {
                    final HasMetadata o = objects.remove(random.nextInt(objects.size()));
                    removed.add(o);
                    burst.append(" removed ").append(name(o));
                } else {
                    final HasMetadata back = removed.remove(random.nextInt(removed.size()));
                    objects.add(random.nextInt(objects.size() + 1), back);
                    burst.append(" put back ").append(name(back));
                }
            }
            return burst.toString();
        }
        if (what == 0 && !removed.isEmpty()) {
            final HasMetadata back = removed.remove(random.nextInt(removed.size()));
            objects.add(random.nextInt(objects.size() + 1), back);
            return "put back " + name(back);
        }
        if (objects.isEmpty()) {
            return "none";
        }
        final int i = random.nextInt(objects.size());
        final HasMetadata o = objects.get(i);
        if (what <= 2) {
            removed.add(objects.remove(i));
            return "removed " + name(o);
        }
        if (what <= 4) {
            objects.set(i, copy(o, null));
            return "equal copy of " + name(o);
        }
        objects.set(i, copy(o, random));
        return "changed copy of " + name(o);
    }

    private static String name(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    /** A copy of {@code o}; with {@code random}, a spec field of a route changed. */
    private static HasMetadata copy(HasMetadata o, Random random) {
        final ObjectNode tree = JSON.valueToTree(o);
        if (random != null && tree.path("spec").isObject()) {
            final ObjectNode spec = (ObjectNode) tree.get("spec");
            final ObjectNode metadata = (ObjectNode) tree.get("metadata");
            metadata.put("generation", metadata.path("generation").asLong(1) + 1);
            switch (random.nextInt(5)) {
                case 0 -> {
                    final JsonNode rules = spec.path("rules");
                    if (rules.isArray() && rules.size() > 0) {
                        ((ArrayNode) rules).remove(random.nextInt(rules.size()));
                    }
                }
                case 1 -> {
                    final JsonNode rules = spec.path("rules");
                    if (rules.isArray() && rules.size() > 0) {
                        ((ArrayNode) rules).add(rules.get(random.nextInt(rules.size())).deepCopy());
                    }
                }
                case 2 -> spec.putArray("hostnames").add(random.nextBoolean() ? "*.example.com" : "foo.example.com");
                case 3 -> {
                    for (JsonNode rule : spec.path("rules")) {
                        for (JsonNode ref : rule.path("backendRefs")) {
                            ((ObjectNode) ref).put("weight", random.nextInt(3));
                        }
                    }
                }
                default -> {
                    final JsonNode parents = spec.path("parentRefs");
                    if (parents.isArray() && parents.size() > 0) {
                        ((ObjectNode) parents.get(0)).put("sectionName", random.nextBoolean() ? "http" : "https");
                    }
                }
            }
        }
        return JSON.convertValue(tree, o.getClass());
    }
}
