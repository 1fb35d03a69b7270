"""What a load run must leave behind: every acknowledged answer in the database exactly once with
its value (and pages saved whole), every response final, and stored results equal to what the
scoring core computes from the answers the students gave."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict

import numpy as np
from sqlalchemy import func, select

from tests.load.students import PageRecord

Failures = list[str]


def read_answers(app, scan_id: int):
    """(answers, responses, duplicates) of a scan, read straight from the database:
    ``answers[respondent][item]`` is the list of stored values (one, if all is well),
    ``responses[respondent][instrument]`` the list of (response id, status)."""
    from wijscan.extensions import db
    from wijscan.models import Answer, Response

    with app.app_context():
        try:
            rows = db.session.execute(
                select(
                    Response.id,
                    Response.respondent_id,
                    Response.instrument_id,
                    Response.status,
                ).where(Response.scan_id == scan_id)
            ).all()
            answer_rows = db.session.execute(
                select(Response.respondent_id, Answer.item_id, Answer.value)
                .join(Response, Answer.response_id == Response.id)
                .where(Response.scan_id == scan_id)
            ).all()
            # The constraint should make this impossible; count anyway.
            duplicates = db.session.execute(
                select(Answer.response_id, Answer.item_id, func.count())
                .join(Response, Answer.response_id == Response.id)
                .where(Response.scan_id == scan_id)
                .group_by(Answer.response_id, Answer.item_id)
                .having(func.count() > 1)
            ).all()
        finally:
            db.session.remove()
    responses: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for response_id, respondent, instrument, status in rows:
        responses[respondent][instrument].append((response_id, str(status)))
    answers: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for respondent, item, value in answer_rows:
        answers[respondent][item].append(value)
    return answers, responses, duplicates


def check_pages(
    pages: list[list[str]],
    records: dict[str, list[PageRecord]],
    respondents: dict[str, str],
    answers,
    *,
    only_acknowledged: bool,
) -> tuple[Failures, dict[str, dict[str, int]], Counter]:
    """Compare the database with what each student sent and what the server acknowledged.

    For every page the database must hold exactly one of the page's candidates (the last
    acknowledged answers, or a send whose answer never came back), item for item: nothing lost,
    nothing doubled, no half page. Returns the failures, the answers per respondent as found (the
    answers the students gave, for scoring) and counters."""
    failures: Failures = []
    given: dict[str, dict[str, int]] = {}
    counts: Counter = Counter()
    known_items = {item for items in pages for item in items}
    for code, student_records in records.items():
        respondent = respondents[code]
        stored = answers.get(respondent, {})
        for item, values in stored.items():
            if len(values) != 1:
                failures.append(f"{code}: item {item} stored {len(values)} times: {values}")
            if item not in known_items:
                failures.append(f"{code}: unknown item {item} stored")
        found: dict[str, int] = {}
        for number, (items, record) in enumerate(zip(pages, student_records, strict=True), 1):
            page = {item: stored[item][0] for item in items if item in stored}
            if only_acknowledged and record.last_acked is None:
                continue
            if record.last_acked is not None:
                acked = {k: v for k, v in record.last_acked.items() if v is not None}
                counts["acknowledged answers"] += len(acked)
                counts["acknowledged pages"] += 1
                if page == acked:
                    counts["acknowledged answers found as acknowledged"] += len(acked)
            options = record.candidates()
            if page not in options:
                failures.append(
                    f"{code} page {number}: the database holds {page}, "
                    f"acknowledged was {record.last_acked}, unconfirmed sends {record.unconfirmed}"
                )
            elif record.last_acked is not None and page != options[0]:
                counts["pages holding a later unacknowledged send"] += 1
            found.update(page)
        given[respondent] = found
    return failures, given, counts


def check_final(
    instrument_ids: list[str], respondents: dict[str, str], responses
) -> tuple[Failures, dict[str, list[str]]]:
    """One final response per respondent and instrument; returns the respondent ids per
    instrument in response id order (the order close_scan scores them in)."""
    failures: Failures = []
    order: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for code, respondent in respondents.items():
        mine = responses.get(respondent, {})
        if set(mine) != set(instrument_ids):
            failures.append(f"{code}: responses for {sorted(mine)}, expected {instrument_ids}")
        for instrument, rows in mine.items():
            if len(rows) != 1:
                failures.append(f"{code}: {len(rows)} responses to {instrument}")
            for response_id, status in rows:
                if status != "final":
                    failures.append(f"{code}: response to {instrument} is {status}")
                order[instrument].append((response_id, respondent))
    extra = set(responses) - set(respondents.values())
    if extra:
        failures.append(f"responses of unknown respondents: {sorted(extra)[:5]}")
    return failures, {k: [r for _, r in sorted(v)] for k, v in order.items()}


def _none_if_nan(value) -> float | None:
    return None if value is None or np.isnan(value) else float(value)  # stored at full precision


def expected_results(content, instrument_id: str, order: list[str], given) -> dict:
    """The stored results close_scan must write for ``instrument_id``, computed with the scoring
    core from the students' answers: {None: group payload, respondent: payload}."""
    from wijscan.scoring import group_result, score_respondents, spec_from_content
    from wijscan.services.results import group_payload

    instrument = content.instruments[instrument_id]
    spec = spec_from_content(instrument, content.pyramid)
    column = {item: j for j, item in enumerate(spec.item_ids)}
    answers = np.full((len(order), len(spec.item_ids)), np.nan)
    for i, respondent in enumerate(order):
        for item, value in given[respondent].items():
            if item in column:
                answers[i, column[item]] = value
    scored = score_respondents(spec, answers)
    expected: dict = {None: group_payload(group_result(spec, answers, scored))}
    for i, respondent in enumerate(order):
        expected[respondent] = {
            "themes": {
                theme: {
                    "score": _none_if_nan(scored.theme_scores[i, t]),
                    "level": int(scored.theme_levels[i, t]) or None,
                }
                for t, theme in enumerate(spec.theme_ids)
            },
            "overall": {
                "score": _none_if_nan(scored.overall_score[i]),
                "level": int(scored.overall_level[i]) or None,
            },
            "signals": scored.signal_items(i),
        }
    # As it comes back from a JSON column.
    return {k: json.loads(json.dumps(v)) for k, v in expected.items()}


