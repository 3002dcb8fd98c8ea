"""Interop client: calls a running Protogate server the way a grpcio user would.

Stubs are generated at run time from the same .proto files the server's descriptor sets were
compiled from, so the check is against the contract, not against Java-side assumptions.
Prints `ok <name>` or `FAIL <name>: detail` per check and exits 1 if any check failed.
"""

import argparse
import importlib
import os
import sys
import tempfile

import grpc
import grpc_tools
from grpc_tools import protoc

DEADLINE_SECONDS = 10


def generate_stubs(protos_dir, out_dir):
    # demo.proto imports google/protobuf/timestamp.proto, which grpc_tools ships but does not
    # put on the include path by itself when invoked through protoc.main.
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    status = protoc.main([
        "grpc_tools.protoc",
        f"-I{protos_dir}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        "hello.proto",
        "demo.proto",
    ])
    if status != 0:
        sys.exit(f"protoc failed with status {status}")
    sys.path.insert(0, out_dir)
    return {name: importlib.import_module(name)
            for name in ("hello_pb2", "hello_pb2_grpc", "demo_pb2", "demo_pb2_grpc")}


def expect_equal(actual, expected):
    if actual != expected:
        raise AssertionError(f"expected {expected!r}, got {actual!r}")


def expect_status(call, code, details_substring=""):
    try:
        call()
    except grpc.RpcError as e:
        expect_equal(e.code(), code)
        if details_substring not in (e.details() or ""):
            raise AssertionError(f"details {e.details()!r} lack {details_substring!r}")
        return
    raise AssertionError(f"expected {code}, call succeeded")


def check_hello(channel, m):
    stub = m["hello_pb2_grpc"].GrpcServiceStub(channel)
    hello_pb2 = m["hello_pb2"]
    request = hello_pb2.HelloRequest(data="xiao gang", skill=hello_pb2.Skill(name="engineer"))
    response = stub.hello(request, timeout=DEADLINE_SECONDS)
    expect_equal(response.result, "xiao gangengineer this is gprc test service")
    expect_equal(dict(response.map_result), {"12": 1232})


def check_countdown(channel, m):
    stub = m["demo_pb2_grpc"].StreamingDemoStub(channel)
    request = m["demo_pb2"].CountdownRequest(**{"from": 3})  # `from` is a Python keyword.
    ticks = list(stub.Countdown(request, timeout=DEADLINE_SECONDS))
    expect_equal([tick.remaining for tick in ticks], [3, 2, 1])
    if not all(tick.HasField("at") for tick in ticks):
        raise AssertionError("a tick has no timestamp")


def check_sum(channel, m):
    stub = m["demo_pb2_grpc"].StreamingDemoStub(channel)
    numbers = (m["demo_pb2"].Number(value=v) for v in range(1, 5))
    result = stub.Sum(numbers, timeout=DEADLINE_SECONDS)
    expect_equal((result.total, result.count), (10, 4))


def check_echo(channel, m):
    stub = m["demo_pb2_grpc"].StreamingDemoStub(channel)
    sent = [("one", 1), ("two", 2), ("three", 3)]
    messages = (m["demo_pb2"].EchoMessage(text=t, sequence=s) for t, s in sent)
    replies = stub.Echo(messages, timeout=DEADLINE_SECONDS)
    expect_equal([(r.text, r.sequence) for r in replies], sent)


def check_garbage_request(channel, m):
    # No serializers: the bytes go on the wire as they are, which no generated stub allows.
    hello = channel.unary_unary("/GrpcService/hello")
    expect_status(lambda: hello(b"\xff\xff\xff", timeout=DEADLINE_SECONDS),
                  grpc.StatusCode.INVALID_ARGUMENT, "HelloRequest")


def check_unknown_method(channel, m):
    nope = channel.unary_unary("/GrpcService/nope")
    expect_status(lambda: nope(b"", timeout=DEADLINE_SECONDS), grpc.StatusCode.UNIMPLEMENTED)


