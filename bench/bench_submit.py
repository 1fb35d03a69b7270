"""Benchmark of saving a page of answers: the real app against a bare one-INSERT endpoint.

Both run under gunicorn (sync workers, the same number) on 127.0.0.1, on the same kind of database
with the same settings (SQLite: WAL, synchronous=NORMAL, busy timeout, BEGIN IMMEDIATE for every
POST; PostgreSQL: psycopg 3), each on a fresh database, in the same run, driven by the same client:
N concurrent students (threads, default 50), each saving page after page as fast as the server
answers (a closed loop, no think time), or with ``--think`` pausing before each page.

Both servers are up at once and the students come in rounds (every thread one student, 12
pages), alternately on the real app and on the bare endpoint: this machine's speed drifts within
a minute, and so both sides meet the same moments of it.

What is timed is only the POST that saves a page, on both sides. For the real app every student
first opens the intro with its personal code and presses "Beginnen" (GET + POST with ``requests``,
untimed): that gives the session cookie and the CSRF token, which stays valid for every page of the
session. The timed part then POSTs pages 1..12 (4 answers each, ``nav=next``) with that cookie and
expects the 302 to the next page (the last one to /s/<code>/klaar). The bare side POSTs the same
form (plus a respondent id, and a cookie as long) to ``/submit`` (bench/bare_app.py), which stores
the 4 answers with one INSERT and answers 302. The timed POSTs are built beforehand and sent on a
plain socket (a new connection each, as gunicorn's sync workers close them): the load generator
shares the machine's cores with the servers and should take as little of them as it can.

    .venv/bin/python bench/bench_submit.py                        # SQLite, 2 workers
    .venv/bin/python bench/bench_submit.py --workers 2 4 --repeat 3 \\
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:55432/postgres --database both

Results are recorded in docs/performance.md, section "Saving answers (bench/bench_submit.py)".
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import platform
import random
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bare_app import create_schema  # noqa: E402
from tests.load.server import (  # noqa: E402
    HOST,
    Gunicorn,
    app_for,
    create_postgres_database,
    dispose,
    drop_postgres_database,
    migrate,
    open_class_scans,
    sqlite_url,
)

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TIMEOUT = (5.0, 60.0)
INSTRUMENTS = ("klas", "individu")


@dataclass
class Measure:
    side: str
    requests: int
    seconds: float
    latencies: list[float]
    server_cpu: float
    database_cpu: float
    #: CPU time of this process (the load generator) during the timed part: the same work on
    #: both sides, so also a gauge of the machine's speed at that moment.
    client_cpu: float = 0.0

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _cpu_seconds(pids: set[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _group(pgid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                found.add(int(entry.name))
    return found


def _postgres_backends() -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found.add(int(entry.name))
            except OSError:
                continue
    return found


Job = tuple[str, str, bytes, str]  # Cookie header, path, urlencoded form, expected Location path


def raw_request(port: int, path: str, body: bytes, cookie: str) -> bytes:
    """The bytes of one form POST, built before the timed part: what a browser sends."""
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    if cookie:
        head.append(f"Cookie: {cookie}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def post_raw(port: int, request: bytes) -> tuple[int, str]:
    """One timed POST on a new connection (gunicorn's sync workers close every connection):
    send the prebuilt request, read the answer to the end, return status and Location. A plain
    socket, so the load generator, which shares the machine's two cores with the servers, takes
    as little of them as it can (``http.client`` cost about 0.5 ms of CPU per POST, ``requests``
    more); it costs both sides the same."""
    with socket.create_connection((HOST, port), timeout=TIMEOUT[1]) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks)
    head, _, _ = answer.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split(b" ", 2)[1])
    except (IndexError, ValueError):
        raise http.client.BadStatusLine(repr(lines[0][:80])) from None
    location = next(
        (line[9:].strip() for line in lines[1:] if line[:9].lower() == b"location:"), b""
    )
    return status, location.decode("latin-1")


def drive(side: str, server: Gunicorn, jobs: list[list[Job]], think: float = 0.0) -> Measure:
    """The timed part: thread i sends the POSTs of jobs[i] one after the other and checks each
    answer (302 to the expected place). Only these POSTs are timed. With ``think`` a student
    reads for a random 0..2×think seconds before each POST (included in the wall time)."""
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []
    start = threading.Barrier(len(jobs) + 1)

    def worker(i: int) -> None:
        mine = []
        pause = random.Random(i)
        prepared = [
            (path, raw_request(server.port, path, body, cookie), expected)
            for cookie, path, body, expected in jobs[i]
        ]
        start.wait()
        for path, raw, expected in prepared:
            if think:
                time.sleep(pause.uniform(0, 2 * think))
            t0 = time.perf_counter()
            try:
                status, location = post_raw(server.port, raw)
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    errors.append(f"{path}: {error!r}")
                continue
            elapsed = time.perf_counter() - t0
            location = urlsplit(location).path
            if status != 302 or location != expected:
                with lock:
                    errors.append(f"{path}: {status} {location}")
            mine.append(elapsed)
        with lock:
            latencies.extend(mine)

    group = _group(server.proc.pid)
    backends = _postgres_backends()
    cpu0, db0 = _cpu_seconds(group), _cpu_seconds(backends)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    start.wait()  # every student has built its requests
    t0, client0 = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - t0
    client = time.process_time() - client0
    cpu = _cpu_seconds(group) - cpu0
    db_cpu = _cpu_seconds(backends | _postgres_backends()) - db0
    if errors:
        raise RuntimeError(f"{side}: {len(errors)} failed requests, e.g. {errors[:3]}")
    return Measure(side, len(latencies), seconds, latencies, cpu, db_cpu, client)


def pages_of(app) -> list[list[str]]:
    content = app.extensions["wijscan_content"]
    return [
        [item.id for item in theme.items]
        for instrument in INSTRUMENTS
        for theme in content.instruments[instrument].themes
    ]


def answer(code: str, item: str) -> str:
    return str(1 + sum(map(ord, code + item)) % 5)


Rounds = list[list[list[Job]]]  # round -> thread -> the POSTs of that thread's student, in order


def _by_round(jobs: list[list[Job]], rounds: int) -> Rounds:
    """Thread ``t``'s jobs are the pages of its students one after the other; round ``r`` is
    every thread's ``r``-th student."""
    per_student = len(jobs[0]) // rounds
    return [[job[r * per_student : (r + 1) * per_student] for job in jobs] for r in range(rounds)]


def start_real(
    url: str,
    workers: int,
    students: int,
    rounds: int,
    work: Path,
    stack: contextlib.ExitStack,
) -> tuple[Gunicorn, Rounds, int]:
    """The real app under gunicorn with ``students × rounds`` students who have pressed
    "Beginnen" (untimed): the server, their page POSTs by round, the cookie length."""
    app = app_for(url, work / "instance")
    try:
        migrate(app)
        scan = open_class_scans(app, [students * rounds])[0]
        pages = pages_of(app)
    finally:
        dispose(app)
    codes = list(scan.codes)
    server = stack.enter_context(Gunicorn(url, work / "real.log", workers=workers))
    server.start()
    tokens: dict[str, str] = {}
    cookies: dict[str, str] = {}

    def begin(code: str) -> None:
        """Untimed: open the intro with the code and press "Beginnen"."""
        with requests.Session() as jar:
            intro = jar.get(f"{server.url}/s/{code}", timeout=TIMEOUT)
            intro.raise_for_status()
            tokens[code] = CSRF.search(intro.text).group(1)
            started = jar.post(
                f"{server.url}/s/{code}",
                data={"csrf_token": tokens[code]},
                timeout=TIMEOUT,
                allow_redirects=False,
            )
            assert started.status_code == 302, started.status_code
            cookies[code] = "; ".join(f"{c.name}={c.value}" for c in jar.cookies)

    with ThreadPoolExecutor(students) as pool:
        list(pool.map(begin, codes))
    jobs: list[list[Job]] = [[] for _ in range(students)]
    for n, code in enumerate(codes):
        for number, items in enumerate(pages, 1):
            form = {"csrf_token": tokens[code], "nav": "next"}
            form.update({item: answer(code, item) for item in items})
            last = number == len(pages)
            expected = f"/s/{code}/klaar" if last else f"/s/{code}/{number + 1}"
            jobs[n % students].append(
                (cookies[code], f"/s/{code}/{number}", urlencode(form).encode(), expected)
            )
    return server, _by_round(jobs, rounds), max(map(len, cookies.values()))


def start_bare(
    url: str,
    workers: int,
    students: int,
    rounds: int,
    pages: int,
    work: Path,
    stack: contextlib.ExitStack,
    cookie_length: int,
    minimal: bool = False,
) -> tuple[Gunicorn, Rounds]:
    """The bare endpoint under gunicorn and the same number of POSTs of the same form;
    ``minimal``: its one-round-trip form (bench/bare_app.py)."""
    create_schema(url)
    server = stack.enter_context(
        Gunicorn(
            url,
            work / "bare.log",
            workers=workers,
            app="bench.bare_app:create_app()",
            extra_env={"BARE_MINIMAL": "1" if minimal else "0"},
        )
    )
    server.start(ready_path="/ready")
    jobs: list[list[Job]] = [[] for _ in range(students)]
    for s in range(students * rounds):
        code = f"BARE{s:05d}"
        for number in range(1, pages + 1):
            form = {"respondent": code, "csrf_token": "x" * 91, "nav": "next"}
            form.update({f"item-{number}-{k}": answer(code, str(k)) for k in range(4)})
            body = urlencode(form).encode()
            # A cookie as long as the real app's session cookie.
            cookie = ("session=" + "x" * cookie_length)[:cookie_length]
            jobs[s % students].append((cookie, "/submit", body, "/done"))
    return server, _by_round(jobs, rounds)


def combined(side: str, parts: list[Measure]) -> Measure:
    return Measure(
        side,
        sum(m.requests for m in parts),
        sum(m.seconds for m in parts),
        [latency for m in parts for latency in m.latencies],
        sum(m.server_cpu for m in parts),
        sum(m.database_cpu for m in parts),
        sum(m.client_cpu for m in parts),
    )


def fresh_database(kind: str, postgres_url: str | None, work: Path, name: str) -> str:
    if kind == "sqlite":
        return sqlite_url(work / f"{name}.sqlite3")
    return create_postgres_database(postgres_url, prefix=f"wijscan_bench_{name}")


def forget_database(kind: str, url: str) -> None:
    if kind == "postgresql":
        drop_postgres_database(url)


def measure_pair(
    kind, postgres_url, workers, students, rounds, think=0.0, minimal=False
) -> tuple[Measure, Measure]:
    """Both servers up at once, each on a fresh database; then round after round (every
    student thread answering one student) first on wijscan, then on the bare endpoint, so both
    sides meet the same moments of this machine, whose speed drifts within a minute."""
    with (
        tempfile.TemporaryDirectory(prefix="wijscan-bench-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        work = Path(tmp)
        real_url = fresh_database(kind, postgres_url, work, "real")
        stack.callback(forget_database, kind, real_url)
        bare_url = fresh_database(kind, postgres_url, work, "bare")
        stack.callback(forget_database, kind, bare_url)
        real_server, real_rounds, cookie_length = start_real(
            real_url, workers, students, rounds, work, stack
        )
        pages = len(real_rounds[0][0])
        bare_server, bare_rounds = start_bare(
            bare_url, workers, students, rounds, pages, work, stack, cookie_length, minimal
        )
        real_parts, bare_parts = [], []
        for real_jobs, bare_jobs in zip(real_rounds, bare_rounds, strict=True):
            real_parts.append(drive("wijscan", real_server, real_jobs, think))
            bare_parts.append(drive("bare", bare_server, bare_jobs, think))
        # The servers stop (ExitStack) before their databases are dropped.
    return combined("wijscan", real_parts), combined("bare", bare_parts)


def line(kind: str, workers: int, m: Measure) -> str:
    return (
        f"| {kind} | {workers} | {m.side} | {m.requests} | {m.throughput:7.0f} | "
        f"{m.quantile(0.5):6.1f} | {m.quantile(0.99):6.1f} | "
        f"{1000 * m.server_cpu / m.requests:5.2f} | {1000 * m.database_cpu / m.requests:5.2f} | "
        f"{1000 * m.client_cpu / m.requests:5.2f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("WIJSCAN_TEST_POSTGRES_URL"),
        help="a PostgreSQL server where the bench may CREATE DATABASE "
        "(default: $WIJSCAN_TEST_POSTGRES_URL)",
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--students", type=int, default=50, help="concurrent students")
    parser.add_argument("--rounds", type=int, default=4, help="students per thread, in turn")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a student reads before each POST (default 0: as fast as answered)",
    )
    parser.add_argument(
        "--bare-minimal",
        action="store_true",
        help="the bare endpoint in one round trip: INSERT in autocommit, no connection ping",
    )
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in kinds and not args.postgres_url:
        parser.error("PostgreSQL needs --postgres-url or WIJSCAN_TEST_POSTGRES_URL")

    print(
        f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{args.students} concurrent students, {args.students * args.rounds} students × 12 pages, "
        f"think time {args.think:g} s, bare endpoint "
        f"{'minimal' if args.bare_minimal else 'plain'}, "
        f"load average before {os.getloadavg()[0]:.2f}"
    )
    print(
        "| database | workers | side | POSTs | POST/s | p50 ms | p99 ms | server CPU ms/POST "
        "| PostgreSQL CPU ms/POST | client CPU ms/POST |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    verdicts = []
    for kind in kinds:
        for workers in args.workers:
            ratios, p99s, bare_p99s = [], [], []
            for _ in range(args.repeat):
                real, bare = measure_pair(
                    kind,
                    args.postgres_url,
                    workers,
                    args.students,
                    args.rounds,
                    args.think,
                    args.bare_minimal,
                )
                print(line(kind, workers, real))
                print(line(kind, workers, bare), flush=True)
                ratios.append(real.throughput / bare.throughput)
                p99s.append(real.quantile(0.99))
                bare_p99s.append(bare.quantile(0.99))
            ratio, p99 = statistics.median(ratios), statistics.median(p99s)
            if args.think:
                throughput = "throughput ratio not measured (paced load: both keep up)"
            else:
                verdict = "met" if ratio >= 0.6 else "MISSED"
                throughput = f"wijscan/bare throughput {ratio:.0%} ({verdict}: ≥ 60%)"
            verdict = "met" if p99 < 100 else "MISSED"
            verdicts.append(
                f"{kind}, {workers} workers: {throughput}, wijscan p99 {p99:.0f} ms "
                f"({verdict}: < 100 ms; bare endpoint {statistics.median(bare_p99s):.0f} ms in "
                f"the same rounds) — medians of {args.repeat}"
            )
    print()
    print("\n".join(verdicts))
    print(f"load average after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
