package io.protogate.handler;

/**
 * Java code that answers one gRPC method on {@code DynamicMessage}s. One sub-interface per call
 * shape, mirroring grpc-java's {@code ServerCalls}, and unary also in an asynchronous form; the
 * server checks that a handler's shape matches the method's call type before it serves the
 * method. A handler that implements {@link AutoCloseable} is closed once when the server stops.
 */
public sealed interface MethodHandler
    permits UnaryHandler,
        AsyncUnaryHandler,
        ServerStreamingHandler,
        ClientStreamingHandler,
        BidiStreamingHandler {}
