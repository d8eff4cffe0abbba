"""Table probe: a question for every sampled table cell of every stored report, its gold the cell.

    python -m eval.probe [--store DIR] [--per-report 40] [--seed 0] [--json] [-v]

Known-answer cases are written by hand and cover a few rows of each report. The probe asks
about the rest: for each report it samples table cells whose name is unique in the report
(no other table cell with the same row and column prints another figure), and asks for each
the way a user who read the table would ("普陀区财政局2024年决算里行政运行的决算数是多少？",
"In the 2024 final accounts of …, what is 行政运行 (基本支出)?"), the organisation by its name
in the catalog. A right answer cites that figure; a wrong one is a bug in reading the table or
in telling its rows apart, whatever the wording. Not a test and not tuned on: a measurement,
printed per report, of how many rows the fact store can be asked about at all.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import sys
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from index.numbers import MONEY_UNITS

KIND_ZH = {"预算": "预算", "决算": "决算", "绩效自评": "绩效自评"}
KIND_EN = {"预算": "budget", "决算": "final accounts", "绩效自评": "performance self-evaluation"}
MIN_LABEL_CHARS = 2  # a row named by fewer characters (一、) names nothing a user would ask


def _last(column: str) -> str:
    return column.split(" / ")[-1].strip()


def probe_cells(facts: list[Any], per_report: int, rng: random.Random, whole_rows: bool = False) -> list[Any]:
    """Table cells whose (row, last column) pair prints one figure in the whole report (the row
    alone, for a cell under no header)."""
    values: dict[tuple[str, str], set[Decimal]] = defaultdict(set)
    for fact in facts:
        if fact.source == "table":
            values[(fact.row_label, _last(fact.column))].add(fact.value)
            values[(fact.row_label, "")].add(fact.value)  # a question naming no column: any cell of the row
    cells = [f for f in facts if f.source == "table" and len(f.row_label.strip()) >= MIN_LABEL_CHARS
             and len(values[(f.row_label, "" if whole_rows else _last(f.column))]) == 1 and f.value != 0]
    unique = {(f.row_label, _last(f.column)): f for f in cells}  # one question per name
    chosen = list(unique.values())
    rng.shuffle(chosen)
    return chosen[:per_report]


NUMBERING_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．])\s*")


def text_cells(facts: list[Any], per_report: int, rng: random.Random) -> list[Any]:
    """Sentence figures whose name (words before it, and the noun a count counts) has four
    Chinese characters or more and prints one figure in the report, in the table cells too."""
    values: dict[str, set[Decimal]] = defaultdict(set)
    for fact in facts:
        values[f"{fact.row_label}{fact.column if fact.source == 'text' else ''}"].add(fact.value)
    cells = [f for f in facts if f.source == "text" and len(re.findall(r"[\u4e00-\u9fff]", f.row_label)) >= 4
             and len(values[f"{f.row_label}{f.column}"]) == 1 and not re.search(r"\d", f.row_label)]
    unique = list({f"{f.row_label}{f.column}": f for f in cells}.values())
    rng.shuffle(unique)
    return unique[:per_report]


def english_names() -> dict[str, str]:
    """Chinese item name -> the first English phrase the vocabulary (qa/en_zh.tsv) gives it."""
    from qa.glossary import VOCAB_FILE

    names: dict[str, str] = {}
    for line in VOCAB_FILE.read_text(encoding="utf-8").splitlines():
        english, _, chinese = line.partition("\t")
        if chinese and not line.startswith("#") and len(english.split()) >= 2:
            names.setdefault(chinese.strip(), english.strip())
    return names


def english_question(fact: Any, org: str, year: int | None, kind: str, names: dict[str, str]) -> str:
    """The question in plain English, the row named by the vocabulary ('' when it has no name)."""
    english = names.get(NUMBERING_RE.sub("", fact.row_label).strip())
    if not english:
        return ""
    lead = "How much was" if fact.unit in MONEY_UNITS else "What was"
    return f"{lead} {english} in the {year or ''} {KIND_EN.get(kind, 'report')} of {org}?"


def question_for(fact: Any, org: str, year: int | None, kind: str, english: bool) -> str:
    column = _last(fact.column)
    row = f"{fact.code} {fact.row_label}" if fact.code else fact.row_label
    if english:
        what = f"{row} ({column})" if column else row
        return f"In the {year or ''} {KIND_EN.get(kind, 'report')} of {org}, what is {what}?"
    of = f"的{column}" if column else ""
    return f"{org}{year or ''}年{KIND_ZH.get(kind, '')}里{row}{of}是多少{fact.unit}？"


def outcome(result: dict[str, Any], fact: Any) -> str:
    def is_gold(value: Any, unit: str) -> bool:
        try:
            return Decimal(str(value)) == fact.value and (unit == fact.unit or not unit or not fact.unit)
        except Exception:  # noqa: BLE001 - a non-numeric value is no gold
            return False

    status = result.get("status")
    if status == "answered":
        cited = any(c.get("quote") == fact.quote and c.get("report") == fact.report and c.get("raw") == fact.raw
                    and c.get("locator") == fact.locator for c in result.get("citations") or [])
        return "correct" if is_gold(result.get("value"), result.get("unit") or "") or cited else "wrong"
    if status == "ambiguous":
        listed = any(is_gold(c.get("value"), c.get("unit") or "") for c in result.get("candidates") or [])
        return "ambiguous_listed" if listed else "ambiguous_wrong"
    return "not_found"


def run(store: str | None, per_report: int, seed: int) -> dict[str, Any]:
    from qa.answerer import Answerer

    answerer = Answerer(store)
    rng = random.Random(seed)
    names = english_names()
    rows: list[dict[str, Any]] = []

    def ask(info: Any, fact: Any, form: str, question: str) -> None:
        result = answerer.ask(question)
        rows.append({"report": info.name, "form": form, "question": question, "gold": fact.raw, "unit": fact.unit,
                     "locator": fact.locator, "outcome": outcome(result, fact),
                     "got": result.get("value"), "status": result.get("status")})

    for info in answerer.catalog:
        facts = answerer.stores.facts.facts([info.name])
        for i, fact in enumerate(probe_cells(facts, per_report, rng)):
            english = i % 3 == 2  # a third asked in English with the Chinese row name
            ask(info, fact, "mixed" if english else "zh", question_for(fact, info.org, info.year, info.kind, english))
        # every row the vocabulary names in English and the report prints one figure for
        for fact in text_cells(facts, per_report, rng):
            ask(info, fact, "text", f"{info.org}{info.year or ''}年{fact.row_label}{fact.column}是多少{fact.unit}？")
        asked: set[str] = set()
        for fact in probe_cells(facts, len(facts), random.Random(seed), whole_rows=True):
            question = english_question(fact, info.org, info.year, info.kind, names)
            if question and question not in asked:
                asked.add(question)
                ask(info, fact, "en", question)
    return {"rows": rows, "summary": summarise(rows)}


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total = Counter(r["outcome"] for r in rows)
    by_form: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        by_form[r["form"]][r["outcome"]] += 1
    by_report: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        by_report[r["report"]][r["outcome"]] += 1
    return {"n": len(rows), "outcomes": dict(total),
            "accuracy": round(total["correct"] / len(rows), 4) if rows else 0.0,
            "by_form": {k: dict(v) for k, v in sorted(by_form.items())},
            "by_report": {k: dict(v) for k, v in sorted(by_report.items())}}


def main(argv: list[str] | None = None) -> int:
    for key, value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("HF_HUB_DISABLE_TELEMETRY", "1")):
        os.environ.setdefault(key, value)
    parser = argparse.ArgumentParser(prog="python -m eval.probe", description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="store folder (default: $DQA_STORE, else .store/)")
    parser.add_argument("--per-report", type=int, default=40, help="cells asked per report (default 40)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print every row as JSON")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    if not args.verbose:
        logging.disable(logging.WARNING)
    report = run(args.store, args.per_report, args.seed)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    s = report["summary"]
    print(f"table probe: {s['n']} cells, {s['accuracy']:.1%} answered with the cell; outcomes {s['outcomes']}")
    for form, counts in s["by_form"].items():
        n = sum(counts.values())
        print(f"  asked {form:<5} {n:4}  {counts.get('correct', 0) / n:6.1%}  {counts}")
    width = max((len(Path(k).name) for k in s["by_report"]), default=10)
    for name, counts in s["by_report"].items():
        n = sum(counts.values())
        print(f"  {Path(name).name:<{width}}  {n:4}  {counts.get('correct', 0) / n:6.1%}  "
              f"wrong {counts.get('wrong', 0):3}  ambiguous {counts.get('ambiguous_listed', 0) + counts.get('ambiguous_wrong', 0):3}"
              f"  not found {counts.get('not_found', 0):3}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
