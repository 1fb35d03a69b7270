"""The demo school: three classes, one account per role and two past rounds of plausible answers.

Everything is seeded, so two runs give the same school, the same students and the same answers.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import numpy as np
from sqlalchemy import func, select

from wijscan.content import Content, Instrument
from wijscan.extensions import db
from wijscan.models import (
    AccessCode,
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
)

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
    rng: np.random.Generator, instrument: Instrument, latent: np.ndarray
) -> np.ndarray:
    """Answers (respondents × items, 0 = skipped) from each respondent's latent attitude."""
    points = instrument.scale.points
    items = instrument.items
    centre = (points + 1) / 2
    item_shift = rng.normal(0, 0.3, size=len(items))
    raw = (
        centre
        + latent[:, None]
        + item_shift[None, :]
        + rng.normal(0, 0.8, (len(latent), len(items)))
    )
    values = np.clip(np.rint(raw), 1, points).astype(int)
    reverse = np.array([item.reverse for item in items])
    values[:, reverse] = points + 1 - values[:, reverse]
    values[rng.random(values.shape) < 0.02] = 0  # now and then an item is skipped
    return values


def create_demo(content: Content, today: date | None = None) -> School:
    """Create the demo school, two closed past rounds with answers and an open one; flushes,
    does not commit."""
    today = today or date.today()
    rng = np.random.default_rng(SEED)
    school = School(name="Demo-college", town="Utrecht", retention_days=365)
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
        for step, past in enumerate(past_rounds):
            # The classes grow a little between rounds (what a year of lessons should do); the
            # first class a little more, so its report shows a clear change.
            shift = step * (1.3 if index == 0 else 0.2)
            _past_student_scan(
                rng, content, school, past, klas, students, mood + shift, users[Role.DOCENT]
            )
    db.session.flush()
    return school


def _past_student_scan(rng, content, school, scan_round, klas, students, mood, mentor) -> None:
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
    latent = rng.normal(mood, 0.9, size=len(present))
    latent[rng.random(len(present)) < 0.06] -= 2.2  # a few students who worry their mentor
    answers = {i.id: plausible_answers(rng, i, latent) for i in instruments}
    finished = utcnow() - timedelta(days=(date.today() - scan_round.closes_on).days + 3)
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
        for instrument in instruments:
            response = Response(
                scan_id=scan.id,
                respondent_id=respondent,
                instrument_id=instrument.id,
                instrument_version=instrument.version,
                status=ResponseStatus.FINAL,
                finished_at=finished,
            )
            response.answers = [
                Answer(item_id=item.id, value=int(value))
                for item, value in zip(instrument.items, answers[instrument.id][row], strict=True)
                if value
            ]
            db.session.add(response)
    db.session.flush()
    results.close_scan(scan, content)


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
    return "\n".join(lines)
