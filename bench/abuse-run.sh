#!/usr/bin/env bash
# Abuse run (issue #16): a Protogate server under -Xmx256m, attacked by 3 connections holding
# unfinished ~4 MB messages on 100 streams each while an honest client calls hello on its own
# connection; then one rapid-reset connection. Run three times: the honest client alone (the
# reference), attacked with the default limits, and attacked with the limits lifted (how the
# server behaved before them). Prints the honest client's successes, the
# server's peak RSS, and how many resets the rapid-reset connection sent before it was cut off.
# Needs Debian's python3-h2 and python3-grpcio. Traffic stays on 127.0.0.1; each attack lasts
# SECONDS (default 30); every server is stopped on exit.
#
# Usage: bash bench/abuse-run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
python=/usr/bin/python3
$python -c 'import h2, grpc' 2>/dev/null \
  || { echo "needs: apt-get install python3-h2 python3-grpcio" >&2; exit 2; }

./mvnw -B -q package -DskipTests
jar=$(mktemp -d)/protogate.jar
cp target/protogate.jar "$jar"
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

run() {
  local label=$1; shift
  local port=$(( 40000 + RANDOM % 20000 ))
  java -Xmx256m -jar "$jar" serve --port "$port" "$@" > /dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  echo "=== $label: java -Xmx256m -jar protogate.jar serve $*"
  $python bench/abuse.py memory "$port" "$pid" "$attackers" 100 4000000 "$seconds"
  [ "$attackers" = 0 ] || $python bench/abuse.py reset "$port" 100000
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

attackers=0 run "reference: no attack, default limits"
attackers=3
run "default limits"
run "limits lifted" --max-pending-bytes 1000000000000 \
  --max-pending-bytes-per-connection 1000000000000 \
  --max-concurrent-calls-per-connection 2147483647 --max-resets 2147483647
