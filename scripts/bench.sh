#!/usr/bin/env bash
# Run the scheduler benchmarks (runtime vs tokio vs smol) and regenerate the
# "scheduler" section of docs/benchmarks.md.
#
#   scripts/bench.sh                  # full run + idle-memory example + report
#   scripts/bench.sh --no-memory      # skip the idle-memory example
#   scripts/bench.sh -- ping_pong     # pass a filter (or other args) to criterion
set -euo pipefail

cd "$(dirname "$0")/.."

memory=1
criterion_args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --no-memory) memory=0; shift ;;
        --) shift; criterion_args=("$@"); break ;;
        *) echo "usage: $0 [--no-memory] [-- criterion args...]" >&2; exit 2 ;;
    esac
done

cargo bench --bench scheduler -- "${criterion_args[@]}"

report_args=(--out docs/benchmarks.md)
if [[ $memory -eq 1 ]]; then
    mem_md="$(mktemp)"
    trap 'rm -f "$mem_md"' EXIT
    {
        echo "### Idle memory (\`cargo run --profile bench --example idle_memory\`)"
        echo
        cargo run --quiet --profile bench --example idle_memory
    } >"$mem_md"
    cat "$mem_md"
    report_args+=(--include "$mem_md")
fi

python3 scripts/bench_report.py "${report_args[@]}"
