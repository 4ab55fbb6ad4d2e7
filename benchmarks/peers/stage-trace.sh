#!/usr/bin/env bash
# Where a write's time goes, stage by stage, in the peers harness: builds this tree with
# stage-trace.patch applied (a diagnostic, never merged: per-index timestamps on every node) in a
# scratch worktree, installs it into the local Maven repository, builds the harness against it and
# prints the harness's directory. Then, from there:
#
#   java -Xms2g -Xmx4g -XX:+UseG1GC -cp "target/raft-peers-bench.jar:target/lib/*:target/lib-netty42/*" \
#       floe.bench.peers.BenchMain --system floe --c 64 2>&1 | grep '^system=\|TRACE2'
#
# prints, at the JVM's exit, the median, mean and p99 time between stages over the last 60% of the
# entries (L = the leader, F = the follower whose acknowledgement came first), and the mean of
# each stage among the slowest 1% of those writes. Add
# -Dfloe.leaderOffLoop=true (every force of the leader on the store's thread) or =adaptive (only
# while earlier durable entries wait for acknowledgements) for the eighth round's experiment.
# Reinstall the tree afterwards (benchmarks/peers/harness.sh does): the traced build replaces it in
# the local Maven repository. PB_DIR chooses the harness's directory.
set -euo pipefail
exec "$(dirname "$0")/patched.sh" stage-trace.patch
