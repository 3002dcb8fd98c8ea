#!/usr/bin/env bash
# Paired load run: Protogate serving hello from hello.desc against a generated-stub grpc-java
# server, driven in turn (A B A B ...) by h2load (Debian's nghttp2-client) with the same prepared
# gRPC request over one connection: 8 clients x 32 streams, as in shared/README.md. Prints
# calls/s and latency for each run and the Protogate/generated ratio of the medians.
# Traffic stays on 127.0.0.1, every run is bounded by a request count, and both servers are
# stopped on exit.
#
# Usage: bash bench/load-run.sh [ROUNDS] [REQUESTS_PER_RUN]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
requests=${2:-200000}
command -v h2load >/dev/null || { echo "needs h2load: apt-get install nghttp2-client" >&2; exit 2; }

./mvnw -B -q package -DskipTests
./mvnw -B -q -f bench/pom.xml package

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The request, framed as gRPC puts it on the wire: flag byte, 4-byte length, protobuf bytes.
# HelloRequest{data: "xiao gang", skill: {name: "engineer"}}
printf '\x0a\x09xiao gang\x12\x0a\x0a\x08engineer' > "$work/request.pb"
python3 - "$work/request.pb" "$work/request.grpc" <<'PY'
import struct, sys
body = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(b"\x00" + struct.pack(">I", len(body)) + body)
PY

protogate_port=50152
generated_port=50153
java -jar target/protogate.jar serve --port "$protogate_port" --descriptors descriptors/hello.desc \
  --no-watch > "$work/protogate.log" 2>&1 &
pids+=($!)
java -cp bench/target/protogate-bench.jar GeneratedServer "$generated_port" > "$work/generated.log" 2>&1 &
pids+=($!)
for port in "$protogate_port" "$generated_port"; do
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
done

run() { # NAME PORT COUNT -> "calls/s p50(ms) p99(ms)"; h2load gives mean/sd, not percentiles,
        # so the latency is read from its per-request log.
  h2load -n "$3" -c 8 -m 32 -t 1 -d "$work/request.grpc" --log-file="$work/$1.tsv" \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$2/GrpcService/hello" > "$work/$1.out"
  if ! grep -q " 0 failed, 0 errored, 0 timeout" "$work/$1.out"; then
    echo "$1: some calls failed: $(grep 'requests:' "$work/$1.out")" >&2
    exit 1
  fi
  local rate
  rate=$(awk '/^finished in/ {gsub(",", "", $4); print $4}' "$work/$1.out")
  python3 - "$work/$1.tsv" "$rate" <<'PY'
import sys
latencies = sorted(int(line.split("\t")[2]) for line in open(sys.argv[1]) if line.strip())
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] / 1000
print(f"{float(sys.argv[2]):.0f} {pick(0.50):.2f} {pick(0.99):.2f}")
PY
}

rss() { awk '/VmRSS/ {printf "%.0f MiB", $2 / 1024}' "/proc/$1/status"; }
echo "idle RSS: protogate $(rss "${pids[0]}"), generated $(rss "${pids[1]}")"
echo "warm-up"
run warm-p "$protogate_port" 50000 >/dev/null
run warm-g "$generated_port" 50000 >/dev/null

printf '%-10s %-6s %10s %9s %9s\n' server round calls/s p50_ms p99_ms
: > "$work/results"
for round in $(seq 1 "$rounds"); do
  for name in protogate generated; do
    port=$protogate_port; [ "$name" = generated ] && port=$generated_port
    read -r rate p50 p99 < <(run "$name" "$port" "$requests")
    printf '%-10s %-6s %10s %9s %9s\n' "$name" "$round" "$rate" "$p50" "$p99"
    echo "$name $rate $p50 $p99" >> "$work/results"
  done
done
echo "RSS after the runs: protogate $(rss "${pids[0]}"), generated $(rss "${pids[1]}")"
python3 - "$work/results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
med = lambda name, col: statistics.median(float(r[col]) for r in rows if r[0] == name)
print(f"median calls/s: protogate {med('protogate', 1):.0f}, generated {med('generated', 1):.0f}"
      f", ratio {med('protogate', 1) / med('generated', 1):.2f}")
print(f"median p99 ms:  protogate {med('protogate', 3):.2f}, generated {med('generated', 3):.2f}")
PY
