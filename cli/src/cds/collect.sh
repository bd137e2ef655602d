#!/usr/bin/env bash
# Regenerates cli/src/cds/classes.txt, the class list the build's class-data archive is trained
# on (see ClassDataTraining and cli/pom.xml). Runs real cutter commands through bin/cutter with
# class loading logged: every example's dry-run on the embedded server (sandbox, preflight
# checks, backup, apply, verification, rollback rehearsal, reports), the same with an encrypted
# backup, keys generate, package sign, verify and hash, sql split. Keeps the classes the JVM did
# not already take from its own archive, minus generated classes (lambdas, proxies, reflection
# accessors) and picocli's, which the build's training run loads anyway.
# To add what a real `cutter apply` loads, run one with CUTTER_JAVA_OPTS holding
# -Xlog:class+load=info:file=F and merge its non-shared classes the same way; its call sites
# (call-sites.txt) with -XX:DumpLoadedClassList=F, keeping F's @lambda-proxy and
# @lambda-form-invoker lines.
#
#   cli/src/cds/collect.sh        (after mvn -DskipTests package; needs pg_dump and pg_restore on PATH)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
OUT="$ROOT/cli/src/cds/classes.txt"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/logs"
# the JVM's own archive only: classes already in it need no entry
export CUTTER_JAVA_OPTS="-XX:+UseSerialGC -Xshare:auto -Xlog:class+load=info:file=$WORK/logs/%p.log"
C="$ROOT/bin/cutter"

mkdir "$WORK/sites"
n=0
for pkg in "$ROOT"/packages-examples/*/; do
  n=$((n + 1))
  # also the call sites (lambdas, method-handle forms) the dry-run links: see call-sites.txt
  CUTTER_JAVA_OPTS="$CUTTER_JAVA_OPTS -XX:DumpLoadedClassList=$WORK/sites/$n.classlist" \
    "$C" dry-run "$pkg" >/dev/null 2>&1 || true
done
cp -r "$ROOT/packages-examples/registry-12-tables" "$WORK/encrypted"
sed -i 's/^  min_bytes: 1024$/  min_bytes: 1024\n  encrypt_to: [ "0000000000000000000000000000000000000000" ]/' "$WORK/encrypted/package.yaml"
"$C" dry-run "$WORK/encrypted" >/dev/null 2>&1 || true
export CDS_PASS=collect-only
"$C" keys generate --name "Collect <collect@cutter.invalid>" --out "$WORK/keys" --passphrase-env CDS_PASS >/dev/null
printf 'keyring: collect.pub.asc\nrequire: 1\n' >"$WORK/keys/trust.yaml"
"$C" package sign "$WORK/encrypted" --key "$WORK/keys/collect.sec.asc" --passphrase-env CDS_PASS >/dev/null
"$C" package verify "$WORK/encrypted" --trust "$WORK/keys/trust.yaml" >/dev/null || true
"$C" package hash --check "$WORK/encrypted" >/dev/null || true
"$C" sql split "$WORK/encrypted/ddl/create-registry.sql" >/dev/null || true

# Added to the list already there, not instead of it: the list also holds what runs here cannot
# reach (a first extraction of the embedded server, an apply against a real target's identity and
# catalog); a class that no longer exists fails ClassDataTrainingTest.
{
  echo "# Classes for the class-data archive; regenerate with cli/src/cds/collect.sh."
  { grep -v '^#' "$OUT"; cat "$WORK"/logs/*.log | grep -v 'source: shared objects file' \
    | awk '{print $2}' | grep -v -e '\$\$Lambda' -e '/0x' -e '^picocli\.' -e '\$Proxy' -e '\.Generated[A-Za-z]*Accessor'; } | sort -u
} >"$WORK/classes.txt"
mv "$WORK/classes.txt" "$OUT"
echo "$(grep -vc '^#' "$OUT") classes in $OUT"
# call-sites.txt: added to as well (it also holds those of applies against a real target)
SITES="$ROOT/cli/src/cds/call-sites.txt"
{
  grep '^#' "$SITES"
  { grep '^@' "$SITES"; cat "$WORK"/sites/*.classlist | grep -e '^@lambda-proxy ' -e '^@lambda-form-invoker '; } | sort -u
} >"$WORK/sites.txt"
mv "$WORK/sites.txt" "$SITES"
echo "$(grep -c '^@' "$SITES") call sites in $SITES"
