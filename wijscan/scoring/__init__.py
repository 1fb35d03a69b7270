"""The scoring core: from answers to pyramid levels, group results, reliability and change.

Pure Python + numpy (no Flask, SQLAlchemy or models). It implements DESIGN.md "Scoring
(normative)" rules 1–9 on answer matrices (respondents × items), so a class, a school or the whole
country is scored in one vectorised pass::

    spec = spec_from_content(instrument, pyramid)
    answers = validate_answers(spec, rows, respondent_ids)     # float n × items, NaN = missing
    results = score_respondents(spec, answers)                 # per respondent
    per_class = group_results(spec, answers, results, classes) # per group
    everyone = group_result(spec, answers, results)

``score_respondents`` and the group functions also take the answers as unsigned integer codes
(uint8/uint16, 0 = missing), the compact form the database stores; that form is used without a
copy and is the fastest (see wijscan/scoring/answers.py).

Every stored result should record ``spec.instrument_id``, ``spec.instrument_version`` and
:data:`SCORING_VERSION`.
"""

from wijscan.scoring.answers import AnswerError, validate_answers
from wijscan.scoring.groups import (
    Change,
    GroupResult,
    GroupStat,
    change,
    cronbach_alpha,
    group_result,
    group_results,
)
from wijscan.scoring.respondents import RespondentResults, level_of, score_respondents
from wijscan.scoring.spec import SCORING_VERSION, CriticalRule, ScoringSpec, spec_from_content

__all__ = [
    "SCORING_VERSION",
    "AnswerError",
    "Change",
    "CriticalRule",
    "GroupResult",
    "GroupStat",
    "RespondentResults",
    "ScoringSpec",
    "change",
    "cronbach_alpha",
    "group_result",
    "group_results",
    "level_of",
    "score_respondents",
    "spec_from_content",
    "validate_answers",
]
