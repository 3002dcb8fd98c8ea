
import com.google.protobuf.util.JsonFormat;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

// Default package: hello.proto declares no package, so its generated classes live there too.
/**
 * The baseline for a one-shot command-line call: what a team would write with generated stubs to
 * call GrpcService/hello once and print the answer as JSON. Usage: GeneratedClient HOST:PORT
 */
public final class GeneratedClient {
  public static void main(String[] args) throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forTarget(args[0]).usePlaintext().build();
    try {
      Hello.HelloResponse response = GrpcServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .hello(Hello.HelloRequest.newBuilder()
              .setData("xiao gang")
              .setSkill(Hello.Skill.newBuilder().setName("engineer"))
              .build());
      System.out.println(JsonFormat.printer().print(response));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
