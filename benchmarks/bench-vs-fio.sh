#!/usr/bin/env bash
# ./aioring bench beside fio's io_uring engine on the same file, interleaved (fio, then bench, for each workload,
# then the next round), ROUNDS rounds; prints every command, each round's IOPS, and the medians with the ratio
# bench/fio from this one run. Results go to docs/benchmarks.md by hand.
#   benchmarks/bench-vs-fio.sh [ROUNDS] [SECONDS] [FILE]
#     ROUNDS  default 3;  SECONDS per run, default 5;  FILE default /tmp/aioring-bench-1g.dat (1 GiB, kept;
#     it must be on a file system that takes O_DIRECT for the direct rows)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
seconds=${2:-5}
file=${3:-/tmp/aioring-bench-1g.dat}
cd "$root"
command -v fio >/dev/null 2>&1 || { echo "fio is not installed (apt-get install fio)" >&2; exit 1; }
./aioring bench --file "$file" --size 1g --ios 1 --json >/dev/null   # builds the CLI, writes the file once

fio_cmd() { # $1 iodepth, $2 direct
  echo "fio --name=randread --filename=$file --rw=randread --bs=4k --ioengine=io_uring --iodepth=$1 --direct=$2" \
       "--runtime=$seconds --ramp_time=1 --time_based --size=1g --invalidate=0 --output-format=terse"
}
fio_iops() { # terse v3: field 8 is read IOPS
  $(fio_cmd "$1" "$2") | awk -F';' '{print $8}'
}
bench_iops() {
  ./aioring bench --file "$file" --size 1g --ramp 1s --duration "${seconds}s" --json "$@" \
    | sed -n 's/.*"seconds":[0-9.]*,"iops":\([0-9.]*\).*/\1/p' | cut -d. -f1  # the run's iops, not read's or write's
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# name | fio iodepth | fio direct | bench options
workloads=(
  "qd32 cached, timing+page-cache, another process reaps|32|0|--qd 32 --attrs timing,page-cache"
  "qd32 cached, no attributes, another process reaps|32|0|--qd 32 --attrs none"
  "qd32 cached, no attributes, the caller reaps|32|0|--qd 32 --attrs none --reaper-mode caller"
  "qd1 cached, no attributes, the caller reaps|1|0|--qd 1 --attrs none --reaper-mode caller"
  "qd32 O_DIRECT, timing, the caller reaps|32|1|--qd 32 --attrs timing --direct --reaper-mode caller"
)
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -r), $rounds rounds of ${seconds} s (+1 s ramp) each, interleaved"
for w in "${workloads[@]}"; do
  IFS='|' read -r name depth direct opts <<<"$w"
  echo "# $name:"
  echo "#   $(fio_cmd "$depth" "$direct")"
  echo "#   ./aioring bench --file $file --size 1g --ramp 1s --duration ${seconds}s --json $opts"
done
declare -A fio_runs bench_runs
for round in $(seq 1 "$rounds"); do
  for i in "${!workloads[@]}"; do
    IFS='|' read -r name depth direct opts <<<"${workloads[$i]}"
    f=$(fio_iops "$depth" "$direct")
    # shellcheck disable=SC2086
    b=$(bench_iops $opts)
    fio_runs[$i]="${fio_runs[$i]:-} $f"
    bench_runs[$i]="${bench_runs[$i]:-} $b"
    echo "round $round: $name: fio $f, bench $b"
  done
done
echo
echo "| workload | fio io_uring IOPS (median) | ./aioring bench IOPS (median) | ratio | rounds (fio / bench) |"
echo "|---|---:|---:|---:|---|"
for i in "${!workloads[@]}"; do
  IFS='|' read -r name depth direct opts <<<"${workloads[$i]}"
  # shellcheck disable=SC2086
  fm=$(median ${fio_runs[$i]})
  # shellcheck disable=SC2086
  bm=$(median ${bench_runs[$i]})
  ratio=$(awk -v b="$bm" -v f="$fm" 'BEGIN {printf "%.2fx", b / f}')
  echo "| $name | $fm | $bm | $ratio |${fio_runs[$i]} /${bench_runs[$i]} |"
done
