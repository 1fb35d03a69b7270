"""The demo school: twelve classes, one account per role, two past rounds of plausible answers.

Everything is seeded, so two runs give the same school, the same students and the same answers.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import func, insert, select

from wijscan.content import Content, Instrument, Lesbrief
from wijscan.extensions import db
from wijscan.models import (
    AccessCode,
    Answer,
    Klas,
    LesbriefPlan,
    RespondentLink,
    Response,
    ResponseStatus,
    Role,
    Scan,
    ScanKind,
    ScanMode,
    ScanRound,
    ScanStatus,
    School,
    Student,
    User,
    utcnow,
)
from wijscan.services import accounts, results
from wijscan.services.setup import school_year_for

SEED = 20261123
DEMO_PASSWORD = "wijscan-demo"  # noqa: S105 - printed on purpose: demo accounts only

#: (email, name, role); role None with admin = beheerder
DEMO_ACCOUNTS = (
    ("coordinator@demo.wijscan.test", "Coördinator Demo", Role.COORDINATOR),
    ("mentor@demo.wijscan.test", "Mentor Demo", Role.DOCENT),
    ("zorg@demo.wijscan.test", "Zorgcoördinator Demo", Role.ZORG),
    ("beheer@demo.wijscan.test", "Beheerder Demo", None),
)

#: name, leerjaar, stream, size, how inclusive the class is on average (latent, answer points)
DEMO_CLASSES = (
    ("1K", 1, "vmbo-k", 24, -0.2),
    ("2H", 2, "havo", 28, 0.5),
    ("3V", 3, "vwo", 26, 0.9),
    ("1A", 1, "havo", 27, 0.3),
    ("1B", 1, "vmbo-gt", 25, 0.0),
    ("1C", 1, "vwo", 28, 0.6),
    ("2K", 2, "vmbo-k", 23, -0.1),
    ("2M", 2, "mavo", 25, 0.2),
    ("2V", 2, "vwo", 27, 0.7),
    ("3B", 3, "vmbo-b", 20, -0.3),
    ("3G", 3, "vmbo-gt", 24, 0.1),
    ("3H", 3, "havo", 26, 0.4),
)
#: The classes that taught the demo lesbrief (a democratie lesson for the onderbouw) between the
#: two past rounds, and how much more their democratie answers rose (answer points): half the
#: school did, so "Wat werkt" has two sides of six classes to compare on a fresh machine.
TAUGHT_CLASSES = ("1K", "1A", "1C", "2K", "2M", "3H")
TAUGHT_THEME = "democratie"
TAUGHT_GAIN = 0.4
#: How far students of one class differ in attitude (answer points, standard deviation).
SPREAD = 0.5
#: The share of students who should worry their mentor, and how much lower their attitude is.
WORRYING_SHARE, WORRYING_DROP = 0.06, 2.4
#: How much more firmly than other items respondents reject a critical item's statement.
CRITICAL_REJECTION = 2.0
#: Staff who answered the school instrument in the second round (anonymous).
STAFF_RESPONDENTS = 22

FIRST_NAMES = (
    "Aya",
    "Bram",
    "Chloë",
    "Daan",
    "Emma",
    "Finn",
    "Fleur",
    "Hamza",
    "Ilse",
    "Jesse",
    "Julia",
    "Lars",
    "Lina",
    "Luuk",
    "Maud",
    "Milan",
    "Mohammed",
    "Nina",
    "Noah",
    "Noor",
    "Olivier",
    "Quinten",
    "Rosa",
    "Sara",
    "Sem",
    "Sophie",
    "Thijs",
    "Tess",
    "Vera",
    "Yara",
    "Youssef",
    "Zoë",
    "Ayoub",
    "Lotte",
    "Mees",
    "Sanne",
    "Bilal",
    "Eva",
    "Ruben",
    "Fenna",
)


LAST_NAMES = (
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Kaya",
    "Yilmaz",
    "El Amrani",
    "Bouzid",
    "Pinas",
    "Nguyen",
    "Kok",
    "Jacobs",
    "Vermeulen",
    "Willems",
)


def database_is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(School)) == 0


def _split_name(full: str) -> tuple[str, str]:
    parts = full.split(" ")
    return " ".join(parts[:-1]), parts[-1]


def plausible_answers(
    rng: np.random.Generator,
    instrument: Instrument,
    latent: np.ndarray,
    theme_gain: dict[str, float] | None = None,
) -> np.ndarray:
    """Answers (respondents × items, 0 = skipped) from each respondent's latent attitude;
    ``theme_gain`` raises the attitude on the items of some themes (a lesson that helped)."""
    points = instrument.scale.points
    items = instrument.items
    centre = (points + 1) / 2
    item_shift = rng.normal(0, 0.3, size=len(items))
    # Most respondents firmly reject the worrying statements of the critical items.
    item_shift += np.array([CRITICAL_REJECTION if item.critical else 0.0 for item in items])
    gain = np.array([(theme_gain or {}).get(t, 0.0) for t in instrument.item_theme])
    raw = (
        centre
        + latent[:, None]
        + (item_shift + gain)[None, :]
        + rng.normal(0, 0.8, (len(latent), len(items)))
    )
    values = np.clip(np.rint(raw), 1, points).astype(int)
    reverse = np.array([item.reverse for item in items])
    values[:, reverse] = points + 1 - values[:, reverse]
    values[rng.random(values.shape) < 0.02] = 0  # now and then an item is skipped
    return values


def create_demo(content: Content, today: date | None = None, report: dict | None = None) -> School:
    """Create the demo school, two closed past rounds with answers and an open one; flushes,
    does not commit. ``report`` (a dict), when given, gets "worrying": the ids of the students
    built to worry their mentor (about 6%), so a test can check what the signals find."""
    today = today or date.today()
    rng = np.random.default_rng(SEED)
    school = School(name="Demo-college", town="Utrecht")
    db.session.add(school)
    db.session.flush()
    school_year_for(school, today)

    users: dict[Role | None, User] = {}
    for email, name, role in DEMO_ACCOUNTS:
        user = accounts.ensure_staff(
            email=email,
            name=name,
            school_id=school.id if role else None,
            role=role,
            is_admin=role is None,
        )
        user.password_hash = accounts.hash_password(DEMO_PASSWORD)
        users[role] = user

    #: Two closed rounds before the open one: the reports have a history and a change to show.
    past_rounds = []
    for name, opens, closes in (("Meetmoment 1", 84, 70), ("Meetmoment 2", 42, 28)):
        past_rounds.append(
            ScanRound(
                school_id=school.id,
                school_year_id=school_year_for(school, today - timedelta(days=opens)).id,
                name=name,
                opens_on=today - timedelta(days=opens),
                closes_on=today - timedelta(days=closes),
            )
        )
    current = ScanRound(
        school_id=school.id,
        school_year_id=school_year_for(school, today).id,
        name="Meetmoment 3",
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=20),
    )
    db.session.add_all([*past_rounds, current])
    db.session.flush()

    number = 100_000
    taught = _demo_lesbrief(content)
    for index, (name, leerjaar, stream, size, mood) in enumerate(DEMO_CLASSES):
        klas = Klas(school_id=school.id, name=name, leerjaar=leerjaar, stream=stream)
        klas.mentors.append(users[Role.DOCENT] if index < 2 else users[Role.COORDINATOR])
        db.session.add(klas)
        db.session.flush()
        students = []
        for _ in range(size):
            number += int(rng.integers(1, 40))
            tussen, achter = _split_name(str(rng.choice(LAST_NAMES)))
            students.append(
                Student(
                    school_id=school.id,
                    leerlingnummer=str(number),
                    roepnaam=str(rng.choice(FIRST_NAMES)),
                    tussenvoegsel=tussen,
                    achternaam=achter,
                    klas_id=klas.id,
                )
            )
        db.session.add_all(students)
        db.session.flush()
        worrying = {s.id for s in students if rng.random() < WORRYING_SHARE}
        if report is not None:
            report.setdefault("worrying", set()).update(worrying)
        teaches = taught is not None and name in TAUGHT_CLASSES
        for step, past in enumerate(past_rounds):
            # The classes grow a little between rounds (what a year of lessons should do); the
            # first class a little more, so its report shows a clear change.
            shift = step * (1.3 if index == 0 else 0.2)
            gain = {TAUGHT_THEME: TAUGHT_GAIN} if teaches and step > 0 else None
            _past_student_scan(
                rng,
                content,
                school,
                past,
                klas,
                students,
                mood + shift,
                users[Role.DOCENT],
                gain,
                worrying,
            )
        if teaches:
            db.session.add(
                LesbriefPlan(
                    school_id=school.id,
                    klas_id=klas.id,
                    lesbrief_id=taught.id,
                    planned_by_id=klas.mentors[0].id,
                    planned_on=past_rounds[0].closes_on + timedelta(days=7),
                    taught_on=past_rounds[0].closes_on + timedelta(days=7),
                    rating=4,
                    reflection="Goed gesprek; de afspraken hangen nu in de klas.",
                )
            )
    _past_staff_scan(rng, content, school, past_rounds[1], users[Role.COORDINATOR])
    db.session.flush()
    return school


def _demo_lesbrief(content: Content) -> Lesbrief | None:
    """The lesbrief the demo's classes taught: of TAUGHT_THEME, for every demo class."""
    grades = {leerjaar for _, leerjaar, _, _, _ in DEMO_CLASSES}
    streams = {stream for _, _, stream, _, _ in DEMO_CLASSES}
    fitting = [
        b
        for b in content.lesbrieven
        if b.theme == TAUGHT_THEME and grades <= set(b.grades) and streams <= set(b.streams)
    ]
    return min(fitting, key=lambda b: (4 not in b.levels, b.id)) if fitting else None


