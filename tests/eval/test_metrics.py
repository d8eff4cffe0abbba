"""eval/metrics.py and the runner in eval/__main__.py: scoring worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eval.__main__ import evidence_retrieved, hit_report_text, main, run_cases
from eval.cases import Case
from eval.metrics import (
    AMBIGUOUS,
    CORRECT,
    ERROR,
    NO_VALUE,
    NOT_FOUND,
    WRONG_NUMBER,
    CaseResult,
    Group,
    classify,
    percentile,
    score_answer,
    summarise,
    unit_scale,
    values_equal,
)
from index.models import Chunk

REPO = Path(__file__).resolve().parents[2]
QIAOKOU = "000_31904a6d4c850464.txt"
YUELU = "004_abd4107061c8b5b5.txt"


def case(
    id: str = "T01",
    answer: str = "238.15",
    unit: str = "万元",
    doc: str = QIAOKOU,
    kind: str = "table",
    lang: str = "zh",
    evidence: str = "基本支出 238.15 万元",
) -> Case:
    return Case(
        id=id,
        question=f"question {id}",
        answer=answer,
        unit=unit,
        doc=doc,
        evidence=evidence,
        kind=kind,
        lang=lang,
    )


def answered(value: str | None, unit: str = "万元", report: str = QIAOKOU) -> dict[str, Any]:
    return {
        "status": "answered",
        "value": value,
        "unit": unit,
        "answer": f"{value}{unit}",
        "citations": [{"report": report, "locator": "表3", "quote": "..."}],
    }


NOT_FOUND_ANSWER: dict[str, Any] = {
    "status": "not_found",
    "value": None,
    "unit": "",
    "citations": [],
}


# --------------------------------------------------------------------------------- figures


@pytest.mark.parametrize(
    ("value", "unit", "gold", "gold_unit", "equal"),
    [
        ("13.64", "万元", "136400.00", "元", True),  # 136400.00 元 / 10000 = 13.64 万元
        ("136400.00", "元", "13.64", "万元", True),
        ("0.00", "万元", "0", "万元", True),  # "0" and "0.00" are one figure
        ("23.05", "万件", "23.05", "万件", True),
        ("23.05", "万余件", "23.05", "万件", True),  # 余 (more than) does not change the figure
        ("230500", "件", "23.05", "万件", True),  # 23.05 x 10000
        ("84395", "个", "84395", "件", True),  # the report prints 工单84395件 and 工单84395个
        ("99.13", "％", "99.13", "%", True),
        ("99.13", "万元", "99.13", "%", False),  # money is not a percentage
        ("12", "人", "12", "万元", False),
        ("423.38", "", "423.38", "万元", True),  # no unit on one side: bare figures
        ("4233800", "", "423.38", "万元", False),
        ("6.6899", "万元", "6.69", "万元", True),  # more decimals: rounds half-up to the gold
        ("6.685", "万元", "6.69", "万元", True),
        ("6.68", "万元", "6.69", "万元", False),  # same precision: must be equal
        ("6.7", "万元", "6.69", "万元", False),  # less precise than the gold is not the gold
        ("313. 08", "万元", "313.08", "万元", True),  # OCR space after the point
        ("1,234.50", "元", "1234.5", "元", True),
        ("13.64万元", "", "136400.00", "元", True),  # a unit inside the value string
        (None, "万元", "1.00", "万元", False),
        ("n/a", "万元", "1.00", "万元", False),
    ],
)
def test_values_equal(value: Any, unit: str, gold: str, gold_unit: str, equal: bool) -> None:
    assert values_equal(value, unit, gold, gold_unit) is equal


def test_unit_scale() -> None:
    assert unit_scale("万元") == ("money", 10_000)
    assert unit_scale("元") == ("money", 1)
    assert unit_scale("万余件") == ("count", 10_000)
    assert unit_scale("人") == ("count", 1)
    assert unit_scale("％") == ("%", 1)


# --------------------------------------------------------------------------------- one case


@pytest.mark.parametrize(
    ("gold", "answer", "outcome"),
    [
        (case(), answered("238.15"), CORRECT),
        (case(), answered("2381500", unit="元"), CORRECT),
        (case(), answered("222.59"), WRONG_NUMBER),
        (case(), answered(None), NO_VALUE),
        (case(), NOT_FOUND_ANSWER, NOT_FOUND),
        (case(answer="NOT_IN_DOC", unit="", kind="absent"), NOT_FOUND_ANSWER, CORRECT),
        (case(answer="NOT_IN_DOC", unit="", kind="absent"), answered("1.15"), WRONG_NUMBER),
        # ambiguous listing the gold: not correct, not a wrong number
        (
            case(),
            {
                "status": "ambiguous",
                "value": None,
                "candidates": [
                    {"value": "238.15", "unit": "万元"},
                    {"value": "222.59", "unit": "万元"},
                ],
            },
            AMBIGUOUS,
        ),
        # ambiguous listing only other figures: those are wrong figures
        (
            case(),
            {
                "status": "ambiguous",
                "value": None,
                "candidates": [{"value": "222.59", "unit": "万元"}],
            },
            WRONG_NUMBER,
        ),
        (
            case(answer="NOT_IN_DOC", unit="", kind="absent"),
            {"status": "ambiguous", "candidates": [{"value": "1.15", "unit": "万元"}]},
            WRONG_NUMBER,
        ),
        (case(), {"status": "ambiguous", "value": None, "candidates": []}, AMBIGUOUS),
        (case(), {"status": "maybe", "value": "238.15"}, ERROR),
    ],
)
def test_classify(gold: Case, answer: dict[str, Any], outcome: str) -> None:
    assert classify(gold, answer) == outcome


def test_score_answer_keeps_the_answer_and_checks_the_citation() -> None:
    result = score_answer(case(), answered("238.15"), latency_ms=12.5)
    assert result == CaseResult(
        id="T01",
        kind="table",
        lang="zh",
        doc=QIAOKOU,
        question="question T01",
        gold="238.15",
        gold_unit="万元",
        outcome=CORRECT,
        status="answered",
        value="238.15",
        unit="万元",
        answer="238.15万元",
        cited_gold_doc=True,
        latency_ms=12.5,
        citations=(QIAOKOU,),
    )
    wrong_doc = score_answer(case(), answered("238.15", report=YUELU))
    assert wrong_doc.cited_gold_doc is False
    assert score_answer(case(), NOT_FOUND_ANSWER).cited_gold_doc is None


def test_score_answer_of_an_exception() -> None:
    result = score_answer(case(), None, error="not implemented")
    assert (result.outcome, result.error, result.latency_ms) == (ERROR, "not implemented", None)


# --------------------------------------------------------------------------------- a run


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([5.0, 1.0, 3.0], 50, 3.0),  # nearest rank: ceil(0.5 * 3) = 2nd of [1, 3, 5]
        ([10.0, 20.0, 30.0, 40.0], 50, 20.0),  # ceil(0.5 * 4) = 2nd
        ([10.0, 20.0, 30.0, 40.0], 95, 40.0),  # ceil(0.95 * 4) = ceil(3.8) = 4th
        (list(range(1, 101)), 95, 95),  # ceil(0.95 * 100) = 95th of 1..100
        ([7.0], 95, 7.0),
        ([], 50, None),
    ],
)
def test_percentile(values: list[float], p: float, expected: float | None) -> None:
    assert percentile(values, p) == expected


def test_percentile_rejects_p_out_of_range() -> None:
    with pytest.raises(ValueError, match="p must be in"):
        percentile([1.0], 0)


def test_summarise_four_cases() -> None:
    results = [
        score_answer(case("A", kind="table"), answered("238.15"), latency_ms=10.0),  # correct
        score_answer(case("B", kind="table"), answered("222.59", report=YUELU), latency_ms=20.0),
        score_answer(
            case("C", kind="text", lang="en"), NOT_FOUND_ANSWER, latency_ms=30.0
        ),  # missed
        score_answer(
            case("D", answer="NOT_IN_DOC", unit="", kind="absent", evidence=""),
            NOT_FOUND_ANSWER,
            latency_ms=40.0,
        ),  # correct
    ]
    summary = summarise(results)
    assert summary.accuracy == 0.5  # A and D correct: 2 / 4
    assert summary.wrong_numbers == 1  # B
    assert summary.outcomes == {
        CORRECT: 2,
        WRONG_NUMBER: 1,
        AMBIGUOUS: 0,
        NOT_FOUND: 1,
        NO_VALUE: 0,
        ERROR: 0,
    }
    # said not_found: C and D; of those only D is absent -> precision 1 / 2
    assert summary.not_found_precision == 0.5
    # absent cases: D, found -> recall 1 / 1
    assert summary.not_found_recall == 1.0
    # answered cases with a gold doc: A (cites it) and B (cites Yuelu) -> 1 / 2
    assert summary.citation_accuracy == 0.5
    assert summary.retrieval_recall_at_5 is None  # nothing measured
    assert summary.latency_ms_p50 == 20.0  # ceil(0.5 * 4) = 2nd of [10, 20, 30, 40]
    assert summary.latency_ms_p95 == 40.0
    assert summary.by_kind == {
        "absent": Group(n=1, correct=1, wrong_numbers=0),
        "table": Group(n=2, correct=1, wrong_numbers=1),
        "text": Group(n=1, correct=0, wrong_numbers=0),
    }
    assert summary.by_kind["table"].accuracy == 0.5  # 1 / 2
    assert summary.by_lang == {
        "en": Group(n=1, correct=0, wrong_numbers=0),
        "zh": Group(n=3, correct=2, wrong_numbers=1),
    }


def test_summary_of_nothing_said_not_found_has_no_precision() -> None:
    summary = summarise([score_answer(case(), answered("238.15"))])
    assert (summary.not_found_precision, summary.not_found_recall) == (None, None)


# --------------------------------------------------------------------------------- the runner


class FakeAnswerer:
    """Answers from a dict; raises NotImplementedError or a bug for the questions told to."""

    def __init__(self, answers: dict[str, dict[str, Any]]) -> None:
        self.answers = answers

    def ask(self, question: str) -> dict[str, Any]:
        if question == "question NI":
            raise NotImplementedError
        if question == "question BUG":
            raise KeyError("boom")
        return self.answers[question]

    def retrieve(self, question: str, k: int) -> list[dict[str, Any]]:
        return [{"report": QIAOKOU, "text": "支出 | 基本支出 238.15 | 万元"}][:k]


def test_run_cases_scores_every_case_and_survives_exceptions() -> None:
    answerer = FakeAnswerer({"question A": answered("238.15")})
    cases = [case("A"), case("NI"), case("BUG")]
    results = run_cases(cases, answerer.ask, answerer.retrieve)
    assert [r.outcome for r in results] == [CORRECT, ERROR, ERROR]
    assert results[1].error == "not implemented"
    assert results[2].error == "KeyError: 'boom'"
    assert results[0].latency_ms is not None and results[1].latency_ms is None
    # the evidence "基本支出 238.15 万元" is in the hit once spaces and cell bars are ignored
    assert [r.retrieved_gold for r in results] == [True, True, True]


@pytest.mark.parametrize(
    "hit",
    [
        {"report": QIAOKOU, "text": "基本支出\t238.15 万元"},
        Chunk(report=QIAOKOU, kind="text", text="基本支出 238.15 万元", position=0),
        (Chunk(report=QIAOKOU, kind="text", text="基本支出 238.15 万元", position=0), 0.9),
        (QIAOKOU, "基本支出 238.15 万元"),
    ],
)
def test_evidence_retrieved_reads_any_hit_shape(hit: Any) -> None:
    assert hit_report_text(hit)[0] == QIAOKOU
    assert evidence_retrieved(case(), [hit]) is True
    assert evidence_retrieved(case(doc=YUELU), [hit]) is False  # right words, wrong report
    assert evidence_retrieved(case(answer="NOT_IN_DOC", kind="absent"), [hit]) is None


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["--cases", "no/such/file.jsonl"], "cannot read the case file", 1),
        (["--bogus"], "unrecognized arguments", 2),
    ],
)
def test_cli_errors(
    args: list[str], message: str, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        exit_code = main(args)
    except SystemExit as exc:  # argparse exits 2 on bad flags
        exit_code = int(exc.code or 0)
    assert exit_code == code
    assert message in capsys.readouterr().err


@pytest.mark.slow
def test_cli_builds_the_store_and_scores_both_systems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m eval --json` on an empty store: builds it, adds the PDF, scores ours and the baseline."""
    cases = tmp_path / "cases.jsonl"
    lines = [
        {
            "id": "P06",
            "question": "岳麓区常调队2021年累计调查疑难工单多少件？",
            "answer": "12516",
            "unit": "件",
            "doc": YUELU,
            "evidence": "区常调队累计调查疑难工单12516件",
            "kind": "text",
            "lang": "zh",
        },
        {
            "id": "PDF06",
            "question": "社会工作部2024年度政府采购金额（以合同签订为准）是多少万元？",
            "answer": "21.07",
            "unit": "万元",
            "doc": "中共上海市普陀区委社会工作部 2024 年度部门决算.pdf",
            "evidence": "为 21.07 万元",
            "kind": "text",
        },
    ]
    cases.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    store = tmp_path / "store"
    runs = tmp_path / "runs"
    args = [
        "--cases",
        str(cases),
        "--store",
        str(store),
        "--json",
        "--runs-dir",
        str(runs),
        "--corpus",
        str(REPO / "corpus"),
        "--reports",
        str(REPO.parent / "shared" / "real-reports"),
    ]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    for key in (
        "accuracy",
        "wrong_numbers",
        "by_kind",
        "baseline_accuracy",
        "latency_ms_p50",
        "latency_ms_p95",
    ):
        assert key in out
    assert out["n"] == 2 and out["baseline"]["n"] == 2
    assert any("added" in note and ".pdf" in note for note in out["notes"])
    run = json.loads(Path(out["run_file"]).read_text(encoding="utf-8"))
    assert [c["id"] for c in run["cases"]] == ["P06", "PDF06"]


