package io.archway.client.directory;

import io.archway.client.BackendWeight;
import io.archway.client.WeightUpdate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Edits the weight scalars of one rule in a document's text in place, so that every other byte of
 * the document (comments, quoting, key order) survives. An existing {@code weight} scalar is
 * replaced; a missing one is inserted before the backendRef's first key. Works on block YAML and
 * on flow style (JSON). Returns empty when the document's shape is not understood, so the caller
 * can fall back to re-serialising.
 */
final class WeightScalarEditor {

    private record Edit(int start, int end, String replacement) {}

    private WeightScalarEditor() {}

    static Optional<String> edit(String text, WeightUpdate update) {
        Node root;
        try {
            root = new Compose(LoadSettings.builder().setLabel("document").build()).composeString(text).orElse(null);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        Node rules = child(child(root, "spec"), "rules");
        if (!(rules instanceof SequenceNode ruleSeq) || ruleSeq.getValue().size() <= update.ruleIndex()) {
            return Optional.empty();
        }
        Node refs = child(ruleSeq.getValue().get(update.ruleIndex()), "backendRefs");
        if (!(refs instanceof SequenceNode refSeq) || refSeq.getValue().size() != update.backends().size()) {
            return Optional.empty();
        }
        String newline = text.contains("\r\n") ? "\r\n" : "\n";
        List<Edit> edits = new ArrayList<>();
        for (BackendWeight w : update.backends()) {
            if (!w.changed()) {
                continue;
            }
            if (!(refSeq.getValue().get(w.position()) instanceof MappingNode ref) || ref.getValue().isEmpty()) {
                return Optional.empty();
            }
            Node weight = child(ref, "weight");
            String value = Integer.toString(w.after());
            if (weight != null) {
                if (!(weight instanceof ScalarNode) || weight.getStartMark().isEmpty() || weight.getEndMark().isEmpty()) {
                    return Optional.empty();
                }
                edits.add(new Edit(offset(text, weight.getStartMark().get()), offset(text, weight.getEndMark().get()), value));
            } else {
                Node firstKey = ref.getValue().get(0).getKeyNode();
                if (firstKey.getStartMark().isEmpty()) {
                    return Optional.empty();
                }
                Mark at = firstKey.getStartMark().get();
                String insert = ref.getFlowStyle() == FlowStyle.FLOW
                        ? "\"weight\": " + value + ", "
                        : "weight: " + value + newline + " ".repeat(at.getColumn());
                int pos = offset(text, at);
                edits.add(new Edit(pos, pos, insert));
            }
        }
        edits.sort(Comparator.comparingInt(Edit::start).reversed());
        StringBuilder sb = new StringBuilder(text);
        for (Edit e : edits) {
            sb.replace(e.start(), e.end(), e.replacement());
        }
        return Optional.of(sb.toString());
    }

    private static Node child(Node node, String key) {
        if (!(node instanceof MappingNode map)) {
            return null;
        }
        for (NodeTuple t : map.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && key.equals(k.getValue())) {
                return t.getValueNode();
            }
        }
        return null;
    }

    /** Marks count code points; Java strings count UTF-16 units. */
    private static int offset(String text, Mark mark) {
        return text.offsetByCodePoints(0, mark.getIndex());
    }
}