def _backdate(scan: Scan, scan_round: ScanRound) -> None:
    """A past scan opened on the round's first day and closed on its last."""
    scan.created_at = datetime.combine(scan_round.opens_on, time(8, 30), tzinfo=UTC)
    scan.closed_at = datetime.combine(scan_round.closes_on, time(16, 0), tzinfo=UTC)


def _past_staff_scan(rng, content, school, scan_round, coordinator) -> None:
    instrument = content.instruments["school"]
    scan = Scan(
        school_id=school.id,
        round_id=scan_round.id,
        klas_id=None,
        kind=ScanKind.MEDEWERKER,
        mode=ScanMode.ANONYMOUS,
        status=ScanStatus.OPEN,
        instruments=instrument.id,
        opened_by_id=coordinator.id,
    )
    db.session.add(scan)
    db.session.flush()
    db.session.add(AccessCode(scan_id=scan.id, code=f"DEMOSTAFF{scan.id}"))
    latent = rng.normal(-0.1, 0.7, size=STAFF_RESPONDENTS)
    answers = plausible_answers(rng, instrument, latent)
    finished = datetime.combine(scan_round.closes_on, time(12, 0), tzinfo=UTC)
    respondents = [
        str(uuid.UUID(int=int(rng.integers(0, 2**63)) << 64 | row, version=4))
        for row in range(STAFF_RESPONDENTS)
    ]
    _final_responses(scan, instrument, respondents, answers, finished)
    results.close_scan(scan, content)
    _backdate(scan, scan_round)


