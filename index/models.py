"""The data that flows through the build side: Report -> blocks -> Table/Fact/Chunk.

Every type here is a frozen dataclass so that stages cannot mutate each other's output,
and every id is derived from content so that re-adding an unchanged report is a no-op.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal


class ReportFormatError(Exception):
    """A report that cannot be read. The message names the file and says why (one line)."""


@dataclass(frozen=True)
class TextBlock:
    """A run of prose: one paragraph or table-cell sentence. `lines` are source line numbers."""

    text: str
    section: str = ""
    page: int | None = None
    line: int | None = None
    # read by OCR: the lowest confidence of its lines (None: read from a text layer)
    confidence: float | None = None


@dataclass(frozen=True)
class TableBlock:
    """A table as a grid of cell strings, as close to the printed layout as the loader can get.

    `rows[i][j]` is the cell text ('' for an empty cell). Rows may have different lengths.
    `title` is the nearest preceding table title, `unit` the printed unit (万元 / 元) or ''.
    `shape` names the layout it came from ("tsv", "spaced", "cells", "pdf", "ocr", "docx",
    "html", "sheet", "md").
    `line_numbers[i]` (or page numbers for PDFs) locates row i in the source.
    `confidence[i][j]`, for a table read by OCR (shape "ocr"), is cell (i, j)'s recognition
    confidence (the lowest of its text boxes); empty for tables read from text.
    """

    title: str
    rows: tuple[tuple[str, ...], ...]
    unit: str = ""
    section: str = ""
    shape: str = "tsv"
    page: int | None = None
    line_numbers: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()
    confidence: tuple[tuple[float, ...], ...] = ()


Block = TextBlock | TableBlock


@dataclass(frozen=True)
class ReportMeta:
    org: str
    district: str
    year: int | None
    kind: str  # 预算 | 决算 | 绩效自评 | ''
    level: str = ""  # 区级 | 市级 | 省级 | ''
    scope: str = ""  # 部门 (a department with its units) | 单位 (one unit) | ''
    place: str = ""  # the organisation's administrative divisions: 上海市普陀区, 江苏省
    joined: str = ""  # the report this file is part of (a narrative file and its tables file)


@dataclass(frozen=True)
class Report:
    """A loaded file: its name as added, content hash, metadata and blocks in reading order."""

    name: str
    sha256: str
    meta: ReportMeta
    blocks: tuple[Block, ...]
    text: str = ""  # full plain text, used for evidence checks and citations
    pages: int | None = None

    @property
    def report_id(self) -> str:
        return self.sha256[:16]


@dataclass(frozen=True)
class Fact:
    """One figure: a numeric table cell or a quantity stated in a sentence.

    `value` is the Decimal of the printed figure and `raw` the exact printed text (kept for the
    citation; "313. 08" stays as printed). `unit` is the unit as printed or implied by the table.
    For table facts `row_label` is the row's name (with `code`, the 科目编码, when present and
    `parents` the names of its 类/款 ancestors), `column` the header path joined by " / ".
    For sentence facts `row_label` is what the number counts (the words before it), `column`
    holds the words right after a count (the counted noun in "288 个单元网格") and `quote` is
    the sentence; `table` is the section heading and `parents` the previous clause's label.
    """

    report: str
    source: str  # "table" | "text"
    table: str
    row_label: str
    column: str
    value: Decimal
    raw: str
    unit: str
    locator: str
    quote: str
    code: str = ""
    parents: str = ""
    position: int = 0

    @property
    def fact_id(self) -> str:
        return f"{content_id(self.report)}:f{self.position}"


@dataclass(frozen=True)
class TableCheck:
    """Result of one identity the report prints (e.g. 合计 = sum of children)."""

    table: str
    rule: str
    holds: bool
    detail: str


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage. Table chunks repeat title, unit and header; never split a row."""

    report: str
    kind: str  # "text" | "table"
    text: str
    position: int
    table: str = ""
    section: str = ""
    page: int | None = None
    meta: tuple[tuple[str, str | int], ...] = field(default=())

    @property
    def chunk_id(self) -> str:
        return f"{content_id(self.report)}:c{self.position}"


def content_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
