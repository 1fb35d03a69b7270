"""The rate limits as deployed: the real app under gunicorn with 2 workers on loopback, its counts
in a real Redis server started here (on a free loopback port, nothing on disk).

- The login limit (10 per minute) holds exactly across both workers with Redis; with memory://
  every worker counts for itself, which is why production refuses it.
- The client address: X-Forwarded-For is ignored without trusted proxies; with
  WIJSCAN_TRUSTED_PROXIES=1 two clients behind one proxy get a limit each, and what a client
  puts in the header itself does not move it.
- Codes: a class of 30 behind one school address typing codes, some mistyped, is never blocked;
  one browser guessing waits while everybody else at the address goes on; a client that drops
  its cookies and passes the address ceiling is logged, and still cannot block a valid code.

Every test talks from its own loopback address (127.0.0.x: a school, a proxy), so their counts
never meet. In CI a missing redis-server fails the module instead of skipping it.
"""

from __future__ import annotations

import random
import re
import shutil
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.conftest import need
from tests.load.server import (
    Gunicorn,
    RedisServer,
    app_for,
    dispose,
    migrate,
    open_class_scans,
    sqlite_url,
)

pytestmark = pytest.mark.load

WORKERS = 2
LOGIN_LIMIT = 10  # the default LOGIN_RATE_LIMIT, per minute
#: The servers that only show whose address counts use a lower one: every login attempt that
#: is let through costs an argon2 hash.
LOW_LOGIN_LIMIT = 3
BROWSER_LIMIT = 10  # the default CODE_RATE_LIMIT (wrong codes per browser), per minute
ADDRESS_CEILING = 300  # the default CODE_ADDRESS_RATE_LIMIT (wrong codes per address)
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # wijscan.services.scans.CODE_ALPHABET
TIMEOUT = (5.0, 30.0)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CEILING_LOGGED = "passed the address ceiling"


class _From(HTTPAdapter):
    """Connections from one loopback address of our choosing (127.0.0.0/8 is all loopback)."""

    def __init__(self, source: str):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


