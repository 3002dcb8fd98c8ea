// Calls Protogate's Connect and gRPC-Web doors with connect-node, an independent implementation
// of both protocols, and prints one JSON line per call for the Java test to check.
// Usage: node connect_client.mjs BASE_URL DESCRIPTOR_SET < plan.json
// plan.json: [{"protocol": "connect"|"grpc-web", "binary": bool, "httpVersion": "1.1"|"2",
//              "get": bool, "service": "GrpcService", "method": "hello",
//              "request": {...}, "requests": [{...}, ...] (client and bidi streaming),
//              "timeoutMs": N, "headers": {...}}]
import { readFileSync } from "node:fs";
import { createClient, ConnectError, Code } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { createFileRegistry, fromBinary, fromJson, toJson } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

const [baseUrl, descriptorSet] = process.argv.slice(2);
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSet)));
const plan = JSON.parse(readFileSync(0, "utf8"));

for (const call of plan) {
  const options = {
    baseUrl,
    httpVersion: call.httpVersion ?? "1.1",
    useBinaryFormat: call.binary ?? false,
    jsonOptions: { registry },
    binaryOptions: { registry },
  };
  const transport = call.protocol === "grpc-web"
    ? createGrpcWebTransport(options)
    : createConnectTransport({ ...options, useHttpGet: call.get ?? false });
  const service = registry.getService(call.service);
  const method = service.methods.find((m) => m.name === call.method);
  const client = createClient(service, transport);
  const result = { protocol: call.protocol, binary: !!call.binary, method: call.method };
  const headers = {};
  const trailers = {};
  const callOptions = {
    timeoutMs: call.timeoutMs,
    headers: call.headers,
    onHeader: (h) => h.forEach((v, k) => { headers[k] = v; }),
    onTrailer: (t) => t.forEach((v, k) => { trailers[k] = v; }),
  };
  async function* requests() {
    // From their JSON form, as a plain object would not encode 64-bit fields.
    for (const request of call.requests ?? []) {
      yield fromJson(method.input, request, { registry });
    }
  }
  try {
    if (method.methodKind === "client_streaming") {
      const message = await client[method.localName](requests(), callOptions);
      result.response = toJson(method.output, message, { registry });
    } else if (method.methodKind === "bidi_streaming") {
      result.responses = [];
      for await (const message of client[method.localName](requests(), callOptions)) {
        result.responses.push(toJson(method.output, message, { registry }));
      }
    } else if (method.methodKind === "server_streaming") {
      result.responses = [];
      for await (const message of client[method.localName](call.request ?? {}, callOptions)) {
        result.responses.push(toJson(method.output, message, { registry }));
      }
    } else {
      const message = await client[method.localName](call.request ?? {}, callOptions);
      result.response = toJson(method.output, message, { registry });
    }
  } catch (e) {
    const error = ConnectError.from(e);
    result.error = {
      code: Code[error.code],
      message: error.rawMessage,
      details: error.details.map((d) => ("type" in d ? d.type : d.desc.typeName)),
    };
  }
  result.headers = headers;
  result.trailers = trailers;
  console.log(JSON.stringify(result));
}
