"""The `wijscan` console script as a user runs it: content check, scoring, broken content."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wijscan import create_app
from wijscan.services.content import ContentLoadError

ROOT = Path(__file__).resolve().parents[1]
WIJSCAN = [sys.executable, "-m", "wijscan.cli"]


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*WIJSCAN, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_content_passes_on_the_shipped_content():
    result = _run("check-content")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout
    for instrument in ("school", "klas", "individu", "observatie"):
        assert instrument in result.stdout


def test_score_command_scores_an_export_without_the_web_app(tmp_path):
    answers = tmp_path / "antwoorden.csv"
    items = ["klas-burg-1", "klas-burg-2", "klas-burg-3", "klas-burg-4"]
    rows = ["respondent;klas;" + ";".join(items)]
    rows += [f"r{i};2B;4;4;2;5" for i in range(5)] + ["r9;3C;1;1;5;1"]
    answers.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    result = _run("score", "surveys/klas.yaml", str(answers), "--group-by", "klas")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["instrument"] == {"id": "klas", "version": 1}
    groups = {g["group"]: g for g in data["groups"]}
    assert set(groups) == {"2B", "3C", None}
    assert groups["2B"]["themes"]["burgerschap"]["n"] == 5
    assert groups["3C"]["themes"]["burgerschap"]["suppressed"] is True
    assert groups["3C"]["themes"]["burgerschap"]["mean"] is None
    first = data["respondents"][0]
    assert first["themes"]["burgerschap"] == {"score": 81.25, "level": 6}


def test_score_command_names_line_and_column_of_a_bad_answer(tmp_path):
    answers = tmp_path / "fout.csv"
    answers.write_text("respondent,klas-burg-1\nr1,4\nr2,7\n", encoding="utf-8")
    result = _run("score", "surveys/klas.yaml", str(answers))
    assert result.returncode == 2
    assert "line 3" in result.stderr
    assert "klas-burg-1" in result.stderr


def test_a_broken_content_file_stops_the_app_with_a_clear_message(tmp_path):
    shutil.copytree(ROOT / "surveys", tmp_path / "surveys")
    broken = tmp_path / "surveys" / "klas.yaml"
    broken.write_text(broken.read_text().replace("points: 5", "points: five", 1))
    with pytest.raises(ContentLoadError) as error:
        create_app({"CONTENT_ROOT": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    message = str(error.value)
    assert "surveys/klas.yaml:" in message
    assert "scale.points" in message
    assert "wijscan check-content" in message
