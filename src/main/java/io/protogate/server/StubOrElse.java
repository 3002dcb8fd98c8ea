package io.protogate.server;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.protogate.descriptor.Schema;
import io.protogate.stub.StubSet;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Partial mocking: a method that has both stubs and another tier behind them (an upstream route)
 * is answered by a stub when one matches the request, and by the other tier otherwise. The choice
 * needs the request, so the call starts once its first message has arrived; the message is then
 * handed, unchanged, to the tier chosen. For methods with one request (unary, server streaming).
 */
final class StubOrElse implements ServerCallHandler<InputStream, InputStream> {
  private final Descriptors.MethodDescriptor method;
  private final ServerCallHandler<InputStream, InputStream> stubs;
  private final ServerCallHandler<InputStream, InputStream> otherwise;
  private final StubSet stubSet;

  StubOrElse(Descriptors.MethodDescriptor method, ServerCallHandler<InputStream, InputStream> stubs,
      ServerCallHandler<InputStream, InputStream> otherwise, StubSet stubSet) {
    if (method.isClientStreaming()) {
      throw new IllegalArgumentException(Schema.fullMethodName(method) + " streams requests:"
          + " its stubs answer every call");
    }
    this.method = method;
    this.stubs = stubs;
    this.otherwise = otherwise;
    this.stubSet = stubSet;
  }

  @Override
  public ServerCall.Listener<InputStream> startCall(
      ServerCall<InputStream, InputStream> call, Metadata headers) {
    call.request(1);
    return new ServerCall.Listener<>() {
      private ServerCall.Listener<InputStream> chosen;

      @Override
      public void onMessage(InputStream message) {
        if (chosen != null) {
          chosen.onMessage(message);
          return;
        }
        byte[] bytes;
        try {
          bytes = message.readAllBytes();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        chosen = (stubbed(bytes, headers) ? stubs : otherwise).startCall(call, headers);
        chosen.onMessage(new ByteArrayInputStream(bytes));
        chosen.onReady();
      }

      @Override
      public void onHalfClose() {
        if (chosen == null) {
          // No request at all: the stubs' tier reports that as the handlers do.
          chosen = stubs.startCall(call, headers);
        }
        chosen.onHalfClose();
      }

      @Override
      public void onCancel() {
        if (chosen != null) {
          chosen.onCancel();
        }
      }

      @Override
      public void onComplete() {
        if (chosen != null) {
          chosen.onComplete();
        }
      }

      @Override
      public void onReady() {
        if (chosen != null) {
          chosen.onReady();
        }
      }
    };
  }

  /** Bytes that are not a request go to the stubs' tier, which rejects them as handlers do. */
  private boolean stubbed(byte[] bytes, Metadata headers) {
    try {
      DynamicMessage request = DynamicMessage.parseFrom(method.getInputType(), bytes);
      return stubSet.matches(Schema.fullMethodName(method), headers, request);
    } catch (InvalidProtocolBufferException e) {
      return true;
    }
  }
}
