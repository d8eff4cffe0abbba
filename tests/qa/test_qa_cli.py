"""python -m qa ask: single question and batch mode (one JSON line per stdin line)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def _run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qa", *args], input=stdin, capture_output=True, text=True, cwd=REPO, timeout=300
    )


def test_batch_mode_answers_in_order(corpus_store: Path) -> None:
    questions = ["how many 12345 工单 did Yuelu handle in 2021?", "", "青山区网格化服务中心2024年收支总计是多少？",
                 "硚口区网格化中心2020年公用经费合计是多少？"]
    proc = _run(["ask", "--json", "--store", str(corpus_store)], "\n".join(questions) + "\n")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    # every input line gets its line, the empty one too (an error: there is no question to search for)
    assert [(x["status"], x["value"]) for x in lines] == [
        ("answered", "84395"), ("error", None), ("not_found", None), ("answered", "15.56")]
    assert lines[1]["question"] == "" and "青山区" in lines[2]["answer"]
    assert set(lines[0]) >= {"question", "status", "answer", "value", "unit", "citations", "elapsed_ms"}


def test_single_question_text_output(corpus_store: Path) -> None:
    proc = _run(["ask", "硚口区网格化中心2020年公用经费合计是多少？", "--store", str(corpus_store)])
    assert proc.returncode == 0
    assert "15.56 万元" in proc.stdout and "000_31904a6d4c850464.txt" in proc.stdout


def test_missing_store_is_one_line(tmp_path: Path) -> None:
    proc = _run(["ask", "x", "--store", str(tmp_path / "nope")])
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: ")


def test_a_batch_of_odd_questions_gives_one_line_each(corpus_store: Path) -> None:
    """Issue 13: empty, emoji, 5,000 characters, a bare "比多少", SQL-looking text, control
    characters — each gets its own line, in order, with a status a script can read; the good
    question after them is still answered, and a question over the length limit is refused
    with the limit named, at once."""
    odd = ["", "🙂🙂🙂", "预算" * 2500, "比多少", "'; DROP TABLE facts; --", "\x00\x07\x1b[31m",
           "SELECT value FROM facts WHERE 1=1", "how many 12345 工单 did Yuelu handle in 2021?"]
    proc = _run(["ask", "--json", "--store", str(corpus_store)], "\n".join(odd) + "\n")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    assert len(lines) == len(odd)
    statuses = [x["status"] for x in lines]
    assert statuses[0] == "error" and statuses[2] == "error"
    assert "5000 characters is over the 500-character limit" in lines[2]["error"]
    assert lines[2]["elapsed_ms"] < 100  # refused before any parsing
    assert all(s in {"error", "not_found", "ambiguous"} for s in statuses[:-1]), statuses
    assert all(x["value"] is None for x in lines[:-1])  # no figure for any odd question
    assert (statuses[-1], lines[-1]["value"]) == ("answered", "84395")
