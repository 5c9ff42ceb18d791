#!/usr/bin/env bash
# The quota scheduler's admission decision with the Redis store, Redis on loopback: the decision alone, admit + release
# of a live HLS session (one thread, two threads on one stream) and a rejection on a full stream, in JMH sample-time
# mode so p50/p99/p99.9 are reported. The benchmark starts its own redis-server (install it: apt-get install
# redis-server). The target is p99 ≤ 2 ms. A trial in which a call timed out (gateway.quota.redis.timeout, 200 ms) and
# the store fell back fails with "the store fell back from Redis during the run": its row in the table is not valid.
# Usage: bench/admission-redis.sh [JMH options, default: -f 1 -wi 2 -i 3 -w 2 -r 3]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
	export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
command -v redis-server >/dev/null || { echo "redis-server is not installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

./mvnw -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile="$work/classpath" -Dmdep.includeScope=test >/dev/null

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $("$java" -version 2>&1 | head -n1), $(redis-server --version | cut -d' ' -f1-3)"
if [ "$#" -eq 0 ]; then
	set -- -f 1 -wi 2 -i 3 -w 2 -r 3
fi
"$java" -cp "target/test-classes:target/classes:$(cat "$work/classpath")" io.kvsgateway.quota.bench.RedisAdmissionBenchmark "$@"
