#!/usr/bin/env bash
# Proves that Floe is consumable as published, the way an application gets it:
#   1. deploys the library modules and floe-bom, as the release profile builds them (sources,
#      javadoc with doclint, flattened poms; no signatures here), to a file repository;
#   2. checks what landed there: nothing but those five, each with its jars and a pom that stands
#      alone, and manifests that carry Automatic-Module-Name and Implementation-Version;
#   3. builds ci/consumer offline (-o) against a fresh local repository that holds every
#      third-party artifact of ~/.m2 but no Floe, so that Floe comes only from the file repository;
#   4. runs it: a three-node cluster on 127.0.0.1 with real files (elect, submit, read back,
#      close, restart, read again), bounded in time; its exit code is the verdict.
# Runs after `mvn -B -ntp verify` (see .ci/run); never installs into ~/.m2.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
started=$SECONDS

libs=floe-bom,raft-core,raft-storage-file,raft-transport-netty,raft-testkit,raft-metrics-micrometer
version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
user_repo=${FLOE_USER_REPO:-$HOME/.m2/repository}
work=$(mktemp -d "${TMPDIR:-/tmp}/floe-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
repo=$work/repo   # the file repository Floe is deployed to
m2=$work/m2       # the consumer's local repository
passed=0
failed=0

fail() {
  echo "consumer-check: FAIL: $*" >&2
  echo "consumer-check: $passed passed, $((failed + 1)) failed"
  exit 1
}

echo "consumer-check: deploying Floe $version ($libs) to a file repository"
mvn -B -ntp -q -Dstyle.color=never -Prelease -Dgpg.skip -DskipTests -Dmaven.install.skip=true \
  -DaltDeploymentRepository="floe-local::file://$repo" -pl "$libs" -am deploy
echo "consumer-check: deployed in $((SECONDS - started)) s"

published=$(cd "$repo/dev/floe" && ls | sort | tr '\n' ' ')
[ "$published" = "floe-bom raft-core raft-metrics-micrometer raft-storage-file raft-testkit raft-transport-netty " ] \
  || fail "the file repository holds [$published], not exactly the BOM and the five libraries"
grep -q '<dependencyManagement>' "$repo/dev/floe/floe-bom/$version"/floe-bom-*.pom \
  || fail "floe-bom's pom manages nothing"
if grep -q -e '<parent>' -e 'netty-bom' -e 'junit' "$repo/dev/floe/floe-bom/$version"/floe-bom-*.pom
then
  fail "floe-bom's pom has a parent or manages more than Floe's modules"
fi
for m in raft-core raft-storage-file raft-transport-netty raft-testkit raft-metrics-micrometer; do
  dir=$repo/dev/floe/$m/$version
  for kind in "" -sources -javadoc; do
    ls "$dir"/$m-*"$kind".jar >/dev/null 2>&1 || fail "$m has no ${kind:-main} jar"
  done
  if grep -q '<parent>' "$dir"/$m-*.pom; then fail "$m's pom still needs the parent"; fi
  jar=$(ls "$dir"/$m-*.jar | grep -v -e -sources -e -javadoc | head -1)
  manifest=$(unzip -p "$jar" META-INF/MANIFEST.MF | tr -d '\r')
  grep -q "^Automatic-Module-Name: dev.floe." <<<"$manifest" || fail "$m has no Automatic-Module-Name"
  grep -q "^Implementation-Version: $version$" <<<"$manifest" || fail "$m has no Implementation-Version"
done
passed=$((passed + 1))
echo "consumer-check: the file repository holds the BOM and the five libraries, with sources," \
  "javadoc, standalone poms and versioned manifests"

# A local repository with everything of ~/.m2 except Floe (links, nothing copied or written
# back): the consumer can find Floe nowhere but in the file repository.
mkdir -p "$m2/dev"
for entry in "$user_repo"/*; do
  [ "$(basename "$entry")" = dev ] || ln -s "$entry" "$m2/"
done
for entry in "$user_repo"/dev/*; do
  [ -e "$entry" ] && [ "$(basename "$entry")" != floe ] && ln -s "$entry" "$m2/dev/"
done

# Builds and runs the consumer with the given Netty version on its class path.
run_consumer() {
  local netty=$1 step=$SECONDS
  local project=$work/consumer-$netty
  cp -r "$root/ci/consumer" "$project"
  echo "consumer-check: building the consumer offline with Netty $netty"
  # -o: nothing is downloaded; file: is the one protocol still allowed, for the file repository.
  mvn -B -ntp -q -Dstyle.color=never -o -Daether.offline.protocols=file -Dmaven.repo.local="$m2" \
    -Dfloe.repo.url="file://$repo" -Dfloe.version="$version" -Dnetty.version="$netty" \
    -Dclasspath.prefix=../../m2/ -f "$project/pom.xml" package \
    || fail "the consumer does not build against the published Floe with Netty $netty"
  grep -q floe-local "$m2/dev/floe/raft-core/$version/_remote.repositories" \
    || fail "raft-core did not come from the file repository"
  closure "$project/target/floe-consumer.jar"
  echo "consumer-check: running a three-node cluster with Netty $netty"
  if timeout 120 java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
      -jar "$project/target/floe-consumer.jar" "$work/data-$netty" "$version" "$netty"; then
    passed=$((passed + 1))
    echo "consumer-check: Netty $netty passed in $((SECONDS - step)) s"
  else
    fail "the three-node cluster failed with Netty $netty (exit $?)"
  fi
}

# What a consumer of raft-core, raft-storage-file and raft-transport-netty gets on its class path
# (the application's own slf4j-simple left out).
closure() {
  local cp jars=0 bytes=0 f names=""
  cp=$(unzip -p "$1" META-INF/MANIFEST.MF | tr -d '\r' \
    | sed -n '/^Class-Path:/,/^[A-Z]/p' | sed 's/^Class-Path://; s/^ //; /^[A-Z][A-Za-z-]*:/d' \
    | tr -d '\n')
  for f in $cp; do
    case $f in *slf4j-simple*) continue ;; esac
    jars=$((jars + 1))
    bytes=$((bytes + $(stat -L -c %s "$(dirname "$1")/$f")))
    names="$names $(basename "$f")"
  done
  echo "consumer-check: closure of core + storage + transport: $jars jars, $bytes bytes" \
    "($(awk "BEGIN { printf \"%.1f\", $bytes / 1048576 }") MiB):$names"
}

run_consumer 4.2.7.Final
# Netty 4.1 on the application's class path (its netty-bom wins over the transport's 4.2): the
# transport speaks both lines (see docs/transport.md).
run_consumer 4.1.137.Final

echo "consumer-check: done in $((SECONDS - started)) s"
echo "consumer-check: $passed passed, $failed failed"
