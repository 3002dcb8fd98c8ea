"""Interop server: a grpcio server without reflection, for Protogate's client to call.

Implements GrpcService.hello and protogate.demo.StreamingDemo from stubs generated at run time
from the same .proto files as the bundled descriptor sets (see interop_client.generate_stubs).
Binds 127.0.0.1 on a free port (or --port), prints `PORT <n>` once serving, and stops when its
standard input closes (so it cannot outlive the process that started it) or on SIGTERM.

Test hooks in hello: data "fail" aborts with NOT_FOUND "no such thing"; data "slow" waits up to
5 s while the call is active; data "deadline" answers with the seconds left before the call's
deadline; an `x-tenant` header prefixes the result with `<tenant>:`. Every hello answer carries
the trailer `x-upstream-trailer: python`.
"""

import argparse
import signal
import sys
import tempfile
import threading
import time
from concurrent import futures

import grpc

sys.dont_write_bytecode = True  # Importing the client must leave no __pycache__ in the sources.
from interop_client import generate_stubs  # noqa: E402  (after the line above on purpose)

SLOW_SECONDS = 5


def servicers(m):
    hello_pb2 = m["hello_pb2"]
    demo_pb2 = m["demo_pb2"]

    class GrpcService(m["hello_pb2_grpc"].GrpcServiceServicer):
        def hello(self, request, context):
            if request.data == "fail":
                context.abort(grpc.StatusCode.NOT_FOUND, "no such thing")
            if request.data == "slow":
                until = time.monotonic() + SLOW_SECONDS
                while context.is_active() and time.monotonic() < until:
                    time.sleep(0.02)
            context.set_trailing_metadata((("x-upstream-trailer", "python"),))
            if request.data == "deadline":
                remaining = context.time_remaining()
                return hello_pb2.HelloResponse(result="none" if remaining is None else str(remaining))
            result = request.data + request.skill.name + " this is gprc test service"
            tenant = dict(context.invocation_metadata()).get("x-tenant")
            if tenant is not None:
                result = f"{tenant}:{result}"
            return hello_pb2.HelloResponse(result=result, map_result={"12": 1232})

    class StreamingDemo(m["demo_pb2_grpc"].StreamingDemoServicer):
        def Countdown(self, request, context):
            for remaining in range(getattr(request, "from"), 0, -1):  # `from` is a keyword.
                tick = demo_pb2.Tick(remaining=remaining)
                tick.at.GetCurrentTime()
                yield tick

        def Sum(self, request_iterator, context):
            total = count = 0
            for number in request_iterator:
                total += number.value
                count += 1
            return demo_pb2.SumResult(total=total, count=count)

        def Echo(self, request_iterator, context):
            for message in request_iterator:
                yield demo_pb2.EchoMessage(text=message.text, sequence=message.sequence)

    return GrpcService(), StreamingDemo()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protos", required=True, help="directory holding hello.proto, demo.proto")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    args = parser.parse_args()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())

    def watch_stdin():
        sys.stdin.buffer.read()  # Returns at end of file: the parent closed the pipe or died.
        stop.set()

    threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()

    with tempfile.TemporaryDirectory() as stubs_dir:
        m = generate_stubs(args.protos, stubs_dir)
        hello_servicer, demo_servicer = servicers(m)
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        m["hello_pb2_grpc"].add_GrpcServiceServicer_to_server(hello_servicer, server)
        m["demo_pb2_grpc"].add_StreamingDemoServicer_to_server(demo_servicer, server)
        port = server.add_insecure_port(f"127.0.0.1:{args.port}")
        if port == 0:
            sys.exit("cannot bind 127.0.0.1")
        server.start()
        print(f"PORT {port}", flush=True)
        while not stop.wait(0.5):  # A timed wait lets SIGTERM's handler run promptly.
            pass
        server.stop(grace=1).wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
