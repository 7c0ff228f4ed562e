"""`make bench`: throughput and latency of every page and endpoint at 1x, 10x and 100x data.

For each scale it rebuilds a PostgreSQL database on 127.0.0.1 (curated data plus synthetic
copies), serves the app with gunicorn under production settings, and drives each endpoint
with wrk from a separate process, in the same run as a minimal "hello" view, so that every
figure is also a ratio to the ceiling for any Django page on this machine. Each figure is the
median of repeated runs. Beside req/s it gives the CPU milliseconds a request costs gunicorn and
PostgreSQL under that load, which is steadier than req/s on a machine others share. It also counts SQL queries per request for each endpoint and times
one request with every cache emptied first ("cold"), which no cache can flatter. In the cached
pass it then publishes one record (an edit of the second mission, committed, with no warm-up)
and reads every endpoint once more: its `X-Cache` header says whether the page or answer
survived the publish (hit) or was emptied by it (miss), the hit rate after a publish.

Usage: python bench/run.py [--scales 1,10,100] [--duration 5] [--repeats 3] [--sqlite]
                          [--database pkb_bench] [--port 18765] [--redis-db 15]
Writes bench-results/bench.json and prints a Markdown table. On a machine others share, give
each run its own database, port and Redis database (the defaults are fixed names).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC
from datetime import datetime
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# Overridden by --database, --port and --redis-db (main() sets them before anything runs).
PG_DB = "pkb_bench"
PORT = 18765
REDIS_DB = 15
RESULTS = ROOT / "bench-results"


def bench_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "benchmark-only-secret-key-not-for-production-use",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url,
            "PKB_BENCHMARK": "1",
            # Measure the API, not its throttles (DRF's user throttle also counts
            # anonymous clients, by address).
            "DJANGO_API_ANON_RATE": "off",
            "DJANGO_API_USER_RATE": "off",
        }
    )
    # The shared cache production uses; the uncached pass turns the page cache off.
    env.setdefault("REDIS_URL", f"redis://127.0.0.1:6379/{REDIS_DB}")
    return env


def manage(env: dict, *args: str) -> str:
    # Bulk loads may run single statements longer than a web request may.
    env = {**env, "DJANGO_DB_STATEMENT_TIMEOUT": "0"}
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(
            f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def recreate_postgres_database() -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return f"postgres://postgres@127.0.0.1:5432/{PG_DB}"


def prepare_database(env: dict, scale: int) -> None:
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_knowledge")
    if scale > 1:
        manage(env, "generate_synthetic", "--scale", str(scale))
    if env["DATABASE_URL"].startswith("postgres"):
        # Fresh statistics, as autovacuum would have them in production: without them the
        # planner guesses a handful of rows and picks the wrong plans. VACUUM too, as
        # autovacuum does after a bulk load: a plain ANALYZE leaves the rows just loaded
        # in each GIN index's pending list, which every text search then reads through
        # (0.8 -> 8.9 ms for one "kosovo" index scan on the documents at 100x).
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    manage(env, "collectstatic", "--noinput", "-v0")


def endpoints(env: dict) -> dict[str, str]:
    """Paths to measure, with real slugs from the database."""
    script = (
        "import json\n"
        "from django.db.models import Count\n"
        "from apps.knowledge.models import Mission, Case, Source\n"
        "m = Mission.objects.published().exclude(slug__startswith='synthetic-')"
        ".annotate(n=Count('citations')).order_by('-n')\n"
        "two = list(m.values_list('slug', flat=True)[:2])\n"
        "print(json.dumps({'mission': two[0], 'other': two[1],"
        " 'source': Source.objects.published().order_by('slug').first().slug}))\n"
    )
    slugs = json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])
    mission, other, source = slugs["mission"], slugs["other"], slugs["source"]
    return {
        "hello (ceiling)": "/bench/hello/",
        "home": "/",
        "missions list": "/missions/",
        "missions list, faceted": "/missions/?organisation=osce,un&conception=post_westphalian,mixed",
        "cases list": "/cases/",
        "cases list, faceted": "/cases/?region=europe&conception=mixed,post_westphalian",
        "norms list": "/norms/",
        "documents list": "/documents/",
        "sources list": "/sources/",
        "mission detail (most citations)": f"/missions/{mission}/",
        "source detail": f"/sources/{source}/",
        "comparison": "/compare/",
        "compare records": f"/compare/missions/?ids={mission},{other}",
        "search": "/search/?q=kosovo",
        "timeline": "/timeline/",
        "API missions list": "/api/v1/missions/",
        "API missions list, filtered": "/api/v1/missions/?organisation=osce&conception=post_westphalian",
        "API mission detail": f"/api/v1/missions/{mission}/",
        "API search": "/api/v1/search/?q=kosovo",
    }


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    sys.exit(f"gunicorn did not start on port {port}")


def start_gunicorn(env: dict) -> subprocess.Popen:
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", PORT)) == 0:
            sys.exit(f"port {PORT} is already in use: stop whatever serves it first")
    process = subprocess.Popen(
        [
            GUNICORN,
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    wait_for_port(PORT)
    return process


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=15)


_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    return float(match.group(1)) * _UNIT[match.group(2)]


def wrk(path: str, *, connections: int, duration: int) -> dict:
    url = f"http://127.0.0.1:{PORT}{path}"
    out = subprocess.run(
        [
            "wrk",
            "--latency",
            "-t",
            str(min(2, connections)),
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--timeout",
            "10s",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"50%\s+([\d.]+(?:us|ms|s))", out)
    p99 = re.search(r"99%\s+([\d.]+(?:us|ms|s))", out)
    if not (rps and p50 and p99):
        sys.exit(f"could not read wrk's report for {path}:\n{out}")
    requests = re.search(r"(\d+) requests in", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(rps.group(1)),
        "requests": int(requests.group(1)) if requests else 0,
        "p50_ms": _ms(p50.group(1)),
        "p99_ms": _ms(p99.group(1)),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU seconds used so far by gunicorn (every process of its session) and by the
    PostgreSQL backends of the bench database. Per request, this is what an endpoint
    costs the machine: unlike req/s, other load on a shared machine hardly moves it."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                backend = f" {PG_DB} ".encode() in cmdline.read()
        except OSError:  # ended meanwhile
            continue
        # After the command: [3] session id, [11] user and [12] system CPU ticks.
        if int(fields[3]) == server.pid or backend:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def wrk_with_cpu(server: subprocess.Popen, path: str, **load) -> dict:
    """`wrk`, and the server side's CPU milliseconds a request while it ran."""
    before = server_cpu_seconds(server)
    run = wrk(path, **load)
    used = server_cpu_seconds(server) - before
    run["cpu_ms"] = used * 1000 / run["requests"] if run["requests"] else 0.0
    return run


