#!/usr/bin/env bash
# Camera-ingest load: N simulated cameras sending chunked PutMedia through the gateway's /putMedia into the
# embedded store, at real-time pace and at full speed, against a discarding sink measured in the same run
# (see docs/benchmarks.md, "Camera ingest (b)").
# Usage: bench/ingest-load.sh [cameras=50,200] [secondsPerRun=30]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
	export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
port="${PORT:-18081}"
media=target/bench-media/cam-540p-2M.mkv
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

# A camera-like stream: 960x540 H.264 at 2 Mbit/s (noise keeps the encoder at its rate), 1 s GOPs, no B-frames,
# one Cluster per second, 20 s. Made once; not committed.
if [ ! -s "$media" ]; then
	mkdir -p "$(dirname "$media")"
	ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc=size=960x540:rate=30 -t 20 \
		-vf noise=alls=12:allf=t -c:v libx264 -preset veryfast -pix_fmt yuv420p \
		-b:v 2M -maxrate 2M -bufsize 2M -g 30 -keyint_min 30 -sc_threshold 0 -bf 0 \
		-cluster_time_limit 1000 -f matroska "$media"
fi

./mvnw -q -B -o -DskipTests package dependency:build-classpath \
	-Dmdep.outputFile="$work/classpath" -Dmdep.includeScope=test >/dev/null
"$java" ${GATEWAY_JAVA_OPTS:-} -jar target/kvs-gateway-*.jar --server.port="$port" --gateway.local.data-dir="$work/data" \
	--logging.level.root=WARN >"$work/gateway.out" 2>&1 &
server=$!
for _ in $(seq 1 120); do
	grep -q 'camera (scope ingest' "$work/gateway.out" 2>/dev/null && break
	sleep 0.5
done
token=$(grep -A1 'camera (scope ingest' "$work/gateway.out" | tail -n1 | tr -d '[:space:]')
[ -n "$token" ] || { echo "gateway did not start:"; cat "$work/gateway.out"; exit 1; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $("$java" -version 2>&1 | head -n1)"
# Others may share the machine: show what else runs before and after (the program reports per run how much CPU
# the rest of the machine used).
echo "before: $(uptime)"; top -bn1 -o %CPU | sed -n '7,12p'
"$java" -cp "target/test-classes:target/classes:$(cat "$work/classpath")" io.kvsgateway.bench.IngestLoad \
	"http://127.0.0.1:$port" "$token" "$media" "${1:-50,200}" "${2:-30}" "$server"
echo "after: $(uptime)"; top -bn1 -o %CPU | sed -n '7,12p'
if grep -q -i 'error\|exception' "$work/gateway.out"; then
	echo "gateway log (errors):"
	grep -i -m 20 'error\|exception' "$work/gateway.out"
fi
