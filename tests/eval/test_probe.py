"""eval.probe: which table cells it asks about, how it words them, how it scores the answers."""

from __future__ import annotations

import random
from decimal import Decimal

from eval.probe import english_question, outcome, probe_cells, question_for, text_cells
from index.models import Fact


def _cell(row: str, column: str, value: str, table: str = "t", code: str = "") -> Fact:
    return Fact(report="r.pdf", source="table", table=table, row_label=row, column=column, value=Decimal(value),
                raw=value, unit="万元", locator=f"{table}, row “{row}”", quote=f"{row} {value}", code=code)


def test_only_cells_whose_name_prints_one_figure_are_asked() -> None:
    facts = [
        _cell("行政运行", "支出 / 合计", "51.32", "A"), _cell("行政运行", "合计", "51.32", "B"),  # one figure twice
        _cell("劳务费", "合计", "0.5", "A"), _cell("劳务费", "合计", "9.9", "B"),  # two figures, one name
        _cell("一", "合计", "3"),  # too short a name to ask
    ]
    chosen = probe_cells(facts, 10, random.Random(0))
    assert [(f.row_label, f.table) for f in chosen] == [("行政运行", "B")]
    # with the row alone, a row printing other figures under other columns is no question
    rows = [_cell("培训费", "基本支出", "1"), _cell("培训费", "项目支出", "2"), _cell("印刷费", "", "4")]
    assert [f.row_label for f in probe_cells(rows, 10, random.Random(0), whole_rows=True)] == ["印刷费"]


def test_questions_name_the_organisation_year_row_and_column() -> None:
    fact = _cell("行政运行", "本年支出 / 合计", "51.32", code="2010101")
    assert question_for(fact, "普陀区财政局", 2024, "决算", False) == "普陀区财政局2024年决算里2010101 行政运行的合计是多少万元？"
    assert english_question(_cell("一、住房保障支出", "合计", "3"), "X", 2024, "预算", {"住房保障支出": "housing security expenditure"}) \
        == "How much was housing security expenditure in the 2024 budget of X?"
    assert english_question(fact, "X", 2024, "预算", {}) == ""


def test_a_sentence_figure_is_asked_by_a_name_of_four_characters_or_more() -> None:
    said = Fact(report="r", source="text", table="s", row_label="全区全年共签收热线工单", column="", value=Decimal(84395),
                raw="84395", unit="件", locator="s", quote="…")
    short = Fact(report="r", source="text", table="s", row_label="共", column="", value=Decimal(1), raw="1", unit="户",
                 locator="s", quote="…")
    assert text_cells([said, short], 5, random.Random(0)) == [said]


def test_outcomes() -> None:
    fact = _cell("行政运行", "合计", "51.32")
    assert outcome({"status": "answered", "value": "51.32", "unit": "万元"}, fact) == "correct"
    assert outcome({"status": "answered", "value": "5.1", "unit": "万元", "citations": []}, fact) == "wrong"
    assert outcome({"status": "ambiguous", "candidates": [{"value": "51.32", "unit": "万元"}]}, fact) == "ambiguous_listed"
    assert outcome({"status": "ambiguous", "candidates": [{"value": "1", "unit": "万元"}]}, fact) == "ambiguous_wrong"
    assert outcome({"status": "not_found"}, fact) == "not_found"