def query_counts(env: dict, paths: dict[str, str]) -> dict[str, list]:
    """Per endpoint: SQL queries, status, and the median time of a request with every cache empty."""
    script = (
        "import json, statistics, sys, time\n"
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "from django.core.cache import cache\n"
        f"paths = json.loads({json.dumps(json.dumps(paths))})\n"
        "client = Client()\n"
        "out = {}\n"
        "for name, path in paths.items():\n"
        "    cache.clear()\n"
        "    with CaptureQueriesContext(connection) as ctx:\n"
        "        response = client.get(path, HTTP_HOST='127.0.0.1')\n"
        "    queries = len(ctx)  # before the next request resets the query log\n"
        "    cold = []\n"
        "    for _ in range(5):\n"
        "        cache.clear()\n"
        "        started = time.perf_counter()\n"
        "        client.get(path, HTTP_HOST='127.0.0.1')\n"
        "        cold.append((time.perf_counter() - started) * 1000)\n"
        "    out[name] = [queries, response.status_code, statistics.median(cold)]\n"
        "print(json.dumps(out))\n"
    )
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])


def fetch(path: str) -> tuple[int, Message | None]:
    """One GET from the running server: its status and, unless it failed, its headers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30) as r:
            return r.status, r.headers
    except urllib.error.HTTPError as exc:
        return exc.code, None


def cache_states(paths: dict[str, str]) -> dict[str, str]:
    """Per endpoint: the `X-Cache` header of one request ("hit", "miss" or "-"), or the
    status of a failed one."""
    states = {}
    for name, path in paths.items():
        status, headers = fetch(path)
        states[name] = str(status) if headers is None else headers.get("X-Cache", "-")
    return states


def publish_one(env: dict, slug: str) -> None:
    """Commit an edit of one published mission, as an editor's approval would, from
    another process; without the warm-up, so that what it emptied stays empty."""
    script = (
        "from apps.knowledge.models import Mission\n"
        f"mission = Mission.objects.get(slug={slug!r})\n"
        "mission.summary = mission.summary + ' '\n"
        "mission.save()\n"
    )
    manage({**env, "DJANGO_PAGE_WARMUP": "0"}, "shell", "-c", script)


def after_publish(env: dict, paths: dict[str, str], slug: str) -> dict[str, str]:
    """Every endpoint read once (cached), one publish, and each endpoint's first read
    after it: hit (kept) or miss (emptied)."""
    cache_states(paths)
    publish_one(env, slug)
    return cache_states(paths)


def check_status(paths: dict[str, str]) -> dict[str, int]:
    return {name: fetch(path)[0] for name, path in paths.items()}


def measure_pass(env: dict, paths: dict[str, str], counts: dict, args, *, single: bool):
    """One server, every endpoint: throughput under load and, if asked, one client's p50."""
    server = start_gunicorn(env)
    try:
        statuses = check_status(paths)
        results = {}
        for name, path in paths.items():
            runs = [
                wrk_with_cpu(
                    server, path, connections=args.connections, duration=args.duration
                )
                for _ in range(args.repeats)
            ]
            row = {
                "path": path,
                "status": statuses[name],
                "queries": counts[name][0],
                # One request with every cache emptied first (page and data caches).
                "cold_ms": counts[name][2],
                "rps": statistics.median(r["rps"] for r in runs),
                "cpu_ms": statistics.median(r["cpu_ms"] for r in runs),
                "p50_ms": statistics.median(r["p50_ms"] for r in runs),
                "p99_ms": statistics.median(r["p99_ms"] for r in runs),
                "errors": sum(r["non_2xx"] for r in runs),
            }
            if single:
                row["single_client_p50_ms"] = wrk(
                    path, connections=1, duration=args.duration
                )["p50_ms"]
            results[name] = row
            print(f"   {name}: {row['rps']:.0f} req/s", flush=True)
        if not single:
            published = paths["compare records"].rsplit(",", 1)[-1]
            for name, state in after_publish(env, paths, published).items():
                results[name]["after_publish"] = state
            print(f"   after publishing mission {published}: " + hit_rate(results))
    finally:
        stop(server)
    hello = results["hello (ceiling)"]["rps"]
    for row in results.values():
        row["ratio_to_hello"] = row["rps"] / hello if hello else 0
    return results


