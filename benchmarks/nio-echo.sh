#!/usr/bin/env bash
# Issue 22's socket figure: the same echo server program, written against the JDK's AsynchronousChannelGroup and
# AsynchronousSocketChannel alone (AsyncEchoServer, a fixed group of one thread), run on the JDK's own channels
# and on aioring's (the provider flag, no line changed), under one external load generator in C (echo_load: epoll,
# one thread, 100 connections in ping-pong, every byte checked). Interleaved rounds; medians; the ratio to the
# JDK from the same run.
#   benchmarks/nio-echo.sh [rounds] [seconds]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/find-jdk.sh
rounds=${1:-3}
seconds=${2:-5}
[ -f benchmarks/target/benchmarks.jar ] || ./build -q -pl benchmarks -am package -DskipTests -Djacoco.skip
load="$root/benchmarks/target/echo_load"
gcc -O2 -Wall -Wextra -std=gnu11 -o "$load" benchmarks/src/main/c/echo_load.c

provider=-Djava.nio.channels.spi.AsynchronousChannelProvider=io.aioring.nio.AioChannelProvider
declare -A flags=([jdk]="" [aioring-io_uring]="$provider -Daioring.nio.backend=io_uring"
                  [aioring-threads]="$provider -Daioring.nio.backend=threads")
servers=(jdk aioring-io_uring aioring-threads)
declare -A results

run_one() { # server bytes
  local log port pid rate
  log=$(mktemp)
  # shellcheck disable=SC2086
  "$JAVA_HOME/bin/java" $AIORING_JVM_FLAGS ${flags[$1]} -cp benchmarks/target/benchmarks.jar \
    io.aioring.benchmarks.AsyncEchoServer 1 16384 >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q '^port ' "$log" && break; sleep 0.1; done
  port=$(awk '/^port /{print $2}' "$log")
  [ -n "$port" ] || { cat "$log"; kill "$pid"; exit 1; }
  rate=$("$load" 127.0.0.1 "$port" 100 "$2" 2 "$seconds") || { cat "$log"; kill "$pid"; exit 1; }
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$log"
  results[$1,$2]+="$rate "
}

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for round in $(seq "$rounds"); do
  for bytes in 64 4096; do
    for server in "${servers[@]}"; do
      run_one "$server" "$bytes"
    done
  done
  echo "round $round done" >&2
done

echo "| server (AsyncEchoServer, fixed group of 1) | 64 B echoes/s | vs JDK | 4 KiB echoes/s | vs JDK |"
echo "|---|---:|---:|---:|---:|"
for server in "${servers[@]}"; do
  row="| $server"
  for bytes in 64 4096; do
    m=$(echo "${results[$server,$bytes]}" | median)
    j=$(echo "${results[jdk,$bytes]}" | median)
    row+=" | $m | $(awk -v a="$m" -v b="$j" 'BEGIN {printf "%.2fx", a / b}')"
  done
  echo "$row |"
done
echo
for server in "${servers[@]}"; do
  for bytes in 64 4096; do
    echo "$server $bytes B rounds: ${results[$server,$bytes]}"
  done
done
