#!/usr/bin/env bash
# Differential check of vmmem's arc, twoq, slru, lirs, sieve and s3fifo against libCacheSim's
# cachesim (commit aa0fc40, default parameters, unit-size objects). Not part of npm test: CI has
# no libCacheSim. Prints one row per (trace, policy, frames) and exits 1 on any mismatch.
#
#   scripts/vs-libcachesim.sh [--quick]
#
# Environment:
#   LIBCACHESIM_SRC  a checkout of github.com/1a1a11a/libCacheSim at aa0fc40
#                    (default /work/ext/libCacheSim; cloned there when missing)
#   CACHESIM         a cachesim already patched and built (skips the build)
#   POLICIES, SIZES  override the lists below
#
# cachesim prints only a miss ratio rounded to 4 digits, so this script patches ONE printf into
# libCacheSim/bin/cachesim/sim.c (after the line that prints the result) to print the exact miss
# count, "vmmem-exact-misses N of M requests", and builds cachesim with it (Release,
# -DENABLE_TESTS=OFF; needs cmake, a C compiler, glib-2.0 and libzstd: on Debian
# apt-get install cmake build-essential libglib2.0-dev libzstd-dev pkg-config).
#
# Traces: each is turned into one page sequence, written both as a vmmem csv (one 4 KiB page per
# row) and as libCacheSim's oracleGeneral (our own writer, scripts/oracle-general.js: its
# traceConv drops the last request), so both tools replay exactly the same requests.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src=${LIBCACHESIM_SRC:-/work/ext/libCacheSim}
work=${WORK:-$(mktemp -d /tmp/vs-libcachesim.XXXXXX)}
quick=0
[[ ${1:-} == --quick ]] && quick=1

if [[ -z ${CACHESIM:-} ]]; then
  if [[ ! -d $src/libCacheSim ]]; then
    git clone -q https://github.com/1a1a11a/libCacheSim "$src"
    git -C "$src" checkout -q aa0fc40
  fi
  sim_c=$src/libCacheSim/bin/cachesim/sim.c
  if ! grep -q vmmem-exact-misses "$sim_c"; then
    # the one added line: the exact miss count after cachesim's own (rounded) result line
    sed -i 's|^  printf("%s", output_str);$|&\n  printf("vmmem-exact-misses %llu of %llu requests\\n", (unsigned long long)miss_cnt, (unsigned long long)req_cnt); /* vmmem-exact-misses */|' "$sim_c"
    grep -q vmmem-exact-misses "$sim_c" || { echo "could not patch $sim_c" >&2; exit 70; }
  fi
  mkdir -p "$src/_build"
  (cd "$src/_build" && cmake -DCMAKE_BUILD_TYPE=Release -DENABLE_TESTS=OFF .. >/dev/null && make -j2 cachesim >/dev/null)
  CACHESIM=$src/_build/bin/cachesim
fi

policies=${POLICIES:-arc twoq slru lirs sieve s3fifo}
vmmem="node $here/bin/vmmem.js"
gen="node $here/scripts/oracle-general.js"

# name:sizes for every trace
declare -a traces
$gen random 20000 300 1 "$work/uniform" >/dev/null
$gen zipf 50000 2000 2 "$work/zipf" >/dev/null
$gen random 3000 40 3 "$work/small" >/dev/null
traces+=("small:3 4 5 7 8 10 13 19 20 21 25 30")
traces+=("uniform:20 50 101 150 200 299")
traces+=("zipf:20 64 100 257 500 1000")
if [[ $quick == 0 ]]; then
  for t in "$here"/traces/*.lackey.gz; do
    n=$(basename "$t" .lackey.gz)
    $vmmem convert -q "$t" "$work/$n.raw.csv" >/dev/null
    $gen csv "$work/$n.raw.csv" "$work/$n" >/dev/null
    traces+=("$n:16 50 128 256 1000")
  done
  cp=/work/shared/public-traces/cloudPhysicsIO.csv.gz
  pages=/work/shared/public-traces/cloudphysics.pages.gz
  if [[ -f $pages ]]; then
    # R|W HEXPAGE lines -> csv rows of one page each
    zcat "$pages" | awk 'BEGIN{print "op,addr"} {printf "%s,0x%s000\n", $1, $2}' >"$work/cloudphysics.raw.csv"
    $gen csv "$work/cloudphysics.raw.csv" "$work/cloudphysics" >/dev/null
    traces+=("cloudphysics:1000 10000 50000")
  fi
fi

fail=0
printf '%-14s %-7s %8s %12s %12s %s\n' trace policy frames libcachesim vmmem result
for entry in "${traces[@]}"; do
  name=${entry%%:*}
  sizes=${SIZES:-${entry#*:}}
  for p in $policies; do
    for f in $sizes; do
      # (cachesim appends its result to ./NAME.cachesim: run it in the work directory)
      out=$(cd "$work" && "$CACHESIM" "$work/$name.oracleGeneral" oracleGeneral "$p" "$f" --ignore-obj-size 1 2>/dev/null | awk '/vmmem-exact-misses/ {print $2, $4}')
      want=${out% *}
      reqs=${out#* }
      got=$($vmmem simulate "$work/$name.csv" --policy "$p" --frames "$f" --format csv | awk -F, '$1=="TOTAL" {print $9}')
      if [[ $want == "$got" ]]; then r=ok
      elif [[ $p == slru || $p == lirs ]] && read -r rf rd < <(node "$here/scripts/policy-replay.js" "$p" "$work/$name.csv" "$f") \
        && [[ $rf == "$got" && $((rf + rd)) == "$want" ]]; then
        # libCacheSim's SLRU (C not a multiple of 4) and LIRS evict on hits; those pages stay in
        # their frames here, and each access to one before a fault reclaims it is a hit here, a
        # miss there. Checked: vmmem's faults + those accesses = libCacheSim's misses.
        r="explained: +$rd accesses to pages libCacheSim evicted on a hit"
      elif { [[ $p == s3fifo && $f -lt 20 ]] || [[ $p == twoq && $f -lt 4 ]] || [[ $p == slru && $f -lt 4 ]]; } && [[ $want == "$reqs" ]]; then
        # libCacheSim admits nothing when the small queue (s3fifo) has fewer than 2 slots, or A1in
        # (twoq) or a segment (slru) none: every request misses. vmmem cannot refuse a page a frame (docs/policies.md).
        r="libCacheSim caches nothing"
      elif [[ $p == lirs && $f -lt 200 ]]; then
        # with a one-page Q (C < 200) libCacheSim's LIRS can come to hold C + 1 pages
        # (docs/policies.md); no frame simulator can follow it then
        r="differs: libCacheSim's LIRS may hold C+1 pages below 200"
      else r=MISMATCH; fail=1; fi
      printf '%-14s %-7s %8s %12s %12s %s\n' "$name" "$p" "$f" "$want" "$got" "$r"
    done
  done
done
[[ -n ${KEEP:-} ]] || rm -rf "$work"
exit $fail
