#!/usr/bin/env bash
# Benchmark (c) of issue 4: ON_DEMAND HLS media playlist and DASH manifest of 5,000 fragments built by the embedded
# KVS, p99 (see docs/benchmarks.md). Usage: bench/playlist.sh [JMH options, default: -f 1 -wi 3 -i 5 -w 2 -r 3]
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
	set -- -f 1 -wi 3 -i 5 -w 2 -r 3
fi
"$java" -cp "target/test-classes:target/classes:$(cat "$work/classpath")" io.kvsgateway.local.PlaylistBenchmark "$@"
