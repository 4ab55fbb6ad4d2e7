#!/usr/bin/env bash
# What each thread and the JIT compilers spend during one harness run (the ninth round of
# docs/benchmarks.md). Run from the harness's directory (benchmarks/peers/harness.sh prints it):
#
#   "$FLOE"/benchmarks/peers/jit-cost.sh SYSTEM C [WARMUP_S]   (FLOE: this repository)
#
# Runs BenchMain for SYSTEM at concurrency C (3 s warm-up unless WARMUP_S, 10 s measured) under a
# JFR recording of every compilation, and prints:
#   - the harness's result line;
#   - the C2 compiler threads' CPU time in each second since the JVM started (in 1/100 s);
#   - the CPU share of every thread over 5 s of the measured window (from /proc/PID/task);
#   - the compilations: how many, the C2 (level 4) wall time in all and by package, and the C2
#     compilations that took longest, with how often each method was compiled at level 4.
# Needs Linux /proc, the JDK's jfr tool and python3. Bounded: one run of WARMUP_S + 10 s.
set -euo pipefail
sys=${1:?usage: jit-cost.sh SYSTEM C [WARMUP_S]}
c=${2:?usage: jit-cost.sh SYSTEM C [WARMUP_S]}
warmup=${3:-3}
case $sys in floe*) netty=42 ;; *) netty=41 ;; esac
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
java -Xms2g -Xmx4g -XX:+UseG1GC \
  "-XX:StartFlightRecording=filename=$out/run.jfr,settings=profile,+jdk.Compilation#threshold=0ms" \
  -cp "target/raft-peers-bench.jar:target/lib/*:target/lib-netty$netty/*" floe.bench.peers.BenchMain \
  --system "$sys" --c "$c" --warmup-s "$warmup" --measure-s 10 >"$out/stdout" 2>"$out/stderr" &
pid=$!

ticks() { # "TID NAME TICKS" for every thread of the JVM (utime + stime); builtins only, no forks
  local t s name
  for t in /proc/$pid/task/*; do
    { read -r s <"$t/stat" && read -r name <"$t/comm"; } 2>/dev/null || continue
    set -- ${s##*) }
    echo "${t##*/} ${name// /_} $((${12} + ${13}))"
  done
}

# Samples on a clock (reading /proc takes a while on a JVM with many threads), until the JVM ends.
c2=()
prev=0
start=$(date +%s%N)
for ((i = 1; ; i++)); do
  sleep "$(awk -v t0="$start" -v i="$i" -v now="$(date +%s%N)" 'BEGIN {d = (t0 + i * 1e9 - now) / 1e9; print (d > 0 ? d : 0)}')"
  snapshot=$(ticks)
  [[ -n "$snapshot" ]] && kill -0 $pid 2>/dev/null || break
  now=$(awk '$2 ~ /^C2/ {s += $3} END {print s + 0}' <<<"$snapshot")
  c2+=($((now - prev)))
  prev=$now
  if ((i == warmup + 4)); then echo "$snapshot" >"$out/a"; fi
  if ((i == warmup + 9)); then echo "$snapshot" >"$out/b"; fi
done
if ! wait $pid; then
  echo "the harness failed; its last output:" >&2
  tail -20 "$out/stderr" >&2
  exit 1
fi

grep -h '^system=' "$out/stdout"
echo "C2 CPU per second since start (1/100 s): ${c2[*]}"
if [[ ! -f "$out/a" || ! -f "$out/b" ]]; then
  echo "the JVM ended before both CPU samples were taken" >&2
  exit 1
fi
echo "thread CPU over 5 s of the measured window:"
join <(sort "$out/a") <(sort "$out/b") | awk '{d = $5 - $3; if (d > 5) printf "  %6.1f%% %s\n", d / 5, $2}' \
  | sort -rn | head -20
jfr print --events jdk.Compilation "$out/run.jfr" >"$out/compilations.txt"
python3 - "$out/compilations.txt" <<'EOF'
import collections, re, sys
rows = []
for event in open(sys.argv[1]).read().split('jdk.Compilation')[1:]:
    d = re.search(r'duration = ([\d.]+) (s|ms|us)', event)
    m = re.search(r'method = (.*)', event)
    level = re.search(r'compileLevel = (\d)', event)
    if d and m and level:
        ms = float(d.group(1)) * {'s': 1000, 'ms': 1, 'us': 0.001}[d.group(2)]
        rows.append((ms, int(level.group(1)), m.group(1).strip()))
c2 = [r for r in rows if r[1] == 4]
print("compilations: %d, at level 4: %d, level-4 wall time %.0f ms" % (len(rows), len(c2), sum(r[0] for r in c2)))
by_package = collections.Counter()
by_method = collections.defaultdict(lambda: [0, 0.0])
for ms, _, method in c2:
    by_package['.'.join(method.split('(')[0].split('.')[:3])] += ms
    by_method[method][0] += 1
    by_method[method][1] += ms
print("level-4 wall time by package:")
for name, ms in by_package.most_common(8):
    print("  %7.0f ms %s" % (ms, name))
print("longest level-4 methods (times compiled):")
for method, (n, ms) in sorted(by_method.items(), key=lambda kv: -kv[1][1])[:12]:
    print("  %7.0f ms %2dx %s" % (ms, n, method[:110]))
EOF
