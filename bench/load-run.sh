#!/usr/bin/env bash
# Paired load run: Protogate serving hello from hello.desc against generated-stub grpc-java
# servers for the same proto, driven in turn (A B C A B C ...) by h2load (Debian's
# nghttp2-client) with the same prepared gRPC request over 8 connections x 32 streams. Two
# baselines: "generated" on grpc-java's defaults, as most stub servers run, and "generated-direct"
# with directExecutor(), grpc-java's advice for handlers that never block, like Protogate's
# built-in hello. Prints calls/s, p50/p99 latency and server CPU time per call for each run, and
# the medians with Protogate's ratio to each baseline.
# Traffic stays on 127.0.0.1, every run is bounded by a request count, and every server is
# stopped on exit.
#
# SET=proxy runs the proxy comparison instead: one generated-stub upstream (directExecutor), called
# directly ("direct"), through a reference proxy built on grpc-java's GrpcProxy example
# ("grpcproxy", bench/src/main/java/ReferenceProxy.java) and through Protogate routing GrpcService
# to it ("protogate"); cpu_us/call is then the CPU of the process called (the proxy, not the
# upstream behind it).
#
# Usage: [SET=proxy] [PORT_BASE=50152] bash bench/load-run.sh [ROUNDS] [REQUESTS_PER_RUN] [WARMUP_REQUESTS]
# To put other Protogate builds in the same rotation (a commit before a change, say), list their
# jars: COMPARE="before=/tmp/protogate-before.jar other=/path/to/protogate.jar" bash ...
# To put this build with other serve flags in it (the cost of metrics, say), list them with
# commas between flags: VARIANTS="metrics=--admin-port=0 log=--admin-port=0,--access-log=/dev/null"
# BASELINES=no leaves out the two generated-stub servers. REQUEST_BYTES=N sends N-byte requests.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
requests=${2:-200000}
warmup=${3:-300000}
command -v h2load >/dev/null || { echo "needs h2load: apt-get install nghttp2-client" >&2; exit 2; }

./mvnw -B -q install -DskipTests   # bench/ builds against the installed protogate artifact
if [ "${BASELINES:-yes}" != no ] || [[ ${SET:-handlers} == proxy ]]; then
  ./mvnw -B -q -f bench/pom.xml package
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The request, framed as gRPC puts it on the wire: flag byte, 4-byte length, protobuf bytes.
# HelloRequest{data: "xiao gang", skill: {name: "engineer"}}, or with REQUEST_BYTES=N a data
# field of N bytes (the answer echoes it, so N goes each way).
printf '\x0a\x09xiao gang\x12\x0a\x0a\x08engineer' > "$work/request.pb"
python3 - "$work/request.pb" "$work/request.grpc" "${REQUEST_BYTES:-}" <<'PY'
import struct, sys
body = open(sys.argv[1], "rb").read()
if sys.argv[3]:
    n, varint = int(sys.argv[3]), b""
    size = n
    while size >= 0x80:
        varint += bytes([size & 0x7f | 0x80])
        size >>= 7
    body = b"\x0a" + varint + bytes([size]) + b"x" * n + b"\x12\x0a\x0a\x08engineer"
open(sys.argv[2], "wb").write(b"\x00" + struct.pack(">I", len(body)) + body)
PY

port_base=${PORT_BASE:-50152} # another base keeps runs of several checkouts apart
await_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return
    sleep 0.1
  done
}

if [[ ${SET:-handlers} == proxy ]]; then
  upstream_port=$((port_base - 2))
  java -cp bench/target/protogate-bench.jar GeneratedServer "$upstream_port" --direct-executor \
    > "$work/upstream.log" 2>&1 &
  upstream_pid=$!
  pids+=("$upstream_pid")
  await_port "$upstream_port"
  names=(direct grpcproxy protogate)
  commands=(
    "upstream"
    "java -cp bench/target/protogate-bench.jar ReferenceProxy"
    "java -jar target/protogate.jar serve --descriptors descriptors/hello.desc --no-watch --upstream GrpcService=127.0.0.1:$upstream_port --port"
  )
  bases="direct grpcproxy"
