// A gRPC server written with Node's @grpc/grpc-js and @grpc/reflection (implementations
// independent of grpc-java), serving the bundled contracts from their .proto files: hello answers
// as the original Python service does. Protogate's client must list, describe and call it.
// Usage: node reflection_server.js DESCRIPTORS_DIR; prints "port N" once listening on 127.0.0.1,
// and stops when its standard input closes.
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { ReflectionService } = require('@grpc/reflection');

const dir = process.argv[2];
const definition = protoLoader.loadSync(
  ['hello.proto', 'demo.proto'],
  { includeDirs: [dir] });
const proto = grpc.loadPackageDefinition(definition);
const server = new grpc.Server();
new ReflectionService(definition).addToServer(server);
server.addService(proto.GrpcService.service, {
  hello: (call, callback) => callback(null, {
    result: call.request.data + call.request.skill.name + ' this is gprc test service',
    map_result: { 12: 1232 },
  }),
});
server.addService(proto.protogate.demo.StreamingDemo.service, {
  countdown: (call) => {
    for (let i = call.request.from; i > 0; i--) {
      call.write({ remaining: i });
    }
    call.end();
  },
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    console.error(error.message);
    process.exit(1);
  }
  console.log('port ' + port);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
