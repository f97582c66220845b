package io.archway.proxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The leak check sees a leak when there is one (so an empty report means something). */
class LeakCheckTest {
    @Test
    void reportsALeakedBuffer() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(LeakCheck.paranoid(), "leak detection is not paranoid");
        try (LeakCheck check = new LeakCheck()) {
            leak();
            assertThat(check.leaks()).contains("LEAK:");
        }
    }

    private static void leak() {
        final ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(64);
        buf.writeLong(42);
    }
}
