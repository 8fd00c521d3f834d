#!/usr/bin/env bash
# Build benchmark for `notes build`, beside a plain pulldown-cmark + rayon baseline.
#
# Usage: bench/build.sh [N...]            (default: 1000 10000)
#
# For each site size N, output place (tmpfs under /dev/shm, disk under /var/tmp) and
# output state (cold: empty output folder; warm: the output of the previous run), it
# runs the baseline and `notes build SITE --out DIR --quiet` RUNS times each, in
# alternating order so that machine noise hits both alike, and reports medians. The
# table goes to stdout and to bench/results.md.
#
# Environment:
#   RUNS=5              timed runs per tool and configuration
#   NOTES_BIN=path      the notes binary to measure (skips building it); any program
#                       taking `build SITE --out DIR --quiet` works, e.g. the baseline
#   CARGO_TARGET_DIR    where cargo builds (default: target/ in the repository)
#   BENCH_WORK=dir      generated sites and disk outputs (default /var/tmp/notes-bench)
#   BENCH_SHM=dir       tmpfs under which outputs go (default /dev/shm)
#   BENCH_RESULTS=file  where the markdown table goes (default bench/results.md)
#
# Wall time is taken with nanosecond clock reads around `/usr/bin/time`, whose own
# `%e` has only 10 ms resolution; peak RSS is `/usr/bin/time`'s `%M`. Outputs are
# cleared and `sync`ed outside the timed region, so one run's writeback is not charged
# to the next. Exit status: 0 on success, 1 if a build fails or writes no pages.

set -euo pipefail

die() {
    echo "bench/build.sh: error: $*" >&2
    exit 1
}
note() { echo "bench/build.sh: $*" >&2; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000)
RUNS=${RUNS:-5}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=${BENCH_WORK:-/var/tmp/notes-bench}
# Output folders are private to this run (removed on exit); sites are shared and kept.
SHM=${BENCH_SHM:-/dev/shm}/notes-bench-out-$$
DISK_OUT=$WORK/out-$$
RESULTS=${BENCH_RESULTS:-$HERE/results.md}

for n in "${SIZES[@]}"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "page count must be a positive integer, got '$n'"
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"
command -v python3 >/dev/null || die "python3 is needed to generate the sites"

