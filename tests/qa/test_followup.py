"""qa/followup.py: a chat message read as a follow-up of the previous question.

The pure helpers are tested inline; the rewrites run on the store the suite builds (the five
seed reports and the shared PDFs, tests/conftest.py) and are answered by the real Answerer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qa.followup import (
    Rewrite,
    asked_note,
    replace_year,
    report_years,
    rewrite_followup,
    strip_cues,
)

ROOT = Path(__file__).resolve().parents[2]
QIAOKOU_2020 = "硚口区网格化中心2020年公用经费合计是多少？"
YUELU_2021 = "岳麓区网格化综合服务中心2021年共签收12345热线工单多少件？"
QIAOKOU_EN = "What was Qiaokou's basic expenditure in 2020?"


# ------------------------------------------------------------------ pure helpers


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("那2022年呢？", ("2022年", True, False)),
        ("那么2020年的呢？", ("2020年", True, False)),
        ("那基本支出呢", ("基本支出", True, False)),
        ("and the Finance Bureau?", ("the Finance Bureau", True, False)),
        ("what about 2019?", ("2019", True, False)),
        ("How about Lusong?", ("Lusong", True, False)),
        ("和2024年比呢", ("2024年", True, True)),
        ("跟芦淞区相比", ("芦淞区", False, True)),
        ("compared with 2024?", ("2024", False, True)),
        ("2017年？", ("2017年", False, False)),
        # no cue: "Andong" starts with "and", "那曲" with "那" only as a name would
        ("Andong 2020?", ("Andong 2020", False, False)),
        (QIAOKOU_2020, (QIAOKOU_2020.rstrip("？"), False, False)),
    ],
)
def test_strip_cues(message: str, expected: tuple[str, bool, bool]) -> None:
    assert strip_cues(message) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (YUELU_2021, (2021,)),
        ("上海市普陀区财政局25年预算基本支出是多少？", (2025,)),
        ("How much was the FY24 budget?", (2024,)),
        # 截至2023年底 dates a figure; the report asked of is 2024's
        ("截至2023年底，硚口区网格化中心2024年公用经费合计是多少？", (2024,)),
        ("共签收12345热线工单多少件？", ()),
    ],
)
def test_report_years(text: str, expected: tuple[int, ...]) -> None:
    assert report_years(text) == expected


@pytest.mark.parametrize(
    ("text", "old", "new", "expected"),
    [
        (YUELU_2021, 2021, 2022, "岳麓区网格化综合服务中心2022年共签收12345热线工单多少件？"),
        ("财政局25年预算基本支出", 2025, 2024, "财政局24年预算基本支出"),  # written as it was: 24年
        ("the FY21 budget of 2021", 2021, 2019, "the FY19 budget of 2019"),
        ("截至2023年底，2024年的车辆数", 2024, 2023, "截至2023年底，2023年的车辆数"),
        ("截至2023年底，2023年的车辆数", 2023, 2024, "截至2023年底，2024年的车辆数"),  # the date stays
        ("12345热线2021年", 2021, 2020, "12345热线2020年"),  # 12345 is no year
    ],
)
def test_replace_year(text: str, old: int, new: int, expected: str) -> None:
    assert replace_year(text, old, new) == expected


def test_asked_note_in_the_messages_language() -> None:
    assert asked_note("那2022年呢？", "岳麓区…2022年…") == "（按：岳麓区…2022年…）"
    assert asked_note("what about 2019?", "how many … in 2019?") == "(read as: how many … in 2019?)"
    assert asked_note(QIAOKOU_2020, QIAOKOU_2020) == ""


def test_without_a_previous_question_nothing_is_rewritten() -> None:
    assert rewrite_followup(None, "那2022年呢？", []) == Rewrite("那2022年呢？", False, reason="no previous question")
    assert rewrite_followup(QIAOKOU_2020, "   ", []) == Rewrite(
        "", False, reason="empty or too long to be a question about one figure"
    )


# ------------------------------------------------------------------ on the suite's store


def rewrite(answerer: Any, previous: str | None, message: str) -> Rewrite:
    return rewrite_followup(previous, message, answerer.catalog, answerer.linker)


# (previous, follow-up, the question asked, (status, value) of its answer)
CHAINS = [
    # the example: the year replaced, the rest as asked; the store has no 2022 report
    (YUELU_2021, "那2022年呢？", "岳麓区网格化综合服务中心2022年共签收12345热线工单多少件？", ("not_found", None)),
    (QIAOKOU_2020, "那2024年呢？", "硚口区网格化中心2024年公用经费合计是多少？", ("answered", "27.38")),
    (QIAOKOU_2020, "2024年？", "硚口区网格化中心2024年公用经费合计是多少？", ("answered", "27.38")),
    (QIAOKOU_2020, "那基本支出呢", "硚口区网格化中心2020年基本支出是多少？", ("answered", "238.15")),
    (QIAOKOU_2020, "那芦淞区呢", "芦淞区2020年公用经费合计是多少？", ("answered", "15.35")),
    # set against the other year / organisation: 15.56 (2020) vs 27.38 (2024); 15.56 vs 15.35
    (QIAOKOU_2020, "和2024年比呢", "硚口区网格化中心2020年与2024年相比，公用经费合计哪个多？", ("answered", "27.38")),
    (QIAOKOU_2020, "和芦淞区比呢", "硚口区网格化中心和芦淞区2020年公用经费合计哪个多？", ("answered", "15.56")),
    # an English follow-up of a Chinese question: the Finance Bureau in the previous district
    (
        "上海市普陀区规划和自然资源局2024年基本支出是多少？",
        "and the Finance Bureau?",
        "上海市普陀区财政局2024年基本支出是多少？",
        ("answered", "2336.91"),
    ),
    ("江苏省人大常委会办公厅2019年基本支出是多少？", "那2018年呢？", "江苏省人大常委会办公厅2018年基本支出是多少？", ("answered", "7877.76")),
    # English: the question as the user asked it, in English, so the answer stays English
    (QIAOKOU_EN, "what about 2024?", "What was Qiaokou's basic expenditure in 2024?", ("answered", "455.15")),
    (QIAOKOU_EN, "and Lusong?", "What was Lusong's basic expenditure in 2020?", ("answered", "93.72")),
    (QIAOKOU_EN, "compared with 2024?", "What was Qiaokou's basic expenditure in 2020 vs 2024?", ("answered", "455.15")),
    (QIAOKOU_EN, "what about public funds?", "What was Qiaokou's public funds in 2020?", ("answered", "15.56")),
    (
        "how many 12345 工单 did Yuelu handle in 2021?",
        "what about 2019?",
        "how many 12345 工单 did Yuelu handle in 2019?",
        ("not_found", None),
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("previous", "message", "asked", "answer"), CHAINS)
def test_a_followup_is_asked_as_the_previous_question_changed(
    answerer: Any, previous: str, message: str, asked: str, answer: tuple[str, str | None]
) -> None:
    got = rewrite(answerer, previous, message)
    assert (got.question, got.rewritten, got.full) == (asked, True, True)
    result = answerer.ask(got.question)
    assert (result["status"], result["value"]) == answer, result["answer"]


@pytest.mark.slow
def test_a_chain_builds_on_the_last_question_asked(answerer: Any) -> None:
    """Each follow-up changes what it names and keeps the rest of the question before it,
    as the chat keeps it (Rewrite.full: the next previous question)."""
    chain = [
        (QIAOKOU_2020, QIAOKOU_2020, "15.56"),
        ("那基本支出呢", "硚口区网格化中心2020年基本支出是多少？", "238.15"),
        ("那2024年呢？", "硚口区网格化中心2024年基本支出是多少？", "455.15"),
        ("你好", "你好", None),  # no follow-up, no full question: the previous one stays
        ("what about 2020?", "硚口区网格化中心2020年基本支出是多少？", "238.15"),
        # 238.15 vs 芦淞区 93.72: the larger
        ("和芦淞区比呢", "硚口区网格化中心和芦淞区2020年基本支出哪个多？", "238.15"),
        # a comparison's follow-up compares again: 公用经费合计 15.56 vs 15.35
        ("那公用经费合计呢", "硚口区网格化中心和芦淞区2020年公用经费合计哪个多？", "15.56"),
        # a full question is asked as it is and becomes the base
        ("芦淞区2020年基本支出是多少？", "芦淞区2020年基本支出是多少？", "93.72"),
        ("那公用经费呢", "芦淞区2020年公用经费是多少？", "15.35"),
    ]
    previous = ""
    for message, asked, value in chain:
        got = rewrite(answerer, previous, message)
        assert got.question == asked, (message, got)
        assert answerer.ask(got.question)["value"] == value, asked
        previous = got.question if got.full else previous


@pytest.mark.slow
@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("芦淞区2020年基本支出是多少？", "a full question: names an organisation and a metric"),
        ("那芦淞区2024年的基本支出呢", "a full question: names an organisation and a metric"),
        ("2024年基本支出是多少？", "no follow-up cue (那, 呢, and, what about …)"),  # no organisation, no cue
        ("你好", "no follow-up cue (那, 呢, and, what about …)"),
        ("那呢？", "names no organisation, year or metric"),
        ("那2019和2020年呢", "names several years"),
        ("和2020年比呢", "the previous question names no other year to compare with"),
    ],
)
def test_what_is_not_a_followup_is_asked_as_it_is(answerer: Any, message: str, reason: str) -> None:
    got = rewrite(answerer, QIAOKOU_2020, message)
    assert (got.question, got.rewritten, got.reason) == (message, False, reason)


def dev_questions() -> list[str]:
    return [
        json.loads(line)["question"]
        for path in sorted((ROOT / "eval" / "dev").glob("*.jsonl"))
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]


@pytest.mark.slow
@pytest.mark.parametrize("previous", [QIAOKOU_2020, QIAOKOU_EN, "上海市普陀区财政局2024年基本支出是多少？"])
def test_a_full_question_is_never_rewritten(answerer: Any, previous: str) -> None:
    """Every dev question (Chinese, English, mixed, colloquial) after a question of each
    language: all asked exactly as typed."""
    questions = dev_questions()
    assert len(questions) > 800
    rewritten = [(q, r.question) for q in questions if (r := rewrite(answerer, previous, q)).rewritten]
    assert rewritten == []
