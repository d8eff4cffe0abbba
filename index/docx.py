"""file -> blocks (DOCX): body paragraphs and tables in document order, via python-docx."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import docx
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl, CT_Tc
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph
from docx.types import ProvidesStoryPart

from index.decode import check_size, drop_cjk_spaces, find_unit, is_heading, is_wide, sniff_kind
from index.models import Block, ReportFormatError, TableBlock, TextBlock

# An Office file inflates to many times its size; refuse archives that would inflate past this
# multiple of the byte limit (a zip bomb named .docx or .xlsx), before python-docx or openpyxl
# parses the XML.
_MAX_INFLATION = 50
# How many paragraphs above a table may hold its title or unit line.
_TITLE_REACH = 3
_MAX_TITLE_CHARS = 60
# Paragraphs that annotate the table just above them rather than the heading's topic.
_NOTE_START = ("注", "说明", "备注")
_HEADING_STYLE = re.compile(r"^(heading|标题|title)\b", re.IGNORECASE)


def error_line(exc: Exception) -> str:
    """A parsing library's own error cut to one short line, for a refusal's parentheses."""
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:120]


@dataclass(frozen=True)
class OfficeZip:
    """An Office Open XML kind (DOCX, XLSX) as its reader checks the zip and names refusals."""

    noun: str  # "damaged {noun}", "{noun} inflates to …"
    app: str  # "re-save it from {app}"
    member: str  # the part every file of this kind holds
    missing: str  # what a zip without that part is: "not a Word document"
    export: str  # the fix for a zip without it
    whole: str  # "split the {whole}"
    # (a part of another kind, the hint added when the zip holds it instead)
    hints: tuple[tuple[str, str], ...] = ()

    def damaged(self, path: Path, detail: str) -> ReportFormatError:
        return ReportFormatError(
            f"{path.name}: damaged {self.noun} ({detail}); re-save it from {self.app}"
        )

    def unparsable(self, path: Path, exc: Exception) -> ReportFormatError:
        return self.damaged(path, error_line(exc))

    def check(self, path: Path, max_bytes: int) -> None:
        """Refuse a damaged archive, one without this kind's part, or a zip bomb."""
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                inflated = sum(info.file_size for info in archive.infolist())
                corrupt = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise self.damaged(path, f"bad zip archive: {exc}") from None
        if corrupt is not None:
            raise self.damaged(path, f"corrupt member {corrupt}")
        if self.member not in names:
            hint = "".join(text for part, text in self.hints if part in names)
            raise ReportFormatError(
                f"{path.name}: {self.missing} (zip without {self.member}){hint}; {self.export}"
            )
        if inflated > _MAX_INFLATION * max_bytes:
            raise ReportFormatError(
                f"{path.name}: {self.noun} inflates to {inflated} bytes, over {_MAX_INFLATION} x "
                f"the limit of {max_bytes} bytes; raise DQA_MAX_BYTES or split the {self.whole}"
            )


DOCX_ZIP = OfficeZip(
    noun="DOCX",
    app="Word",
    member="word/document.xml",
    missing="not a Word document",
    export="export the report as .docx, .pdf or .txt",
    whole="report",
)


@dataclass(frozen=True)
class _Para:
    text: str
    heading: bool
    number: int  # 1-based among the body's non-empty paragraphs


@dataclass(frozen=True)
class _Table:
    rows: tuple[tuple[str, ...], ...]


def load_docx(path: Path, max_bytes: int) -> tuple[list[Block], str]:
    """Read a DOCX report: blocks in reading order and the full plain text.

    The text holds one line per paragraph and one tab-separated line per table row.
    """
    check_size(path, max_bytes)
    kind = sniff_kind(path)
    if kind == "ole":
        raise ReportFormatError(
            f"{path.name}: old binary Word format (.doc), not DOCX; save it as .docx first"
        )
    if kind != "zip":
        raise ReportFormatError(
            f"{path.name}: not a DOCX (not a zip archive; random bytes?); check the file or its suffix"
        )
    document = _open(path, max_bytes)
    items = list(_read_body(document))
    return _build(items)


def _open(path: Path, max_bytes: int) -> DocxDocument:
    DOCX_ZIP.check(path, max_bytes)
    try:
        return docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx/lxml raise many types on bad XML
        raise DOCX_ZIP.unparsable(path, exc) from None


# ---------------------------------------------------------------------------------------------
# document -> paragraphs and tables


def _read_body(document: DocxDocument) -> Iterator[_Para | _Table]:
    body = document.element.body
    parent = document._body  # noqa: SLF001 - Paragraph needs the story part to resolve styles
    number = 0
    for element in _body_elements(body):
        if isinstance(element, CT_Tbl):
            rows = _table_rows(element, parent)
            if rows:
                yield _Table(rows)
            continue
        paragraph = Paragraph(cast(CT_P, element), parent)
        text = _paragraph_text(paragraph)
        if not text:
            continue
        number += 1
        heading = _is_heading_style(paragraph) or is_heading(text)
        yield _Para(text=text, heading=heading, number=number)


def _body_elements(parent: BaseOxmlElement) -> Iterator[BaseOxmlElement]:
    """w:p and w:tbl children in order, looking inside content controls (w:sdt)."""
    for child in parent.iterchildren():
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _body_elements(content)


def _paragraph_text(paragraph: Paragraph) -> str:
    # A soft line break (Shift+Enter) keeps one paragraph; join like a wrapped line.
    pieces = [piece.strip() for piece in paragraph.text.replace("\r", "\n").split("\n")]
    return _join_parts(pieces).strip()


