"""Which endpoints got slower than at an earlier commit: an interleaved A/B of two checkouts.

Two runs of `make bench` on different days differ by up to 20% in req/s on a shared machine, too much
to see a 5% change. This serves both checkouts at once, each from its own database built by its own
code (`run.py`'s steps: migrate, load data/, synthetic copies, VACUUM ANALYZE), and measures them
endpoint by endpoint, taking turns (the baseline first in odd rounds, second in even ones), so drift in
the machine's load falls on both alike. Each figure is the median of the rounds: req/s as a ratio to
the same checkout's hello, and the CPU milliseconds a request costs gunicorn and PostgreSQL.

Usage, from the newer checkout:
    git worktree add --detach ../baseline REV   # with a .venv: a link to this one, or its own
                                                # where its dependencies differ
    python bench/ab.py ../baseline [--scales 1,100] [--rounds 3] [--duration 2] [--reuse]
`--build-only` builds the databases (`pkb_ab_<scale>_base`, `pkb_ab_<scale>_head`) and `--reuse` measures
them later, so the slow build need not fall in the quiet time the measuring wants.
Writes bench-results/ab.json and prints one Markdown table per scale and page-cache mode.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import run as bench

HEAD = bench.ROOT
TREES = ("base", "head")


@contextmanager
def pointed_at(root: Path, database: str, port: int):
    """run.py's helpers read their tree, database and port from module globals: point them
    at one checkout for the duration of a step."""
    saved = bench.ROOT, bench.PYTHON, bench.GUNICORN, bench.PG_DB, bench.PORT
    bench.ROOT = root
    bench.PYTHON = str(root / ".venv" / "bin" / "python")
    bench.GUNICORN = str(root / ".venv" / "bin" / "gunicorn")
    bench.PG_DB, bench.PORT = database, port
    try:
        yield
    finally:
        bench.ROOT, bench.PYTHON, bench.GUNICORN, bench.PG_DB, bench.PORT = saved


def measure_scale(scale: int, roots: dict, args) -> dict:
    setups = {}
    for index, tree in enumerate(TREES):
        database = f"pkb_ab_{scale}_{tree}"
        port = args.port + index
        with pointed_at(roots[tree], database, port):
            url = f"postgres://postgres@127.0.0.1:5432/{database}"
            if not args.reuse:
                print(
                    f"== {scale}x: building {database} with {roots[tree]}", flush=True
                )
                bench.recreate_postgres_database()
                bench.prepare_database(bench.bench_env(url), scale)
            env = bench.bench_env(url)
            setups[tree] = {"database": database, "port": port, "env": env}
            if not args.build_only:
                setups[tree]["paths"] = own_endpoints(env)
    if args.build_only:
        return {}
    # The same addresses for both, where the slugs differ (data/ grew): the newer checkout's.
    paths = setups["head"]["paths"]
    results = {}
    for mode, page_cache in (("uncached", {"DJANGO_PAGE_CACHE": "0"}), ("cached", {})):
        results[mode] = measure_mode(setups, roots, paths, page_cache, args)
    return results


def measure_mode(setups, roots, paths, page_cache, args) -> dict:
    import redis

    servers: dict = {}
    tree_paths: dict = {}
    runs: dict = {tree: {name: [] for name in paths} for tree in TREES}
    try:
        for index, tree in enumerate(TREES):
            setup = setups[tree]
            redis_url = f"redis://127.0.0.1:6379/{args.redis_db + index}"
            redis.Redis.from_url(redis_url).flushdb()
            env = {**setup["env"], "REDIS_URL": redis_url, **page_cache}
            with pointed_at(roots[tree], setup["database"], setup["port"]):
                servers[tree] = bench.start_gunicorn(env)
                tree_paths[tree] = own_where_missing(paths, setup["paths"])
                for path in tree_paths[tree].values():  # both workers warm, as later
                    bench.wrk(path, connections=args.connections, duration=1)
        for round_number in range(args.rounds):
            order = TREES if round_number % 2 == 0 else TREES[::-1]
            for name in paths:
                for tree in order:
                    setup, path = setups[tree], tree_paths[tree][name]
                    with pointed_at(roots[tree], setup["database"], setup["port"]):
                        runs[tree][name].append(
                            bench.wrk_with_cpu(
                                servers[tree],
                                path,
                                connections=args.connections,
                                duration=args.duration,
                            )
                        )
            print(f"   round {round_number + 1} of {args.rounds} done", flush=True)
    finally:
        for server in servers.values():
            bench.stop(server)
    return summarise(runs, tree_paths)


def own_endpoints(env: dict) -> dict | None:
    """The addresses run.py picks in this checkout; None where its code is too old for
    run.py's query (before `published()` on querysets)."""
    try:
        return bench.endpoints(env)
    except SystemExit:
        return None


