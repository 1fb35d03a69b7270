"""Benchmark of the reports, in one run, in-process through the test client (no network):

- ``bare``: a bare Flask page that returns a body of the class report's size (the baseline);
- ``logged-in floor``: a page of this app that only does what every staff page does (the login
  session and role check) and returns the same bytes;
- ``class report cold``: a class of 30 students with 3 closed rounds, the charts cache emptied
  before every request (every chart drawn);
- ``class report cached``: the same page read again (charts from the cache);
- ``dashboard cold``: the school dashboard of 60 classes, 1,500 students, 3 rounds, with the
  charts cache emptied (only when the dashboard route exists);
- ``pdf``: the class report as PDF (WeasyPrint).

The database is SQLite in a temporary folder, made through the real services (migrations,
scans closed by the real close). Run:

    .venv/bin/python bench/bench_reports.py              # default 30 timed requests each
    .venv/bin/python bench/bench_reports.py --repeat 60

Targets (docs/performance.md, "Reports"): cached class report <= 3x the bare page; cold class
report <= 150 ms; dashboard <= 300 ms cold; PDF <= 1.5 s. The machine's speed drifts: compare
the ratio to the baseline of the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from wijscan import access, charts, create_app  # noqa: E402

PASSWORD = "zeilboot tulpenveld regenjas"  # noqa: S105 - a bench account on a throw-away database


def build(app, *, classes: int, students: int, rounds: int, seed: int = 7):
    """A school with ``classes`` classes of ``students`` students and ``rounds`` closed rounds
    (personal scans answered by every student); returns (mentor email, a class report path)."""
    from wijscan.extensions import db
    from wijscan.models import (
        Answer,
        Klas,
        RespondentLink,
        Response,
        ResponseStatus,
        Role,
        Scan,
        ScanKind,
        ScanMode,
        ScanRound,
        School,
        Student,
    )
    from wijscan.services import accounts, results
    from wijscan.services.demo import plausible_answers
    from wijscan.services.setup import school_year_for

    content = app.extensions["wijscan_content"]
    rng = np.random.default_rng(seed)
    today = date.today()
    with app.app_context():
        school = School(name="Benchcollege", town="Utrecht")
        db.session.add(school)
        db.session.flush()
        mentor = accounts.ensure_staff(
            email=f"mentor-{uuid.uuid4().hex[:6]}@bench.nl",
            name="Mentor",
            school_id=school.id,
            role=Role.COORDINATOR,
        )
        accounts.set_password(mentor, PASSWORD)
        year = school_year_for(school, today)
        scan_rounds = []
        for r in range(rounds):
            # Rounds of this school year, the last one ended before today.
            opens = max(today - timedelta(days=20 + 28 * (rounds - r)), year.starts_on)
            scan_round = ScanRound(
                school_id=school.id,
                school_year_id=year.id,
                name=f"Meetmoment {r + 1}",
                opens_on=opens,
                closes_on=opens + timedelta(days=7),
            )
            db.session.add(scan_round)
            scan_rounds.append(scan_round)
        db.session.flush()
        instruments = [content.instruments["klas"], content.instruments["individu"]]
        first_scan = None
        for c in range(classes):
            klas = Klas(school_id=school.id, name=f"K{c:02d}", leerjaar=1 + c % 6, stream="havo")
            klas.mentors.append(mentor)
            db.session.add(klas)
            db.session.flush()
            pupils = [
                Student(
                    school_id=school.id,
                    leerlingnummer=f"{c:02d}{s:03d}",
                    roepnaam="Leerling",
                    achternaam=f"{c}-{s}",
                    klas_id=klas.id,
                )
                for s in range(students)
            ]
            db.session.add_all(pupils)
            db.session.flush()
            for scan_round in scan_rounds:
                scan = Scan(
                    school_id=school.id,
                    round_id=scan_round.id,
                    klas_id=klas.id,
                    kind=ScanKind.LEERLING,
                    mode=ScanMode.PERSONAL,
                    instruments="klas individu",
                )
                db.session.add(scan)
                db.session.flush()
                latent = rng.normal(0.3, 0.9, size=students)
                answers = {i.id: plausible_answers(rng, i, latent) for i in instruments}
                for row, pupil in enumerate(pupils):
                    respondent = str(uuid.uuid4())
                    db.session.add(
                        RespondentLink(
                            respondent_id=respondent, scan_id=scan.id, student_id=pupil.id
                        )
                    )
                    for instrument in instruments:
                        response = Response(
                            scan_id=scan.id,
                            respondent_id=respondent,
                            instrument_id=instrument.id,
                            instrument_version=instrument.version,
                            status=ResponseStatus.FINAL,
                        )
                        response.answers = [
                            Answer(item_id=item.id, value=int(v))
                            for item, v in zip(
                                instrument.items, answers[instrument.id][row], strict=True
                            )
                            if v
                        ]
                        db.session.add(response)
                db.session.flush()
                results.close_scan(scan, content)
                first_scan = first_scan or scan
            db.session.commit()
        last = db.session.scalar(
            db.select(Scan.id).where(Scan.klas_id == first_scan.klas_id).order_by(Scan.id.desc())
        )
        return mentor.email, f"/rapport/{last}"


def client_for(app, email: str):
    client = app.test_client()
    response = client.post("/inloggen", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def timed(client, path: str, repeat: int, *, cold: bool) -> tuple[list[float], int]:
    """Times of ``repeat`` GETs; ``cold``: every cache a report has emptied before each (the
    charts and the rendered report bodies)."""
    from wijscan.web.reports import views

    times, size = [], 0
    for _ in range(repeat):
        if cold:
            charts.clear_cache()
            views._BODIES.clear()
            views._FILLED.clear()
            access.PAGES.clear()
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.get_data())
    return times, size


def interleaved(pages: list[tuple], repeat: int) -> list[list[float]]:
    """Times of ``repeat`` rounds of one GET of each (client, path), in turns."""
    times: list[list[float]] = [[] for _ in pages]
    for _ in range(repeat):
        for (client, path), kept in zip(pages, times, strict=True):
            start = time.perf_counter()
            response = client.get(path)
            kept.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
    return times


def bare_app(body: bytes):
    from flask import Flask

    app = Flask("bare")

    @app.get("/")
    def page():
        return body

    return app


def line(name: str, times: list[float], baseline: float | None = None) -> str:
    median = statistics.median(times)
    p90 = sorted(times)[int(len(times) * 0.9) - 1]
    ratio = f"{median / baseline:6.1f}x" if baseline else "       "
    return f"{name:<22} median {median:8.2f} ms   p90 {p90:8.2f} ms   {ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="wijscan-bench-reports-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
            "ENV_NAME": "testing",
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATE_LIMITS": False,
        }
    )
    app.instance_path = str(folder)
    floor_body = {"body": b""}

    @app.get("/bench-floor")
    @access.allow(*access.ALL_ROLES)
    def floor():
        # This app's own floor: the session and role check every staff page makes (the user
        # loader's one statement and the guard), then the report's bytes as they are.
        return floor_body["body"]

    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    print("building: a class of 30 with 3 rounds ...", flush=True)
    email, report = build(app, classes=1, students=30, rounds=3)
    client = client_for(app, email)
    client.get(report)  # warm the app (templates, imports)

    body = client.get(report).get_data()
    bare = bare_app(body).test_client()
    floor_body["body"] = body
    # The bare page, the floor and the cached report are timed in turns, one request each per
    # round, so that the machine's slow and fast spells fall on all three alike.
    bare_times, floor_times, cached = interleaved(
        [(bare, "/"), (client, "/bench-floor"), (client, report)], args.repeat * 3
    )
    baseline = statistics.median(bare_times)
    cold, size = timed(client, report, args.repeat, cold=True)
    pdf, _ = timed(client, report + ".pdf", max(args.repeat // 5, 3), cold=False)
    print(f"class report: {size:,} bytes")
    print(line("bare page", bare_times))
    print(line("logged-in floor", floor_times, baseline))
    print(line("class report cold", cold, baseline))
    print(line("class report cached", cached, baseline))
    print(line("pdf", pdf, baseline))

    if "reports.dashboard" in app.view_functions:
        print("building: 60 classes, 1,500 students, 3 rounds ...", flush=True)
        dash_email, _ = build(app, classes=60, students=25, rounds=3, seed=8)
        dash_client = client_for(app, dash_email)
        dash_client.get("/dashboard")
        dashboard, dash_size = timed(dash_client, "/dashboard", max(args.repeat // 3, 5), cold=True)
        print(f"dashboard: {dash_size:,} bytes")
        print(line("dashboard cold", dashboard, baseline))
    else:
        print("dashboard: the route does not exist yet")


if __name__ == "__main__":
    main()