def _past_student_scan(
    rng, content, school, scan_round, klas, students, mood, mentor, gain=None, worrying=()
) -> None:
    instruments = [content.instruments["klas"], content.instruments["individu"]]
    scan = Scan(
        school_id=school.id,
        round_id=scan_round.id,
        klas_id=klas.id,
        kind=ScanKind.LEERLING,
        mode=ScanMode.PERSONAL,
        status=ScanStatus.OPEN,
        instruments=" ".join(i.id for i in instruments),
        opened_by_id=mentor.id,
    )
    db.session.add(scan)
    db.session.flush()
    # Most students take part; a few are absent that day.
    present = [s for s in students if rng.random() > 0.08]
    latent = rng.normal(mood, SPREAD, size=len(present))
    # the students who should worry their mentor (the same in every round)
    latent[[student.id in worrying for student in present]] -= WORRYING_DROP
    answers = {i.id: plausible_answers(rng, i, latent, gain) for i in instruments}
    finished = utcnow() - timedelta(days=(date.today() - scan_round.closes_on).days + 3)
    respondents = []
    for row, student in enumerate(present):
        respondent = str(uuid.UUID(int=int(rng.integers(0, 2**63)) << 64 | row, version=4))
        db.session.add(
            RespondentLink(respondent_id=respondent, scan_id=scan.id, student_id=student.id)
        )
        db.session.add(
            AccessCode(
                scan_id=scan.id,
                code=f"DEMO{scan.id}{row:03d}",
                respondent_id=respondent,
                used_at=finished,
            )
        )
        respondents.append(respondent)
    for instrument in instruments:
        _final_responses(scan, instrument, respondents, answers[instrument.id], finished)
    results.close_scan(scan, content)
    _backdate(scan, scan_round)


def _final_responses(scan, instrument, respondents, answers, finished) -> None:
    """Finished responses of ``respondents`` (row i of ``answers`` is respondent i's), written in
    two statements: the demo has some 40,000 answers."""
    rows = [
        {
            "scan_id": scan.id,
            "respondent_id": respondent,
            "instrument_id": instrument.id,
            "instrument_version": instrument.version,
            "status": ResponseStatus.FINAL,
            "finished_at": finished,
        }
        for respondent in respondents
    ]
    db.session.execute(insert(Response), rows)
    ids = dict(
        db.session.execute(
            select(Response.respondent_id, Response.id).where(
                Response.scan_id == scan.id, Response.instrument_id == instrument.id
            )
        ).all()
    )
    db.session.execute(
        insert(Answer),
        [
            {"response_id": ids[respondent], "item_id": item.id, "value": int(value)}
            for respondent, values in zip(respondents, answers, strict=True)
            for item, value in zip(instrument.items, values, strict=True)
            if value
        ],
    )


def logins_text() -> str:
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    labels = {
        Role.COORDINATOR: "schoolcoördinator",
        Role.DOCENT: "docent / mentor",
        Role.ZORG: "zorgcoördinator",
        None: "beheerder",
    }
    for email, _name, role in DEMO_ACCOUNTS:
        lines.append(f"  {labels[role]:<18} {email}")
    lines.append(
        "  The beheerder must use two-step login: at its first login it is asked to set it up "
        "with an authenticator app."
    )
    return "\n".join(lines)