def check_health(channel, m):
    # grpc_health is a separate package that Debian's python3-grpcio lacks, so the messages are
    # hand-encoded: an empty HealthCheckRequest asks about the whole server, and
    # HealthCheckResponse{status: SERVING} is field 1 = varint 1.
    check = channel.unary_unary("/grpc.health.v1.Health/Check")
    expect_equal(check(b"", timeout=DEADLINE_SECONDS), b"\x08\x01")


def check_upstream_metadata(channel, m):
    stub = m["hello_pb2_grpc"].GrpcServiceStub(channel)
    request = m["hello_pb2"].HelloRequest(data="x")
    response = stub.hello(request, timeout=DEADLINE_SECONDS, metadata=(("x-tenant", "acme"),))
    expect_equal(response.result, "acme:x this is gprc test service")


def check_upstream_trailers(channel, m):
    stub = m["hello_pb2_grpc"].GrpcServiceStub(channel)
    _, call = stub.hello.with_call(m["hello_pb2"].HelloRequest(data="x"), timeout=DEADLINE_SECONDS)
    expect_equal(dict(call.trailing_metadata()).get("x-upstream-trailer"), "python")


def check_upstream_deadline(channel, m):
    # The upstream answers with the time it had left: the caller's 5 s, less the trip (give or
    # take the rounding of grpc-timeout's units at each hop).
    stub = m["hello_pb2_grpc"].GrpcServiceStub(channel)
    response = stub.hello(m["hello_pb2"].HelloRequest(data="deadline"), timeout=5)
    if response.result == "none":
        raise AssertionError("the upstream saw no deadline")
    remaining = float(response.result)
    if not 3.0 < remaining <= 5.2:
        raise AssertionError(f"the upstream saw {remaining} s left of a 5 s deadline")


def check_upstream_error(channel, m):
    stub = m["hello_pb2_grpc"].GrpcServiceStub(channel)
    request = m["hello_pb2"].HelloRequest(data="fail")
    expect_status(lambda: stub.hello(request, timeout=DEADLINE_SECONDS),
                  grpc.StatusCode.NOT_FOUND, "no such thing")


def check_upstream_slow(channel, m):
    stub = m["hello_pb2_grpc"].GrpcServiceStub(channel)
    request = m["hello_pb2"].HelloRequest(data="slow")
    expect_status(lambda: stub.hello(request, timeout=0.5), grpc.StatusCode.DEADLINE_EXCEEDED)


# Checks that need the Python server behind a gateway (--checks names them).
GATEWAY_CHECKS = [
    ("upstream-metadata", check_upstream_metadata),
    ("upstream-trailers", check_upstream_trailers),
    ("upstream-deadline", check_upstream_deadline),
    ("upstream-error", check_upstream_error),
    ("upstream-slow", check_upstream_slow),
]

CHECKS = [
    ("hello", check_hello),
    ("countdown", check_countdown),
    ("sum", check_sum),
    ("echo", check_echo),
    ("garbage-request", check_garbage_request),
    ("unknown-method", check_unknown_method),
    ("health", check_health),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--protos", required=True, help="directory holding hello.proto, demo.proto")
    parser.add_argument("--checks", help="comma-separated names of the checks to run (default:"
                        " every check that needs no upstream)")
    args = parser.parse_args()
    checks = CHECKS
    if args.checks:
        known = dict(CHECKS + GATEWAY_CHECKS)
        unknown = [name for name in args.checks.split(",") if name not in known]
        if unknown:
            sys.exit(f"unknown checks {unknown}; known: {sorted(known)}")
        checks = [(name, known[name]) for name in args.checks.split(",")]

    failed = False
    with tempfile.TemporaryDirectory() as stubs_dir:
        modules = generate_stubs(args.protos, stubs_dir)
        # A proxy from the environment must not see loopback traffic meant for the test server.
        options = [("grpc.enable_http_proxy", 0)]
        with grpc.insecure_channel(f"127.0.0.1:{args.port}", options=options) as channel:
            for name, check in checks:
                try:
                    check(channel, modules)
                    print(f"ok {name}", flush=True)
                except Exception as e:  # One broken check must not hide the others' results.
                    failed = True
                    print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
