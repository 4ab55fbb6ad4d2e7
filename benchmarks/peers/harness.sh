#!/usr/bin/env bash
# Copies ../shared/peers-bench (read-only where it is laid out) to a directory of its own, brings its
# Floe adapter up to Floe's current public API where the API moved since the harness was written
# (names only: the adapter still uses the library's defaults), installs this tree into the local
# Maven repository and builds the harness. Prints the directory; run the harness from there:
#
#   PB=$(benchmarks/peers/harness.sh) && cd "$PB" && SYSTEMS="floe microraft" CS="1 64 256" ./run.sh
#
# PB_DIR chooses the directory (default: a new one from mktemp -d). SKIP_INSTALL=1 skips the install.
# HARNESS_PATCH=latency-shape.patch applies that patch of this directory to the harness's copy (a
# diagnostic of the harness's client, never part of the harness; see docs/benchmarks.md).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
src=${PEERS_BENCH:-$here/../shared/peers-bench}
dir=${PB_DIR:-$(mktemp -d)/pb}
if [[ "${SKIP_INSTALL:-0}" != 1 ]]; then
  (cd "$here" && mvn -B -q -ntp -DskipTests install) >&2
fi
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
cp -r "$src" "$dir"
adapter=$dir/src/main/java/floe/bench/peers/floe/FloeAdapter.java
# NodeId moved to dev.floe.raft.cluster; the cluster id is now the node's (ClusterId), not the transport's.
sed -i \
  -e 's/^import dev\.floe\.raft\.NodeId;/import dev.floe.raft.cluster.ClusterId;\nimport dev.floe.raft.cluster.NodeId;/' \
  -e '/\.clusterId("raft-peers-bench")/d' \
  -e 's/^\( *\)\.id(id)$/\1.id(id)\n\1.clusterId(ClusterId.of("raft-peers-bench"))/' \
  "$adapter"
if [[ -n "${HARNESS_PATCH:-}" ]]; then
  (cd "$dir" && patch -s -p1 <"$here/benchmarks/peers/$HARNESS_PATCH") >&2
fi
(cd "$dir" && mvn -q -B -ntp -DskipTests package) >&2
echo "$dir"
