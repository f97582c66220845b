package io.archway.proxy.testing;

import io.archway.proxy.listener.EventLoops;
import java.util.function.Supplier;

/** Creates something (a data plane, event loops) with {@code -Darchway.transport} set for the call only. */
public final class TransportProperty {
    private TransportProperty() {
    }

    /** {@code transport} null: the property unset, i.e. the default transport. */
    public static synchronized <T> T with(String transport, Supplier<T> create) {
        final String before = System.getProperty(EventLoops.TRANSPORT_PROPERTY);
        set(transport);
        try {
            return create.get();
        } finally {
            set(before);
        }
    }

    private static void set(String value) {
        if (value == null) {
            System.clearProperty(EventLoops.TRANSPORT_PROPERTY);
        } else {
            System.setProperty(EventLoops.TRANSPORT_PROPERTY, value);
        }
    }
}
