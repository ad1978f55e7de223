#!/usr/bin/env bash
# Observation benchmarks (issue 4): latency, sampler CPU and fan-out, each with its baseline
# measured in the same run. Needs Docker and the lab images (.ci/setup). Takes about 8 minutes.
# Arguments pick parts: latency (latency and CPU), fanout; default both.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl bench -am package -DskipTests
exec java -cp "bench/target/twlab-bench-0.1.0-SNAPSHOT.jar:server/target/twlab-server.jar" io.twlab.bench.Bench "$@"
