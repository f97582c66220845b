package io.archway.conformance;

import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The suite's gRPC client (conformance/utils/grpc DefaultClient) on grpc-java: one plaintext
 * (h2c, prior knowledge) connection to the gateway, the authority set when the test sets one,
 * metadata added per call; the connection is dropped and made again after an INTERNAL answer, as
 * upstream's client does.
 */
final class GrpcProbe implements AutoCloseable {
    /** An RPC's outcome: its status, and the echo's assertions when it succeeded. */
    record Result(Status status, GrpcEcho.Assertions assertions) {
    }

    private final String target;
    private final String authority;
    private ManagedChannel channel;

    /**
     * @param target {@code ip:port} the connection goes to
     * @param authority the :authority to send (upstream: grpc.WithAuthority), or the spec address
     *     {@code ip:specPort} that upstream dials when the test sets none
     */
    GrpcProbe(String target, String authority) {
        this.target = target;
        this.authority = authority;
    }

    /**
     * Calls {@code method} (Echo, EchoTwo or EchoThree) with an empty EchoRequest and
     * {@code metadata}. Transport failures come back as their status, like any other.
     */
    Result send(String method, Map<String, String> metadata, Duration timeout) throws IOException {
        if (channel == null) {
            final ManagedChannelBuilder<?> b = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create());
            channel = b.overrideAuthority(authority).build();
        }
        final Metadata headers = new Metadata();
        metadata.forEach((k, v) -> headers.put(Metadata.Key.of(k.toLowerCase(Locale.ROOT),
                Metadata.ASCII_STRING_MARSHALLER), v));
        final io.grpc.Channel c = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        try {
            final byte[] response = ClientCalls.blockingUnaryCall(c, GrpcEcho.method(method),
                    CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS), new byte[0]);
            return new Result(Status.OK, GrpcEcho.readResponse(response));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.INTERNAL) {
                close();
            }
            return new Result(e.getStatus(), null);
        }
    }

    /** The grpc-java code of a Go codes.Code name as the suite spells it ("Unimplemented", "DeadlineExceeded"). */
    static Status.Code code(String goName) {
        if (goName.equals("Canceled")) {
            return Status.Code.CANCELLED;
        }
        return Status.Code.valueOf(goName.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.shutdownNow();
            channel = null;
        }
    }
}
