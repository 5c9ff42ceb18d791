#!/usr/bin/env bash
# The quota scheduler's admission decision with the local store: admit + release of a live HLS session (one thread,
# two threads on one stream) and a rejection on a full stream, in JMH sample-time mode so p50/p99/p99.9 are reported.
# The target is p99 ≤ 50 µs.
# Usage: bench/admission.sh [JMH options, default: -f 1 -wi 2 -i 3 -w 2 -r 3]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
	export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

./mvnw -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile="$work/classpath" -Dmdep.includeScope=test >/dev/null

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $("$java" -version 2>&1 | head -n1)"
if [ "$#" -eq 0 ]; then
	set -- -f 1 -wi 2 -i 3 -w 2 -r 3
fi
"$java" -cp "target/test-classes:target/classes:$(cat "$work/classpath")" io.kvsgateway.quota.bench.AdmissionBenchmark "$@"
