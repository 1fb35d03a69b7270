"""The real app under gunicorn on loopback, and the database it runs on.

Used by the load test (tests/load/test_load.py), the rate-limit test (tests/load/test_ratelimits.py,
which also starts a Redis server from here) and the benchmark (bench/bench_submit.py). The
database is prepared in this process through the services (migrations, a school, a class, a
round, a mentor, a personal scan); gunicorn then serves it from another process group, so a test
can SIGKILL the whole server (master and workers) as a power cut would.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "load-test-secret-key"  # the same across restarts: cookies stay valid
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- databases ----------------------------------------------------------------------------------


def create_postgres_database(server_url: str, prefix: str = "wijscan_load") -> str:
    """A fresh, empty database on the server of ``server_url``; returns its URL."""
    base = make_url(server_url)
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


# --- the world: a school with classes under a personal scan -------------------------------------


@dataclass
class ClassScan:
    scan_id: int
    klas_name: str
    mentor_id: int
    #: code -> respondent id, one per student
    codes: dict[str, str]


def app_for(database_url: str, instance_path: Path):
    """The real app on ``database_url``, for preparing and checking the database in-process
    (gunicorn serves its own). Its rate limit is off, as in the suite's other apps: the Limiter is
    one object shared by every app in the process, and the last ``create_app`` decides for all."""
    from wijscan import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "ENV_NAME": "testing",
            "SECRET_KEY": SECRET_KEY,
            "TESTING": True,
            "RATE_LIMITS": False,
        }
    )
    app.instance_path = str(instance_path)
    return app


def migrate(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


def open_class_scans(app, sizes: list[int]) -> list[ClassScan]:
    """A school, a mentor, a class of ``size`` students for each of ``sizes``, an open round and
    a personal scan per class (one code per student), made through the services."""
    from wijscan.extensions import db
    from wijscan.models import AccessCode, Role, ScanMode, School
    from wijscan.services import accounts, setup
    from wijscan.services import scans as scan_service

    today = date.today()
    with app.app_context():
        school = School(name="Lasttest College", town="Utrecht")
        db.session.add(school)
        db.session.flush()
        mentor = accounts.ensure_staff(
            email=f"mentor-{uuid.uuid4().hex[:6]}@load.test",
            name="Mo Mentor",
            school_id=school.id,
            role=Role.DOCENT,
            is_admin=False,
        )
        db.session.flush()
        year_end = setup.school_year_for(school, today).ends_on
        scan_round = setup.save_round(
            school,
            scan_round=None,
            name="Meetmoment lasttest",
            opens_on=today,
            closes_on=min(today + timedelta(days=7), year_end),
            user_id=mentor.id,
        )
        made: list[ClassScan] = []
        for c, students in enumerate(sizes):
            name = f"L{c + 1}"
            klas = setup.save_klas(
                school.id,
                klas=None,
                name=name,
                leerjaar=2,
                stream="havo",
                mentor_ids=[mentor.id],
                user_id=mentor.id,
            )
            for s in range(students):
                setup.save_student(
                    school.id,
                    student=None,
                    data=setup.StudentData(
                        leerlingnummer=f"{c + 1}{s + 1:05d}",
                        roepnaam=f"Leerling{s + 1}",
                        tussenvoegsel="",
                        achternaam=name,
                        klas_id=klas.id,
                    ),
                    user_id=mentor.id,
                )
            scan = scan_service.open_student_scan(
                klas, scan_round, ScanMode.PERSONAL, mentor, app.extensions["wijscan_content"]
            )
            codes = dict(
                db.session.execute(
                    db.select(AccessCode.code, AccessCode.respondent_id).where(
                        AccessCode.scan_id == scan.id
                    )
                ).all()
            )
            assert len(codes) == students
            made.append(ClassScan(scan.id, name, mentor.id, codes))
        db.session.commit()
        db.session.remove()
    return made


def dispose(app) -> None:
    from wijscan.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- gunicorn -----------------------------------------------------------------------------------


class Gunicorn:
    """``gunicorn -w N -b 127.0.0.1:PORT --no-control-socket APP`` in its own process group.

    ``kill()`` SIGKILLs the whole group (master and workers, nothing gets to clean up);
    ``stop()`` asks the master to shut down and falls back to ``kill()``. Both are idempotent.
    """

    def __init__(
        self,
        database_url: str,
        log_path: Path,
        *,
        workers: int = 2,
        port: int | None = None,
        app: str = "wijscan:create_app()",
        extra_env: dict[str, str] | None = None,
    ):
        self.database_url = database_url
        self.log_path = log_path
        self.workers = workers
        self.port = port or free_port()
        self.app = app
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def _env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("WIJSCAN_") and k not in {"FLASK_APP", "FLASK_DEBUG"}
        }
        env.update(
            WIJSCAN_DATABASE_URL=self.database_url,
            WIJSCAN_SECRET_KEY=SECRET_KEY,
            WIJSCAN_ENV="testing",
            PYTHONPATH=str(ROOT),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    def start(self, ready_path: str = "/s/klaar", timeout: float = 30.0) -> float:
        """Start, wait until every worker has loaded the app and a request is answered;
        returns the moment it was."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.starts += 1
        ready_dir = self.log_path.parent / f"{self.log_path.stem}-ready-{self.starts}"
        ready_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--workers",
                    str(self.workers),
                    "--bind",
                    f"{HOST}:{self.port}",
                    "--timeout",
                    "30",
                    "--graceful-timeout",
                    "5",
                    "--log-level",
                    "warning",
                    # gunicorn 27 opens a control socket at one path in the home folder that
                    # every gunicorn on the machine shares; these servers need none.
                    "--no-control-socket",
                    "--config",
                    str(Path(__file__).with_name("gunicorn_ready.py")),
                    self.app,
                ],
                cwd=ROOT,
                env={
                    **self._env(),
                    "WIJSCAN_LOAD_READY_DIR": str(ready_dir),
                    "WIJSCAN_LOAD_PARENT_PID": str(os.getpid()),
                },
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own process group: killpg reaches every worker
            )
        deadline = time.monotonic() + timeout
        with requests.Session() as probe:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"gunicorn exited at start:\n{self.log_tail()}")
                booted = len(list(ready_dir.iterdir())) >= self.workers
                try:
                    if booted and probe.get(self.url + ready_path, timeout=2).status_code == 200:
                        return time.monotonic()
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError(
                        f"gunicorn did not answer in {timeout} s:\n{self.log_tail()}"
                    )
                time.sleep(0.05)

    def kill(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        self.kill()  # also reaps any worker left behind in the group

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def __enter__(self) -> Gunicorn:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# --- redis --------------------------------------------------------------------------------------


class RedisServer:
    """``redis-server`` on a free loopback port with nothing on disk (no snapshots, no append-only
    file; its working folder is ``folder``), for the rate limits of the servers under test."""

    def __init__(self, executable: str, folder: Path):
        self.executable = executable
        self.folder = folder
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        with open(self.folder / "redis.log", "ab") as log:
            self.proc = subprocess.Popen(
                [
                    self.executable,
                    "--port",
                    str(self.port),
                    "--bind",
                    HOST,
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.folder),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited at start: {self.log_tail()}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), 1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not answer in {timeout} s")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return (self.folder / "redis.log").read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
