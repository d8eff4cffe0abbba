"""file -> blocks (.xlsx / .xls / .csv): each sheet's tables, with their title and 单位 rows.

A sheet is read as the grid it prints: a cell's text is its value written with its number format
(307.82 stays 307.82, a "#,##0.00" cell holding 3680 prints 3,680.00, a code stays a code), a
merged cell's text sits in its top-left cell and the cells it covers are "" (as the DOCX and PDF
readers give them, so `index.tables` spreads a merged header over its columns the same way).
Rows above the header holding one cell (the title, "单位：万元", "编制单位：…") are the table's
caption; a blank row followed by another caption starts the next table on the same sheet; single
cells after a table are its notes. .xlsx is read with openpyxl (number formats and merged
ranges), .xls with python-calamine, which gives values without formats: there a figure gets the
decimals the other figures of its column print.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from index.decode import (
    check_size,
    drop_cjk_spaces,
    find_unit,
    is_heading,
    join_wrapped,
    read_text,
    sniff_kind,
)
from index.docx import OfficeZip, error_line
from index.models import Block, ReportFormatError, TableBlock, TextBlock
from index.numbers import parse_cell

XLSX_ZIP = OfficeZip(
    noun="workbook",
    app="Excel",
    member="xl/workbook.xml",
    missing="not an Excel workbook",
    export="export the tables as .xlsx or .csv",
    whole="workbook",
    hints=(("word/document.xml", " (a Word document?)"),),
)
# A sheet with more cells than this is a data dump, not a disclosure table; read its head only.
_MAX_ROWS = 20_000
_MAX_COLUMNS = 200
# Excel's names for a sheet nobody named: not a table title.
_DEFAULT_SHEET = re.compile(r"^(sheet|工作表|表)\s*\d*$", re.IGNORECASE)
_CAPTION = re.compile(r"(?:金额)?单位\s*[:：]|编制单位|部门\s*[:：]|预算单位\s*[:：]")
_NOTE_START = ("注", "说明", "备注")
_MAX_TITLE_CHARS = 60


@dataclass(frozen=True)
class _Sheet:
    name: str
    rows: tuple[tuple[str, ...], ...]


def load_sheets(path: Path, max_bytes: int) -> tuple[list[Block], str]:
    """Read a spreadsheet report: blocks in sheet order and the full plain text (one
    tab-separated line per row, sheets separated by form feeds)."""
    check_size(path, max_bytes)
    suffix = path.suffix.lower()
    kind = sniff_kind(path)
    if suffix == ".csv":
        sheets = [_read_csv(path, max_bytes)]
    elif kind == "zip":
        sheets = _read_xlsx(path, max_bytes)
    elif kind == "ole":
        sheets = _read_calamine(path)
    elif kind == "text" and suffix == ".xls" and _is_html_table(path):
        # Many sites "export to Excel" as an HTML table saved under .xls; read it as the web page.
        from index.html import load_html

        return load_html(path, max_bytes)
    else:
        expected = "zip archive" if suffix in (".xlsx", ".xlsm") else "OLE2 workbook"
        raise ReportFormatError(
            f"{path.name}: not a spreadsheet (no {expected} header; random bytes?); "
            "check the file or its suffix"
        )
    blocks: list[Block] = []
    pages: list[str] = []
    for sheet in sheets:
        sheet_blocks = sheet_to_blocks(sheet.name, sheet.rows)
        blocks.extend(sheet_blocks)
        pages.append("\n".join("\t".join(row).rstrip("\t") for row in sheet.rows if any(row)))
    if not any(isinstance(b, TableBlock) for b in blocks) and not any(
        isinstance(b, TextBlock) for b in blocks
    ):
        raise ReportFormatError(
            f"{path.name}: no cells with text in any of {len(sheets)} sheets; check the workbook"
        )
    return blocks, "\f".join(pages)


# ---------------------------------------------------------------------------------------------
# files -> grids of printed cell text


def _read_xlsx(path: Path, max_bytes: int) -> list[_Sheet]:
    XLSX_ZIP.check(path, max_bytes)
    import openpyxl

    try:
        # data_only: a formula cell prints the value Excel saved with it, as the reader saw it.
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl/lxml raise many types on bad XML
        raise XLSX_ZIP.unparsable(path, exc) from None
    sheets = []
    for ws in book.worksheets:
        if getattr(ws, "sheet_state", "visible") != "visible":
            continue  # hidden sheets hold lookups and drafts, not what was published
        height = min(ws.max_row or 0, _MAX_ROWS)
        width = min(ws.max_column or 0, _MAX_COLUMNS)
        rows = []
        for row in ws.iter_rows(min_row=1, max_row=height, max_col=width):
            rows.append(tuple(printed_cell(cell.value, cell.number_format) for cell in row))
        sheets.append(_Sheet(ws.title, _trim(rows)))
    return sheets


def _read_calamine(path: Path) -> list[_Sheet]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = []
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            values = sheet.to_python(skip_empty_area=False, nrows=_MAX_ROWS)
            sheets.append(_Sheet(name, _trim(_print_without_formats(values))))
        return sheets
    except Exception as exc:  # noqa: BLE001 - calamine raises its own and OS errors on bad files
        raise ReportFormatError(
            f"{path.name}: damaged or unsupported .xls ({error_line(exc)}); re-save it as .xlsx"
        ) from None


MAX_DECIMALS = 4  # more decimals than this in a cell are its own, not its column's format


def _print_without_formats(values: Sequence[Sequence[Any]]) -> list[tuple[str, ...]]:
    """Cells of a workbook read without number formats (.xls via calamine): a number printing
    fewer decimals than its column's others gets as many (3680 -> "3680.00", 17.7 -> "17.70"
    beside 51.32), as the column's one number format would print them; a column of whole
    numbers (codes, counts) stays as it is. A float's binary noise (a cached SUM's
    0.30000000000000004) is no decimal it prints; a number with more than four decimals is
    printed whole and sets no column's decimals."""
    rows = [list(r[:_MAX_COLUMNS]) for r in values]
    decimals = [[_decimals_of(value) for value in row] for row in rows]
    places: dict[int, int] = {}
    for row in decimals:
        for c, d in enumerate(row):
            if d:
                places[c] = max(places.get(c, 0), d)
    out = []
    for row, row_decimals in zip(rows, decimals, strict=True):
        cells = []
        for c, (value, d) in enumerate(zip(row, row_decimals, strict=True)):
            # (calamine gives an integral figure of an .xls as an int: 3680, not 3680.0)
            wanted = max(places.get(c, 0), d or 0)
            if d is not None and wanted:
                cells.append(printed_cell(value, "0." + "0" * wanted))
            else:
                cells.append(printed_cell(value, "General"))
        out.append(tuple(cells))
    return out


