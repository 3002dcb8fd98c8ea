
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;

// Default package: hello.proto declares no package, so its generated classes live there too.
/**
 * The baseline server: GrpcService/hello written with generated grpc-java stubs, answering as
 * Protogate's built-in handler does. Usage: GeneratedServer PORT [--direct-executor] (binds
 * 127.0.0.1). By default it runs on grpc-java's defaults, as most generated-stub servers do;
 * --direct-executor runs the service on the event loop, grpc-java's own advice for handlers that
 * never block, and the stricter baseline for Protogate's non-blocking handlers.
 */
public final class GeneratedServer extends GrpcServiceGrpc.GrpcServiceImplBase {
  @Override
  public void hello(Hello.HelloRequest request, StreamObserver<Hello.HelloResponse> responses) {
    responses.onNext(Hello.HelloResponse.newBuilder()
        .setResult(request.getData() + request.getSkill().getName() + " this is gprc test service")
        .putMapResult("12", 1232)
        .build());
    responses.onCompleted();
  }

  public static void main(String[] args) throws Exception {
    NettyServerBuilder builder = NettyServerBuilder
        .forAddress(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])))
        .addService(new GeneratedServer());
    if (args.length > 1 && args[1].equals("--direct-executor")) {
      builder.directExecutor();
    }
    Server server = builder.build().start();
    System.out.println("generated-stub server on 127.0.0.1:" + server.getPort());
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
    server.awaitTermination();
  }
}
