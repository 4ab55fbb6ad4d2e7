#!/usr/bin/env bash
# Builds this tree with one of the diagnostic patches of this directory applied (never merged:
# stage-trace.patch, apply-inline.patch, full-fill.patch, leader-off-loop.patch,
# follower-off-loop.patch) in a scratch worktree, installs that build into the local Maven
# repository, builds the peers harness against it and prints the harness's directory:
#
#   PB=$(benchmarks/peers/patched.sh apply-inline.patch)
#
# Reinstall the tree afterwards (benchmarks/peers/harness.sh does): the patched build replaces it
# in the local Maven repository. PB_DIR chooses the harness's directory.
set -euo pipefail
patch=${1:?usage: patched.sh PATCH (a file of benchmarks/peers)}
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
git -C "$here" worktree add -q --detach "$work/tree" HEAD >&2
trap 'git -C "$here" worktree remove --force "$work/tree" >&2' EXIT
git -C "$work/tree" apply "$here/benchmarks/peers/$patch"
(cd "$work/tree" && mvn -B -q -ntp -DskipTests install) >&2
SKIP_INSTALL=1 PB_DIR=${PB_DIR:-$work/pb} "$here/benchmarks/peers/harness.sh"
