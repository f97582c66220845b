package io.archway.it;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A gRPC load loop for measuring a proxy (not a test): grpc-java clients against a target, bounded
 * in time, on loopback only.
 *
 * <pre>
 * backend PORT                                   a {@link GrpcBackend} on 127.0.0.1:PORT until killed
 * unary TARGET AUTHORITY SECONDS CHANNELS DEPTH  unary calls, DEPTH in flight per channel; prints calls/s
 * stream TARGET AUTHORITY SECONDS CHANNELS N     server streams of N messages each, one per channel
 *                                                at a time; prints messages/s
 * </pre>
 * Each load run warms up for a third of SECONDS (not counted) first.
 */
public final class GrpcLoadMain {
    private GrpcLoadMain() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "backend" -> {
                final GrpcBackend b = new GrpcBackend("bench", Integer.parseInt(args[1]));
                System.out.println("backend on " + b.port());
                Thread.sleep(Long.MAX_VALUE);
            }
            case "unary", "stream" -> {
                final String target = args[1];
                final String authority = args[2];
                final int seconds = Integer.parseInt(args[3]);
                final int channels = Integer.parseInt(args[4]);
                final int param = Integer.parseInt(args[5]);
                final boolean unary = args[0].equals("unary");
                final List<ManagedChannel> chs = new ArrayList<>();
                for (int i = 0; i < channels; i++) {
                    chs.add(Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
                            .overrideAuthority(authority).build());
                }
                run(chs, unary, param, Math.max(1, seconds / 3)); // warm-up
                final long[] r = run(chs, unary, param, seconds);
                System.out.printf(Locale.ROOT, "%s %s: %.0f %s/s over %d s (%d errors)%n", args[0], target,
                        r[0] / (double) seconds, unary ? "calls" : "messages", seconds, r[1]);
                chs.forEach(ManagedChannel::shutdownNow);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** Returns {done, errors}. */
    private static long[] run(List<ManagedChannel> chs, boolean unary, int param, int seconds) throws Exception {
        final AtomicLong done = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final int loops = unary ? chs.size() * param : chs.size();
        final CountDownLatch finished = new CountDownLatch(loops);
        for (int i = 0; i < loops; i++) {
            final ManagedChannel ch = chs.get(i % chs.size());
            if (unary) {
                unaryLoop(ch, done, errors, stop, finished);
            } else {
                streamLoop(ch, param, done, errors, stop, finished);
            }
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        stop.set(true);
        final long count = done.get();
        finished.await(10, TimeUnit.SECONDS);
        return new long[] {count, errors.get()};
    }

    private static void unaryLoop(ManagedChannel ch, AtomicLong done, AtomicLong errors, AtomicBoolean stop,
                                  CountDownLatch finished) {
        final ClientCall<String, String> call = ch.newCall(GrpcBackend.UNARY, CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                if (status.isOk()) {
                    done.incrementAndGet();
                } else {
                    errors.incrementAndGet();
                }
                if (stop.get()) {
                    finished.countDown();
                } else {
                    unaryLoop(ch, done, errors, stop, finished);
                }
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage("x");
        call.halfClose();
    }

    private static void streamLoop(ManagedChannel ch, int n, AtomicLong done, AtomicLong errors, AtomicBoolean stop,
                                   CountDownLatch finished) {
        ClientCalls.asyncServerStreamingCall(ch.newCall(GrpcBackend.SERVER_STREAM, CallOptions.DEFAULT),
                Integer.toString(n), new StreamObserver<>() {
                    @Override
                    public void onNext(String value) {
                        done.incrementAndGet();
                    }

                    @Override
                    public void onError(Throwable t) {
                        errors.incrementAndGet();
                        next();
                    }

                    @Override
                    public void onCompleted() {
                        next();
                    }

                    private void next() {
                        if (stop.get()) {
                            finished.countDown();
                        } else {
                            streamLoop(ch, n, done, errors, stop, finished);
                        }
                    }
                });
    }
}
