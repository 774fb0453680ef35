#!/usr/bin/env bash
# Bounded libFuzzer run over every fuzz target (tests/fuzz/fuzz_<name>.c), for CI and by hand.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 20)
#
# Builds the targets with clang, libFuzzer, ASan and UBSan in a separate build directory
# (PLAINT_FUZZ_BUILD_DIR, default build-fuzz/), then runs each for SECONDS_PER_TARGET seconds on a
# fresh writable copy of its corpus in a temporary directory: tests/fuzz/corpus/ is only read.
# The parsers named in issue 7 (CSV, email, JSON request, the policy files) always run; the other
# targets run too unless PLAINT_FUZZ_TOTAL_SECONDS (a budget for the whole run phase) would be
# exceeded by starting them. A dictionary tests/fuzz/fuzz_<name>.dict is used when present.
# Any crash, leak, timeout or out-of-memory fails the script (exit 1) after all targets have run;
# the reproducer's path and the command to replay it are printed, and that target's temporary
# directory (log, artifacts, corpus) is kept.
#
# Environment: PLAINT_FUZZ_BUILD_DIR, PLAINT_FUZZ_CC (default clang), PLAINT_FUZZ_TOTAL_SECONDS
# (default: no budget), PLAINT_FUZZ_TARGETS (space-separated names, default all), TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD

secs=${1:-20}
if ! [[ $secs =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (a positive whole number, got '$secs')" >&2
    exit 2
fi
build=${PLAINT_FUZZ_BUILD_DIR:-$src/build-fuzz}
cc=${PLAINT_FUZZ_CC:-clang}
total=${PLAINT_FUZZ_TOTAL_SECONDS:-0}
jobs=$(nproc 2>/dev/null || echo 2)

# Issue 7 acceptance: CSV, email, JSON and policy parsers.
required=(csv email json_request rbac retention sla severity routing escalation report_definition)

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "fuzz: $cc not found (scripts/setup.sh installs clang and libclang-rt-14-dev)" >&2
    exit 5
fi

# Every target in the tree: the required ones first, then the rest in name order.
all=()
for f in "$src"/tests/fuzz/fuzz_*.c; do
    n=$(basename "$f" .c)
    all+=("${n#fuzz_}")
done
targets=()
if [ -n "${PLAINT_FUZZ_TARGETS:-}" ]; then
    read -r -a targets <<<"$PLAINT_FUZZ_TARGETS"
else
    for n in "${required[@]}"; do
        if [ ! -f "$src/tests/fuzz/fuzz_$n.c" ]; then
            echo "fuzz: required target tests/fuzz/fuzz_$n.c is missing" >&2
            exit 1
        fi
        targets+=("$n")
    done
    for n in "${all[@]}"; do
        case " ${required[*]} " in *" $n "*) ;; *) targets+=("$n") ;; esac
    done
fi
is_required() {
    case " ${required[*]} " in *" $1 "*) return 0 ;; *) return 1 ;; esac
}

echo "== fuzz: building ${#targets[@]} libFuzzer targets with $cc in $build"
cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPLAINT_FUZZ=ON -DPLAINT_SANITIZE=ON >/dev/null
build_targets=()
for n in "${targets[@]}"; do
    build_targets+=("fuzz_$n")
done
cmake --build "$build" -j "$jobs" --target "${build_targets[@]}"

# Sanitizers: leaks and UB are findings; libFuzzer turns the abort into a reproducer file.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1
export PLAINT_SOURCE_DIR=$src

failed=()
skipped=()
start=$SECONDS
for n in "${targets[@]}"; do
    bin=$build/tests/fuzz_$n
    seeds=$src/tests/fuzz/corpus/$n
    if [ "$total" -gt 0 ] && ! is_required "$n" && [ $((SECONDS - start + secs)) -gt "$total" ]; then
        skipped+=("$n")
        continue
    fi
    work=$(mktemp -d "${TMPDIR:-/tmp}/plaint-fuzzrun-$n.XXXXXX")
    mkdir -p "$work/corpus" "$work/artifacts"
    if [ -d "$seeds" ]; then
        cp -R "$seeds/." "$work/corpus/"
        chmod -R u+w "$work/corpus"
    fi
    dict=()
    if [ -f "$src/tests/fuzz/fuzz_$n.dict" ]; then
        dict=(-dict="$src/tests/fuzz/fuzz_$n.dict")
    fi
    t0=$SECONDS
    rc=0
    # -timeout: one input may take 10 s; the outer timeout catches a hang outside the inputs.
    timeout --kill-after=10 $((secs + 120)) \
        "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "${dict[@]}" -artifact_prefix="$work/artifacts/" "$work/corpus" \
        >"$work/log" 2>&1 || rc=$?
    runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work/log" | tail -n 1)
    found=$(find "$work/artifacts" -type f | sort)
    if [ "$rc" -ne 0 ] || [ -n "$found" ] || [ -z "$runs" ]; then
        failed+=("$n")
        echo "FAIL fuzz_$n (exit $rc, $((SECONDS - t0)) s): log $work/log" >&2
        tail -n 60 "$work/log" >&2
        for a in $found; do
            echo "  reproducer: $a" >&2
            echo "  replay:     PLAINT_SOURCE_DIR=$src $bin $a" >&2
        done
    else
        echo "ok   fuzz_$n: $runs runs in $((SECONDS - t0)) s, corpus $(find "$seeds" -type f 2>/dev/null | wc -l) -> $(find "$work/corpus" -type f | wc -l) inputs"
        rm -rf "$work"
    fi
done

echo "== fuzz: $((${#targets[@]} - ${#skipped[@]})) of ${#targets[@]} targets run, $((SECONDS - start)) s of fuzzing"
if [ "${#skipped[@]}" -gt 0 ]; then
    echo "fuzz: skipped for the time budget: ${skipped[*]}"
fi
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: findings in: ${failed[*]}" >&2
    exit 1
fi
