#!/usr/bin/env bash
# Playback serving of the embedded KVS (issue 4): (a) live latency from a fragment's last byte at /putMedia to its
# listing in a LIVE HLS media playlist; (b) getMP4MediaFragment throughput at 64 readers against the same bytes served
# as static files by the same server, same run (see docs/benchmarks.md).
# Usage: bench/playback-serving.sh [cameras=4] [latencySeconds=90] [readers=64] [roundSeconds=10] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
	export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
port="${PORT:-18082}"
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/static"

./mvnw -q -B -o -DskipTests package dependency:build-classpath \
	-Dmdep.outputFile="$work/classpath" -Dmdep.includeScope=test >/dev/null
# The benchmark fetches faster than any player, so KVS's per-session request rates (5 and 20 per second) are off
# (gateway.local.enforce-quotas=false); its own static files sit beside the page's, under /viewer/, which is public.
"$java" ${GATEWAY_JAVA_OPTS:-} -jar target/kvs-gateway-*.jar --server.port="$port" --gateway.local.data-dir="$work/data" \
	--gateway.local.enforce-quotas=false \
	--spring.web.resources.static-locations="classpath:/static/,file:$work/static/" \
	--logging.level.root=WARN >"$work/gateway.out" 2>&1 &
server=$!
for _ in $(seq 1 120); do
	grep -q 'camera (scope ingest' "$work/gateway.out" 2>/dev/null && break
	sleep 0.5
done
token=$(grep -A1 'camera (scope ingest' "$work/gateway.out" | tail -n1 | tr -d '[:space:]')
[ -n "$token" ] || { echo "gateway did not start:"; cat "$work/gateway.out"; exit 1; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $("$java" -version 2>&1 | head -n1)"
"$java" -cp "target/test-classes:target/classes:$(cat "$work/classpath")" io.kvsgateway.bench.PlaybackServingLoad \
	"http://127.0.0.1:$port" "$token" "$port" "$work/static" "${1:-4}" "${2:-90}" "${3:-64}" "${4:-10}" "${5:-3}"
