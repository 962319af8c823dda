#!/usr/bin/env bash
# ./aioring bench and fio on the same file, in one run: 4 KiB random reads at queue depth 32 for 10 s each.
#   benchmarks/bench-vs-fio.sh [FILE]      (default: a 1 GiB file under /tmp, kept for the next run)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
file=${1:-/tmp/aioring-bench-1g.dat}
cd "$root"
echo "./aioring bench --file $file --size 1g --bs 4k --rw randread --qd 32 --duration 10s"
./aioring bench --file "$file" --size 1g --bs 4k --rw randread --qd 32 --duration 10s
if command -v fio >/dev/null 2>&1; then
  for engine in io_uring libaio psync; do
    depth=32
    [ "$engine" = psync ] && depth=1
    cmd="fio --name=randread --filename=$file --rw=randread --bs=4k --ioengine=$engine --iodepth=$depth --runtime=10 --time_based --size=1g --invalidate=0"
    echo
    echo "$cmd"
    $cmd | grep -E "IOPS|clat percentiles|50.00th|99.00th" || true
  done
else
  echo "fio is not installed (apt-get install fio): no fio rows"
fi