def _decimals_of(value: Any) -> int | None:
    """The decimals a number prints (0.30000000000000004 -> 1, 17.7 -> 1, 3680 -> 0); None for
    no number, or one of more than MAX_DECIMALS decimals."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    for d in range(MAX_DECIMALS + 1):
        if abs(value - round(value, d)) < 1e-9:
            return d
    return None


def _read_csv(path: Path, max_bytes: int) -> _Sheet:
    text = read_text(path, max_bytes)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = [tuple(_text_cell(cell) for cell in row[:_MAX_COLUMNS]) for row in csv.reader(io.StringIO(text), dialect)]
    return _Sheet(path.stem, _trim(rows[:_MAX_ROWS]))


def _is_html_table(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(4096).lower()
    return b"<table" in head or b"<html" in head


# ---------------------------------------------------------------------------------------------
# one cell -> its printed text


def printed_cell(value: Any, number_format: str | None = "General") -> str:
    """The text a cell prints: its value written with its number format.

    Only what changes the figure is applied: decimals, the thousands separator and percent.
    Currency signs, colours and padding are not figures. Excel rounds half away from zero.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return _text_cell(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if not isinstance(value, (int, float, Decimal)):
        return _text_cell(str(value))
    number = _decimal(value)
    if number is None:
        return ""
    pattern = _number_section(number_format or "General", number < 0)
    if pattern is None:  # General: as many digits as the value has, codes without ".0"
        if number == number.to_integral_value():
            return str(int(number))
        return format(number.normalize(), "f")
    percent = "%" in pattern
    if percent:
        number *= 100
    decimals = _format_decimals(pattern)
    rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    grouped = "," in pattern.split(".")[0]
    text = f"{rounded:,.{decimals}f}" if grouped else f"{rounded:.{decimals}f}"
    if text.startswith("-") and rounded == 0:
        text = text[1:]
    return text + ("%" if percent else "")


def _decimal(value: int | float | Decimal) -> Decimal | None:
    try:
        # repr gives the shortest text that reads back as the float: 307.82, not 307.8199999…
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _number_section(number_format: str, negative: bool) -> str | None:
    """The part of a format that prints this value, stripped of literals; None for General."""
    sections = number_format.split(";")
    section = sections[1] if negative and len(sections) > 1 else sections[0]
    section = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", section)
    if "General" in section or not re.search(r"[0#?]", section):
        return None
    return section


def _format_decimals(pattern: str) -> int:
    if "." not in pattern:
        return 0
    tail = pattern.split(".", 1)[1]
    return len(re.match(r"[0#?]*", tail).group(0))  # type: ignore[union-attr]


def _text_cell(text: str) -> str:
    """A text cell's lines joined like a wrapped PDF cell ("附属单位\\n上缴收入" -> one word)."""
    joined = ""
    for piece in str(text).replace("\r", "\n").split("\n"):
        joined = join_wrapped(joined, piece.strip())
    return re.sub(r"[ \t]{2,}", " ", drop_cjk_spaces(joined.replace("\u3000", " "))).strip()


def _trim(rows: Iterable[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    """Drop trailing empty rows and the empty columns at the sheet's left and right."""
    grid = [tuple(row) for row in rows]
    while grid and not any(grid[-1]):
        grid.pop()
    used = [c for row in grid for c, cell in enumerate(row) if cell]
    if not used:
        return ()
    left, right = min(used), max(used) + 1
    return tuple(tuple(list(row[left:right]) + [""] * (right - left - len(row[left:right]))) for row in grid)


# ---------------------------------------------------------------------------------------------
# a sheet's grid -> captions, tables and notes


def sheet_to_blocks(name: str, rows: Sequence[tuple[str, ...]]) -> list[Block]:
    """One sheet's blocks: each table with the caption rows above it, text rows as prose."""
    blocks: list[Block] = []
    section = ""
    captions: list[str] = []
    table: list[tuple[str, ...]] = []
    numbers: list[int] = []
    gap = False
    # The caption ends at its 单位 line: a one-cell row after it is the header's first row
    # (财政拨款“三公”经费 merged over the whole table), not more caption.
    unit_seen = False

    def close() -> None:
        nonlocal table, numbers, captions, unit_seen
        unit_seen = False
        if table:
            blocks.append(_table_block(name, captions, table, numbers, section))
        elif captions:
            for text in captions:
                blocks.append(TextBlock(text=text, section=section))
        table, numbers, captions = [], [], []

    for number, row in enumerate(rows, start=1):
        cells = [cell for cell in row if cell]
        if not cells:
            gap = True
            continue
        single = len(cells) == 1 and parse_cell(cells[0]) is None
        if table and single and (len(cells[0]) > _MAX_TITLE_CHARS or cells[0].startswith(_NOTE_START)):
            # a note or a sentence under the table
            close()
            blocks.append(TextBlock(text=cells[0], section=section, line=number))
            gap = False
            continue
        caption = _is_caption_row(cells)
        if caption and (gap if table else not unit_seen):
            if table:
                close()  # a blank row and a new title: the next table on this sheet
            for text in cells:
                if is_heading(text) and len(cells) == 1 and "表" not in text:
                    section = text
                    blocks.append(TextBlock(text=text, section=section, line=number))
                elif len(text) > _MAX_TITLE_CHARS:
                    blocks.append(TextBlock(text=text, section=section, line=number))
                else:
                    captions.append(text)
                    unit_seen = unit_seen or bool(find_unit(text))
            gap = False
            continue
        table.append(row)
        numbers.append(number)
        gap = False
    close()
    return blocks


def _is_caption_row(cells: list[str]) -> bool:
    """A row above the header: one text cell (title, unit), or only unit/部门 statements."""
    if len(cells) == 1:
        return parse_cell(cells[0]) is None
    return len(cells) <= 3 and all(_CAPTION.search(cell) or find_unit(cell) for cell in cells)


def _table_block(
    sheet: str,
    captions: list[str],
    rows: list[tuple[str, ...]],
    numbers: list[int],
    section: str,
) -> TableBlock:
    title, unit = "", ""
    for text in captions:
        line_unit = find_unit(text)
        rest = re.sub(r"(?:金额)?单位\s*[:：]\s*\S*", "", text).strip() if line_unit else text
        unit = unit or line_unit
        if rest and "表" in rest and not _CAPTION.search(rest) and not title:
            title = rest
    if not title:
        title = next((t for t in captions if not find_unit(t) and not _CAPTION.search(t)), "")
    if not title and not _DEFAULT_SHEET.match(sheet.strip()):
        title = sheet.strip()
    width = max(len(r) for r in rows)
    used = [c for c in range(width) if any(c < len(r) and r[c] for r in rows)]
    grid = tuple(tuple(r[c] if c < len(r) else "" for c in used) for r in rows)
    if not unit:
        unit = next((find_unit(c) for c in grid[0] if find_unit(c)), "")
    return TableBlock(
        title=title or section or sheet,
        rows=grid,
        unit=unit,
        section=section,
        shape="sheet",
        line_numbers=tuple(numbers),
    )
