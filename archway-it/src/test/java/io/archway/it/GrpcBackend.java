package io.archway.it;

import io.grpc.HandlerRegistry;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A gRPC backend (grpc-java, h2c or h2 over TLS) serving the test service {@code archway.test.Streamer} with one
 * method of each streaming kind; messages are UTF-8 strings (the payload format is the service's
 * business, not the gateway's). Every reply names the backend, so a client can tell who served it.
 *
 * <ul>
 *   <li>{@code Unary}: replies {@code <name>:<request>}; a request {@code fail:<text>} ends the call
 *       with NOT_FOUND, the description {@code <text>} and the trailer {@code x-backend-trailer: <name>}.</li>
 *   <li>{@code ServerStream}: a request {@code n} gets n replies {@code <name>:0} .. {@code <name>:n-1}.</li>
 *   <li>{@code ClientStream}: replies {@code <name>:<count>:<concatenation>} once the client half-closes.</li>
 *   <li>{@code Bidi}: each message is answered at once with {@code <name>:<message>}.</li>
 *   <li>any other method, of any service: a unary call answered {@code <name>:<service>/<method>:<request>}.</li>
 * </ul>
 */
final class GrpcBackend implements AutoCloseable {
    static final String SERVICE = "archway.test.Streamer";
    static final Metadata.Key<String> TRAILER = Metadata.Key.of("x-backend-trailer", Metadata.ASCII_STRING_MARSHALLER);

    static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<String, String> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> SERVER_STREAM =
            method("ServerStream", MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<String, String> CLIENT_STREAM =
            method("ClientStream", MethodDescriptor.MethodType.CLIENT_STREAMING);
    static final MethodDescriptor<String, String> BIDI = method("Bidi", MethodDescriptor.MethodType.BIDI_STREAMING);

    private final String name;
    private final Server server;
    /** The request headers of every call received, in order. */
    final List<Metadata> received = new CopyOnWriteArrayList<>();
    /** Every call received, in order: its full method name and the request messages read so far. */
    final List<Call> calls = new CopyOnWriteArrayList<>();

    /** One call as the backend saw it; {@code halfClosed} once the client finished sending. */
    record Call(String method, List<Object> messages, java.util.concurrent.atomic.AtomicBoolean halfClosed) {
    }

    /**
     * Serving over TLS (h2 by ALPN): the certificate and key in PEM, and when {@code clientCaPem}
     * is set, a client certificate issued by it is required.
     */
    record Tls(String certificatePem, String keyPem, String clientCaPem) {
    }

    /** The TLS sessions of the calls received over TLS, in order (their peer certificates: the client's). */
    final List<javax.net.ssl.SSLSession> sessions = new CopyOnWriteArrayList<>();

    GrpcBackend(String name) throws IOException {
        this(name, 0);
    }

    /** @param port the port on 127.0.0.1 to listen on; 0 for any free one */
    GrpcBackend(String name, int port) throws IOException {
        this(name, port, null);
    }

    /** @param tls how to serve TLS, or null for h2c */
    GrpcBackend(String name, int port, Tls tls) throws IOException {
        this.name = name;
        final ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(UNARY, ServerCalls.asyncUnaryCall(this::unary))
                .addMethod(SERVER_STREAM, ServerCalls.asyncServerStreamingCall(this::serverStream))
                .addMethod(CLIENT_STREAM, ServerCalls.asyncClientStreamingCall(this::clientStream))
                .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall(this::bidi))
                .build();
        final ServerInterceptor recorder = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                received.add(headers);
                final javax.net.ssl.SSLSession session = call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_SSL_SESSION);
                if (session != null) {
                    sessions.add(session);
                }
                final Call seen = new Call(call.getMethodDescriptor().getFullMethodName(), new CopyOnWriteArrayList<>(),
                        new java.util.concurrent.atomic.AtomicBoolean());
                calls.add(seen);
                return new io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
                        next.startCall(call, headers)) {
                    @Override
                    public void onMessage(Q message) {
                        seen.messages().add(message);
                        super.onMessage(message);
                    }

                    @Override
                    public void onHalfClose() {
                        seen.halfClosed().set(true);
                        super.onHalfClose();
                    }
                };
            }
        };
        // Any other method is a unary call answered with "<name>:<full method name>:<request>".
        final HandlerRegistry anyMethod = new HandlerRegistry() {
            @Override
            public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
                final MethodDescriptor<String, String> m = MethodDescriptor.<String, String>newBuilder()
                        .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(methodName)
                        .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
                return ServerInterceptors.intercept(
                        ServerServiceDefinition.builder(MethodDescriptor.extractFullServiceName(methodName))
                                .addMethod(m, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
                                    out.onNext(name + ":" + methodName + ":" + request);
                                    out.onCompleted();
                                })).build(), recorder).getMethod(methodName);
            }
        };
        final InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        this.server = (tls == null ? NettyServerBuilder.forAddress(address)
                : NettyServerBuilder.forAddress(address, credentials(tls)))
                .addService(ServerInterceptors.intercept(service, recorder)).fallbackHandlerRegistry(anyMethod)
                .build().start();
    }

    private static io.grpc.ServerCredentials credentials(Tls tls) throws IOException {
        final io.grpc.TlsServerCredentials.Builder b = io.grpc.TlsServerCredentials.newBuilder().keyManager(
                new ByteArrayInputStream(tls.certificatePem().getBytes(StandardCharsets.US_ASCII)),
                new ByteArrayInputStream(tls.keyPem().getBytes(StandardCharsets.US_ASCII)));
        if (tls.clientCaPem() != null) {
            b.trustManager(new ByteArrayInputStream(tls.clientCaPem().getBytes(StandardCharsets.US_ASCII)))
                    .clientAuth(io.grpc.TlsServerCredentials.ClientAuth.REQUIRE);
        }
        return b.build();
    }

    static MethodDescriptor<String, String> method(String method, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, method))
                .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
    }

    int port() {
        return server.getPort();
    }

    String name() {
        return name;
    }

    private void unary(String request, StreamObserver<String> out) {
        if (request.startsWith("fail:")) {
            final Metadata trailers = new Metadata();
            trailers.put(TRAILER, name);
            out.onError(Status.NOT_FOUND.withDescription(request.substring(5)).asRuntimeException(trailers));
            return;
        }
        out.onNext(name + ":" + request);
        out.onCompleted();
    }

    private void serverStream(String request, StreamObserver<String> out) {
        final int n = Integer.parseInt(request);
        for (int i = 0; i < n; i++) {
            out.onNext(name + ":" + i);
        }
        out.onCompleted();
    }

    private StreamObserver<String> clientStream(StreamObserver<String> out) {
        final StringBuilder all = new StringBuilder();
        final int[] count = {0};
        return new StreamObserver<>() {
            @Override
            public void onNext(String value) {
                all.append(value);
                count[0]++;
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                out.onNext(name + ":" + count[0] + ":" + all);
                out.onCompleted();
            }
        };
    }

    private StreamObserver<String> bidi(StreamObserver<String> out) {
        return new StreamObserver<>() {
            @Override
            public void onNext(String value) {
                out.onNext(name + ":" + value);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                out.onCompleted();
            }
        };
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
