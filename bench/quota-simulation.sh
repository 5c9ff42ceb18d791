#!/usr/bin/env bash
# Quota simulation (issue "Quota-aware scheduler"): simulated players ask the gateway for sessions on one stream at twice
# what it carries and really play from the embedded KVS, which enforces KVS's quotas; prints admissions, rejections,
# consumed points/s against the budget, and what KVS throttled (pass: nothing throttled, steady state >= 90% of the
# fragment-media budget). See docs/benchmarks.md.
# Usage: bench/quota-simulation.sh [mediaQuota=500] [seconds=60] [window=sliding|token-bucket]
#   mediaQuota 500 is KVS's own (750 live HLS + 50 on-demand DASH players); a smaller one scales the stream and the
#   player population down on both sides (gateway.quota.streams[sim-*] and gateway.local.quotas). window is how the
#   embedded KVS counts a second (gateway.local.quotas.window), which KVS does not document.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
	export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
port="${PORT:-18083}"
quota="${1:-500}"
seconds="${2:-60}"
window="${3:-sliding}"
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

./mvnw -q -B -o -DskipTests package dependency:build-classpath \
	-Dmdep.outputFile="$work/classpath" -Dmdep.includeScope=test >/dev/null
# One development viewer token plays every player, so one viewer may hold the whole stream (max-viewer-share=1);
# the metrics endpoint is exposed for the embedded KVS's consumed and throttled counters.
"$java" ${GATEWAY_JAVA_OPTS:-} -jar target/kvs-gateway-*.jar --server.port="$port" --gateway.local.data-dir="$work/data" \
	--gateway.quota.max-viewer-share=1 \
	"--gateway.quota.streams[sim-*].fragment-media=$quota" --gateway.local.quotas.fragment-media="$quota" \
	--gateway.local.quotas.window="$window" \
	--management.endpoints.web.exposure.include=health,info,quotas,metrics \
	--logging.level.root=WARN >"$work/gateway.out" 2>&1 &
server=$!
for _ in $(seq 1 120); do
	grep -q 'operator (scope ops' "$work/gateway.out" 2>/dev/null && break
	sleep 0.5
done
token() { grep -A1 "$1" "$work/gateway.out" | tail -n1 | tr -d '[:space:]'; }
viewer=$(token 'viewer (scope playback')
camera=$(token 'camera (scope ingest')
operator=$(token 'operator (scope ops')
[ -n "$operator" ] || { echo "gateway did not start:"; cat "$work/gateway.out"; exit 1; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $("$java" -version 2>&1 | head -n1)"
"$java" -cp "target/test-classes:target/classes:$(cat "$work/classpath")" io.kvsgateway.bench.QuotaSimulation \
	"$port" "$camera" "$viewer" "$operator" "$quota" "$seconds"
