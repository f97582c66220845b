package io.archway.proxy.http;

import io.netty.handler.codec.http.HttpContent;
import java.util.ArrayList;
import java.util.List;

/**
 * A bounded copy of a request body, kept so that a retry can send it again. Once the body grows
 * past the limit the copy is dropped and the request is no longer retryable: a retry never sends
 * a body it could not send whole.
 */
final class ReplayBuffer {
    enum State {
        /** Everything received so far is kept. */
        KEEPING,
        /** The body outgrew the limit: nothing is kept, no retry is possible. */
        OVERFLOWED,
        /** The response was committed (or the request ended): nothing more to keep. */
        RELEASED
    }

    private final int limit;
    private final List<HttpContent> kept = new ArrayList<>(2);
    private long bytes;
    private State state = State.KEEPING;

    ReplayBuffer(int limit) {
        this.limit = limit;
    }

    State state() {
        return state;
    }

    /** Keeps a copy of {@code part} (the caller keeps its own reference). */
    void keep(HttpContent part) {
        if (state != State.KEEPING) {
            return;
        }
        bytes += part.content().readableBytes();
        if (bytes > limit) {
            releaseKept();
            state = State.OVERFLOWED;
            return;
        }
        kept.add(part.retainedDuplicate());
    }

    /** Sends a copy of everything kept to {@code attempt}, in order. */
    void replayInto(UpstreamAttempt attempt) {
        for (int i = 0; i < kept.size(); i++) {
            attempt.write(kept.get(i).retainedDuplicate());
        }
    }

    void release() {
        releaseKept();
        if (state == State.KEEPING) {
            state = State.RELEASED;
        }
    }

    private void releaseKept() {
        for (int i = 0; i < kept.size(); i++) {
            kept.get(i).release();
        }
        kept.clear();
    }
}