else
  serve="java -jar target/protogate.jar serve --descriptors descriptors/hello.desc --no-watch"
  names=(protogate)
  commands=("$serve --port")
  bases=""
  if [ "${BASELINES:-yes}" != no ]; then
    names+=(generated generated-direct)
    commands+=(
      "java -cp bench/target/protogate-bench.jar GeneratedServer"
      "java -cp bench/target/protogate-bench.jar GeneratedServer --direct-executor"
    )
    bases="generated generated-direct"
  fi
  # VARIANTS="name=flag,flag ..." puts Protogate with other serve flags in the same rotation.
  for variant in ${VARIANTS:-}; do
    names+=("${variant%%=*}")
    flags=${variant#*=}
    commands+=("$serve ${flags//,/ } --port")
  done
fi
for extra in ${COMPARE:-}; do
  names+=("${extra%%=*}")
  commands+=("java -jar ${extra#*=} serve --descriptors descriptors/hello.desc --no-watch --port")
done
ports=()
server_pids=() # the process each name calls, for its CPU time
for i in "${!names[@]}"; do
  ports+=($((port_base + i)))
  # The port goes first for GeneratedServer and ReferenceProxy, last for serve --port.
  if [[ ${commands[$i]} == upstream ]]; then
    ports[$i]=$upstream_port
    server_pids+=("$upstream_pid")
    continue
  elif [[ ${commands[$i]} == *GeneratedServer* ]]; then
    read -r -a argv <<< "${commands[$i]/GeneratedServer/GeneratedServer ${ports[$i]}}"
  elif [[ ${commands[$i]} == *ReferenceProxy* ]]; then
    read -r -a argv <<< "${commands[$i]/ReferenceProxy/ReferenceProxy ${ports[$i]} 127.0.0.1:$upstream_port}"
  else
    read -r -a argv <<< "${commands[$i]} ${ports[$i]}"
  fi
  "${argv[@]}" > "$work/${names[$i]}.log" 2>&1 &
  pids+=($!)
  server_pids+=($!)
done
for port in "${ports[@]}"; do
  await_port "$port"
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime, in 1/100 s

run() { # INDEX COUNT -> "calls/s p50_ms p99_ms cpu_us_per_call"; h2load reports mean and sd,
        # not percentiles, so latency is read from its per-request log (which it appends to).
  local before after
  rm -f "$work/latency.tsv"
  before=$(cpu_ticks "${server_pids[$1]}")
  h2load -n "$2" -c 8 -m 32 -t 1 -d "$work/request.grpc" --log-file="$work/latency.tsv" \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:${ports[$1]}/GrpcService/hello" > "$work/h2load.out"
  after=$(cpu_ticks "${server_pids[$1]}")
  if ! grep -q " 0 failed, 0 errored, 0 timeout" "$work/h2load.out"; then
    echo "${names[$1]}: some calls failed: $(grep 'requests:' "$work/h2load.out")" >&2
    exit 1
  fi
  python3 bench/h2load_summary.py "$work/h2load.out" "$work/latency.tsv" "$before" "$after" "$2"
}

rss() { # label, then each server's VmRSS
  printf '%s:' "$1"
  for i in "${!names[@]}"; do
    awk -v name="${names[$i]}" '/VmRSS/ {printf " %s %.0f MiB", name, $2 / 1024}' \
      "/proc/${server_pids[$i]}/status"
  done
  echo
}
rss "idle RSS"
echo "warm-up: $warmup calls each"
for i in "${!names[@]}"; do run "$i" "$warmup" >/dev/null; done

printf '%-17s %-6s %10s %9s %9s %12s\n' server round calls/s p50_ms p99_ms cpu_us/call
: > "$work/results"
order=("${!names[@]}")
for round in $(seq 1 "$rounds"); do
  # Every other round runs the servers in reverse (A B C C B A ...), so that a drift over time
  # (the JIT still warming, the machine's other load) does not favour whoever runs last.
  if (( round % 2 == 0 )); then
    order=(); for ((i = ${#names[@]} - 1; i >= 0; i--)); do order+=("$i"); done
  else
    order=("${!names[@]}")
  fi
  for i in "${order[@]}"; do
    read -r rate p50 p99 cpu < <(run "$i" "$requests")
    printf '%-17s %-6s %10s %9s %9s %12s\n' "${names[$i]}" "$round" "$rate" "$p50" "$p99" "$cpu"
    echo "${names[$i]} $rate $p50 $p99 $cpu $round" >> "$work/results"
  done
done
rss "RSS after the runs"
python3 - "$work/results" $bases <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
med = lambda name, col: statistics.median(float(r[col]) for r in rows if r[0] == name)
print(f"{'median':17} {'calls/s':>10} {'p50_ms':>9} {'p99_ms':>9} {'cpu_us/call':>12}")
names = list(dict.fromkeys(r[0] for r in rows))
for name in names:
    print(f"{name:17} {med(name, 1):10.0f} {med(name, 2):9.2f} {med(name, 3):9.2f}"
          f" {med(name, 4):12.1f}")
for base in sys.argv[2:]:
    print(f"protogate / {base}: calls/s {med('protogate', 1) / med(base, 1):.2f},"
          f" p99 {med('protogate', 3) / med(base, 3):.2f},"
          f" cpu/call {med('protogate', 4) / med(base, 4):.2f}")
for name in names[1:]:
    if name not in sys.argv[2:] and name != "protogate":
        # Paired: the ratio within each round, whose runs are back to back, then the median.
        per_round = lambda col: statistics.median(
            float(r[col]) / float(p[col]) for r in rows if r[0] == name
            for p in rows if p[0] == 'protogate' and p[5] == r[5])
        print(f"{name} / protogate (median of per-round ratios): calls/s {per_round(1):.3f},"
              f" p99 {per_round(3):.2f}, cpu/call {per_round(4):.3f}")
PY
