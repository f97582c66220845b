package io.archway.proxy.http.h1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class FieldLinesTest {
    /** Names starting with "x-drop", in both forms, as {@code HopByHopHeaders} writes its test. */
    private static final FieldLines.NameTest DROP = new FieldLines.NameTest() {
        @Override
        public boolean test(byte[] bytes, int start, int length) {
            return test(new String(bytes, start, length, StandardCharsets.US_ASCII));
        }

        @Override
        public boolean test(CharSequence name) {
            return name.toString().toLowerCase(Locale.ROOT).startsWith("x-drop");
        }
    };

    private static FieldLines parse(String head) {
        final ByteBuf in = Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII);
        try {
            return new RequestHeadParser(4096, 8192).parse(in).fields();
        } finally {
            in.release();
        }
    }

    private static List<String> lines(FieldLines fields) {
        final List<String> out = new ArrayList<>();
        fields.iteratorCharSequence().forEachRemaining(e -> out.add(e.getKey() + ": " + e.getValue()));
        return out;
    }

    @Test
    void removeIfDropsReceivedAndAddedFieldsInOnePassKeepingTheOrder() {
        final FieldLines fields = parse("GET / HTTP/1.1\r\nHost: h\r\nX-Drop-A: 1\r\nX-Keep: 2\r\nx-drop-b: 3\r\n\r\n");
        fields.add("X-DROP-C", "4").add("X-Added", "5").add("x-drop-d", "6").add("x-drop-e", "7").add("X-Last", "8");
        fields.removeIf(DROP);
        assertThat(lines(fields)).containsExactly("Host: h", "X-Keep: 2", "X-Added: 5", "X-Last: 8");
        assertThat(fields.size()).isEqualTo(4);
        assertThat(fields.contains("x-drop-e")).isFalse();
        fields.add("X-Then", "9");
        assertThat(lines(fields)).endsWith("X-Last: 8", "X-Then: 9");
    }

    @Test
    void theValuesOfANameAreReceivedThenAddedOnesWithoutRemovedOnes() {
        final FieldLines fields = parse("GET / HTTP/1.1\r\nConnection: keep-alive\r\nHost: h\r\nX-Drop: 1\r\n"
                + "connection: x-a\r\nX-Drop-B: 2\r\n\r\n");
        fields.add("CONNECTION", "x-b").add("X-Other", "3");
        assertThat(values(fields, "Connection")).containsExactly("keep-alive", "x-a", "x-b");
        fields.removeIf(DROP);
        assertThat(values(fields, "x-drop")).isEmpty();
        fields.remove("connection");
        fields.add("Connection", "close");
        assertThat(values(fields, "connection")).containsExactly("close");
        assertThat(values(fields, "Host")).containsExactly("h");
        assertThat(values(fields, "x-absent")).isEmpty();
        final var it = fields.valueCharSequenceIterator("host");
        it.next();
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }

    private static List<String> values(FieldLines fields, String name) {
        final List<String> out = new ArrayList<>();
        fields.valueCharSequenceIterator(name).forEachRemaining(v -> out.add(v.toString()));
        return out;
    }

    @Test
    void removeIfWithoutAddedFields() {
        final FieldLines fields = parse("GET / HTTP/1.1\r\nX-Drop: 1\r\nHost: h\r\n\r\n");
        fields.removeIf(DROP);
        assertThat(lines(fields)).containsExactly("Host: h");
        assertThat(fields.edited()).isTrue();
    }
}
