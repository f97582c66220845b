package io.archway.conformance;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The conformance suite's gRPC echo server (echo-basic with GRPC_ECHO_SERVER; its service
 * {@code gateway_api_conformance.echo_basic.grpcecho.GrpcEcho} in conformance/echo-basic/grpcecho.proto
 * at v1.6.1), on grpc-java: {@code Echo} and {@code EchoTwo} answer an {@code EchoResponse} whose
 * {@code assertions} carry the fully qualified method, every request header (with
 * {@code :authority}, as grpc-go's incoming metadata has it), the authority and the pod context
 * (NAMESPACE, INGRESS_NAME, SERVICE_NAME, POD_NAME); {@code EchoThree} is unimplemented. The
 * messages are written and read with protobuf-java's wire coding, field numbers as in the proto,
 * so any client of that proto reads them.
 */
final class GrpcEcho implements AutoCloseable {
    static final String SERVICE = "gateway_api_conformance.echo_basic.grpcecho.GrpcEcho";
    static final List<String> METHODS = List.of("Echo", "EchoTwo", "EchoThree");

    /** Context: the pod the server runs in. */
    record PodContext(String namespace, String ingress, String serviceName, String pod) {
    }

    /** What a client reads from an EchoResponse: the Assertions fields the suite compares. */
    record Assertions(String fullyQualifiedMethod, List<String[]> headers, String authority, PodContext context) {
    }

    /** EchoRequest is empty; EchoResponse is read into its assertions. */
    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static MethodDescriptor<byte[], byte[]> method(String name) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    private final List<Server> servers = new ArrayList<>();

    /** Starts the echo server of a pod on {@code ip:port} (echo-basic: HTTP_PORT, 3000 by default). */
    InetSocketAddress listen(String ip, int port, PodContext context) throws IOException {
        final ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(SERVICE);
        for (String m : List.of("Echo", "EchoTwo")) {
            service.addMethod(method(m), ServerCalls.asyncUnaryCall((byte[] request, StreamObserver<byte[]> out) -> {
                out.onNext(RESPONSE.get());
                out.onCompleted();
            }));
        }
        // EchoThree is declared and left unimplemented (UnimplementedGrpcEchoServer): UNIMPLEMENTED.
        service.addMethod(method("EchoThree"), ServerCalls.asyncUnaryCall((byte[] request, StreamObserver<byte[]> out) ->
                out.onError(io.grpc.Status.UNIMPLEMENTED.withDescription("method EchoThree not implemented")
                        .asRuntimeException())));
        final ServerInterceptor assertions = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                final List<String[]> seen = new ArrayList<>();
                final String authority = call.getAuthority() == null ? "" : call.getAuthority();
                seen.add(new String[] {":authority", authority});
                for (String key : headers.keys()) {
                    if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                        for (String v : headers.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER))) {
                            seen.add(new String[] {key, v});
                        }
                    }
                }
                final byte[] response = echoResponse(new Assertions("/" + call.getMethodDescriptor().getFullMethodName(),
                        seen, authority, context));
                return Contexts.interceptCall(Context.current().withValue(RESPONSE, response), call, headers, next);
            }
        };
        final Server server = NettyServerBuilder.forAddress(new InetSocketAddress(ip, port))
                .addService(ServerInterceptors.intercept(service.build(), assertions)).build().start();
        synchronized (servers) {
            servers.add(server);
        }
        return new InetSocketAddress(ip, server.getPort());
    }

    /** The EchoResponse of the call being answered, made from its headers by the interceptor. */
    private static final Context.Key<byte[]> RESPONSE = Context.key("echo-response");

    // ---- the wire coding of grpcecho.proto ----------------------------------------------------

    static byte[] echoResponse(Assertions a) {
        return message(out -> {
            out.writeByteArray(1, assertions(a));
            out.writeByteArray(2, new byte[0]); // request: an empty EchoRequest
        });
    }

    private static byte[] assertions(Assertions a) {
        return message(out -> {
            out.writeString(1, a.fullyQualifiedMethod());
            for (String[] h : a.headers()) {
                out.writeByteArray(2, message(o -> {
                    o.writeString(1, h[0]);
                    o.writeString(2, h[1]);
                }));
            }
            out.writeString(3, a.authority());
            out.writeByteArray(4, message(o -> {
                o.writeString(1, a.context().namespace());
                o.writeString(2, a.context().ingress());
                o.writeString(3, a.context().serviceName());
                o.writeString(4, a.context().pod());
            }));
        });
    }

    private interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Writer writer) {
        try {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            writer.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads an EchoResponse's assertions (unknown fields skipped, as protobuf readers do). */
    static Assertions readResponse(byte[] response) throws IOException {
        final CodedInputStream in = CodedInputStream.newInstance(response);
        Assertions a = new Assertions("", List.of(), "", new PodContext("", "", "", ""));
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == (1 << 3 | 2)) {
                a = readAssertions(in.readBytes());
            } else {
                in.skipField(tag);
            }
        }
        return a;
    }

    private static Assertions readAssertions(ByteString bytes) throws IOException {
        final CodedInputStream in = bytes.newCodedInput();
        String method = "";
        String authority = "";
        final List<String[]> headers = new ArrayList<>();
        PodContext context = new PodContext("", "", "", "");
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> method = in.readStringRequireUtf8();
                case 2 -> {
                    final String[] kv = strings(in.readBytes(), 2);
                    headers.add(kv);
                }
                case 3 -> authority = in.readStringRequireUtf8();
                case 4 -> {
                    final String[] c = strings(in.readBytes(), 4);
                    context = new PodContext(c[0], c[1], c[2], c[3]);
                }
                default -> in.skipField(tag);
            }
        }
        return new Assertions(method, headers, authority, context);
    }

    /** Fields 1..n of a message whose fields are all strings. */
    private static String[] strings(ByteString bytes, int n) throws IOException {
        final String[] out = new String[n];
        java.util.Arrays.fill(out, "");
        final CodedInputStream in = bytes.newCodedInput();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            final int field = tag >>> 3;
            if (field >= 1 && field <= n && (tag & 7) == 2) {
                out[field - 1] = in.readStringRequireUtf8();
            } else {
                in.skipField(tag);
            }
        }
        return out;
    }

    @Override
    public void close() {
        synchronized (servers) {
            servers.forEach(Server::shutdownNow);
            servers.clear();
        }
    }
}