def differences(expected, actual, where: str = "") -> list[str]:
    """Where two JSON values differ (floats to 1e-9)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in actual or key not in expected:
                found.append(f"{where}/{key}: only in {'expected' if key in expected else 'db'}")
            else:
                found += differences(expected[key], actual[key], f"{where}/{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        found = []
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            found += differences(e, a, f"{where}[{i}]")
        return found
    number = isinstance(actual, int | float) and not isinstance(actual, bool)
    if isinstance(expected, float) and number:
        if math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-12):
            return []
    elif expected == actual and type(expected) is type(actual):
        return []
    return [f"{where}: expected {expected!r}, stored {actual!r}"]


def close_and_compare(app, scan_id: int, order: dict[str, list[str]], given) -> Failures:
    """Close the scan through the service (as the mentor), then compare every StoredResult with
    the scoring core's results on the answers the students gave."""
    from wijscan.extensions import db
    from wijscan.models import Scan, StoredResult, User
    from wijscan.services import scans as scan_service

    failures: Failures = []
    with app.app_context():
        try:
            content = app.extensions["wijscan_content"]
            scan = db.session.get(Scan, scan_id)
            mentor = db.session.get(User, scan.opened_by_id)
            scan_service.close_scan(scan, content, mentor)
            db.session.commit()
            stored = db.session.execute(
                select(StoredResult.instrument_id, StoredResult.respondent_id, StoredResult.payload)
                .where(StoredResult.scan_id == scan_id)
                .order_by(StoredResult.id)
            ).all()
            by_instrument: dict[str, dict] = defaultdict(dict)
            for instrument_id, respondent, payload in stored:
                if respondent in by_instrument[instrument_id]:
                    failures.append(f"{instrument_id}/{respondent}: stored twice")
                by_instrument[instrument_id][respondent] = payload
            if set(by_instrument) != set(order):
                failures.append(f"results for {sorted(by_instrument)}, expected {sorted(order)}")
            for instrument_id, respondents in order.items():
                expected = expected_results(content, instrument_id, respondents, given)
                actual = by_instrument.get(instrument_id, {})
                if set(actual) != set(expected):
                    failures.append(
                        f"{instrument_id}: {len(actual)} stored results, expected {len(expected)}"
                    )
                for key, payload in expected.items():
                    if key in actual:
                        who = "group" if key is None else key
                        failures += [
                            f"{instrument_id} {who}{d}"
                            for d in differences(payload, actual[key])[:5]
                        ]
        finally:
            db.session.remove()
    return failures
