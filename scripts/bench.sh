#!/usr/bin/env bash
# Run the side-by-side benchmarks (runtime vs tokio vs smol) and regenerate their sections
# of docs/benchmarks.md: "scheduler" (benches/scheduler.rs + the idle_memory example),
# "time" (benches/time.rs + the sleep_memory example), "sync", "io" and "process"
# (benches/{sync,io,process}.rs, no memory example).
#
#   scripts/bench.sh                  # all suites, each with its memory example, + report
#   scripts/bench.sh --only time      # one suite (scheduler, time, sync, io or process)
#   scripts/bench.sh --no-memory      # skip the memory examples
#   scripts/bench.sh -- ping_pong     # pass a filter (or other args) to criterion
set -euo pipefail

cd "$(dirname "$0")/.."

memory=1
suites=(scheduler time sync io process)
criterion_args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --no-memory) memory=0; shift ;;
        --only)
            [[ $# -ge 2 ]] || { echo "--only needs a suite (scheduler, time, sync, io or process)" >&2; exit 2; }
            suites=("$2"); shift 2 ;;
        --) shift; criterion_args=("$@"); break ;;
        *) echo "usage: $0 [--no-memory] [--only scheduler|time|sync|io|process] [-- criterion args...]" >&2
           exit 2 ;;
    esac
done

tmp_files=()
trap 'rm -f "${tmp_files[@]}"' EXIT

for suite in "${suites[@]}"; do
    case "$suite" in
        scheduler) example=idle_memory; heading="Idle memory" ;;
        time) example=sleep_memory; heading="Sleep memory" ;;
        sync | io | process) example=""; heading="" ;;
        *) echo "unknown suite '$suite' (expected scheduler, time, sync, io or process)" >&2; exit 2 ;;
    esac

    cargo bench --bench "$suite" -- "${criterion_args[@]}"

    # The section's title, groups, peers and notes come from bench_report.py's SECTIONS.
    report_args=(--section "$suite" --out docs/benchmarks.md)
    if [[ $memory -eq 1 && -n "$example" ]]; then
        mem_md="$(mktemp)"
        tmp_files+=("$mem_md")
        {
            echo "### $heading (\`cargo run --profile bench --example $example\`)"
            echo
            cargo run --quiet --profile bench --example "$example"
        } >"$mem_md"
        cat "$mem_md"
        report_args+=(--include "$mem_md")
    fi

    python3 scripts/bench_report.py "${report_args[@]}"
done
