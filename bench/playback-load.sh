#!/usr/bin/env bash
# Viewer-path load: the gateway's POST /v1/streams/{s}/playback-sessions against bare SDK
# GetHLSStreamingSessionURL calls to the embedded KVS, same run, same machine (see docs/benchmarks.md).
# Usage: bench/playback-load.sh [concurrency=64] [requestsPerRound=20000] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
	export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
port="${PORT:-18080}"
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

./mvnw -q -B -DskipTests package dependency:build-classpath \
	-Dmdep.outputFile="$work/classpath" -Dmdep.includeScope=test >/dev/null
# Both sides ask for session URLs on one stream far beyond KVS's 25 per second, which the embedded KVS refuses and the
# quota scheduler rejects; this benchmark measures the cost of a grant (admission included), not quotas: the embedded
# KVS does not enforce them and the bench stream's budgets are raised out of reach.
bench='gateway.quota.streams[bench-stream]'
"$java" ${GATEWAY_JAVA_OPTS:-} -jar target/kvs-gateway-*.jar --server.port="$port" --gateway.local.data-dir="$work/data" \
	--gateway.local.enforce-quotas=false \
	--"$bench".session-urls=1e9 --"$bench".fragment-metadata=1e12 --"$bench".fragment-media=1e12 \
	--"$bench".data-endpoint=1e9 \
	--logging.level.root=WARN >"$work/gateway.out" 2>&1 &
server=$!
for _ in $(seq 1 120); do
	grep -q 'viewer (scope playback' "$work/gateway.out" 2>/dev/null && break
	sleep 0.5
done
token=$(grep -A1 'viewer (scope playback' "$work/gateway.out" | tail -n1 | tr -d '[:space:]')
[ -n "$token" ] || { echo "gateway did not start:"; cat "$work/gateway.out"; exit 1; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $("$java" -version 2>&1 | head -n1)"
"$java" -cp "target/test-classes:$(cat "$work/classpath")" io.kvsgateway.bench.PlaybackLoad \
	"http://127.0.0.1:$port" "$token" "${1:-64}" "${2:-20000}" "${3:-3}" "$server"