def measure_scale(scale: int, args) -> dict:
    database_url = (
        f"sqlite:///{RESULTS / f'bench-{scale}.sqlite3'}"
        if args.sqlite
        else recreate_postgres_database()
    )
    if args.sqlite:
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    env = bench_env(database_url)
    import redis

    redis.Redis.from_url(
        env["REDIS_URL"]
    ).flushdb()  # no page survives from another scale
    print(f"== scale {scale}x: preparing {database_url}", flush=True)
    prepare_database(env, scale)
    paths = endpoints(env)
    counts = query_counts(env, paths)
    print(f"== scale {scale}x, page cache off", flush=True)
    uncached = measure_pass(
        {**env, "DJANGO_PAGE_CACHE": "0"}, paths, counts, args, single=True
    )
    print(f"== scale {scale}x, page cache on (Redis)", flush=True)
    cached = measure_pass(env, paths, counts, args, single=False)
    return {"uncached": uncached, "cached": cached}


def hit_rate(results: dict) -> str:
    states = [row.get("after_publish") for row in results.values()]
    hits, misses = states.count("hit"), states.count("miss")
    rate = hits / (hits + misses) if hits + misses else 0
    return f"{hits} hits, {misses} misses ({rate:.0%} kept)"


def table(report: dict, mode: str) -> str:
    scales = report["scales"]
    results = {scale: report["results"][str(scale)][mode] for scale in scales}
    head = ["endpoint", "SQL queries"]
    for scale in scales:
        head += [
            f"{scale}x req/s",
            f"{scale}x / hello",
            f"{scale}x CPU ms",
            f"{scale}x p50 ms",
            f"{scale}x p99 ms",
        ]
        if mode == "uncached":
            head += [f"{scale}x 1-client p50 ms", f"{scale}x cold ms"]
        if mode == "cached":
            head.append(f"{scale}x after a publish")
    if len(scales) > 1:
        head.append(f"{scales[-1]}x / {scales[0]}x req/s")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, first in results[scales[0]].items():
        cells = [name, str(first["queries"])]
        for scale in scales:
            row = results[scale][name]
            cells += [
                f"{row['rps']:.0f}",
                f"{row['ratio_to_hello']:.2f}",
                f"{row.get('cpu_ms', 0):.2f}",
                f"{row['p50_ms']:.1f}",
                f"{row['p99_ms']:.1f}",
            ]
            if mode == "uncached":
                cells += [
                    f"{row['single_client_p50_ms']:.1f}",
                    f"{row.get('cold_ms', 0):.1f}",
                ]
            else:
                cells.append(row.get("after_publish", "-"))
        if len(scales) > 1:
            last = results[scales[-1]][name]
            cells.append(f"{last['rps'] / first['rps']:.2f}" if first["rps"] else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    global PG_DB, PORT, REDIS_DB
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--sqlite", action="store_true", help="SQLite instead of PostgreSQL"
    )
    parser.add_argument(
        "--database", default=PG_DB, help="PostgreSQL database to rebuild"
    )
    parser.add_argument(
        "--port", type=int, default=PORT, help="port gunicorn serves on"
    )
    parser.add_argument(
        "--redis-db", type=int, default=REDIS_DB, help="Redis database number"
    )
    args = parser.parse_args()
    PG_DB, PORT, REDIS_DB = args.database, args.port, args.redis_db
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", PG_DB):
        sys.exit(f"--database {PG_DB!r}: lowercase letters, digits and _ only")
    if not shutil.which("wrk"):
        sys.exit(
            "wrk is not installed (apt-get install wrk); `make bench` installs it."
        )
    RESULTS.mkdir(exist_ok=True)
    scales = [int(s) for s in args.scales.split(",")]
    report = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} ({os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()})",
        "database": "SQLite" if args.sqlite else "PostgreSQL",
        "cache": "Redis (cached pass); page cache off in the uncached pass",
        "settings": {
            "duration_s": args.duration,
            "repeats": args.repeats,
            "connections": args.connections,
            "gunicorn_workers": 2,
        },
        "scales": scales,
        "results": {},
    }
    for scale in scales:
        report["results"][str(scale)] = measure_scale(scale, args)
    (RESULTS / "bench.json").write_text(json.dumps(report, indent=2))
    print()
    print(
        f"Generated {report['generated']} on {report['machine']}, {report['database']}, "
        f"cache: {report['cache']}"
    )
    for mode in ("uncached", "cached"):
        print(f"\n### Page cache {'off' if mode == 'uncached' else 'on'}\n")
        print(table(report, mode))
    for scale in scales:
        cached = report["results"][str(scale)]["cached"]
        print(f"\nAfter a publish at {scale}x: {hit_rate(cached)}")


if __name__ == "__main__":
    main()
