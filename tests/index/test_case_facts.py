"""Acceptance (issue 2): every table case's expected figure is a fact whose labels name it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from index.grams import grams
from index.numbers import parse_number, to_unit
from index.stores import SqliteFactStore
from qa.query import parse_query, report_info

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
CASE_FILES = [REPO / "eval" / "dev" / "public.jsonl", REPO / "eval" / "dev" / "pdf_public.jsonl"]


def _table_cases() -> list[dict]:
    cases = []
    for path in CASE_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            if case.get("kind") == "table":
                cases.append(case)
    return cases


@pytest.mark.parametrize("case", _table_cases(), ids=lambda c: c["id"])
def test_expected_figure_is_a_named_fact(corpus_store: Path, case: dict) -> None:
    store = SqliteFactStore(corpus_store / "facts.sqlite", create=False)
    catalog = [report_info(r) for r in store.reports()]
    query = parse_query(case["question"], catalog)
    wanted = grams(" ".join([query.metric, *query.terms, query.table_ref]))
    gold = parse_number(case["answer"])
    assert gold is not None
    matches = []
    for fact in store.facts([case["doc"]]):
        value = to_unit(fact.value, fact.unit, case["unit"]) if fact.unit != case["unit"] else fact.value
        if value is None or Decimal(value) != gold:
            continue
        labels = grams(f"{fact.code} {fact.row_label} {fact.column} {fact.table} {fact.parents}")
        if labels & wanted:
            matches.append(fact)
    assert matches, f"{case['id']}: no fact of {case['doc']} equals {case['answer']} {case['unit']} under a label naming it"
    store.close()
