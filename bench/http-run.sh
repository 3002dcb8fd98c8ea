#!/usr/bin/env bash
# HTTP/JSON against native gRPC on ONE Protogate server (serve --http-port), driven in turn by
# h2load (Debian's nghttp2-client) with the hello request:
#   grpc       gRPC over h2c on the gRPC port, 8 connections x 32 streams (as bench/load-run.sh)
#   http1-json HTTP/1.1 keep-alive POST /GrpcService/hello with a JSON body (h2load --h1),
#              64 connections, one request in flight on each (HTTP/1.1 has no multiplexing)
#   h2c-json   the same JSON POST over h2c on the HTTP port, 8 connections x 32 streams
#   connect-json  Connect unary JSON (Connect-Protocol-Version: 1) over HTTP/1.1, 64 x 1
#   grpc-web   gRPC-Web binary (application/grpc-web+proto) over h2c on the HTTP port, 8 x 32
# LOADS="grpc connect-json" picks some of them; grpc must be among them for the ratios.
# Prints calls/s, p50/p99 latency and server CPU time per call for each run, then the medians
# and the JSON paths' ratios to gRPC. Traffic stays on 127.0.0.1, every run is bounded by a
# request count, and the server is stopped on exit.
#
# Usage: bash bench/http-run.sh [ROUNDS] [REQUESTS_PER_RUN] [WARMUP_REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
requests=${2:-100000}
warmup=${3:-100000}
command -v h2load >/dev/null || { echo "needs h2load: apt-get install nghttp2-client" >&2; exit 2; }

./mvnw -B -q package -DskipTests

work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# HelloRequest{data: "xiao gang", skill: {name: "engineer"}}, gRPC-framed and as JSON.
printf '\x0a\x09xiao gang\x12\x0a\x0a\x08engineer' > "$work/request.pb"
python3 - "$work/request.pb" "$work/request.grpc" <<'PY'
import struct, sys
body = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(b"\x00" + struct.pack(">I", len(body)) + body)
PY
printf '{"data": "xiao gang", "skill": {"name": "engineer"}}' > "$work/request.json"

grpc_port=50171
http_port=8171
java -jar target/protogate.jar serve --descriptors descriptors/hello.desc --no-watch \
  --port "$grpc_port" --http-port "$http_port" > "$work/server.log" 2>&1 &
pid=$!
for port in "$grpc_port" "$http_port"; do
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
done

read -r -a names <<< "${LOADS:-grpc http1-json h2c-json connect-json grpc-web}"
load() { # NAME COUNT: the h2load command line of that load
  case "$1" in
    grpc) echo "h2load -n $2 -c 8 -m 32 -t 1 -d $work/request.grpc -H content-type:application/grpc -H te:trailers http://127.0.0.1:$grpc_port/GrpcService/hello" ;;
    http1-json) echo "h2load --h1 -n $2 -c 64 -m 1 -t 1 -d $work/request.json -H content-type:application/json http://127.0.0.1:$http_port/GrpcService/hello" ;;
    h2c-json) echo "h2load -n $2 -c 8 -m 32 -t 1 -d $work/request.json -H content-type:application/json http://127.0.0.1:$http_port/GrpcService/hello" ;;
    connect-json) echo "h2load --h1 -n $2 -c 64 -m 1 -t 1 -d $work/request.json -H content-type:application/json -H connect-protocol-version:1 http://127.0.0.1:$http_port/GrpcService/hello" ;;
    grpc-web) echo "h2load -n $2 -c 8 -m 32 -t 1 -d $work/request.grpc -H content-type:application/grpc-web+proto -H x-grpc-web:1 http://127.0.0.1:$http_port/GrpcService/hello" ;;
  esac
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; } # utime + stime, in 1/100 s

run() { # NAME COUNT -> "calls/s p50_ms p99_ms cpu_us_per_call"
  local before after
  rm -f "$work/latency.tsv"
  before=$(cpu_ticks)
  $(load "$1" "$2") --log-file="$work/latency.tsv" > "$work/h2load.out"
  after=$(cpu_ticks)
  if ! grep -q " 0 failed, 0 errored, 0 timeout" "$work/h2load.out" \
      || ! grep -q "status codes: $2 2xx" "$work/h2load.out"; then
    echo "$1: some calls failed: $(grep -E 'requests:|status codes:' "$work/h2load.out")" >&2
    exit 1
  fi
  python3 bench/h2load_summary.py "$work/h2load.out" "$work/latency.tsv" "$before" "$after" "$2"
}

echo "warm-up: $warmup calls each"
for name in "${names[@]}"; do run "$name" "$warmup" >/dev/null; done

printf '%-13s %-6s %10s %9s %9s %12s\n' load round calls/s p50_ms p99_ms cpu_us/call
: > "$work/results"
for round in $(seq 1 "$rounds"); do
  for name in "${names[@]}"; do
    read -r rate p50 p99 cpu < <(run "$name" "$requests")
    printf '%-13s %-6s %10s %9s %9s %12s\n' "$name" "$round" "$rate" "$p50" "$p99" "$cpu"
    echo "$name $rate $p50 $p99 $cpu" >> "$work/results"
  done
done
python3 - "$work/results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
med = lambda name, col: statistics.median(float(r[col]) for r in rows if r[0] == name)
print(f"{'median':11} {'calls/s':>10} {'p50_ms':>9} {'p99_ms':>9} {'cpu_us/call':>12}")
for name in dict.fromkeys(r[0] for r in rows):
    print(f"{name:11} {med(name, 1):10.0f} {med(name, 2):9.2f} {med(name, 3):9.2f}"
          f" {med(name, 4):12.1f}")
for name in [n for n in dict.fromkeys(r[0] for r in rows) if n != "grpc"]:
    print(f"{name} / grpc: calls/s {med(name, 1) / med('grpc', 1):.2f},"
          f" p99 {med(name, 3) / med('grpc', 3):.2f},"
          f" cpu/call {med(name, 4) / med('grpc', 4):.2f}")
PY
