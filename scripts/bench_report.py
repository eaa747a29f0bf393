#!/usr/bin/env python3
"""Turn criterion results into a markdown comparison table.

Reads ``<criterion-dir>/<group>/<function>/new/estimates.json`` (``median.point_estimate``,
in nanoseconds) for every group of a section and writes a table with the median of the
baseline (``runtime``) and each peer (``tokio``, ``smol``), plus the ratios
baseline/peer and baseline/best-peer (below 1 = ``runtime`` is faster). A peer a group
does not have shows as "—" and is left out of that group's best peer.

The known sections (``--section scheduler``, ``--section time``, ``--section sync``) come with their title,
groups, peers, command and notes (see ``SECTIONS``); any option given overrides them.

Without ``--out`` the section is printed to stdout. With ``--out FILE`` only the part of
FILE between ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->`` is regenerated (the file is
created, or the section appended, when missing), so other benchmark sections can live in
the same file.

    python3 scripts/bench_report.py --out docs/benchmarks.md
    python3 scripts/bench_report.py --section time --out docs/benchmarks.md
    python3 scripts/bench_report.py --section timers --title "Timers" \\
        --groups sleep_10k,interval --out docs/benchmarks.md

Standard library only.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SCHEDULER_GROUPS = [
    "spawn_many_local",
    "spawn_many_remote_idle",
    "spawn_many_remote_busy",
    "ping_pong",
    "yield_many",
    "chained_spawn",
    "remote_spawn_1",
    "remote_spawn_2",
    "remote_spawn_4",
    "remote_spawn_8",
    "spawn_blocking",
]

TIME_GROUPS = [
    "sleep_10k_1ms",
    "timer_churn_1w",
    "timer_churn_all",
    "wait_for_cancelled_100k",
    "gather_10k",
    "gather_100k_one_by_one",
]

SYNC_GROUPS = [
    "mpsc_bounded_1p",
    "mpsc_bounded_4p",
    "mpsc_unbounded_1p",
    "mpsc_unbounded_4p",
    "mpsc_uncontended",
    "oneshot",
    "mutex_contended",
    "semaphore",
    "queue_task_done_join",
]

IO_GROUPS = [
    "tcp_echo_1conn_64b",
    "tcp_echo_64conn_64b",
    "tcp_echo_1conn_16k",
    "tcp_echo_64conn_16k",
    "tcp_accept_connect_close",
    "udp_ping_pong",
]

PROCESS_GROUPS = [
    "spawn_wait_sequential",
    "spawn_wait_64_at_a_time",
    "cat_256mib",
]

# Per-section defaults: --title, --groups, --peers, --command, and notes listed under the header.
SECTIONS = {
    "scheduler": {
        "title": "Scheduler",
        "groups": SCHEDULER_GROUPS,
        "peers": ["tokio", "smol"],
        "command": "cargo bench --bench scheduler",
        "notes": [
            "`spawn_many_remote_busy`: on 2 cores the spawning thread competes with the "
            "workers spinning on `yield_now` for a core. async-executor puts both spinning "
            "tasks on one of its two threads (the spinners use 1.0 core of CPU on smol), so "
            "its spawner keeps a core; runtime's and tokio's workers each keep one spinner "
            "busy as the scenario intends, and runtime's give up their core once per "
            "fairness tick while they run nothing but yielded tasks (docs/architecture.md).",
        ],
    },
    "time": {
        "title": "Time and combinators",
        "groups": TIME_GROUPS,
        "peers": ["tokio", "tokio_joinset", "smol"],
        "command": "cargo bench --bench time",
        "notes": [
            "smol = async-executor run by the same number of threads inside `smol::block_on` "
            "(which drives async-io's timers); its timeout is the future raced against a "
            "`smol::Timer` (`future::or`).",
            "`gather_10k`: `runtime::gather` vs `futures::future::join_all` on tokio (`tokio`) "
            "and on smol (`smol`) vs 10,000 tasks spawned into a tokio `JoinSet` "
            "(`tokio_joinset`).",
            "`gather_100k_one_by_one`: 100,000 futures chained so each wakes the next (one "
            "ready child per wake-up): `runtime::gather` vs `join_all` on tokio and smol. "
            "Linear, not quadratic, for all three.",
        ],
    },
    "sync": {
        "title": "Synchronisation primitives",
        "groups": SYNC_GROUPS,
        "peers": ["tokio", "smol"],
        "command": "cargo bench --bench sync",
        "notes": [
            "Primitive vs primitive on the same executor: every function of every group runs "
            "on `runtime`'s multi-thread runtime (`num_cpus` workers); only the primitive "
            "differs. `runtime` = `runtime::sync`, `tokio` = `tokio::sync`, `smol` = "
            "`smol::channel` (async-channel) and `smol::lock` (async-lock).",
            "mpsc: 100,000 `usize` messages per iteration from 1 or 4 producer tasks to one "
            "consumer task, through `bounded(1024)` or unbounded channels; "
            "`mpsc_uncontended`: one task sends then receives each message on a "
            "`bounded(1024)` channel it owns both ends of (no waits, no wake-ups).",
            "`oneshot`: 10,000 channels, each sent on by a spawned task and received by the "
            "spawner; smol has no oneshot, so its column is async-channel `bounded(1)` "
            "(`try_send`).",
            "`mutex_contended`: 8 tasks × 10,000 lock/increment/unlock of one counter; "
            "`semaphore`: 8 tasks × 10,000 acquire/release on a semaphore of 4 permits. "
            "`runtime`'s and tokio's mutexes are FIFO-fair: `unlock` hands the lock to the "
            "longest waiter, so under contention the 8 tasks take turns and every hand-off "
            "is a wake-up. async-lock's lets a running task take the lock ahead of a woken "
            "waiter (barging) and turns fair only once a waiter has starved for 0.5 ms: "
            "faster here, but waiters are overtaken, and its time is bimodal (about 3.4 ms "
            "in runs where a running task keeps re-taking the lock, 8-10 ms otherwise). "
            "asyncio's `Lock` is FIFO (a newcomer queues while anyone waits), so tokio is "
            "the like-for-like peer for this row. "
            "For a short critical section with no `.await` inside, a blocking mutex "
            "(`std` or `parking_lot`) beats all three.",
            "`queue_task_done_join`: 1 producer puts 100,000 items into a queue of capacity "
            "1024 served by 4 consumers that call `task_done` per item, then `join`s. "
            "`runtime` is `runtime::sync::Queue`; `tokio` is an mpsc channel whose receiver "
            "the consumers share behind a `tokio::sync::Mutex`, an unfinished-items counter "
            "and a `tokio::sync::Notify` for `join`; `smol` is an async-channel (already "
            "multi-consumer) with the same counter and a `bounded(1)` channel as the "
            "notification.",
        ],
    },
    "io": {
        "title": "Networking",
        "groups": IO_GROUPS,
        "peers": ["tokio", "smol"],
        "command": "cargo bench --bench io",
        "notes": [
            "Each runtime with its own sockets and `num_cpus` workers, on loopback: "
            "`runtime::net`, `tokio::net` (tokio, `enable_all`), `smol::net` (async-io, its "
            "workers inside `smol::block_on`). Echo server = accept loop + one echo task per "
            "connection; the clients' round trips run as tasks.",
            "`tcp_echo_*`: 2,000 (64 B) or 200 (16 KiB) round trips per iteration on 1 "
            "connection, or 8,000 / 800 split over 64 connections. "
            "`tcp_accept_connect_close`: 200 connections per iteration, each connected, "
            "accepted and closed by both sides (`SO_LINGER` 0). `udp_ping_pong`: 2,000 "
            "64-byte round trips between two connected UDP sockets.",
        ],
    },
    "process": {
        "title": "Subprocesses",
        "groups": PROCESS_GROUPS,
        "peers": ["tokio", "smol", "std_blocking"],
        "reference": ["std_blocking"],
        "command": "cargo bench --bench process",
        "notes": [
            "`runtime::process` vs `tokio::process` vs smol's async-process, each on its own "
            "runtime with `num_cpus` workers; `std_blocking` is a plain loop of "
            "`std::process::Command::status()` (the floor for the sequential case; not counted "
            "as a peer in the last column).",
            "`spawn_wait_sequential`: 128 × (spawn `true`, wait), one after another; "
            "`spawn_wait_64_at_a_time`: 128 spawns of `true` in batches of 64 concurrent "
            "tasks; `cat_256mib`: 256 MiB written to `cat` in 64 KiB chunks while its stdout is "
            "read, writer and reader joined in one task.",
            "Where the time goes (sixth session): over 1,000 sequential spawns of `true`, "
            "`getrusage` puts the parent's CPU (all its threads) at about 20 µs per spawn of "
            "~245 µs wall, for runtime, tokio and blocking std alike; the rest is clone, exec, "
            "the child's run and its exit. All three runtimes spawn through "
            "`std::process::Command` (glibc `posix_spawn`), so the spawn rows measure that "
            "floor (`perf record`: 88 % of CPU samples are in `true` itself, 12 % in the "
            "parent); ratios within a few hundredths of 1.0 there are noise.",
            "`cat_256mib`: runtime grows a child's pipe from 64 KiB to 256 KiB once it has "
            "carried 1 MiB (`Command::grow_pipes`, on by default; docs/architecture.md), "
            "tokio and smol keep the kernel's 64 KiB. At 64 KiB every runtime made the same "
            "syscalls per 64 KiB (`perf trace`: one write, one read, about 0.7 `WouldBlock` "
            "writes, 0.5 `WouldBlock` reads, one `epoll_wait`) and ran at parity.",
        ],
    },
}
GENERIC_DEFAULTS = {"groups": [], "peers": ["tokio", "smol"], "command": None}


def default_criterion_dir():
    target = os.environ.get("CARGO_TARGET_DIR")
    base = Path(target) if target else REPO / "target"
    return base / "criterion"


def run(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Model", "cpu model"):
                    return value.strip()
    except OSError:
        pass
    return "unknown CPU"


def nproc():
    out = run(["nproc"])
    if out:
        return out
    try:
        return str(len(os.sched_getaffinity(0)))
    except AttributeError:
        return str(os.cpu_count())


def median_ns(criterion_dir, group, function):
    path = criterion_dir / group / function / "new" / "estimates.json"
    try:
        with open(path, encoding="utf-8") as f:
            return float(json.load(f)["median"]["point_estimate"])
    except (OSError, KeyError, ValueError, TypeError):
        return None


def fmt_time(ns):
    if ns is None:
        return "—"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            value = ns / scale
            return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return f"{ns:.3g} ns"


def fmt_ratio(num, den):
    if num is None or den is None or den == 0:
        return "—"
    r = num / den
    text = f"{r:.2f}"
    return f"**{text}**" if r > 1.0 else text


def build_section(args):
    criterion_dir = Path(args.criterion_dir)
    peers = [p for p in args.peers.split(",") if p]
    groups = [g for g in args.groups.split(",") if g]
    base = args.baseline
    reference = set(SECTIONS.get(args.section, {}).get("reference", []))

    date = run(["date", "-u"]) or "unknown date"
    uname = run(["uname", "-srm"]) or "unknown system"
    commit = run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])

    lines = [f"## {args.title}", ""]
    lines.append(f"- Date: {date}")
    lines.append(f"- Machine: {uname}; {cpu_model()}; nproc = {nproc()}")
    if commit:
        lines.append(f"- Commit: {commit}")
    if args.command:
        lines.append(f"- Command: `{args.command}`")
    for note in args.notes:
        lines.append(f"- {note}")
    lines.append(
        f"- Median wall time per iteration (criterion `median.point_estimate`). "
        f"Ratios are {base}/peer: below 1 means `{base}` is faster; "
        f"**bold** marks where `{base}` loses."
    )
    lines.append("")

    header = ["group", base] + peers
    header += [f"{base}/{p}" for p in peers]
    if len(peers) > 1:
        header.append(f"{base}/best peer")
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")

    found_any = False
    for group in groups:
        b = median_ns(criterion_dir, group, base)
        ps = [median_ns(criterion_dir, group, p) for p in peers]
        if b is None and all(p is None for p in ps):
            continue
        found_any = True
        row = [group, fmt_time(b)] + [fmt_time(p) for p in ps]
        row += [fmt_ratio(b, p) for p in ps]
        if len(peers) > 1:
            known = [
                p for name, p in zip(peers, ps) if p is not None and name not in reference
            ]
            row.append(fmt_ratio(b, min(known)) if known else "—")
        lines.append("| " + " | ".join(row) + " |")
    if not found_any:
        print(f"warning: no criterion results found under {criterion_dir}", file=sys.stderr)

    if args.include:
        extra = Path(args.include).read_text(encoding="utf-8").strip()
        if extra:
            lines += ["", extra]
    return "\n".join(lines) + "\n"


def splice(path, name, body):
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = f"{begin}\n{body}{end}"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
        if pattern.search(text):
            text = pattern.sub(lambda _: block, text, count=1)
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    else:
        text = "# Benchmarks\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", help="markdown file whose section is regenerated (default: stdout)")
    ap.add_argument("--section", default="scheduler",
                    help=f"marker name (default: scheduler; known: {', '.join(SECTIONS)})")
    ap.add_argument("--title", help="section heading")
    ap.add_argument("--groups", help="comma-separated groups")
    ap.add_argument("--baseline", default="runtime", help="function measured against the peers")
    ap.add_argument("--peers", help="comma-separated peer functions (default: tokio,smol)")
    ap.add_argument("--criterion-dir", default=str(default_criterion_dir()))
    ap.add_argument("--command", help="command line noted in the header")
    ap.add_argument("--include", help="markdown file appended inside the section")
    args = ap.parse_args()
    preset = {**GENERIC_DEFAULTS, "title": args.section.capitalize(),
              **SECTIONS.get(args.section, {})}
    if args.title is None:
        args.title = preset["title"]
    if args.groups is None:
        args.groups = ",".join(preset["groups"])
    if args.peers is None:
        args.peers = ",".join(preset["peers"])
    if args.command is None:
        args.command = preset["command"]
    args.notes = preset.get("notes", [])

    body = build_section(args)
    if args.out:
        splice(Path(args.out), args.section, body)
        print(f"wrote section '{args.section}' to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(body)


if __name__ == "__main__":
    main()
