"""Answer matrices: checking and converting them (rule 1).

An answer matrix has one row per respondent and one column per item of the spec, in spec order,
in one of these forms:

* float (any float dtype): an answer is a whole number 1..points, a missing answer is NaN;
* unsigned integers (uint8, uint16 …), the compact *answer codes*: 1..points is an answer and
  **0 is missing** (how the database stores answers; 8 times smaller than float64). The only
  possible error is a value above ``points``;
* signed integers (int64 …, e.g. ``np.array`` of Python ints): these cannot say missing, so every
  value must be 1..points; 0 and negative numbers are errors;
* nested lists with None for missing.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from wijscan.scoring.spec import ScoringSpec

#: Rows handled at a time by the chunked loops (keeps the temporaries in the CPU cache).
CHUNK_ROWS = 4096


class AnswerError(ValueError):
    """An answer that is not an integer 1..points (rule 1).

    ``respondent`` is the respondent id (or the row index when no ids were given), ``item`` the
    item id and ``value`` the offending value.
    """

    def __init__(self, respondent: Any, item: str, value: Any, points: int) -> None:
        self.respondent = respondent
        self.item = item
        self.value = value
        self.points = points
        super().__init__(
            f"respondent {respondent}, item {item}: answer {_show(value)} is not a whole number"
            f" 1..{points}"
        )


def _show(value: Any) -> str:
    if (
        isinstance(value, float | np.floating)
        and math.isfinite(value)
        and float(value).is_integer()
    ):
        return str(int(value))
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def validate_answers(
    spec: ScoringSpec, answers: Any, respondent_ids: Sequence[Any] | None = None
) -> np.ndarray:
    """Check an answer matrix and return it as a float64 array (n × items), NaN = missing.

    ``answers`` may be a numpy array (float with NaN for missing, unsigned integer codes with 0 for
    missing, or signed integers without missing) or nested lists with None for missing (see the
    module docstring). Anything that is not an integer 1..points (0, 2.5, inf, "3", True …) raises
    :class:`AnswerError` naming the first bad respondent (lowest row) and, within it, the first
    bad item. A float64 array that is already valid is returned as is (no copy).
    """
    matrix, raw = _to_float(spec, answers, respondent_ids)
    n = matrix.shape[0]
    if respondent_ids is not None and len(respondent_ids) != n:
        raise ValueError(f"{len(respondent_ids)} respondent ids for {n} rows of answers")
    buf = np.empty((min(CHUNK_ROWS, max(n, 1)), spec.n_items))
    for start in range(0, n, CHUNK_ROWS):
        chunk = matrix[start : start + CHUNK_ROWS]
        filled = np.fmax(chunk, 0.0, out=buf[: chunk.shape[0]])
        if not chunk_is_valid(chunk, filled, spec.points):
            raise_first_invalid(spec, chunk, start, respondent_ids, raw)
    return matrix


def _to_float(
    spec: ScoringSpec, answers: Any, respondent_ids: Sequence[Any] | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """The answers as float64 (NaN = missing) and, for object input, the original values."""
    k = spec.n_items
    if isinstance(answers, np.ma.MaskedArray):
        answers = answers.astype(np.float64).filled(np.nan)
    arr = np.asarray(answers) if isinstance(answers, np.ndarray) else _as_array(answers)
    if arr.size == 0 and arr.shape[0] == 0:
        arr = arr.reshape(0, k)
    if arr.ndim != 2 or arr.shape[1] != k:
        raise ValueError(
            f"answers must be a matrix with one column per item ({k}), got shape {arr.shape}"
        )
    kind = arr.dtype.kind
    if kind == "f":
        return np.ascontiguousarray(arr, dtype=np.float64), None
    if kind == "u":  # answer codes: 0 = missing
        out = np.ascontiguousarray(arr, dtype=np.float64)
        out[arr == 0] = np.nan
        return out, None
    if kind == "i":
        return np.ascontiguousarray(arr, dtype=np.float64), None
    if kind == "b":
        if arr.size:
            respondent = 0 if respondent_ids is None else respondent_ids[0]
            raise AnswerError(respondent, spec.item_ids[0], bool(arr[0, 0]), spec.points)
        return np.zeros(arr.shape), None
    out = np.empty(arr.shape, dtype=np.float64)
    for (i, j), value in np.ndenumerate(arr):
        converted = _number(value)
        if converted is None:
            respondent = i if respondent_ids is None else respondent_ids[i]
            raise AnswerError(respondent, spec.item_ids[j], value, spec.points)
        out[i, j] = converted
    return out, arr


def _as_array(answers: Any) -> np.ndarray:
    """Nested rows (lists, tuples) as an object matrix, values untouched."""
    rows = [list(row) for row in answers]
    width = len(rows[0]) if rows else 0
    arr = np.empty((len(rows), width), dtype=object)
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"row {i} of the answers has {len(row)} values, row 0 has {width}")
        arr[i, :] = row
    return arr


def _number(value: Any) -> float | None:
    """A float for a number or a missing value (None, NaN); None for anything else."""
    if value is None:
        return math.nan
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        return None
    try:
        return float(value)
    except (OverflowError, ValueError):
        return None


def chunk_is_valid(chunk: np.ndarray, filled: np.ndarray, points: int) -> bool:
    """Whether every value of ``chunk`` is NaN or an integer 1..points.

    ``filled`` is ``np.fmax(chunk, 0)`` (NaN turned into 0), which the callers compute anyway.
    Comparisons with NaN are false, so ``chunk < 1`` finds 0, negatives, -inf and fractions below
    one; the maximum of ``filled`` finds values above ``points`` and +inf; rounding finds fractions.
    """
    if not chunk.size:
        return True
    if (chunk < 1).any() or filled.max() > points:
        return False
    return bool((np.rint(filled) == filled).all())


def raise_first_invalid(
    spec: ScoringSpec,
    chunk: np.ndarray,
    start: int,
    respondent_ids: Sequence[Any] | None = None,
    raw: np.ndarray | None = None,
) -> None:
    """Raise the :class:`AnswerError` of the first invalid value of ``chunk``, whose first row
    is row ``start`` of the whole matrix."""
    valid = np.isnan(chunk) | ((chunk >= 1) & (chunk <= spec.points) & (np.rint(chunk) == chunk))
    row, col = (int(v) for v in np.argwhere(~valid)[0])
    i = start + row
    respondent = i if respondent_ids is None else respondent_ids[i]
    value = chunk[row, col].item() if raw is None else raw[i, col]
    raise AnswerError(respondent, spec.item_ids[col], value, spec.points)


def answer_codes(spec: ScoringSpec, answers: Any) -> np.ndarray | None:
    """The answers as they are when they are unsigned integer codes (0 = missing), else None.

    uint8 and uint16 matrices are returned without a copy (when C-contiguous), wider unsigned
    ones as the narrowest code type that holds ``points``. The values are *not* checked here;
    :func:`first_code_above` finds the first one above ``points``.
    """
    if (
        not isinstance(answers, np.ndarray)
        or isinstance(answers, np.ma.MaskedArray)
        or answers.dtype.kind != "u"
        or answers.ndim != 2
        or answers.shape[1] != spec.n_items
    ):
        return None
    if answers.dtype in (np.uint8, np.uint16):
        return np.ascontiguousarray(answers)
    if answers.size and answers.max() > spec.points:
        raise_code_above(spec, answers, 0)
    return np.ascontiguousarray(answers, dtype=np.uint8 if spec.points <= 255 else np.uint16)


def raise_code_above(spec: ScoringSpec, chunk: np.ndarray, start: int) -> None:
    """Raise the :class:`AnswerError` of the first code above ``points`` in ``chunk``, whose first
    row is row ``start`` of the whole matrix."""
    row, col = (int(v) for v in np.argwhere(chunk > spec.points)[0])
    raise AnswerError(start + row, spec.item_ids[col], int(chunk[row, col]), spec.points)
