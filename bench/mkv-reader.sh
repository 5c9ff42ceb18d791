#!/usr/bin/env bash
# Benchmark (a) of issue 3: io.kvsgateway.media.MkvReader against the AWS KVS parser library (1.2.5) on the same
# bytes, every frame visited (see docs/benchmarks-media.md). Makes the 720p 4 Mbit/s input with ffmpeg first.
# Usage: bench/mkv-reader.sh [JMH options, default: -f 1 -wi 3 -i 5 -w 1 -r 1]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
	export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -f target/bench-media/h264-720p-4M.mkv ]; then
	command -v ffmpeg >/dev/null || { echo "ffmpeg is needed to make target/bench-media/h264-720p-4M.mkv"; exit 1; }
	src/test/resources/media/make-fixtures.sh --heavy "$PWD/target/bench-media"
fi
./mvnw -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile="$work/classpath" -Dmdep.includeScope=test >/dev/null

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $("$java" -version 2>&1 | head -n1)"
if [ "$#" -eq 0 ]; then
	set -- -f 1 -wi 3 -i 5 -w 1 -r 1
fi
"$java" -cp "target/test-classes:target/classes:$(cat "$work/classpath")" io.kvsgateway.media.bench.MkvReaderBenchmark "$@"
