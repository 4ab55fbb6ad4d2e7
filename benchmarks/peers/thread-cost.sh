#!/usr/bin/env bash
# What one committed write costs the machine, thread by thread (the twelfth round of
# docs/benchmarks.md). Run from the harness's directory (benchmarks/peers/harness.sh prints it):
#
#   "$FLOE"/benchmarks/peers/thread-cost.sh SYSTEM C     (FLOE: this repository)
#
# Runs BenchMain for SYSTEM at concurrency C (3 s warm-up, 10 s measured; JAVA_OPTS adds JVM
# flags) and, over 6 s of the measured window, prints the harness's result line, the JVM's user
# and system CPU time per write (µs), and each thread's voluntary and involuntary context
# switches per write and its share of one core (from /proc/PID/task), busiest first. Threads
# that end inside the window are left out. Needs Linux /proc and awk. Bounded: one run of 3 + 10 s.
set -euo pipefail
sys=${1:?usage: thread-cost.sh SYSTEM C}
c=${2:?usage: thread-cost.sh SYSTEM C}
case $sys in floe*) netty=42 ;; *) netty=41 ;; esac
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
java -Xms2g -Xmx4g -XX:+UseG1GC ${JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/raft-peers-bench.jar:target/lib/*:target/lib-netty$netty/*" floe.bench.peers.BenchMain \
  --system "$sys" --c "$c" --warmup-s 3 --measure-s 10 >"$out/stdout" 2>"$out/stderr" &
pid=$!

switches() { # "TID VOLUNTARY INVOLUNTARY CPU_TICKS NAME" for every thread of the JVM
  local t name ticks
  for t in /proc/$pid/task/*; do
    name=$(tr ' ' _ <"$t/comm" 2>/dev/null) || continue
    # user + system ticks: fields 14 and 15 of stat, counted after the ")" that ends the name
    ticks=$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}') || continue
    awk -v id="${t##*/}" -v n="$name" -v c="$ticks" '/^voluntary_ctxt_switches/{v=$2}
      /^nonvoluntary_ctxt_switches/{i=$2} END{print id, v, i, c, n}' "$t/status" 2>/dev/null || true
  done | sort
}
cpu() { awk '{print $14, $15}' "/proc/$pid/stat"; } # user and system ticks of the whole JVM

sleep 7
switches >"$out/before"; read -r u0 s0 < <(cpu)
sleep 6
switches >"$out/after"; read -r u1 s1 < <(cpu)
wait "$pid"
grep '^system=' "$out/stdout"
ops=$(grep -oE 'ops_per_s=[0-9.]+' "$out/stdout" | cut -d= -f2)
[[ -n "$ops" ]] || { echo "no result line; see the run's stderr:" >&2; tail "$out/stderr" >&2; exit 1; }
hz=$(getconf CLK_TCK)
awk -v ops="$ops" -v hz="$hz" -v u="$((u1 - u0))" -v s="$((s1 - s0))" 'BEGIN{w = ops * 6
  printf "cpu_us_per_write user=%.1f system=%.1f\n", u * 1e6 / hz / w, s * 1e6 / hz / w}'
echo "switches per write: voluntary involuntary, then the thread's share of one core"
join "$out/before" "$out/after" | awk -v ops="$ops" -v hz="$hz" '{w = ops * 6
  v = ($6 - $2) / w; i = ($7 - $3) / w; c = ($8 - $4) * 100 / hz / 6
  if (v + i >= 0.005 || c >= 0.5) printf "%6.2f %6.2f %5.1f%% %s\n", v, i, c, $5}' | sort -rn