def test_an_absent_figure_is_met_by_the_reports_own_statement_of_none() -> None:
    from eval.cases import Case
    from eval.metrics import CORRECT, WRONG_NUMBER, classify

    case = Case(id="a", question="q", answer="NOT_IN_DOC", unit="", doc="d.pdf", evidence="", kind="absent", lang="zh")
    stated = {"status": "answered", "value": "0", "unit": "万元", "none_stated": {"quote": "本年度没有…支出"}}
    printed_zero = {"status": "answered", "value": "0.00", "unit": "万元"}
    assert classify(case, stated) == CORRECT
    assert classify(case, printed_zero) == WRONG_NUMBER


def test_a_computed_gold_accepts_the_sum_of_exact_operands() -> None:
    from eval.cases import Case
    from eval.metrics import CORRECT, WRONG_NUMBER, classify

    def case(kind: str) -> Case:
        return Case(id="c", question="q", answer="264.48", unit="万元", doc="d.pdf", evidence="", kind=kind, lang="zh")

    exact = {"status": "answered", "value": "2644739.28", "unit": "元"}  # 264.4739 万元
    assert classify(case("computed"), exact) == CORRECT
    assert classify(case("table"), exact) == WRONG_NUMBER  # a printed figure is matched as printed
    assert classify(case("computed"), {"status": "answered", "value": "264.46", "unit": "万元"}) == WRONG_NUMBER
