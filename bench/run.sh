#!/usr/bin/env bash
# Benchmarks, each with its baseline measured in the same run. Needs Docker and the lab images
# (.ci/setup). Arguments pick parts, default all of them: capacity [N] (host CPU with N idle nat
# labs, default 10, against none), flood (a redis-flood with the tracer on against --tracer off),
# create (a nat lab against the same objects by sequential docker commands), parse (the tracer's
# lines read in place against String.split, no Docker needed), join (a flood's changes joined
# with thousands of closes waiting for their sample against none waiting, no Docker needed) of
# issue 21; latency
# (latency and CPU), fanout, teardown (500 concurrent S1 grades, about 12 minutes) of issues 4 and
# 12; or workshop alone (issue 14: 30 students join and run S1 at once, about 2 minutes), or
# grading alone (issue 16: the grading queue's throughput, 40 submissions at the default
# concurrency against 8 one at a time, about 3 minutes; `grading N` grades N at once), or console
# alone (issue 19: the web console's frame rate during a 10 000-connection redis-flood against the
# same page idle, about a minute; needs Debian's chromium and chromium-driver, which .ci/setup
# installs); cycles [N] (issue 22: N nat labs created and deleted, default 200, about 6 minutes:
# the heap and a cycle's time at the end against the start, what the engine keeps) runs only when
# named.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl bench -am package -DskipTests
classpath="bench/target/twlab-bench-0.1.0-SNAPSHOT.jar:server/target/twlab-server.jar"
if [[ "${1:-}" == console ]]; then
  ./mvnw -B -q -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null
  exec java -cp "$classpath:$(cat bench/target/classpath.txt)" io.twlab.bench.ConsoleBench
fi
if [[ "${1:-}" == grading ]]; then
  exec java -cp "$classpath" io.twlab.bench.GradingBench "${@:2}"
fi
if [[ "${1:-}" == workshop ]]; then
  exec java -cp "$classpath" io.twlab.bench.WorkshopBench
fi
exec java -cp "$classpath" io.twlab.bench.Bench "$@"
