"""`make loadtest`: the app under gunicorn with production settings on PostgreSQL, driven by
a mixed, bounded load from a second process; reports throughput, latency and errors, and
checks that every write the server acknowledged is in the database.

    python scripts/loadtest.py [--duration 60] [--readers 6] [--workers 2] [--keep-db]
                               [--port N] [--database pkb_loadtest]

1. Recreates the PostgreSQL database `pkb_loadtest` (or --database, so that two people
   can run it at once) on 127.0.0.1 (DATABASE_ADMIN_URL overrides the server), migrates it, loads data/ and collects the static files.
2. Starts gunicorn on 127.0.0.1 (DJANGO_DEBUG=0, Redis cache if one answers on
   127.0.0.1:6379), with a curator account and API token for the writes.
3. Runs `loadtest.py drive` in a second process: reader threads request pages, search,
   API lists and details; one writer creates draft norms through the API about twice a
   second. Every request sends `X-Forwarded-Proto: https`, as the TLS proxy would.
4. Stops the server, looks up every acknowledged write in the database, prints the
   report and writes loadtest-results/report.json. Exit status 1 on any error or lost
   write. Not part of `make test`.

Only 127.0.0.1 is ever contacted; the load stops by itself after --duration seconds or
--max-requests requests, whichever comes first.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "loadtest-results"
DB_NAME = "pkb_loadtest"
HOST = "127.0.0.1"

# ----------------------------------------------------------------------------- the driver

# Reader mix: category -> weight.
MIX = {"page": 50, "search": 10, "api-list": 20, "api-detail": 20}


def _request(conn, method, path, headers, body=None):
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    return response.status, payload, time.perf_counter() - started


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)  # category -> seconds
        self.statuses = defaultdict(Counter)  # category -> status -> count
        self.failures = []  # (category, path, status or exception), first 50
        self.acknowledged = []  # slugs of writes answered 201
        self.requests = 0

    def add(self, category, path, status, seconds):
        with self.lock:
            self.requests += 1
            self.latencies[category].append(seconds)
            self.statuses[category][status] += 1
            if not (200 <= int(status) < 400) and len(self.failures) < 50:
                self.failures.append((category, path, status))


def _connection(base_port):
    return http.client.HTTPConnection(HOST, base_port, timeout=30)


def reader(port, plan, recorder, deadline, budget, seed):
    rng = random.Random(seed)
    conn = _connection(port)
    headers = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}
    categories, weights = zip(*MIX.items(), strict=True)
    while time.monotonic() < deadline and budget.acquire(blocking=False):
        category = rng.choices(categories, weights)[0]
        path = rng.choice(plan[category])
        try:
            status, _, seconds = _request(conn, "GET", path, headers)
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            conn = _connection(port)
            recorder.add(category, path, type(exc).__name__, 0.0)
            continue
        recorder.add(category, path, status, seconds)
    conn.close()


def writer(port, plan, token, recorder, deadline, interval, run_id):
    conn = _connection(port)
    headers = {
        "X-Forwarded-Proto": "https",
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    number = 0
    while time.monotonic() < deadline:
        number += 1
        slug = f"loadtest-{run_id}-{number}"
        body = json.dumps(
            {
                "slug": slug,
                "name": f"Load test norm {number}",
                "conception": "westphalian",
                "summary": "Written by the load test. It is a draft.",
            }
        )
        try:
            status, payload, seconds = _request(
                conn, "POST", plan["write"], headers, body
            )
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            conn = _connection(port)
            recorder.add("write", plan["write"], type(exc).__name__, 0.0)
            continue
        recorder.add("write", plan["write"], status, seconds)
        if status == 201:
            with recorder.lock:
                recorder.acknowledged.append(json.loads(payload)["slug"])
        time.sleep(interval)
    conn.close()


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def drive(args):
    plan = json.loads(Path(args.plan).read_text())
    token = os.environ["LOADTEST_TOKEN"]
    recorder = Recorder()
    started = time.monotonic()
    deadline = started + args.duration
    budget = threading.BoundedSemaphore(args.max_requests)
    threads = [
        threading.Thread(
            target=reader,
            args=(args.port, plan, recorder, deadline, budget, seed),
            daemon=True,
        )
        for seed in range(args.readers)
    ]
    threads.append(
        threading.Thread(
            target=writer,
            args=(
                args.port,
                plan,
                token,
                recorder,
                deadline,
                args.write_interval,
                uuid.uuid4().hex[:8],
            ),
            daemon=True,
        )
    )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.duration + 60)
    elapsed = time.monotonic() - started
    categories = {}
    for category, values in recorder.latencies.items():
        categories[category] = {
            "requests": len(values),
            "statuses": {str(k): v for k, v in recorder.statuses[category].items()},
            "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "mean_ms": round(statistics.fmean(values) * 1000, 1),
        }
    everything = [v for values in recorder.latencies.values() for v in values]
    errors = sum(
        count
        for statuses in recorder.statuses.values()
        for status, count in statuses.items()
        if not (str(status).isdigit() and 200 <= int(status) < 400)
    )
    result = {
        "elapsed_s": round(elapsed, 1),
        "requests": recorder.requests,
        "throughput_rps": round(recorder.requests / elapsed, 1),
        "p50_ms": round(percentile(everything, 0.50) * 1000, 1),
        "p99_ms": round(percentile(everything, 0.99) * 1000, 1),
        "errors": errors,
        "failures": recorder.failures,
        "categories": categories,
        "acknowledged_writes": recorder.acknowledged,
    }
    Path(args.out).write_text(json.dumps(result, indent=2))


# ------------------------------------------------------------------------- the orchestra


def _python():
    return (
        str(ROOT / ".venv" / "bin" / "python")
        if (ROOT / ".venv").exists()
        else sys.executable
    )


def _manage(env, *args, capture=True):
    result = subprocess.run(
        [_python(), "manage.py", *args],
        cwd=ROOT,
        # Bulk loads may run single statements longer than a web request may.
        env={**env, "DJANGO_DB_STATEMENT_TIMEOUT": "0"},
        capture_output=capture,
        text=True,
    )
    if result.returncode != 0:
        sys.exit(
            f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def _free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _redis_answers():
    try:
        with socket.create_connection((HOST, 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _recreate_database(admin_url, name):
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def _drop_database(admin_url, name):
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


SETUP = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.authtoken.models import Token
from apps.knowledge import models as m

user, _ = get_user_model().objects.get_or_create(username="loadtest-curator")
user.set_unusable_password()
user.save()
user.groups.add(Group.objects.get(name="Curator"))
token, _ = Token.objects.get_or_create(user=user)

def slugs(model, n=40):
    return list(model.objects.published().order_by("?").values_list("slug", flat=True)[:n])

pages = [reverse(n) for n in ("knowledge:home", "knowledge:compare", "knowledge:timeline",
         "knowledge:mission-list", "knowledge:case-list", "knowledge:norm-list",
         "knowledge:document-list", "knowledge:organisation-list", "knowledge:concept-list",
         "knowledge:source-list")]
pages += [reverse("knowledge:mission-list") + q for q in ("?conception=westphalian",
          "?page=2", "?region=europe", "?ordering=-start")]
api_lists, api_details = [], []
for kind, model in (("mission", m.Mission), ("case", m.Case), ("norm", m.Norm),
                    ("document", m.Document), ("organisation", m.Organisation),
                    ("concept", m.Concept), ("source", m.Source)):
    found = slugs(model)
    pages += [reverse(f"knowledge:{kind}-detail", kwargs={"slug": s}) for s in found]
    api_lists.append(reverse(f"api:{kind}-list"))
    api_details += [reverse(f"api:{kind}-detail", kwargs={"slug": s}) for s in found]
api_lists += [reverse("api:mission-list") + "?conception=post_westphalian",
              reverse("api:case-list") + "?page=2"]
terms = ["consent", "sovereignty", "Kosovo", "election", "UNEF", "impartiality",
         "rule of law", "Congo", "observer", "Bosnia"]
search = [reverse("knowledge:search") + "?q=" + t.replace(" ", "+") for t in terms]
search += [reverse("api:search") + "?q=" + t.replace(" ", "+") for t in terms[:5]]
print(json.dumps({"token": token.key, "plan": {"page": pages, "search": search,
      "api-list": api_lists, "api-detail": api_details,
      "write": reverse("api:norm-list")}}))
"""

