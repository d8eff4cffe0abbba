"""Test helpers for the readers of other formats (web page, workbook, scan): the shared 社会工作部
PDF they copy, and how a copy's table facts are compared with the PDF's.

A plain module (imported by its own name, as pytest puts this folder on the path) rather than a
conftest.py, because `needs_sample` is a mark the tests apply when they are defined.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pytest

from index.analyse import Analysis
from index.models import Fact

REPO = Path(__file__).resolve().parents[2]
SAMPLE_NAME = "real-reports/中共上海市普陀区委社会工作部 2024 年度部门决算.pdf"
SAMPLE = next(
    (p for p in (REPO.parent / "shared" / SAMPLE_NAME, Path("/work/shared") / SAMPLE_NAME) if p.exists()),
    REPO.parent / "shared" / SAMPLE_NAME,
)
MAX_BYTES = 100 * 1024 * 1024
needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason="shared sample PDF not on this machine")

FactKey = tuple[str, str, str, str, Decimal]


def table_fact_keys(facts: Iterable[Fact]) -> Counter[FactKey]:
    return Counter((f.table, f.code, f.row_label, f.column, f.value) for f in facts if f.source == "table")


def agreement(ours: Counter, theirs: Counter) -> float:  # noqa: ANN001 - Counters of fact keys
    """Share of the reference's facts found with the same key (table, row, column and value)."""
    return sum((ours & theirs).values()) / sum(theirs.values())


def extra_share(ours: Counter, theirs: Counter) -> float:  # noqa: ANN001 - Counters of fact keys
    """Facts the copy gives that the reference does not, as a share of the reference's."""
    return sum((ours - theirs).values()) / sum(theirs.values())


def failed_errors(analysis: Analysis) -> set[str]:
    """The rules of error severity the analysis's checks find broken."""
    return {c.rule for c in analysis.checks if not c.holds and c.detail.startswith("error")}


def write_word_zip(path: Path) -> None:
    """A Word document's zip (only word/document.xml) under whatever name the test gives."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