def _is_heading_style(paragraph: Paragraph) -> bool:
    try:
        style = paragraph.style
    except (KeyError, ValueError):
        style = None
    while style is not None:
        name = style.name or ""
        if _HEADING_STYLE.match(name):
            return True
        if _outline_level(style.element) is not None:
            return True
        style = style.base_style
    return _outline_level(paragraph._p) is not None  # noqa: SLF001


def _outline_level(element: BaseOxmlElement) -> int | None:
    ppr = element.find(qn("w:pPr"))
    if ppr is None:
        return None
    level = ppr.find(qn("w:outlineLvl"))
    if level is None:
        return None
    value = int(level.get(qn("w:val"), "9"))
    return value if value < 9 else None  # 9 is "body text"


def _table_rows(tbl: CT_Tbl, parent: ProvidesStoryPart) -> tuple[tuple[str, ...], ...]:
    """The table as a grid: a merged cell's text once (top-left), "" in the grid cells it covers.

    python-docx's row.cells repeats a merged cell once per grid column and row it covers;
    emitting it each time would make every spanned figure count twice downstream.
    """
    rows = []
    for tr in tbl.tr_lst:
        cells: list[str] = [""] * tr.grid_before
        for tc in tr.tc_lst:
            span = max(1, tc.grid_span)
            if tc.vMerge == "continue":
                cells.extend([""] * span)
                continue
            cells.append(_cell_text(tc, parent))
            cells.extend([""] * (span - 1))
        cells.extend([""] * tr.grid_after)
        rows.append(tuple(cells))
    return tuple(row for row in rows if any(row)) if any(any(r) for r in rows) else ()


def _cell_text(tc: CT_Tc, parent: ProvidesStoryPart) -> str:
    pieces = []
    for child in tc.iterchildren():
        if isinstance(child, CT_P):
            pieces.append(_paragraph_text(Paragraph(child, parent)))
        elif isinstance(child, CT_Tbl):
            # A table nested in a cell: flatten its rows into the cell's text.
            pieces.extend(" ".join(c for c in row if c) for row in _table_rows(child, parent))
    text = _join_parts([piece for piece in pieces if piece])
    return re.sub(r"[ \t]{2,}", " ", drop_cjk_spaces(text)).strip()


def _join_parts(pieces: list[str]) -> str:
    """Join a cell's paragraphs: nothing between two CJK characters ("附属单位" + "上缴收入"),
    a space otherwise, so a count and the next item's number stay apart ("84395件 2.满意度")."""
    text = ""
    for piece in pieces:
        if not piece:
            continue
        if text and not (is_wide(text[-1]) and is_wide(piece[0])):
            text += " "
        text += piece
    return text


# ---------------------------------------------------------------------------------------------
# paragraphs + tables -> blocks


def _build(items: list[_Para | _Table]) -> tuple[list[Block], str]:
    used = _title_paragraphs(items)
    blocks: list[Block] = []
    lines: list[str] = []
    section = ""
    note_context = ""  # title of the table the current run of notes belongs to
    for position, item in enumerate(items):
        if isinstance(item, _Table):
            title, unit, rows = used.tables[position]
            blocks.append(
                TableBlock(
                    title=title or section,
                    rows=rows,
                    unit=unit,
                    section=section,
                    shape="docx",
                )
            )
            lines.extend("\t".join(row) for row in item.rows)
            note_context = title or section
            continue
        lines.append(item.text)
        if item.heading:
            section = item.text
            note_context = ""
        if position in used.paragraphs:
            continue
        if note_context and not _is_note(item.text):
            note_context = ""
        blocks.append(TextBlock(text=item.text, section=note_context or section, line=item.number))
    return blocks, "\n".join(lines)


@dataclass
class _Used:
    paragraphs: set[int]  # title/unit paragraphs taken by a table (not emitted as prose)
    tables: dict[int, tuple[str, str, tuple[tuple[str, ...], ...]]]  # position -> title, unit, rows


def _title_paragraphs(items: list[_Para | _Table]) -> _Used:
    """For each table: its title, unit and rows, from the few paragraphs just above it."""
    used = _Used(paragraphs=set(), tables={})
    for position, item in enumerate(items):
        if not isinstance(item, _Table):
            continue
        title, unit = "", ""
        start = max(0, position - _TITLE_REACH)
        for back in range(position - 1, start - 1, -1):
            above = items[back]
            if isinstance(above, _Table):
                break
            line_unit = find_unit(above.text)
            if line_unit and len(above.text) <= _MAX_TITLE_CHARS:
                unit = unit or line_unit
                used.paragraphs.add(back)
                rest = re.sub(r"(?:金额)?单位\s*[:：]\s*\S*", "", above.text).strip()
                if "表" in rest and not title:
                    title = rest
                continue
            if not title and _title_like(above.text) and ("表" in above.text or above.heading):
                title = above.text
                if not above.heading:
                    used.paragraphs.add(back)
            break
        rows = item.rows
        if rows and _is_unit_row(rows[0]):
            unit = unit or find_unit(" ".join(rows[0]))
            rows = rows[1:]
        elif rows:
            unit = unit or next((find_unit(cell) for cell in rows[0] if find_unit(cell)), "")
        used.tables[position] = (title, unit, rows)
    return used


def _title_like(text: str) -> bool:
    return (
        len(text) <= _MAX_TITLE_CHARS
        and "。" not in text
        and not text.endswith(("，", "；", "：", ",", ";", ":"))
    )


def _is_unit_row(row: tuple[str, ...]) -> bool:
    """A first row that only states the unit ("单位：万元" across the table) is not a header."""
    cells = [cell for cell in row if cell]
    return bool(cells) and all(find_unit(cell) for cell in cells) and len(cells) <= 2


def _is_note(text: str) -> bool:
    return text.startswith(_NOTE_START) or "本表" in text