class Browser:
    """One browser (a cookie jar) at one address; with ``cookies=False`` it drops every cookie,
    as a guessing script would."""

    def __init__(self, server: Gunicorn, source: str, *, cookies: bool = True):
        self.base = server.url
        self.cookies = cookies
        self.http = requests.Session()
        self.http.mount("http://", _From(source))
        self.token: str | None = None

    def send(self, method: str, path: str, data=None, headers=None) -> requests.Response:
        if not self.cookies:
            self.http.cookies.clear()
        response = self.http.request(
            method,
            self.base + path,
            data=data,
            headers=headers,
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        if match := CSRF.search(response.text):
            self.token = match.group(1)
        return response

    def get(self, path: str, headers=None) -> requests.Response:
        return self.send("GET", path, headers=headers)

    def post(self, path: str, data: dict | None = None, headers=None) -> requests.Response:
        return self.send("POST", path, {**(data or {}), "csrf_token": self.token}, headers)

    def close(self) -> None:
        self.http.close()


def _mistyped(code: str, rng: random.Random) -> str:
    at = rng.randrange(len(code))
    other = rng.choice([c for c in ALPHABET if c != code[at]])
    return code[:at] + other + code[at + 1 :]


def _random_code(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(9))


def _enter(browser: Browser, code: str) -> None:
    """Type the code on the code form and press "Beginnen" on the intro: at page 1."""
    assert browser.get("/s").status_code == 200
    typed = browser.post("/s", {"code": code})
    assert typed.status_code == 302, typed.status_code
    assert typed.headers["Location"].endswith(f"/s/{code}")
    intro = browser.get(f"/s/{code}")
    assert intro.status_code == 200, intro.status_code
    started = browser.post(f"/s/{code}")
    assert started.status_code == 302, started.status_code
    assert started.headers["Location"].endswith(f"/s/{code}/1")


def _save(browser: Browser, code: str, number: int, items: list[str]) -> None:
    page = browser.get(f"/s/{code}/{number}")
    assert page.status_code == 200, page.status_code
    saved = browser.post(f"/s/{code}/{number}", {**dict.fromkeys(items, "3"), "nav": "next"})
    assert saved.status_code == 302, saved.status_code
    assert saved.headers["Location"].endswith(f"/s/{code}/{number + 1}")


def _login_attempts(
    server: Gunicorn, source: str, headers: list[dict[str, str]], threads: int = 6
) -> Counter:
    """POST a wrong password once per entry of ``headers`` (sent with it), from ``threads``
    browsers at once (each with its own session and CSRF token); the statuses."""
    per_thread = [headers[i::threads] for i in range(threads)]

    def browser_attempts(mine: list[dict[str, str]]) -> list[int]:
        browser = Browser(server, source)
        try:
            assert browser.get("/inloggen").status_code == 200
            return [
                browser.post(
                    "/inloggen", {"email": "niemand@school.test", "password": "fout"}, header
                ).status_code
                for header in mine
            ]
        finally:
            browser.close()

    with ThreadPoolExecutor(threads) as pool:
        return Counter(s for statuses in pool.map(browser_attempts, per_thread) for s in statuses)


def _passed(statuses: Counter) -> int:
    """The attempts the login form looked at (anything but 429; never an error)."""
    assert all(status < 500 for status in statuses), statuses
    return sum(n for status, n in statuses.items() if status != 429)


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis(tmp_path_factory):
    executable = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    need(executable is not None, "redis-server (Debian package redis-server)")
    with RedisServer(executable, tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A migrated SQLite database with two classes under a personal scan (30 and 20 students),
    and the item ids of the questionnaire's first two pages."""
    url = sqlite_url(tmp_path_factory.mktemp("ratelimit-db") / "wijscan.sqlite3")
    app = app_for(url, tmp_path_factory.mktemp("ratelimit-instance"))
    try:
        migrate(app)
        scans = open_class_scans(app, [30, 20])
        content = app.extensions["wijscan_content"]
        pages = [
            [item.id for item in theme.items]
            for instrument in ("klas", "individu")
            for theme in content.instruments[instrument].themes
        ]
        yield {
            "url": url,
            "class": list(scans[0].codes),
            "other": list(scans[1].codes),
            "pages": pages,
        }
    finally:
        dispose(app)


def _serve(world, tmp_path_factory, name: str, **env: str):
    folder = tmp_path_factory.mktemp(name)
    server = Gunicorn(world["url"], folder / "gunicorn.log", workers=WORKERS, extra_env=env)
    server.start()
    return server


@pytest.fixture(scope="module")
def direct(world, redis, tmp_path_factory):
    """Clients connect to the app themselves (no proxy: TRUSTED_PROXIES 0); counts in Redis."""
    server = _serve(world, tmp_path_factory, "direct", WIJSCAN_RATELIMIT_STORAGE_URI=redis.url)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proxied(world, redis, tmp_path_factory):
    """The app behind one reverse proxy (WIJSCAN_TRUSTED_PROXIES=1); counts in Redis (another
    database of it than ``direct``'s)."""
    server = _serve(
        world,
        tmp_path_factory,
        "proxied",
        WIJSCAN_RATELIMIT_STORAGE_URI=redis.url.rsplit("/", 1)[0] + "/1",
        WIJSCAN_TRUSTED_PROXIES="1",
        WIJSCAN_LOGIN_RATE_LIMIT=f"{LOW_LOGIN_LIMIT} per minute",
    )
    yield server
    server.stop()


# --- the login limit and the store ---------------------------------------------------------------


def test_the_login_limit_holds_across_two_workers_with_redis(direct):
    statuses = _login_attempts(direct, "127.0.0.20", [{}] * 30)
    assert _passed(statuses) == LOGIN_LIMIT, statuses


def test_with_memory_every_worker_counts_for_itself(world, tmp_path_factory):
    """What production refuses (below): 2 workers, 2 counts. Not in production mode (it would not
    start), so that the failure it prevents can be seen."""
    server = _serve(
        world,
        tmp_path_factory,
        "memory",
        WIJSCAN_RATELIMIT_STORAGE_URI="memory://",
        WIJSCAN_LOGIN_RATE_LIMIT=f"{LOW_LOGIN_LIMIT} per minute",
    )
    try:
        statuses = _login_attempts(server, "127.0.0.40", [{}] * 5 * LOW_LOGIN_LIMIT)
    finally:
        server.stop()
    # Each worker lets its own 3 through; both workers took some of the attempts at once.
    assert LOW_LOGIN_LIMIT < _passed(statuses) <= WORKERS * LOW_LOGIN_LIMIT, statuses


def test_production_refuses_to_count_per_process(world, tmp_path: Path):
    server = Gunicorn(
        world["url"],
        tmp_path / "gunicorn.log",
        workers=WORKERS,
        extra_env={"WIJSCAN_ENV": "production", "WIJSCAN_RATELIMIT_STORAGE_URI": "memory://"},
    )
    with pytest.raises(RuntimeError, match="gunicorn exited at start"):
        server.start()
    server.stop()
    log = server.log_tail(20_000)
    assert "WIJSCAN_RATELIMIT_STORAGE_URI is memory://" in log
    assert "WIJSCAN_RATELIMIT_ALLOW_MEMORY=true" in log


# --- whose address ------------------------------------------------------------------------------


def test_forwarded_for_from_a_direct_client_is_ignored(direct):
    spoofed = [{"X-Forwarded-For": f"10.9.{i}.{i}"} for i in range(20)]
    statuses = _login_attempts(direct, "127.0.0.21", spoofed)
    assert _passed(statuses) == LOGIN_LIMIT, statuses


def test_behind_a_trusted_proxy_every_client_has_a_limit_of_its_own(proxied):
    # The test is the proxy (127.0.0.30): it appends the address of the client it serves.
    first = _login_attempts(
        proxied, "127.0.0.30", [{"X-Forwarded-For": "10.1.0.1"}] * 3 * LOW_LOGIN_LIMIT
    )
    second = _login_attempts(
        proxied, "127.0.0.30", [{"X-Forwarded-For": "10.1.0.2"}] * 3 * LOW_LOGIN_LIMIT
    )
    assert _passed(first) == LOW_LOGIN_LIMIT, first
    assert _passed(second) == LOW_LOGIN_LIMIT, second
    # A client behind the proxy that writes the header itself: the proxy appends the real
    # address, and only that one (the last) is trusted.
    spoofing = [{"X-Forwarded-For": f"6.6.{i}.6, 10.1.0.3"} for i in range(3 * LOW_LOGIN_LIMIT)]
    third = _login_attempts(proxied, "127.0.0.30", spoofing)
    assert _passed(third) == LOW_LOGIN_LIMIT, third


# --- codes --------------------------------------------------------------------------------------


def test_a_class_behind_one_address_typing_codes_is_never_blocked(direct, world):
    """30 students at once from one school address, each mistyping their code twice (60 wrong
    codes from the address, spread among the valid ones): every typo gets the calm 404, every
    student gets in and saves the first page."""
    items = world["pages"][0]
    seeds = random.Random(4)

    def student(job: tuple[str, int]) -> list[int]:
        code, seed = job
        rng = random.Random(seed)
        browser = Browser(direct, "127.0.0.10")
        try:
            assert browser.get("/s").status_code == 200
            typos = [browser.post("/s", {"code": _mistyped(code, rng)}).status_code for _ in "12"]
            _enter(browser, code)
            _save(browser, code, 1, items)
            return typos
        finally:
            browser.close()

    jobs = [(code, seeds.randrange(10**6)) for code in world["class"]]
    with ThreadPoolExecutor(10) as pool:
        typos = Counter(s for statuses in pool.map(student, jobs) for s in statuses)
    assert typos == {404: 60}, typos
    assert CEILING_LOGGED not in direct.log_tail(200_000)


def test_one_browser_guessing_waits_and_nobody_else_at_its_address(direct, world):
    items = world["pages"]
    codes = world["other"]
    school = "127.0.0.11"
    answering = [Browser(direct, school) for _ in range(5)]
    for browser, code in zip(answering, codes, strict=False):
        _enter(browser, code)
        _save(browser, code, 1, items[0])
    guesser = Browser(direct, school)
    rng = random.Random(75)
    assert guesser.get("/s").status_code == 200
    guesses = [guesser.post("/s", {"code": _random_code(rng)}).status_code for _ in range(80)]
    assert guesses == [404] * BROWSER_LIMIT + [429] * (80 - BROWSER_LIMIT)
    # The same count on every route that takes a code; the page says to wait.
    hopped = guesser.get(f"/s/{_random_code(rng)}")
    assert hopped.status_code == 429
    assert "Te veel pogingen" in hopped.text
    assert guesser.get(f"/s/{_random_code(rng)}/1").status_code == 429
    # Students who are answering save their pages; others at the address start, typos and all.
    for browser, code in zip(answering, codes, strict=False):
        _save(browser, code, 2, items[1])
    for code in codes[5:10]:
        newcomer = Browser(direct, school)
        assert newcomer.get("/s").status_code == 200
        assert newcomer.post("/s", {"code": _mistyped(code, rng)}).status_code == 404
        _enter(newcomer, code)
        newcomer.close()
    # Even the guessing browser is not refused a valid code: only wrong ones wait.
    _enter(guesser, codes[10])
    for browser in [*answering, guesser]:
        browser.close()


def test_a_cookie_dropping_guesser_cannot_block_a_valid_code(direct, world):
    items = world["pages"]
    codes = world["other"][11:]
    school = "127.0.0.12"
    answering = [Browser(direct, school) for _ in range(2)]
    for browser, code in zip(answering, codes, strict=False):
        _enter(browser, code)
        _save(browser, code, 1, items[0])
    rng = random.Random(300)
    guesses = [_random_code(rng) for _ in range(ADDRESS_CEILING + 20)]

    def guess(chunk: list[str]) -> list[int]:
        script = Browser(direct, school, cookies=False)  # a new browser id at every request
        try:
            return [script.get(f"/s/{code}").status_code for code in chunk]
        finally:
            script.close()

    with ThreadPoolExecutor(4) as pool:
        answers = Counter(
            s for part in pool.map(guess, [guesses[i::4] for i in range(4)]) for s in part
        )
    assert answers == {404: ADDRESS_CEILING, 429: 20}, answers
    assert CEILING_LOGGED in direct.log_tail(200_000)
    assert school in direct.log_tail(200_000)
    # A valid code still opens, from a fresh browser as from one without cookies ...
    assert Browser(direct, school, cookies=False).get(f"/s/{codes[2]}").status_code == 200
    newcomer = Browser(direct, school)
    _enter(newcomer, codes[3])
    _save(newcomer, codes[3], 1, items[0])
    # ... students who are answering go on ...
    for browser, code in zip(answering, codes, strict=False):
        _save(browser, code, 2, items[1])
    # ... and a typo at this address now gets "even wachten" instead of "klopt niet".
    assert newcomer.post("/s", {"code": _mistyped(codes[4], rng)}).status_code == 429
    _enter(newcomer, codes[4])
    for browser in [*answering, newcomer]:
        browser.close()
