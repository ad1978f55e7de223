#!/usr/bin/env bash
# Observation benchmarks (issues 4 and 12): latency, sampler CPU, fan-out and grades under load, each
# with its baseline measured in the same run. Needs Docker and the lab images (.ci/setup).
# Arguments pick parts: latency (latency and CPU), fanout, teardown (500 concurrent S1 grades, about
# 12 minutes); default all.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl bench -am package -DskipTests
exec java -cp "bench/target/twlab-bench-0.1.0-SNAPSHOT.jar:server/target/twlab-server.jar" io.twlab.bench.Bench "$@"
