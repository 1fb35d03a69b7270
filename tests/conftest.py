"""Shared fixtures: one migrated database per test session (SQLite, or PostgreSQL when
WIJSCAN_TEST_DATABASE_URL is set), emptied after every test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from wijscan import create_app
from wijscan.extensions import db as _db

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need(condition: bool, reason: str) -> None:
    """Skip a test whose tool is missing locally; in CI a missing tool is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


def postgres_server_url() -> str | None:
    """A PostgreSQL server for tests that need one whatever the suite runs on:
    WIJSCAN_TEST_POSTGRES_URL, else the suite's own database when that is PostgreSQL."""
    url = os.environ.get("WIJSCAN_TEST_POSTGRES_URL") or None
    whole_suite = os.environ.get("WIJSCAN_TEST_DATABASE_URL", "")
    if url is None and whole_suite.startswith("postgresql"):
        url = whole_suite
    return url


def _postgres_database(url: str) -> str:
    """A fresh, empty database on the server of ``url`` for this test session."""
    base = make_url(url)
    name = f"wijscan_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    pg = os.environ.get("WIJSCAN_TEST_DATABASE_URL")
    if pg:
        return _postgres_database(pg)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production: its own ``g``, its own
    database session, even while the test holds an app context open for its fixtures."""

    def open(self, *args, **kwargs):
        if has_app_context():
            # End the test's own transaction so the request, and the test's next read after it,
            # see the database as it is (SQLite readers keep the snapshot they started with).
            _db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


#: Every app the tests build, so that their connection pools are closed at the end of the session
#: (an open psycopg connection left to the garbage collector is a ResourceWarning, an error here).
_APPS: list = []


@pytest.fixture(scope="session", autouse=True)
def _close_every_pool():
    yield
    for app in _APPS:
        with app.app_context():
            _db.engine.dispose()


def make_test_app(database_url: str, tmp_path_factory, **overrides):
    config = {
        "TESTING": True,
        "ENV_NAME": "testing",
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATE_LIMITS": False,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = FreshContextClient
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    _APPS.append(app)
    return app


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from flask_migrate import upgrade

    app = make_test_app(database_url, tmp_path_factory)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request) -> Iterator[None]:
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        _db.session.remove()
        with _db.engine.begin() as conn:
            for table in reversed(_db.metadata.sorted_tables):
                conn.execute(table.delete())
        app.extensions["wijscan_outbox"].clear()


@pytest.fixture
def db(app):
    with app.app_context():
        yield _db
        _db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- small factories ----------------------------------------------------------------------------


class Factory:
    """Builds schools, staff and classes for tests; flushes and commits so the app sees them."""

    password = "correct horse battery"

    def __init__(self, db):
        self.db = db

    def school(self, name="Testschool"):
        from wijscan.models import School, SchoolYear

        school = School(name=name, town="Utrecht")
        school.years.append(
            SchoolYear(name="2026-2027", starts_on=date(2026, 8, 1), ends_on=date(2027, 7, 31))
        )
        self.db.session.add(school)
        self.db.session.commit()
        return school

    def staff(self, school, role, email=None, name="Staff Member", is_admin=False):
        from wijscan.services import accounts

        email = email or f"{role or 'admin'}-{uuid.uuid4().hex[:6]}@school.test"
        user = accounts.ensure_staff(
            email=email,
            name=name,
            school_id=school.id if school else None,
            role=role,
            is_admin=is_admin,
        )
        accounts.set_password(user, self.password)
        self.db.session.commit()
        return user

    def klas(self, school, name="2B", leerjaar=2, stream="havo", mentors=()):
        from wijscan.models import Klas

        klas = Klas(school_id=school.id, name=name, leerjaar=leerjaar, stream=stream)
        klas.mentors.extend(mentors)
        self.db.session.add(klas)
        self.db.session.commit()
        return klas

    def student(self, school, klas=None, nummer=None, roepnaam="Sam", achternaam="Jansen"):
        from wijscan.models import Student

        student = Student(
            school_id=school.id,
            leerlingnummer=nummer or uuid.uuid4().hex[:8],
            roepnaam=roepnaam,
            achternaam=achternaam,
            klas_id=klas.id if klas else None,
        )
        self.db.session.add(student)
        self.db.session.commit()
        return student


@pytest.fixture
def make(db):
    return Factory(db)


def login(client, user, password=Factory.password):
    """Log ``user`` in through the login page. Where the user needs a second step (the
    beheerder, a school that requires it, or two-step login switched on), it is passed too: the
    set-up with the key from the page, or a code from the stored secret."""
    response = client.post("/inloggen", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    if location.endswith("/inloggen/tweestaps-instellen"):
        response = _set_up_second_step(client)
    elif location.endswith("/inloggen/code"):
        response = client.post("/inloggen/code", data={"code": _fresh_code(client, user)})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def _set_up_second_step(client):
    import re

    import pyotp

    page = client.get("/inloggen/tweestaps-instellen").get_data(as_text=True)
    key = re.search(r'id="secret-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    response = client.post("/inloggen/tweestaps-instellen", data={"code": pyotp.TOTP(key).now()})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "herstelcodes" in response.get_data(as_text=True).lower()
    return response


def _fresh_code(client, user) -> str:
    """A code of this moment for the user's stored secret. Tests log in many times within one
    30-second step, so the last used step is forgotten first (else the code is a replay)."""
    import pyotp
    from sqlalchemy import update

    from wijscan.models import User
    from wijscan.services.sealed import unseal

    if has_app_context():
        _db.session.commit()  # the test's own transaction, as FreshContextClient does
    with client.application.app_context():
        _db.session.execute(update(User).where(User.id == user.id).values(totp_last_step=0))
        secret = unseal(_db.session.get(User, user.id).totp_secret)
        _db.session.commit()
    return pyotp.TOTP(secret).now()
