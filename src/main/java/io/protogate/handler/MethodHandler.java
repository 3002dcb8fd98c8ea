package io.protogate.handler;

/**
 * Java code that answers one gRPC method on {@code DynamicMessage}s. One sub-interface per call
 * shape, mirroring grpc-java's {@code ServerCalls}; the server checks that a handler's shape
 * matches the method's call type in the descriptor before it serves the method.
 */
public sealed interface MethodHandler
    permits UnaryHandler, ServerStreamingHandler, ClientStreamingHandler, BidiStreamingHandler {}
