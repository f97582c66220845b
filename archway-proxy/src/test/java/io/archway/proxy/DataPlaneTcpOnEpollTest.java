package io.archway.proxy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link DataPlaneTcpTest} on epoll, which is not the default where io_uring is available: the
 * half-close tests there guard {@code EpollInterest}, the workaround for Netty's epoll transport.
 */
class DataPlaneTcpOnEpollTest extends DataPlaneTcpTest {
    @BeforeAll
    static void epollHere() {
        assumeTrue(Epoll.isAvailable(), "epoll is not available here");
    }

    @Override
    String transport() {
        return "epoll";
    }
}
