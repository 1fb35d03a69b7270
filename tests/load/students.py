"""Simulated students answering a personal scan over HTTP, as a phone would: a cookie jar, a GET of
every page before its POST (for the CSRF token), and the mishaps of a real classroom — a double
tap on the button, a request retried after the phone gave up waiting, going back a page to change
an answer, closing the browser halfway and starting again with the code (resume).

Every student records what it sent and what the server acknowledged (a 302 to where the flow goes
next). The test then compares that record with the database.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

#: Connect and read timeouts of an ordinary request: generous, but every request ends.
TIMEOUT = (5.0, 30.0)
#: The read timeout of a request the phone gives up on (the server still gets it, and may
#: process it after the retry: a "zombie" request).
IMPATIENT = (5.0, 0.001)

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RADIO = re.compile(r'<input type="radio"[^>]*>')
RADIO_NAME = re.compile(r'\bname="([^"]+)"')
RADIO_VALUE = re.compile(r'\bvalue="(\d+)"')
RADIO_CHECKED = re.compile(r"\schecked\b")


def radios_of(html: str) -> list[tuple[str, str, bool]]:
    """(name, value, checked) of every radio button of a page, whatever its attributes' order."""
    return [
        (
            RADIO_NAME.search(tag).group(1),
            RADIO_VALUE.search(tag).group(1),
            RADIO_CHECKED.search(tag) is not None,
        )
        for tag in RADIO.findall(html)
    ]


Values = dict[str, int | None]  # item id -> 1..5, or None for a skipped item


@dataclass(frozen=True)
class Behaviour:
    """How often things go wrong. Probabilities per POST, per page or per student."""

    skip: float = 0.08  # per item: left empty
    double: float = 0.10  # per POST: sent twice (half at once, half one after the other)
    impatient: float = 0.04  # per request: given up on after 1 ms and sent again
    go_back: float = 0.08  # per page from 2: "Vorige", look at the page, maybe change, on again
    change_on_back: float = 0.6  # when going back: change one answer
    restart: float = 0.15  # per student: close the browser halfway and start again with the code
    restart_after_outage: float = 0.5  # per connection lost to a crash: start again with the code


class StudentFailed(Exception):
    """This student cannot go on; the reason is already in the run's failures."""


class ServerGone(Exception):
    """A request failed because the test killed the server; the caller retries."""


@dataclass
class Outage:
    """When the test killed the server and when it answered again (monotonic seconds)."""

    killed_at: float | None = None
    ready_at: float | None = None

    def caused(self, started: float, failed: float) -> bool:
        """Whether a request started at ``started`` that failed at ``failed`` is ours."""
        if self.killed_at is None or failed < self.killed_at:
            return False
        return self.ready_at is None or started < self.ready_at


@dataclass
class PageRecord:
    """What one student sent for one page and what the server acknowledged."""

    last_sent: Values | None = None
    last_acked: Values | None = None
    acked_at: float | None = None
    #: Values sent since the last acknowledgement (in flight, given up on or lost in a crash):
    #: the database may hold any of them, or the acknowledged values.
    unconfirmed: list[Values] = field(default_factory=list)
    #: A send whose outcome we never learnt: the page's values must not change any more.
    doubtful: bool = False

    def candidates(self) -> list[dict[str, int]]:
        """What the database may hold for this page (a page is saved whole or not at all): the
        acknowledged answers (nothing before any), or one of the sends since then."""
        options = [self.last_acked or {}, *self.unconfirmed]
        found: list[dict[str, int]] = []
        for values in options:
            given = {k: v for k, v in values.items() if v is not None}
            if given not in found:
                found.append(given)
        return found

    def copy(self) -> PageRecord:
        return PageRecord(
            self.last_sent,
            self.last_acked,
            self.acked_at,
            list(self.unconfirmed),
            self.doubtful,
        )