def own_where_missing(paths: dict, own: dict | None) -> dict:
    """`paths` as the serving checkout answers them: where one is not there (a slug its
    data/ does not have), the checkout's own choice for that endpoint."""
    statuses = bench.check_status(paths)
    chosen = {
        name: paths[name] if statuses[name] == 200 or own is None else own[name]
        for name in paths
    }
    bad = {
        name: code for name, code in bench.check_status(chosen).items() if code != 200
    }
    if bad:
        sys.exit(f"{bench.ROOT} did not answer 200: {bad}")
    return chosen


def summarise(runs: dict, tree_paths: dict) -> dict:
    names = list(tree_paths["head"])
    hello = names[0]
    summary = {}
    for name in names:
        row = {}
        for tree in TREES:
            ratios = [
                run["rps"] / ceiling["rps"]
                for run, ceiling in zip(
                    runs[tree][name], runs[tree][hello], strict=True
                )
            ]
            row[tree] = {
                "path": tree_paths[tree][name],
                "ratio_to_hello": statistics.median(ratios),
                "ratios": ratios,
                "rps": statistics.median(run["rps"] for run in runs[tree][name]),
                "cpu_ms": statistics.median(run["cpu_ms"] for run in runs[tree][name]),
                "errors": sum(run["non_2xx"] for run in runs[tree][name]),
            }
        # Round by round, head against base: how far apart two turns of the same
        # comparison land is the spread a change must exceed to count.
        per_round = [
            head / base
            for head, base in zip(
                row["head"]["ratios"], row["base"]["ratios"], strict=True
            )
        ]
        row["head_over_base"] = (
            row["head"]["ratio_to_hello"] / row["base"]["ratio_to_hello"]
        )
        row["head_over_base_rounds"] = per_round
        row["cpu_head_over_base"] = (
            row["head"]["cpu_ms"] / row["base"]["cpu_ms"]
            if row["base"]["cpu_ms"]
            else None
        )
        summary[name] = row
    return summary


def table(summary: dict) -> str:
    lines = [
        "| endpoint | base ratio | head ratio | head / base (rounds) | base CPU ms | head CPU ms |"
        " head / base CPU |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in summary.items():
        base, head = row["base"], row["head"]
        rounds = ", ".join(f"{value:.2f}" for value in row["head_over_base_rounds"])
        cpu = row["cpu_head_over_base"]
        lines.append(
            f"| {name} | {base['ratio_to_hello']:.3f} | {head['ratio_to_hello']:.3f}"
            f" | {row['head_over_base']:.2f} ({rounds}) | {base['cpu_ms']:.2f}"
            f" | {head['cpu_ms']:.2f} | {'-' if cpu is None else f'{cpu:.2f}'} |"
        )
    return "\n".join(lines)


def commit(root: Path) -> str:
    """The commit a checkout is at, marked when it has changes not committed."""
    run = functools.partial(subprocess.run, cwd=root, capture_output=True, text=True)
    head = run(["git", "rev-parse", "--short", "HEAD"]).stdout.strip()
    dirty = run(["git", "status", "--porcelain", "--untracked-files=no"]).stdout.strip()
    return f"{head} with changes" if dirty else head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("baseline", type=Path, help="a checkout of the earlier commit")
    parser.add_argument("--scales", default="1,100")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=2, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=18770, help="and the next one")
    parser.add_argument("--redis-db", type=int, default=13, help="and the next one")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the built databases"
    )
    parser.add_argument(
        "--build-only", action="store_true", help="build the databases, measure nothing"
    )
    args = parser.parse_args()
    roots = {"base": args.baseline.resolve(), "head": HEAD}
    if not (roots["base"] / "manage.py").exists():
        sys.exit(f"{roots['base']} is not a checkout of this project")
    report = {tree: commit(root) for tree, root in roots.items()}
    report["results"] = {}
    scales = [int(scale) for scale in args.scales.split(",")]
    for scale in scales:
        report["results"][str(scale)] = measure_scale(scale, roots, args)
    if args.build_only:
        return
    bench.RESULTS.mkdir(exist_ok=True)
    (bench.RESULTS / "ab.json").write_text(json.dumps(report, indent=2))
    for scale in scales:
        for mode, summary in report["results"][str(scale)].items():
            cache = "off" if mode == "uncached" else "on"
            print(f"\n### {scale}x, page cache {cache}\n\n{table(summary)}")


if __name__ == "__main__":
    main()