# GNU time, for peak RSS.
if [ ! -x /usr/bin/time ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        note "installing GNU time"
        apt-get install -y time >&2 || die "could not install GNU time (apt-get install -y time)"
    fi
    [ -x /usr/bin/time ] || die "/usr/bin/time is missing; install it with: apt-get install -y time"
fi

# Release builds. With NOTES_BIN set only the baseline is built.
if [ -n "${NOTES_BIN:-}" ]; then
    NOTES=$(command -v -- "$NOTES_BIN" || true)
    [ -n "$NOTES" ] && [ -x "$NOTES" ] || die "NOTES_BIN=$NOTES_BIN is not an executable"
    NOTES=$(cd "$(dirname "$NOTES")" && pwd)/$(basename "$NOTES")
    build_targets=(--example bench_baseline)
else
    NOTES=$TARGET_DIR/release/notes
    build_targets=(--bin notes --example bench_baseline)
fi
note "building ${build_targets[*]} (release, target dir $TARGET_DIR)"
(cd "$ROOT" && CARGO_TARGET_DIR=$TARGET_DIR nice -n 10 cargo build --release "${build_targets[@]}") ||
    die "cargo build --release ${build_targets[*]} failed"
BASELINE=$TARGET_DIR/release/examples/bench_baseline
[ -x "$BASELINE" ] || die "baseline binary not found at $BASELINE"
[ -x "$NOTES" ] || die "notes binary not found at $NOTES"

TMP=$(mktemp -d)
cleanup() {
    rm -rf -- "$TMP" "$SHM" "$DISK_OUT"
}
trap cleanup EXIT

# Sites: generated once and reused while the generator is unchanged.
mkdir -p "$WORK/sites"
stamp=$(sha256sum "$HERE/gen_site.py" | cut -c1-16)
for n in "${SIZES[@]}"; do
    site=$WORK/sites/site-$n
    if [ "$(cat "$site.stamp" 2>/dev/null || true)" != "$stamp" ] || [ ! -d "$site" ]; then
        note "generating $n pages into $site"
        rm -rf -- "$site" "$site.tmp" "$site.stamp"
        python3 "$HERE/gen_site.py" "$n" "$site.tmp" || die "gen_site.py $n failed"
        mv -- "$site.tmp" "$site"
        echo "$stamp" >"$site.stamp"
    else
        note "reusing $site"
    fi
done

# Pages whose output must exist after a build: the first and the last one.
page_out() { # N INDEX(0-based) OUTDIR
    local i=$2
    echo "$3/part-$((i / 1000 + 1))/chapter-$((i / 100 % 10 + 1))/page-$((i % 100 + 1))/index.html"
}

# run_once TOOL N SITE OUTDIR: one timed build; sets LAST_S (seconds) and LAST_KB (peak RSS).
run_once() {
    local tool=$1 n=$2 site=$3 out=$4 rc=0 t0 t1
    local -a cmd
    if [ "$tool" = baseline ]; then
        cmd=("$BASELINE" "$site" "$out")
    else
        cmd=("$NOTES" build "$site" --out "$out" --quiet)
    fi
    sync
    t0=$(date +%s%N)
    /usr/bin/time -f "%e %M" -o "$TMP/time" "${cmd[@]}" >"$TMP/stdout" 2>"$TMP/stderr" || rc=$?
    t1=$(date +%s%N)
    if [ $rc -ne 0 ]; then
        echo "bench/build.sh: error: $tool build failed (exit $rc): ${cmd[*]}" >&2
        echo "--- stderr (last 30 lines) ---" >&2
        tail -n 30 "$TMP/stderr" >&2
        exit 1
    fi
    local first last
    first=$(page_out "$n" 0 "$out")
    last=$(page_out "$n" $((n - 1)) "$out")
    if [ ! -s "$first" ] || [ ! -s "$last" ]; then
        die "$tool build exited 0 but did not write $first and $last: ${cmd[*]}"
    fi
    LAST_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    LAST_KB=$(tail -n 1 "$TMP/time" | awk '{ print $2 }')
    [[ $LAST_KB =~ ^[0-9]+$ ]] || die "could not read peak memory from /usr/bin/time: $(cat "$TMP/time")"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
maximum() { printf '%s\n' "$@" | sort -g | tail -n 1; }
minimum() { printf '%s\n' "$@" | sort -g | head -n 1; }

header="| N | where | cold/warm | baseline median s | notes median s | ratio | pages/s | notes peak MB | baseline min-max s | notes min-max s |"
rule="|---:|---|---|---:|---:|---:|---:|---:|---:|---:|"
rows=()
checks=()
echo "$header"
echo "$rule"

for n in "${SIZES[@]}"; do
    site=$WORK/sites/site-$n
    for where in tmpfs disk; do
        if [ "$where" = tmpfs ]; then base_dir=$SHM; else base_dir=$DISK_OUT; fi
        for mode in cold warm; do
            out_b=$base_dir/baseline-$n
            out_n=$base_dir/notes-$n
            rm -rf -- "$out_b" "$out_n"
            mkdir -p "$out_b" "$out_n"
            if [ "$mode" = warm ]; then
                run_once baseline "$n" "$site" "$out_b"
                run_once notes "$n" "$site" "$out_n"
            fi
            tb=() tn=() mn=()
            for ((r = 1; r <= RUNS; r++)); do
                if ((r % 2)); then order=(baseline notes); else order=(notes baseline); fi
                for tool in "${order[@]}"; do
                    if [ "$tool" = baseline ]; then out=$out_b; else out=$out_n; fi
                    if [ "$mode" = cold ]; then
                        rm -rf -- "$out"
                        mkdir -p "$out"
                    fi
                    run_once "$tool" "$n" "$site" "$out"
                    if [ "$tool" = baseline ]; then
                        tb+=("$LAST_S")
                    else
                        tn+=("$LAST_S")
                        mn+=("$LAST_KB")
                    fi
                done
                note "N=$n $where $mode run $r/$RUNS: baseline ${tb[-1]} s, notes ${tn[-1]} s"
            done
            rm -rf -- "$out_b" "$out_n"
            b=$(median "${tb[@]}")
            t=$(median "${tn[@]}")
            peak=$(awk -v k="$(maximum "${mn[@]}")" 'BEGIN { printf "%.1f", k / 1024 }')
            ratio=$(awk -v a="$t" -v b="$b" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
            pps=$(awk -v n="$n" -v t="$t" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
            row="| $n | $where | $mode | $b | $t | $ratio | $pps | $peak | $(minimum "${tb[@]}")-$(maximum "${tb[@]}") | $(minimum "${tn[@]}")-$(maximum "${tn[@]}") |"
            rows+=("$row")
            echo "$row"
            if [ "$n" = 10000 ] && [ "$where" = tmpfs ]; then
                verdict=$(awk -v r="$ratio" -v t="$t" -v p="$peak" 'BEGIN {
                    printf "ratio %s %s 2, time %s s %s 1.5 s, peak %s MB %s 300 MB",
                        r, (r <= 2 ? "<=" : ">"), t, (t < 1.5 ? "<" : ">="), p, (p < 300 ? "<" : ">=")
                    print ((r <= 2 && t < 1.5 && p < 300) ? ": met" : ": MISSED")
                }')
                checks+=("- 10,000 pages, tmpfs, $mode: $verdict")
            fi
        done
    done
done

commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null || true)" ]; then commit="$commit (dirty)"; fi
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
{
    echo "# notes build benchmark"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit"
    echo "- machine: $(nproc) cores${cpu:+, $cpu}"
    echo "- notes binary: \`$NOTES\`${NOTES_BIN:+ (NOTES_BIN override)}"
    echo "- baseline: \`examples/bench_baseline.rs\` (pulldown-cmark + rayon, no templates, no macros)"
    echo "- sites: \`bench/gen_site.py\` (pages of about 4 KB), in \`$WORK/sites\`; output in \`${BENCH_SHM:-/dev/shm}\` (tmpfs) and \`$WORK\` (disk)"
    echo "- $RUNS timed runs per tool and row, alternating order; times are medians (min-max beside), peak memory is the largest of the runs"
    echo "- cold: empty output folder; warm: output folder of the previous run"
    echo
    echo "$header"
    echo "$rule"
    printf '%s\n' "${rows[@]}"
    if [ ${#checks[@]} -gt 0 ]; then
        echo
        echo "Targets (10,000 pages on tmpfs: within 2x of the baseline, under 1.5 s, under 300 MB):"
        echo
        printf '%s\n' "${checks[@]}"
    fi
} >"$RESULTS"
if [ ${#checks[@]} -gt 0 ]; then
    echo
    printf '%s\n' "${checks[@]}"
fi
note "results written to $RESULTS"
