#!/usr/bin/env bash
# Issue 5's figures in one run: ring throughput between two JVMs (aioring shared and exclusive reapers beside
# Agrona's OneToOneRingBuffer), a reaper JVM's wake-up latency on the eventfd and on the futex, then the same
# wake-up between two C processes (no JVM, no ring): the floor this machine sets. Results go to
# docs/benchmarks.md by hand.
#   benchmarks/cross-process.sh [rounds]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/find-jdk.sh
[ -f benchmarks/target/benchmarks.jar ] || ./build -q -pl benchmarks -am package -DskipTests
"$JAVA_HOME/bin/java" $AIORING_JVM_FLAGS -cp benchmarks/target/benchmarks.jar io.aioring.benchmarks.CrossProcessBench "${1:-5}"
if ! command -v gcc >/dev/null 2>&1; then
  echo "gcc is not installed - skipping the C floor rows"
  exit 0
fi
floor="$root/benchmarks/target/wake_floor"
gcc -O2 -Wall -Wextra -std=c11 -o "$floor" benchmarks/src/main/c/wake_floor.c
echo
echo "| two C processes | wake-ups | p50 | p99 | p99.9 |"
echo "|-----------------|---------:|----:|----:|------:|"
for how in futex eventfd; do
  for where in any cross same; do
    "$floor" "$how" "$where" 5000
  done
done
