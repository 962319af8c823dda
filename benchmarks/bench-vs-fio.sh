#!/usr/bin/env bash
# ./aioring bench beside fio on the same file, interleaved (every fio row, then every bench row, then the next
# round), ROUNDS rounds; prints every command, each round's IOPS and latency (p50, p99: fio's lat, submit to
# completion; bench's submit -> reaped), and the medians with each bench row's ratio to its anchor from this one
# run. The anchor is fio as its users run it when they want its best: io_uring with no random map, fixed buffers,
# registered files and batched submit and complete; and psync at QD1, one core's floor (a pread per I/O). Results
# go to docs/benchmarks.md by hand.
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
command -v python3 >/dev/null 2>&1 || { echo "python3 is not installed (apt-get install python3)" >&2; exit 1; }
./aioring bench --file "$file" --size 1g --ios 1 --json >/dev/null   # builds the CLI, writes the file once

common="--name=randread --filename=$file --rw=randread --bs=4k --size=1g --invalidate=0 --runtime=$seconds"
common="$common --ramp_time=1 --time_based --norandommap --randrepeat=0 --output-format=json --lat_percentiles=1"
fastest="--fixedbufs=1 --registerfiles=1 --iodepth_batch_submit=32 --iodepth_batch_complete_min=1"
# name | fio options (after the common ones)
fio_rows=(
  "io_uring QD32, fastest|--ioengine=io_uring --iodepth=32 --direct=0 $fastest"
  "io_uring QD32|--ioengine=io_uring --iodepth=32 --direct=0"
  "psync QD1|--ioengine=psync --iodepth=1 --direct=0"
  "io_uring QD1|--ioengine=io_uring --iodepth=1 --direct=0 --fixedbufs=1 --registerfiles=1"
  "io_uring QD32 O_DIRECT|--ioengine=io_uring --iodepth=32 --direct=1 $fastest"
)
# name | bench options | the fio rows it is compared with (indexes above)
bench_rows=(
  "the main job: QD32, default attributes, another process reaps|--qd 32|0 2"
  "QD32, no attributes, another process reaps|--qd 32 --attrs none|0"
  "QD32, default attributes, the caller reaps|--qd 32 --reaper-mode caller|0"
  "QD1, no attributes, the caller reaps|--qd 1 --attrs none --reaper-mode caller|3 2"
  "QD32 O_DIRECT, default attributes, the caller reaps|--qd 32 --direct --reaper-mode caller|4"
)

# Both print "IOPS p50 p99", the latencies in us from the read side of fio's JSON: fio's lat_ns (submit ->
# completion, slat + clat: an io_uring read of cached pages is done inside the submit, so its clat alone is ~0),
# bench's clat_ns (its submit -> reaped, the same span; bench writes the same shape).
percentiles='
import json, sys
d = json.load(sys.stdin)
read = d["jobs"][0]["read"]
p = read["clat_ns" if "aioring" in d else "lat_ns"]["percentile"]
iops = d["aioring"]["iops"] if "aioring" in d else read["iops"]
print(int(iops), "%.1f" % (p["50.000000"] / 1000), "%.1f" % (p["99.000000"] / 1000))'
fio_run() {
  # shellcheck disable=SC2086
  fio $common $1 | python3 -c "$percentiles"
}
bench_run() {
  # shellcheck disable=SC2086
  ./aioring bench --file "$file" --size 1g --ramp 1s --duration "${seconds}s" --json $1 | python3 -c "$percentiles"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -r), $(fio --version), $rounds rounds of ${seconds} s" \
  "(+1 s ramp) each, interleaved"
for row in "${fio_rows[@]}"; do
  IFS='|' read -r name opts <<<"$row"
  echo "# fio $name: fio $common $opts"
done
for row in "${bench_rows[@]}"; do
  IFS='|' read -r name opts _ <<<"$row"
  echo "# bench $name: ./aioring bench --file $file --size 1g --ramp 1s --duration ${seconds}s --json $opts"
done
declare -A fio_runs bench_runs fio_p50 fio_p99 bench_p50 bench_p99
for round in $(seq 1 "$rounds"); do
  for i in "${!fio_rows[@]}"; do
    IFS='|' read -r name opts <<<"${fio_rows[$i]}"
    read -r f p50 p99 <<<"$(fio_run "$opts")"
    fio_runs[$i]="${fio_runs[$i]:-} $f"; fio_p50[$i]="${fio_p50[$i]:-} $p50"; fio_p99[$i]="${fio_p99[$i]:-} $p99"
    echo "round $round: fio $name: $f IOPS, lat p50 $p50 us, p99 $p99 us"
  done
  for i in "${!bench_rows[@]}"; do
    IFS='|' read -r name opts _ <<<"${bench_rows[$i]}"
    read -r b p50 p99 <<<"$(bench_run "$opts")"
    bench_runs[$i]="${bench_runs[$i]:-} $b"; bench_p50[$i]="${bench_p50[$i]:-} $p50"; bench_p99[$i]="${bench_p99[$i]:-} $p99"
    echo "round $round: bench $name: $b IOPS, lat p50 $p50 us, p99 $p99 us"
  done
done
echo
echo "| fio | IOPS (median) | lat p50 / p99, us (medians) | rounds (IOPS) |"
echo "|---|---:|---:|---|"
for i in "${!fio_rows[@]}"; do
  IFS='|' read -r name _ <<<"${fio_rows[$i]}"
  # shellcheck disable=SC2086
  echo "| $name | $(median ${fio_runs[$i]}) | $(median ${fio_p50[$i]}) / $(median ${fio_p99[$i]}) |${fio_runs[$i]} |"
done
echo
echo "| ./aioring bench | IOPS (median) | lat p50 / p99, us (medians) | ratio to the anchor (IOPS; p99) | rounds (IOPS) |"
echo "|---|---:|---:|---|---|"
for i in "${!bench_rows[@]}"; do
  IFS='|' read -r name _ anchors <<<"${bench_rows[$i]}"
  # shellcheck disable=SC2086
  bm=$(median ${bench_runs[$i]})
  # shellcheck disable=SC2086
  b99=$(median ${bench_p99[$i]})
  ratios=""
  for a in $anchors; do
    IFS='|' read -r fname _ <<<"${fio_rows[$a]}"
    # shellcheck disable=SC2086
    fm=$(median ${fio_runs[$a]})
    # shellcheck disable=SC2086
    f99=$(median ${fio_p99[$a]})
    ratios="$ratios$(awk -v b="$bm" -v f="$fm" -v b99="$b99" -v f99="$f99" -v n="$fname" \
      'BEGIN {printf "%.2fx fio %s (p99 %.1fx); ", b / f, n, b99 / (f99 > 0 ? f99 : 1)}')"
  done
  # shellcheck disable=SC2086
  echo "| $name | $bm | $(median ${bench_p50[$i]}) / $b99 | ${ratios%; } |${bench_runs[$i]} |"
done