VERIFY = """
import json, os
from apps.knowledge.models import Norm
wanted = json.load(open(os.environ["LOADTEST_RESULT"]))["acknowledged_writes"]
found = set(Norm.objects.filter(slug__in=wanted).values_list("slug", flat=True))
print(json.dumps({"acknowledged": len(wanted), "found": len(found),
                  "lost": sorted(set(wanted) - found)}))
"""


def _wait_ready(port, server, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited during start-up; see loadtest-results/server.log")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit("the server did not become ready in time")


def run(args):
    RESULTS.mkdir(exist_ok=True)
    admin_url = os.environ.get(
        "DATABASE_ADMIN_URL", f"postgres://postgres@{HOST}:5432/postgres"
    )
    database_url = admin_url.rsplit("/", 1)[0] + f"/{args.database}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DATABASE_URL=database_url,
        DJANGO_LOG_LEVEL="INFO",
        # Throttling would turn a load test into a rate-limit test.
        DJANGO_API_ANON_RATE="1000000/minute",
        DJANGO_API_USER_RATE="1000000/minute",
    )
    if _redis_answers():
        env["REDIS_URL"] = f"redis://{HOST}:6379/13"
    else:
        env.pop("REDIS_URL", None)
        print("note: no Redis on 127.0.0.1:6379; each worker caches in its own memory")

    print(f"== preparing PostgreSQL database {args.database}")
    _recreate_database(admin_url, args.database)
    _manage(env, "migrate", "--noinput")
    print(_manage(env, "load_knowledge").strip().splitlines()[-1])
    _manage(env, "collectstatic", "--noinput")
    setup = json.loads(_manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
    plan_path = RESULTS / "plan.json"
    plan_path.write_text(json.dumps(setup["plan"], indent=2))

    port = args.port or _free_port()
    print(f"== gunicorn: {args.workers} workers on {HOST}:{port}")
    log = (RESULTS / "server.log").open("w")
    server = subprocess.Popen(
        [
            str(Path(_python()).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(args.workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    out = RESULTS / "drive.json"
    try:
        _wait_ready(port, server)
        print(
            f"== load: {args.readers} readers and 1 writer for {args.duration}s "
            f"(at most {args.max_requests} requests), from a second process"
        )
        subprocess.run(
            [
                _python(),
                __file__,
                "drive",
                "--port",
                str(port),
                "--plan",
                str(plan_path),
                "--duration",
                str(args.duration),
                "--readers",
                str(args.readers),
                "--max-requests",
                str(args.max_requests),
                "--write-interval",
                str(args.write_interval),
                "--out",
                str(out),
            ],
            env={**os.environ, "LOADTEST_TOKEN": setup["token"]},
            check=True,
            timeout=args.duration + 120,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    result = json.loads(out.read_text())
    verify = json.loads(
        _manage({**env, "LOADTEST_RESULT": str(out)}, "shell", "-c", VERIFY)
        .strip()
        .splitlines()[-1]
    )
    server_errors = sum(
        1
        for line in (RESULTS / "server.log").read_text().splitlines()
        if '"level": "ERROR"' in line
    )
    report = {**result, "writes": verify, "server_error_lines": server_errors}
    report.pop("acknowledged_writes")
    (RESULTS / "report.json").write_text(json.dumps(report, indent=2))
    if not args.keep_db:
        _drop_database(admin_url, args.database)

    print()
    print(
        f"{report['requests']} requests in {report['elapsed_s']}s: "
        f"{report['throughput_rps']} requests/s, p50 {report['p50_ms']} ms, "
        f"p99 {report['p99_ms']} ms, {report['errors']} errors"
    )
    print(f"{'category':<12}{'requests':>10}{'p50 ms':>10}{'p99 ms':>10}  statuses")
    for name, row in sorted(report["categories"].items()):
        print(
            f"{name:<12}{row['requests']:>10}{row['p50_ms']:>10}{row['p99_ms']:>10}"
            f"  {row['statuses']}"
        )
    print(
        f"writes: {verify['acknowledged']} acknowledged, {verify['found']} in the "
        f"database, {len(verify['lost'])} lost"
    )
    print(f"server log: {server_errors} ERROR lines (loadtest-results/server.log)")
    for failure in report["failures"][:10]:
        print("  failed:", *failure)
    ok = report["errors"] == 0 and not verify["lost"] and server_errors == 0
    print("== loadtest " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


def _database_name(value):
    if not (
        value.isascii() and value.replace("_", "").isalnum() and value[0].isalpha()
    ):
        raise argparse.ArgumentTypeError("letters, digits and _ only")
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    for name in ("run", "drive"):
        p = sub.add_parser(name)
        p.add_argument("--duration", type=int, default=60)
        p.add_argument("--readers", type=int, default=6)
        p.add_argument("--max-requests", type=int, default=200_000)
        p.add_argument("--write-interval", type=float, default=0.5)
        p.add_argument("--port", type=int, default=0)
    sub.choices["run"].add_argument("--workers", type=int, default=2)
    sub.choices["run"].add_argument("--keep-db", action="store_true")
    # A plain name only: it goes into DROP/CREATE DATABASE.
    sub.choices["run"].add_argument(
        "--database", default=DB_NAME, type=_database_name, help="default: %(default)s"
    )
    sub.choices["drive"].add_argument("--plan", required=True)
    sub.choices["drive"].add_argument("--out", required=True)
    argv = sys.argv[1:]
    if not argv or argv[0].startswith("-"):
        argv = ["run", *argv]
    args = parser.parse_args(argv)
    if args.command == "drive":
        drive(args)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
