#!/usr/bin/env bash
# 4 KiB random reads of one cached 1 GiB file: aioring, FileChannel and AsynchronousFileChannel under JMH, then
# fio's io_uring and psync engines on the same file, in one run. Results go to docs/benchmarks.md by hand.
#   benchmarks/random-read.sh [JMH options...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/find-jdk.sh
[ -f benchmarks/target/benchmarks.jar ] || ./build -q -pl benchmarks -am package -DskipTests
file="${TMPDIR:-/tmp}/aioring-bench-1g.dat"
"$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -jar benchmarks/target/benchmarks.jar \
  RandomReadBenchmark -p fileSize=1g -prof gc "$@"
if command -v fio >/dev/null 2>&1; then
  for engine in io_uring psync; do
    depth=32
    [ "$engine" = psync ] && depth=1
    echo "fio --name=randread --filename=$file --rw=randread --bs=4k --ioengine=$engine --iodepth=$depth --runtime=10 --time_based --size=1g --invalidate=0"
    fio --name=randread --filename="$file" --rw=randread --bs=4k --ioengine="$engine" --iodepth="$depth" \
      --runtime=10 --time_based --size=1g --invalidate=0 | grep -E "IOPS|clat \(|lat \(usec\): min|50.00th"
  done
else
  echo "fio is not installed (apt-get install fio) - skipping the fio rows"
fi
