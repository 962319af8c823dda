#!/usr/bin/env bash
# Issue 22's socket figure: the same echo server program, written against the JDK's AsynchronousChannelGroup and
# AsynchronousSocketChannel alone (AsyncEchoServer, a fixed group of one thread), run on the JDK's own channels
# and on aioring's (the provider flag, no line changed), under one external load generator in C (echo_load: epoll,
# one thread, 100 connections in ping-pong, every byte checked); beside them the network anchor, an echo server
# as Netty's users write one (NettyEchoServer: one event loop, on Netty's io_uring transport and on its NIO one),
# and the echo server written with a context's iocbs (ContextEchoServer: EchoBenchmark's, one thread).
# Interleaved rounds; medians; the ratio to the JDK's channels from the same run.
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
# server -> the JVM flags and main class with its arguments
declare -A mains=([jdk]="io.aioring.benchmarks.AsyncEchoServer 1 16384"
                  [aioring-io_uring]="$provider -Daioring.nio.backend=io_uring io.aioring.benchmarks.AsyncEchoServer 1 16384"
                  [aioring-threads]="$provider -Daioring.nio.backend=threads io.aioring.benchmarks.AsyncEchoServer 1 16384"
                  [netty-io_uring]="io.aioring.benchmarks.NettyEchoServer io_uring 1"
                  [netty-nio]="io.aioring.benchmarks.NettyEchoServer nio 1"
                  [context-io_uring]="io.aioring.benchmarks.ContextEchoServer io_uring")
servers=(jdk aioring-io_uring aioring-threads netty-io_uring netty-nio context-io_uring)
declare -A results

run_one() { # server bytes
  local log port pid rate
  log=$(mktemp)
  # shellcheck disable=SC2086
  "$JAVA_HOME/bin/java" $AIORING_JVM_FLAGS -cp benchmarks/target/benchmarks.jar ${mains[$1]} >"$log" 2>&1 &
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

echo "| server (one thread each) | 64 B echoes/s | vs JDK | 4 KiB echoes/s | vs JDK |"
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
