package io.protogate.server;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.protogate.handler.CallContext;
import io.protogate.descriptor.Schema;
import java.io.InputStream;
import java.util.logging.Logger;
import java.util.function.Function;

/**
 * Parses each request into a {@code DynamicMessage} itself, so that bytes which are not the
 * method's input type end the call with {@code INVALID_ARGUMENT} naming that type. grpc-java
 * would turn an exception from a request marshaller into {@code UNKNOWN} ("Application error
 * processing RPC"), so requests reach this handler unparsed and the call to the handler proper
 * is wrapped to see parsed messages. The parsing itself is grpc-java's protobuf marshaller, which
 * reads a request of known length into a reused buffer rather than through a fresh stream decoder.
 * Responses leave through the same marshaller's stream, which the transport writes without a copy;
 * the response headers and trailers the handler set on its {@link CallContext} go with them.
 */
final class RequestParsingCallHandler implements ServerCallHandler<InputStream, InputStream> {
  private static final Logger logger = Logger.getLogger(RequestParsingCallHandler.class.getName());
  private final Descriptors.MethodDescriptor method;
  private final Descriptor requestType;
  private final MethodDescriptor.Marshaller<DynamicMessage> requestParser;
  private final MethodDescriptor.Marshaller<DynamicMessage> responseWriter;
  private final Function<CallContext, ServerCallHandler<DynamicMessage, DynamicMessage>>
      handlerPerCall;

  /**
   * {@code handlerPerCall} makes the grpc-java call handler for one call, given the call's context
   * (headers, deadline, cancellation) for the handler to see.
   */
  RequestParsingCallHandler(
      Descriptors.MethodDescriptor method,
      Function<CallContext, ServerCallHandler<DynamicMessage, DynamicMessage>> handlerPerCall) {
    this.method = method;
    this.requestType = method.getInputType();
    this.requestParser = ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(requestType));
    this.responseWriter =
        ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType()));
    this.handlerPerCall = handlerPerCall;
  }

  /**
   * The status that ends a call whose handler sent {@code response} for {@code method}, or null
   * if it is of the method's response type. It names both types, for the caller to see.
   */
  static Status wrongResponse(Descriptors.MethodDescriptor method, DynamicMessage response) {
    String expected = method.getOutputType().getFullName();
    if (response != null && response.getDescriptorForType().getFullName().equals(expected)) {
      return null;
    }
    return Status.INTERNAL.withDescription("the handler for " + Schema.fullMethodName(method)
        + " answered " + (response == null ? "null" : "a "
        + response.getDescriptorForType().getFullName()) + " instead of a " + expected
        + " (a bug in the handler)");
  }

  @Override
  public ServerCall.Listener<InputStream> startCall(
      ServerCall<InputStream, InputStream> call, Metadata headers) {
    CallContext context = new CallContext(method, headers, Context.current());
    ParsedCall parsed = new ParsedCall(call, responseWriter, context);
    ServerCall.Listener<DynamicMessage> listener =
        handlerPerCall.apply(context).startCall(parsed, headers);
    return new ParsingListener(listener, parsed);
  }

  private final class ParsingListener extends ServerCall.Listener<InputStream> {
    private final ServerCall.Listener<DynamicMessage> delegate;
    private final ParsedCall call;

    ParsingListener(ServerCall.Listener<DynamicMessage> delegate, ParsedCall call) {
      this.delegate = delegate;
      this.call = call;
    }

    @Override
    public void onMessage(InputStream message) {
      if (call.rejected) {
        return;
      }
      DynamicMessage request;
      try {
        request = requestParser.parse(message);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
          // grpc-java's limit on what a compressed request inflates to: too large, not invalid.
          reject(Status.RESOURCE_EXHAUSTED.withDescription(
              "request inflates past the server's limit: " + e.getStatus().getDescription()));
          return;
        }
        // The marshaller says only "Invalid protobuf byte sequence"; its cause says what is wrong.
        reject(e.getCause() == null ? e.getStatus().getDescription() : e.getCause().getMessage());
        return;
      } catch (RuntimeException e) {
        reject("unreadable: " + e.getMessage());
        return;
      }
      delegate.onMessage(request);
    }

    private void reject(String problem) {
      reject(
          Status.INVALID_ARGUMENT.withDescription(
              "request is not a valid " + requestType.getFullName() + ": " + problem));
    }

    private void reject(Status status) {
      call.reject(status);
      // The handler may already be running (streaming calls): tell it the call is over.
      delegate.onCancel();
    }

    @Override
    public void onHalfClose() {
      if (!call.rejected) {
        delegate.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      if (!call.rejected) {
        delegate.onCancel();
      }
    }

    @Override
    public void onComplete() {
      if (!call.rejected) {
        delegate.onComplete();
      }
    }

    @Override
    public void onReady() {
      if (!call.rejected) {
        delegate.onReady();
      }
    }
  }

  /**
   * The call as the handler sees it: requests already parsed, responses written by the marshaller,
   * the context's response headers and trailers merged in. Once a request was rejected, what the
   * handler still sends is dropped, since the call is closed.
   */
  private static final class ParsedCall extends ServerCall<DynamicMessage, DynamicMessage> {
    private final ServerCall<InputStream, InputStream> call;
    private final MethodDescriptor.Marshaller<DynamicMessage> responseWriter;
    private final CallContext context;
    private volatile boolean rejected;
    private boolean headersSent;

    ParsedCall(
        ServerCall<InputStream, InputStream> call,
        MethodDescriptor.Marshaller<DynamicMessage> responseWriter,
        CallContext context) {
      this.call = call;
      this.responseWriter = responseWriter;
      this.context = context;
    }

    void reject(Status status) {
      rejected = true;
      call.close(status, new Metadata());
    }

    @Override
    public void request(int numMessages) {
      call.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      if (!rejected) {
        headersSent = true;
        headers.merge(context.responseHeaders());
        call.sendHeaders(headers);
      }
    }

    @Override
    public void sendMessage(DynamicMessage message) {
      if (rejected) {
        return;
      }
      Status wrong = wrongResponse(context.method(), message);
      if (wrong != null) {
        // A bug in the handler, in any call shape: the caller must not take the bytes for an
        // answer of its type. The handler sees the call cancelled; what it sends more is dropped.
        logger.warning(wrong.getDescription());
        reject(wrong);
        return;
      }
      call.sendMessage(responseWriter.stream(message));
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (!rejected) {
        if (!headersSent) {
          // A call that ends before its first response sends its headers in the trailers.
          trailers.merge(context.responseHeaders());
        }
        trailers.merge(context.responseTrailers());
        call.close(status, trailers);
      }
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      call.setOnReadyThreshold(numBytes);
    }

    @Override
    public io.grpc.SecurityLevel getSecurityLevel() {
      return call.getSecurityLevel();
    }

    @Override
    public boolean isCancelled() {
      return rejected || call.isCancelled();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      call.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      call.setCompression(compressor);
    }

    @Override
    public Attributes getAttributes() {
      return call.getAttributes();
    }

    @Override
    public String getAuthority() {
      return call.getAuthority();
    }

    @Override
    @SuppressWarnings("unchecked")
    public MethodDescriptor<DynamicMessage, DynamicMessage> getMethodDescriptor() {
      // Only the name and call type are read through this (by grpc-java's ServerCalls); the
      // marshallers, the parts that differ, are never used through it.
      return (MethodDescriptor<DynamicMessage, DynamicMessage>)
          (MethodDescriptor<?, ?>) call.getMethodDescriptor();
    }
  }
}
