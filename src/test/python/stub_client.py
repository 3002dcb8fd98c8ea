"""Stub client: calls a Protogate serving descriptors/stubs the way a grpcio user would.

Stubs are generated from the contract's .proto files, as in interop_client.py. Prints `ok <name>`
or `FAIL <name>: detail` per check and exits 1 if any check failed.
"""

import argparse
import os
import sys
import tempfile

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from interop_client import DEADLINE_SECONDS, expect_equal, expect_status, generate_stubs  # noqa: E402


def check_hello(channel, m):
    stub = m["hello_pb2_grpc"].GrpcServiceStub(channel)
    hello_pb2 = m["hello_pb2"]
    request = hello_pb2.HelloRequest(data="xiao gang", skill=hello_pb2.Skill(name="engineer"))
    response, call = stub.hello.with_call(request, timeout=DEADLINE_SECONDS)
    expect_equal(response.result, "xiao gang, answered by a stub for engineer")
    expect_equal(dict(response.map_result), {"12": 1232})
    expect_equal(dict(call.initial_metadata()).get("x-answered-by"), "stub")


def check_miss(channel, m):
    stub = m["hello_pb2_grpc"].GrpcServiceStub(channel)
    request = m["hello_pb2"].HelloRequest(data="nobody")
    expect_status(lambda: stub.hello(request, timeout=DEADLINE_SECONDS),
                  grpc.StatusCode.NOT_FOUND, "the closest is")


def check_error_details(channel, m):
    stub = m["hello_pb2_grpc"].GrpcServiceStub(channel)
    request = m["hello_pb2"].HelloRequest(data="boom!")
    try:
        stub.hello(request, timeout=DEADLINE_SECONDS)
    except grpc.RpcError as e:
        expect_equal(e.code(), grpc.StatusCode.INVALID_ARGUMENT)
        expect_equal(e.details(), "boom! went wrong")
        details = dict(e.trailing_metadata()).get("grpc-status-details-bin")
        if not details or b"BOOM" not in details:
            raise AssertionError(f"no ErrorInfo in the status details: {details!r}")
        return
    raise AssertionError("the call succeeded")


def check_countdown(channel, m):
    stub = m["demo_pb2_grpc"].StreamingDemoStub(channel)
    ticks = list(stub.Countdown(m["demo_pb2"].CountdownRequest(**{"from": 2}),
                                timeout=DEADLINE_SECONDS))
    expect_equal([tick.remaining for tick in ticks], [2, 1])


def check_sum(channel, m):
    stub = m["demo_pb2_grpc"].StreamingDemoStub(channel)
    numbers = (m["demo_pb2"].Number(value=v) for v in (1, 2))
    result = stub.Sum(numbers, timeout=DEADLINE_SECONDS)
    expect_equal((result.total, result.count), (3, 2))


CHECKS = [
    ("stub-hello", check_hello),
    ("stub-miss", check_miss),
    ("stub-error-details", check_error_details),
    ("stub-countdown", check_countdown),
    ("stub-sum", check_sum),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--protos", required=True, help="directory holding hello.proto, demo.proto")
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory() as stubs_dir:
        modules = generate_stubs(args.protos, stubs_dir)
        options = [("grpc.enable_http_proxy", 0)]
        with grpc.insecure_channel(f"127.0.0.1:{args.port}", options=options) as channel:
            for name, check in CHECKS:
                try:
                    check(channel, modules)
                    print(f"ok {name}", flush=True)
                except Exception as e:  # One broken check must not hide the others' results.
                    failed = True
                    print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
