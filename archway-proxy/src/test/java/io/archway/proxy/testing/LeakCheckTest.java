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

    @Test
    void aLeakFromBeforeTheCheckIsNotItsOwn() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(LeakCheck.paranoid(), "leak detection is not paranoid");
        leak(); // an earlier test class's leak, found by the collector only later
        try (LeakCheck check = new LeakCheck()) {
            assertThat(check.leaks()).isEmpty();
        }
    }

    private static void leak() {
        final ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(64);
        buf.writeLong(42);
    }
}