class Run:
    """Shared state of one load run: failures, counters, the outage and the students' records."""

    def __init__(self, base_url: str, pages: list[list[str]], seed: int, deadline: float):
        self.base_url = base_url
        self.pages = pages  # page number - 1 -> item ids
        self.seed = seed
        self.deadline = deadline
        self.lock = threading.Lock()
        self.failures: list[str] = []
        self.stats: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.outage = Outage()
        self.acks = 0
        self.ack_waiters: list[tuple[int, threading.Event]] = []
        self.students: list[Student] = []

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)

    def count(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.stats[key] += n

    def acknowledged(self) -> None:
        with self.lock:
            self.acks += 1
            for threshold, event in self.ack_waiters:
                if self.acks >= threshold:
                    event.set()

    def when_acks(self, threshold: int) -> threading.Event:
        event = threading.Event()
        with self.lock:
            self.ack_waiters.append((threshold, event))
            if self.acks >= threshold:
                event.set()
        return event


class Student:
    def __init__(self, run: Run, index: int, code: str, behaviour: Behaviour):
        self.run = run
        self.index = index
        self.code = code
        self.b = behaviour
        self.rng = random.Random(f"{run.seed}-{index}")
        self.page_count = len(run.pages)
        self.intended: list[Values] = [
            {item: self._answer() for item in items} for items in run.pages
        ]
        self.records = [PageRecord() for _ in run.pages]
        self.finished = False
        self.http: requests.Session | None = None
        self.csrf: str | None = None
        self.restart_at = (
            self.rng.randint(2, self.page_count - 1) if self.rng.random() < self.b.restart else None
        )
        self.back_at = {
            p for p in range(2, self.page_count + 1) if self.rng.random() < self.b.go_back
        }

    def _answer(self) -> int | None:
        return None if self.rng.random() < self.b.skip else self.rng.randint(1, 5)

    # --- plumbing ---------------------------------------------------------------------------

    def fail(self, what: str) -> StudentFailed:
        self.run.fail(f"student {self.index} ({self.code}): {what}")
        return StudentFailed(what)

    def path(self, number: int | None = None) -> str:
        return f"/s/{self.code}" + (f"/{number}" if number is not None else "")

    def send(
        self,
        method: str,
        path: str,
        data: dict | None = None,
        *,
        session: requests.Session | None = None,
        timeout=TIMEOUT,
    ) -> requests.Response:
        """One request. Raises ServerGone for a failure the test caused (a crash or our own
        impatience), StudentFailed (recorded) for any other."""
        if time.monotonic() > self.run.deadline:
            raise self.fail(f"out of time before {method} {path}")
        http = session or self.http
        started = time.monotonic()
        try:
            response = http.request(
                method, self.run.base_url + path, data=data, timeout=timeout, allow_redirects=False
            )
        except requests.exceptions.ReadTimeout as error:
            if timeout is IMPATIENT:
                self.run.count("impatient requests (given up after 1 ms)")
                raise ServerGone("impatient") from error
            raise self.fail(f"{method} {path}: timed out after {timeout[1]} s") from error
        # A body cut off halfway (ChunkedEncodingError) is a connection lost like any other.
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
        ) as error:
            failed = time.monotonic()
            if self.run.outage.caused(started, failed):
                self.run.count("connections lost to the crash")
                raise ServerGone("crash") from error
            raise self.fail(f"{method} {path}: connection error {error!r}") from error
        elapsed = time.monotonic() - started
        with self.run.lock:
            self.run.latencies.append(elapsed)
            self.run.stats[f"{method} {response.status_code}"] += 1
        if response.status_code >= 500:
            raise self.fail(f"{method} {path}: {response.status_code}\n{response.text[:300]}")
        return response

    def patient(self, action: Callable[[], object]) -> object:
        """Run ``action`` until it gets an answer, waiting out a server the test killed."""
        while True:
            try:
                return action()
            except ServerGone:
                time.sleep(0.05 + 0.1 * self.rng.random())

    def new_jar(self) -> None:
        if self.http is not None:
            self.http.close()
        self.http = requests.Session()
        self.csrf = None

    def close(self) -> None:
        if self.http is not None:
            self.http.close()
            self.http = None

    def where(self, response: requests.Response) -> str:
        if response.status_code != 302:
            return f"<{response.status_code}>"
        return urlsplit(response.headers.get("Location", "")).path

    def ended_earlier(self, response: requests.Response) -> bool:
        """A 404 after a send of the last page whose answer we never got (given up on, or lost
        in the crash): that send finished the scan. (The end checks make sure it did.)"""
        if response.status_code == 404 and self.records[-1].doubtful:
            self.finished = True
            self.run.count("404 after the last page was sent (already finished)")
            return True
        return False

    # --- the flow ---------------------------------------------------------------------------

    def enter(self) -> int | None:
        """Open the intro with the code in a fresh cookie jar and press the button; the page the
        server sends us to (None when the code already finished)."""
        self.new_jar()

        def get():
            return self.send("GET", self.path())

        response = self.patient(get)
        if self.ended_earlier(response):
            return None
        if response.status_code != 200:
            raise self.fail(f"GET intro: {response.status_code}")
        self.csrf = CSRF.search(response.text).group(1)

        def post():
            return self.send("POST", self.path(), {"csrf_token": self.csrf})

        response = self.patient(post)
        if self.ended_earlier(response):
            return None
        target = self.where(response)
        match = re.fullmatch(rf"/s/{self.code}/(\d+)", target)
        if not match:
            raise self.fail(f"POST intro went to {target}")
        return int(match.group(1))

    def resume(self) -> int | None:
        """Start again with the code (new browser): the server must send us to the first page we
        have not saved — after every acknowledged page, not past anything we never sent."""
        self.run.count("restarts from the intro (resume)")
        number = self.enter()
        if number is None:
            return None
        acked = [i + 1 for i, r in enumerate(self.records) if r.last_acked is not None]
        sent = [i + 1 for i, r in enumerate(self.records) if r.last_sent is not None]
        low = min(max(acked, default=0) + 1, self.page_count)
        high = min(max(sent, default=0) + 1, self.page_count)
        if not low <= number <= high:
            raise self.fail(f"resumed at page {number}, expected {low}..{high}")
        return number

    def open_page(self, number: int) -> bool:
        """GET a page: its CSRF token, its items, and the answers it shows. False when the code
        turned out to have finished already."""

        def get():
            return self.send(
                "GET", self.path(number), timeout=self.maybe_impatient(), session=self.http
            )

        response = self.patient(get)
        if self.ended_earlier(response):
            return False
        if response.status_code != 200:
            raise self.fail(f"GET page {number}: {response.status_code}")
        self.csrf = CSRF.search(response.text).group(1)
        radios = radios_of(response.text)
        names = {name for name, _, _ in radios}
        if names != set(self.run.pages[number - 1]):
            raise self.fail(f"page {number} asks {sorted(names)}")
        shown = {name: int(value) for name, value, checked in radios if checked}
        with self.run.lock:
            possible = self.records[number - 1].candidates()
        if shown not in possible:
            raise self.fail(f"page {number} shows {shown}, saved were one of {possible}")
        return True

    def maybe_impatient(self):
        return IMPATIENT if self.rng.random() < self.b.impatient else TIMEOUT

    def submit(self, number: int, nav: str) -> bool:
        """POST a page with its intended answers; True when acknowledged (302 to the right
        place), False when the code turned out to have finished already."""
        values = dict(self.intended[number - 1])
        record = self.records[number - 1]
        data = {"csrf_token": self.csrf, "nav": nav}
        data.update({k: str(v) for k, v in values.items() if v is not None})
        last = number == self.page_count and nav == "next"
        if last:
            expected = f"/s/{self.code}/klaar"
        elif nav == "back":
            expected = self.path(number - 1)
        else:
            expected = self.path(number + 1)

        def note_sent():
            with self.run.lock:
                record.last_sent = values
                record.unconfirmed.append(values)

        def note_acked():
            with self.run.lock:
                record.last_acked = values
                record.acked_at = time.monotonic()
                record.unconfirmed = []
            self.run.acknowledged()

        def outcome(response) -> str:
            if self.where(response) == expected:
                return "ack"
            if last and response.status_code == 404:
                return "finished"
            return "bad"

        while True:
            roll = self.rng.random()
            timeout = IMPATIENT if roll < self.b.impatient else TIMEOUT
            mode = "once"
            if timeout is TIMEOUT and roll < self.b.impatient + self.b.double:
                mode = "together" if self.rng.random() < 0.5 else "twice"
            note_sent()
            try:
                if mode == "together":
                    results = self.post_together(number, data)
                elif mode == "twice":
                    self.run.count("POSTs sent twice, one after the other")
                    first = self.send("POST", self.path(number), data, timeout=timeout)
                    if outcome(first) == "ack":
                        note_acked()
                    note_sent()
                    results = [first, self.send("POST", self.path(number), data)]
                else:
                    results = [self.send("POST", self.path(number), data, timeout=timeout)]
            except ServerGone as gone:
                record.doubtful = True
                self.run.count("POSTs with an unknown outcome")
                if str(gone) == "crash" and self.rng.random() < self.b.restart_after_outage:
                    return self.after_outage(number)
                time.sleep(0.02)
                continue
            kinds = [outcome(r) for r in results]
            if "bad" in kinds or ("ack" not in kinds and "finished" not in kinds):
                where = [self.where(r) for r in results]
                raise self.fail(f"POST page {number} ({nav}) went to {where}, not {expected}")
            if "ack" in kinds:
                note_acked()
            if "finished" in kinds:
                self.run.count("404 after the last page was sent (already finished)")
                if "ack" not in kinds and not record.doubtful:
                    raise self.fail(f"POST page {number}: 404 although never finished")
            if last:
                self.finished = True
            return True

    def post_together(self, number: int, data: dict) -> list[requests.Response]:
        """A double tap: the same POST twice at the same moment, from the same browser."""
        self.run.count("POSTs sent twice at once")
        twin = requests.Session()
        twin.cookies.update(self.http.cookies)
        result: dict[str, object] = {}

        def other():
            try:
                result["response"] = self.send("POST", self.path(number), data, session=twin)
            except (ServerGone, StudentFailed) as error:
                result["error"] = error

        thread = threading.Thread(target=other)
        thread.start()
        try:
            mine = self.send("POST", self.path(number), data)
        finally:
            thread.join(timeout=TIMEOUT[1] + 10)
            twin.close()
        if "error" in result:
            raise result["error"]
        return [mine, result["response"]]

    def after_outage(self, number: int) -> bool:
        """The connection died with the server: this student closes the browser and starts again
        with the code once the server is back."""
        self.run.count("restarts from the intro after the crash")
        resumed = self.resume()
        if resumed is None:
            return False
        self.jump_to = resumed
        return True

    # --- a student's whole session ----------------------------------------------------------

    jump_to: int | None = None

    def answer(self, number: int) -> int | None:
        """Answer page ``number``; the page to go to next (None at the end)."""
        if not self.open_page(number):
            return None
        if number in self.back_at:
            self.back_at.discard(number)
            return self.go_back(number)
        if not self.submit(number, "next") or self.finished:
            return None
        return self.take_jump(number + 1)

    def take_jump(self, default: int) -> int | None:
        if self.finished:
            return None
        if self.jump_to is not None:
            target, self.jump_to = self.jump_to, None
            return target
        return default

    def go_back(self, number: int) -> int | None:
        """ "Vorige" on page ``number`` (saving it), look at the page before, maybe change an
        answer there, and go on again."""
        self.run.count("went back a page")
        if not self.submit(number, "back") or self.finished:
            return None
        if self.jump_to is not None:
            return self.take_jump(number)
        previous = number - 1
        if not self.open_page(previous):
            return None
        record = self.records[previous - 1]
        if not record.doubtful and self.rng.random() < self.b.change_on_back:
            item = self.rng.choice(self.run.pages[previous - 1])
            old = self.intended[previous - 1][item]
            choices = [v for v in (None, 1, 2, 3, 4, 5) if v != old]
            self.intended[previous - 1] = {
                **self.intended[previous - 1],
                item: self.rng.choice(choices),
            }
            self.run.count("answers changed after going back")
        if not self.submit(previous, "next") or self.finished:
            return None
        return self.take_jump(number)

    def run_session(self) -> None:
        try:
            number = self.enter()
            if number != 1:
                raise self.fail(f"a fresh code starts at page {number}")
            restarted = False
            while number is not None and not self.finished:
                if not restarted and self.restart_at is not None and number >= self.restart_at:
                    restarted = True
                    number = self.resume()
                    continue
                number = self.answer(number)
            if not self.finished:
                raise self.fail("stopped before the end")
        except StudentFailed:
            pass
        except Exception as error:  # a bug in the simulation itself: report, do not hang
            self.run.fail(f"student {self.index}: {error!r}")
        finally:
            self.close()


def run_students(
    run: Run, codes: list[str], behaviour: Behaviour, concurrency: int = 50
) -> list[Student]:
    """All students, ``concurrency`` at a time, each in its own thread; returns when all ended."""
    students = [Student(run, i, code, behaviour) for i, code in enumerate(codes)]
    run.students = students
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="student") as pool:
        list(pool.map(lambda s: s.run_session(), students))
    return students
