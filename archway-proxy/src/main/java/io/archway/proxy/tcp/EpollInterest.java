package io.archway.proxy.tcp;

import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoOps;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works around a Netty 4.2 epoll bug that loses the data written to a half-closed connection.
 *
 * <p>Netty 4.2.18's {@code EpollIoHandler} removes a channel's socket from the epoll set
 * ({@code EPOLL_CTL_DEL}) when its interest set becomes empty, but keeps its registration marked as
 * added. A TCP channel whose input was shut down (the peer sent FIN, with half-closure allowed) and
 * that has nothing left to write has an empty interest set: no {@code EPOLLIN}, no
 * {@code EPOLLRDHUP}, no {@code EPOLLOUT}. The next write to it that cannot complete at once then
 * asks for {@code EPOLLOUT} with {@code EPOLL_CTL_MOD}, which fails with {@code ENOENT}; Netty turns
 * that into an output shutdown that fails every pending write, so the peer gets a clean FIN in the
 * middle of the data.
 *
 * <p>{@link #keep} adds {@code EPOLLERR} to the channel's interest set for its whole life. The
 * kernel reports {@code EPOLLERR} whether asked for or not (older Netty registered every socket with
 * it), so this changes no event the channel sees, but the set is never empty and the socket stays
 * in the epoll set.
 */
final class EpollInterest {
    private static final Logger LOG = LoggerFactory.getLogger(EpollInterest.class);
    /** {@code AbstractEpollChannel.setFlag(int)}, protected in a package-private class. */
    private static final MethodHandle SET_FLAG = setFlag();
    private static final Class<?> EPOLL_CHANNEL = SET_FLAG == null ? null : epollChannelClass();

    private EpollInterest() {
    }

    private static MethodHandle setFlag() {
        if (!Epoll.isAvailable()) {
            return null;
        }
        try {
            final Method m = epollChannelClass().getDeclaredMethod("setFlag", int.class);
            m.setAccessible(true);
            return MethodHandles.lookup().unreflect(m);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Cannot pin EPOLLERR on TCP relay channels ({}): data sent to half-closed connections may be lost",
                    e.toString());
            return null;
        }
    }

    private static Class<?> epollChannelClass() {
        try {
            return Class.forName("io.netty.channel.epoll.AbstractEpollChannel");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keeps the epoll channel {@code ch}, registered and open, in its event loop's epoll set. */
    static void keep(Channel ch) {
        if (SET_FLAG == null || !EPOLL_CHANNEL.isInstance(ch) || !ch.isRegistered()) {
            return;
        }
        try {
            SET_FLAG.invoke(ch, EpollIoOps.EPOLLERR.value());
        } catch (Throwable t) {
            LOG.debug("{}: cannot pin EPOLLERR: {}", ch, t.toString());
        }
    }
}
