"""file -> blocks (PDF): ruled tables from pdfplumber's find_tables, prose from char positions.

Two passes. `_read_pages` is the only code that touches pdfplumber/pdfminer: it pulls each
page's characters and ruled tables into plain tuples, so any parser failure on a damaged file
becomes one ReportFormatError. `_BlockBuilder` then works on those tuples alone: it groups
characters into lines by baseline, lines into paragraphs, finds each table's title and unit
above it, and merges a table that runs on over a page break into one TableBlock.

A page without a text layer (a scan, or a page printed as a picture) is read by OCR
(`index.ocr`) unless DQA_OCR=off: its text boxes become the page's "characters" (one per box)
and the tables rebuilt from the image become its ruled tables, so the same builder cuts its
paragraphs, titles and continued tables. Blocks from such a page carry their OCR confidence.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from index.decode import (
    PARAGRAPH_END,
    check_size,
    drop_cjk_spaces,
    find_unit,
    is_heading,
    is_wide,
    join_wrapped,
    sniff_kind,
)
from index.models import Block, ReportFormatError, TableBlock, TextBlock
from index.ocr import OcrPage, Progress, ocr_enabled, ocr_pdf_pages, stderr_progress

# Two characters on one line are one line if their baselines differ by less than this share of
# the font size. Baselines, not tops: a figure set in Times New Roman inside a line of SimSun
# has a different top (font ascent) on the same baseline; grouping by top, as extract_text's
# y_tolerance does, is what puts "年初预算为 万元" and its figures on different lines.
_BASELINE_TOLERANCE = 0.3
# A gap wider than this share of the font size between a Latin/digit character and its
# neighbour is a word space (pdfplumber's default x_tolerance of 3pt is 0.2 of 15pt).
_SPACE_GAP = 0.2
# Between two CJK characters gaps come from justification (under a tenth of a character in the
# sample); only a gap of most of a character is a real separation ("第一部分 中共…", "目 录").
_WIDE_SPACE_GAP = 0.8
# A line starting this many characters right of the page's left text edge is indented, i.e.
# the first line of a paragraph (Chinese reports indent two characters).
_INDENT_CHARS = 1.5
# A line ending this many characters short of the right text edge ends its paragraph (justified
# lines run to the edge; allow for a long figure that did not fit and moved to the next line).
_SHORT_LINE_CHARS = 3.5
# A line-to-line distance this many times the page's usual pitch is a paragraph break.
_PARAGRAPH_PITCH = 1.6
# Type this many times the body size is display type (cover titles), joined line to line.
_DISPLAY_SIZE = 1.4
# How far above a table (in font sizes: about six double-spaced lines) its title may sit.
_TITLE_REACH = 12.0
# Table edges on consecutive pages within this share of the page width are the same table.
_CONTINUATION_EDGE = 0.03
_MAX_TITLE_CHARS = 60
# Paragraphs that annotate the table just above them rather than the heading's topic.
_NOTE_START = ("注", "说明", "备注")

_PAGE_NUMBER = re.compile(
    r"^[-—–\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*(?:共\s*)?\d{1,4}\s*页?)?[-—–\s]*$"
)
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")
_SUBJECT_CODE = re.compile(r"\d{3,9}")
# Header words of the Chinese budget table templates; a first row made of these (and no
# figures) starts a new table rather than continuing the one on the previous page.
_HEADER_WORDS = frozenset(
    {
        "项目",
        "科目编码",
        "科目名称",
        "决算数",
        "预算数",
        "栏次",
        "行次",
        "金额",
        "单位名称",
        "序号",
        "合计",
    }
)


@dataclass(frozen=True)
class _Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    baseline: float
    size: float
    font: str
    confidence: float = 1.0  # OCR's confidence for a box read from a scanned page


@dataclass(frozen=True)
class _RawTable:
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom
    rows: tuple[tuple[str | None, ...], ...]
    confidence: tuple[tuple[float, ...], ...] = ()  # per cell, for a table read by OCR


@dataclass(frozen=True)
class _RawPage:
    number: int
    width: float
    height: float
    chars: tuple[_Char, ...]
    tables: tuple[_RawTable, ...]
    ocr: bool = False  # read by OCR: the page had no text layer


@dataclass(frozen=True)
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    baseline: float
    size: float
    font: str
    index: int  # 1-based position among the page's text lines
    confidence: float = 1.0


@dataclass
class _Paragraph:
    lines: list[_Line]
    page: int
    heading: bool
    text: str = ""
    right: float = 0.0  # right text edge of the page its last line is on


@dataclass
class _TableDraft:
    title: str
    unit: str
    section: str
    page: int
    rows: list[tuple[str, ...]] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    x0: float = 0.0
    x1: float = 0.0
    page_width: float = 0.0
    header: tuple[tuple[str, ...], ...] = ()
    confidence: list[tuple[float, ...]] = field(default_factory=list)
    ocr: bool = False


def load_pdf(
    path: Path, max_bytes: int, progress: Progress | None = stderr_progress
) -> tuple[list[Block], str, int]:
    """Read a PDF report: blocks in reading order, the full plain text, the page count.

    The text holds each paragraph as one line, table rows tab-separated and pages separated
    by form feeds, so every block's text (and every cell) is a substring of it. Pages without
    a text layer are OCR'd (one `progress` line each) unless DQA_OCR=off.
    """
    check_size(path, max_bytes)
    if sniff_kind(path) != "pdf":
        raise ReportFormatError(
            f"{path.name}: not a PDF (random bytes?): no %PDF header; check the file or its suffix"
        )
    pages = _read_pages(path)
    if not pages:
        raise ReportFormatError(f"{path.name}: PDF has no pages; check the file")
    blank = [page.number for page in pages if not page.chars]
    if blank and ocr_enabled():
        scanned = {p.number: _ocr_page(p) for p in _ocr(path, blank, progress)}
        pages = [scanned.get(page.number, page) for page in pages]
        if not any(page.chars or any(any(row) for t in page.tables for row in t.rows) for page in pages):
            raise ReportFormatError(
                f"{path.name}: no text layer on any of {len(pages)} pages and OCR read no text "
                "on them; check the scan (blank pages?) or export the report with its text"
            )
    if not any(page.chars for page in pages):
        raise ReportFormatError(
            f"{path.name}: no text layer on any of {len(pages)} pages; OCR it first"
        )
    sizes = Counter(round(char.size, 1) for page in pages for char in page.chars)
    builder = _BlockBuilder(body_size=sizes.most_common(1)[0][0])
    for page in pages:
        builder.add_page(page)
    blocks, text = builder.finish()
    return blocks, text, len(pages)


def _ocr(path: Path, numbers: list[int], progress: Progress | None) -> list[OcrPage]:
    try:
        return ocr_pdf_pages(path, numbers, progress)
    except Exception as exc:  # noqa: BLE001 - pdfium and onnxruntime raise their own types
        detail = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:120]
        raise ReportFormatError(
            f"{path.name}: OCR of {len(numbers)} pages without a text layer failed ({detail}); "
            "set DQA_OCR=off to refuse such files, or export the report with its text"
        ) from None


# An OCR box is as tall as its line's glyphs plus padding: the font size is about 3/4 of it.
_OCR_SIZE_SHARE = 0.75
_OCR_SAME_SIZE = 0.25


def _ocr_page(page: OcrPage) -> _RawPage:
    """An OCR'd page as the builder's raw page: each text box outside the tables one 'char'."""
    taken = set().union(*(t.boxes for t in page.tables)) if page.tables else set()
    prose = [box for i, box in enumerate(page.boxes) if i not in taken]
    # A box's height varies by a point or two with what it holds (digits, CJK, punctuation);
    # the builder reads a change of size as a new paragraph, so boxes within a quarter of the
    # page's usual height get the usual size. Half-point steps for the rest (titles).
    usual = statistics.median(box.height for box in prose) if prose else 0.0
    chars = []
    for box in prose:
        height = usual if abs(box.height - usual) <= _OCR_SAME_SIZE * usual else box.height
        size = max(1.0, round(_OCR_SIZE_SHARE * height * 2) / 2)
        chars.append(
            _Char(
                text=_ocr_text(box.text), x0=box.x0, x1=box.x1, top=box.top, bottom=box.bottom,
                baseline=box.bottom - 0.15 * box.height, size=size, font="ocr",
                confidence=box.confidence,
            )
        )  # fmt: skip
    tables = tuple(
        _RawTable(
            bbox=t.bbox,
            rows=tuple(tuple(None if c is None else _ocr_text(c) for c in row) for row in t.rows),
            confidence=t.confidence,
        )
        for t in page.tables
    )
    return _RawPage(page.number, page.width, page.height, tuple(chars), tables, ocr=True)


# OCR reads a thousands separator or decimal point in a figure as its full-width form.
_OCR_DIGIT_PUNCT = re.compile(r"(?<=\d)[，,](?=\d{3}(?:\D|$))|(?<=\d)[。．](?=\d)")


def _ocr_text(text: str) -> str:
    return _OCR_DIGIT_PUNCT.sub(lambda m: "," if m.group(0) in "，," else ".", text)


def _read_pages(path: Path) -> list[_RawPage]:
    """Everything that calls into pdfplumber, so parser failures have one place to land."""
    try:
        with pdfplumber.open(path) as pdf:
            pages = []
            for number, page in enumerate(pdf.pages, start=1):
                pages.append(_read_page(number, page))
                # Drops the page's cached layout objects; a 300-page report would otherwise
                # keep every character dict alive until the end.
                page.close()
            return pages
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        raise _damaged(path, cause) from None
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise _damaged(path, exc) from None
    except RecursionError:
        raise ReportFormatError(
            f"{path.name}: truncated or damaged PDF (object nesting too deep); re-export it"
        ) from None
    except Exception as exc:  # noqa: BLE001 - pdfminer raises anything from KeyError to struct.error on bad input
        raise _damaged(path, exc) from None


def _damaged(path: Path, cause: object) -> ReportFormatError:
    if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        return ReportFormatError(
            f"{path.name}: encrypted PDF (needs a password or uses unsupported encryption); "
            "save an unprotected copy first"
        )
    detail = f"{type(cause).__name__}: {cause}".strip().splitlines()[0][:120]
    return ReportFormatError(
        f"{path.name}: truncated or damaged PDF ({detail}); re-download or re-export it"
    )


def _read_page(number: int, page: pdfplumber.page.Page) -> _RawPage:
    chars = []
    height = float(page.height)
    for obj in page.chars:
        text = obj.get("text", "")
        # Rotated characters are stamps and watermarks in these reports, never prose.
        if not text.strip() or not obj.get("upright", True):
            continue
        matrix = obj.get("matrix")
        baseline = height - float(matrix[5]) if matrix else float(obj["bottom"])
        chars.append(
            _Char(
                text=text,
                x0=float(obj["x0"]),
                x1=float(obj["x1"]),
                top=float(obj["top"]),
                bottom=float(obj["bottom"]),
                baseline=baseline,
                size=float(obj.get("size") or (obj["bottom"] - obj["top"]) or 1.0),
                font=str(obj.get("fontname", "")),
            )
        )
    tables = []
    # One find_tables call per page: it is most of the cost of reading a PDF.
    for table in page.find_tables() if chars else ():
        rows = tuple(tuple(cell for cell in row) for row in table.extract())
        tables.append(_RawTable(bbox=tuple(float(v) for v in table.bbox), rows=rows))  # type: ignore[arg-type]
    return _RawPage(number, float(page.width), height, tuple(chars), tuple(tables))


# ---------------------------------------------------------------------------------------------
# characters -> lines


def _chars_to_lines(chars: Sequence[_Char]) -> list[_Line]:
    """Group characters into lines by baseline and order each line left to right."""
    groups: list[list[_Char]] = []
    for char in sorted(chars, key=lambda c: (c.baseline, c.x0)):
        if groups:
            anchor = groups[-1][0]
            tolerance = _BASELINE_TOLERANCE * max(anchor.size, char.size)
            if abs(char.baseline - anchor.baseline) <= tolerance:
                groups[-1].append(char)
                continue
        groups.append([char])
    lines = []
    for group in groups:
        text = _line_text(sorted(group, key=lambda c: c.x0))
        if not text:
            continue
        sizes = Counter(round(c.size, 1) for c in group)
        fonts = Counter(c.font for c in group)
        lines.append(
            _Line(
                text=text,
                x0=min(c.x0 for c in group),
                x1=max(c.x1 for c in group),
                top=min(c.top for c in group),
                bottom=max(c.bottom for c in group),
                baseline=group[0].baseline,
                size=sizes.most_common(1)[0][0],
                font=fonts.most_common(1)[0][0],
                index=0,
                confidence=min(c.confidence for c in group),
            )
        )
    lines.sort(key=lambda line: (line.top, line.x0))
    return [_replace_index(line, i) for i, line in enumerate(lines, start=1)]


def _replace_index(line: _Line, index: int) -> _Line:
    return _Line(
        line.text,
        line.x0,
        line.x1,
        line.top,
        line.bottom,
        line.baseline,
        line.size,
        line.font,
        index,
        line.confidence,
    )


def _line_text(chars: Sequence[_Char]) -> str:
    parts: list[str] = []
    previous: _Char | None = None
    for char in chars:
        if previous is not None:
            # Fake bold: the same glyph drawn twice a fraction of a point apart.
            if char.text == previous.text and abs(char.x0 - previous.x0) < 0.3 * char.size:
                continue
            gap = char.x0 - previous.x1
            size = max(char.size, previous.size)
            both_wide = is_wide(previous.text[-1]) and is_wide(char.text[0])
            threshold = (_WIDE_SPACE_GAP if both_wide else _SPACE_GAP) * size
            if gap > threshold:
                parts.append(" ")
        parts.append(char.text)
        previous = char
    return "".join(parts).strip()


# ---------------------------------------------------------------------------------------------
# cells


def _cell_text(cell: str | None) -> str:
    """A cell's text with its wrapped lines joined ("附属单位\\n上缴收入" -> "附属单位上缴收入")."""
    if not cell:
        return ""
    text = ""
    for piece in cell.split("\n"):
        text = join_wrapped(text, piece.strip())
    return re.sub(r"\s{2,}", " ", drop_cjk_spaces(text)).strip()


def _is_figure_row(row: Sequence[str]) -> bool:
    return any(_NUMBER.fullmatch(cell) or _SUBJECT_CODE.fullmatch(cell) for cell in row if cell)


def _looks_like_header(row: Sequence[str]) -> bool:
    cells = [cell for cell in row if cell]
    if not cells or _is_figure_row(cells):
        return False
    return any(cell in _HEADER_WORDS or cell.endswith("科目编码") for cell in cells)


# ---------------------------------------------------------------------------------------------
# lines + tables -> blocks


@dataclass
class _PageGeometry:
    width: float
    left: float
    right: float
    pitch: float
    indents: bool  # the page starts paragraphs with an indented line


class _BlockBuilder:
    """Walks pages in order and emits blocks; keeps the open paragraph and table across pages."""

    def __init__(self, body_size: float = 0.0) -> None:
        self.body_size = body_size
        self.blocks: list[Block] = []
        self.page_text: dict[int, list[str]] = {}
        self.section = ""  # the latest heading
        # The title of the table just passed: the notes right under it ("注：本表反映…",
        # "说明：…本表无数据") belong to that table more than to the heading above it.
        self.table_context = ""
        self.paragraph: _Paragraph | None = None
        self.table: _TableDraft | None = None
        # The table was the last thing on its page, so the next page may continue it.
        self.table_open = False
        self.geometry = _PageGeometry(0.0, 0.0, 0.0, 0.0, False)
        self.last_page = 0

    # -- pages ----------------------------------------------------------------------------------

    def add_page(self, page: _RawPage) -> None:
        self.page_text.setdefault(page.number, [])
        tables = [t for t in page.tables if _worth_a_table(t)]
        boxes = [_grow(t.bbox, 1.0) for t in tables]
        prose_chars = [c for c in page.chars if not any(_inside(c, box) for box in boxes)]
        lines = [
            line for line in _chars_to_lines(prose_chars) if not _is_page_number(line, page.height)
        ]
        self.geometry = _geometry(page.width, lines)

        # Reading order: tables and lines by their top edge (single-column reports).
        items: list[tuple[float, int, _Line | _RawTable]] = [(line.top, 1, line) for line in lines]
        items += [(table.bbox[1], 0, table) for table in tables]
        items.sort(key=lambda item: (item[0], item[1]))

        consumed: set[int] = set()
        titles: dict[int, tuple[str, str]] = {}
        for position, table in enumerate(tables):
            above = [line for line in lines if line.bottom <= table.bbox[1] + 2.0]
            previous_bottom = max((t.bbox[3] for t in tables[:position]), default=0.0)
            above = [line for line in above if line.top >= previous_bottom - 1.0]
            titles[id(table)] = self._title_above(table, above, consumed)

        # Whether anything but a unit line came before, on this page: a table that is the
        # first thing on its page (and has no title) may continue the previous page's table.
        seen_content = False
        for _, _, item in items:
            if isinstance(item, _RawTable):
                title, unit = titles[id(item)]
                self._add_table(item, page, title, unit, first_on_page=not seen_content)
                seen_content = True
                continue
            if item.index in consumed:
                self._flush_paragraph()
                self.page_text[page.number].append(item.text)
                if is_heading(item.text):
                    self.section = item.text
                    self.table_context = ""
                seen_content = seen_content or not find_unit(item.text)
                continue
            self._add_line(item, page.number, new_page=not seen_content)
            seen_content = True
        self.last_page = page.number

    def finish(self) -> tuple[list[Block], str]:
        self._flush_paragraph()
        self._close_table()
        text = "\f".join("\n".join(self.page_text[number]) for number in sorted(self.page_text))
        return self.blocks, text

    # -- prose ----------------------------------------------------------------------------------

    def _add_line(self, line: _Line, page: int, new_page: bool) -> None:
        if self.table is not None:
            self.table_context = self.table.title
        self._close_table()
        paragraph = self.paragraph
        if paragraph is not None and self._continues(paragraph, line, new_page):
            paragraph.lines.append(line)
            paragraph.text = join_wrapped(paragraph.text, line.text)
            paragraph.right = self.geometry.right
            return
        self._flush_paragraph()
        heading = is_heading(line.text)
        self.paragraph = _Paragraph([line], page, heading, line.text, self.geometry.right)

    def _continues(self, paragraph: _Paragraph, line: _Line, new_page: bool) -> bool:
        """Whether `line` goes on with the open paragraph.

        The plain rule "a line ending in 。/：/； ends its paragraph" splits sentences in
        justified text, where a full stop often lands at the right edge mid-paragraph
        ("…支出决算为 202.24 万元。" / "决算数与全年预算数持平。"). So where the page indents
        its paragraphs, the indent and a short last line decide; the punctuation rule is the
        fallback for pages that do not indent (table notes, flush-left text).
        """
        last = paragraph.lines[-1]
        geometry = self.geometry
        if is_heading(line.text) or abs(line.size - last.size) > 0.5:
            return False
        if paragraph.heading:
            # A heading that runs to the right edge wraps onto a second line in its own font.
            return (
                not new_page
                and line.font == last.font
                and last.x1 >= paragraph.right - 1.5 * last.size
            )
        if (
            not new_page
            and geometry.pitch
            and line.baseline - last.baseline > _PARAGRAPH_PITCH * geometry.pitch
        ):
            return False
        ends = last.text.endswith(tuple(PARAGRAPH_END))
        if (
            self.body_size
            and last.size >= _DISPLAY_SIZE * self.body_size
            and line.font == last.font
        ):
            return not ends  # a cover title set in display type over several lines
        if line.x0 > geometry.left + _INDENT_CHARS * line.size:
            return False
        if last.x1 < paragraph.right - _SHORT_LINE_CHARS * last.size:
            return False
        return not ends or geometry.indents

    def _flush_paragraph(self) -> None:
        paragraph = self.paragraph
        if paragraph is None:
            return
        self.paragraph = None
        text = paragraph.text.strip()
        if not text:
            return
        if paragraph.heading:
            self.section = text
            self.table_context = ""
        elif not _is_note(text):
            self.table_context = ""
        read_by_ocr = any(line.font == "ocr" for line in paragraph.lines)
        self.blocks.append(
            TextBlock(
                text=text,
                section=self.table_context or self.section,
                page=paragraph.page,
                line=paragraph.lines[0].index,
                confidence=min(line.confidence for line in paragraph.lines) if read_by_ocr else None,
            )
        )
        self.page_text.setdefault(paragraph.page, []).append(text)

    # -- tables ---------------------------------------------------------------------------------

    def _title_above(
        self, table: _RawTable, above: list[_Line], consumed: set[int]
    ) -> tuple[str, str]:
        """(title, unit) from the lines just above a table.

        Walks up from the table: "单位：万元" lines give the unit; the first other line is the
        title if it reads like one (short, not a sentence); a title wrapped over two lines
        is joined. Lines used this way are not emitted again as prose.
        """
        unit = ""
        title = ""
        reach = table.bbox[1] - _TITLE_REACH * (above[-1].size if above else 10.0)
        candidates = [line for line in reversed(above) if line.bottom >= reach]
        for position, line in enumerate(candidates):
            line_unit = find_unit(line.text)
            if line_unit:
                unit = unit or line_unit
                consumed.add(line.index)
                rest = re.sub(r"(?:金额)?单位\s*[:：]\s*\S*", "", line.text).strip()
                if "表" in rest and _title_like(rest):
                    title = rest
                    break
                continue
            upper = candidates[position + 1] if position + 1 < len(candidates) else None
            if not self._is_title_line(line, upper):
                break
            title = line.text
            if not is_heading(line.text):
                consumed.add(line.index)
            if (
                upper is not None
                and "表" not in upper.text
                and _title_like(upper.text)
                and not is_heading(upper.text)
                and abs(upper.size - line.size) < 0.5
                and line.top - upper.bottom < 1.5 * line.size
            ):
                title = join_wrapped(upper.text, title)
                consumed.add(upper.index)
            break
        return title, unit

    def _is_title_line(self, line: _Line, upper: _Line | None) -> bool:
        """A table title names a table (表) or is centred, and is not the tail of a paragraph
        ("…详见下表" after a full-width line), which must stay in its paragraph."""
        geometry = self.geometry
        if not _title_like(line.text):
            return False
        middle = (line.x0 + line.x1) / 2
        # Narrower than most of the page: justified full-width prose is centred too.
        centred = (
            abs(middle - geometry.width / 2) < 2 * line.size
            and line.x1 - line.x0 < 0.6 * geometry.width
        )
        if "表" not in line.text and not centred:
            return False
        tail_of_paragraph = (
            upper is not None
            and not upper.text.endswith(tuple(PARAGRAPH_END))
            and not is_heading(upper.text)
            and upper.x1 >= geometry.right - 2 * upper.size
            and line.top - upper.bottom < 1.5 * line.size
            and not centred
        )
        return not tail_of_paragraph

    def _add_table(
        self, raw: _RawTable, page: _RawPage, title: str, unit: str, first_on_page: bool
    ) -> None:
        self._flush_paragraph()
        rows = [tuple(_cell_text(cell) for cell in row) for row in raw.rows]
        inner_title, inner_unit, rows = _title_rows(rows)
        # per-row confidences, aligned with the rows left after the caption rows
        confidence = list(raw.confidence[len(raw.rows) - len(rows):]) if raw.confidence else []
        if page.ocr and not confidence:
            confidence = [tuple(1.0 for _ in row) for row in rows]
        title = title or inner_title
        unit = unit or inner_unit
        draft = self.table
        continues = (
            draft is not None
            and self.table_open
            and first_on_page
            and not title
            and page.number == self.last_page + 1
        )
        if continues and draft is not None and not self._same_columns(draft, raw, rows, page.width):
            # a page holding only the table's last rows ("合计 189,767,551 101,341,746 …"), their
            # label cells merged into one: the figures stand under the last columns
            rows = self._label_and_figures(draft, raw, rows, page.width) or rows
        if (
            continues
            and draft is not None
            and self._same_columns(draft, raw, rows, page.width)
        ):
            # Drop a header the continuation repeats; keep the first part's header only.
            skip = 0
            while skip < min(len(rows), len(draft.header)) and rows[skip] == draft.header[skip]:
                skip += 1
            if skip or not _looks_like_header(rows[0]):
                self._extend(draft, rows[skip:], page.number, confidence[skip:], page.ocr)
                self.table_open = True
                return
        self._close_table()
        self.table_context = ""
        draft = _TableDraft(
            title=title or self.section,
            unit=unit or _unit_in_rows(rows),
            section=self.section,
            page=page.number,
            x0=raw.bbox[0],
            x1=raw.bbox[2],
            page_width=page.width,
            header=_header_rows(rows),
        )
        self._extend(draft, rows, page.number, confidence, page.ocr)
        self.table = draft
        self.table_open = True

    def _same_columns(
        self, draft: _TableDraft, raw: _RawTable, rows: list[tuple[str, ...]], width: float
    ) -> bool:
        if not rows or not draft.rows or len(rows[0]) != len(draft.rows[0]):
            return False
        return self._same_edges(draft, raw, width)

    @staticmethod
    def _same_edges(draft: _TableDraft, raw: _RawTable, width: float) -> bool:
        tolerance = _CONTINUATION_EDGE * max(width, draft.page_width)
        return abs(raw.bbox[0] - draft.x0) <= tolerance and abs(raw.bbox[2] - draft.x1) <= tolerance

    def _label_and_figures(
        self, draft: _TableDraft, raw: _RawTable, rows: list[tuple[str, ...]], width: float
    ) -> list[tuple[str, ...]] | None:
        """Rows of a continuation with fewer cells than the table (a label, then figures only)
        laid out on the table's columns: the label first, the figures right-aligned under the
        last columns. None when the rows are anything else (the table's edges differ, a row
        holds words after its label, or more figures than the table's figure columns)."""
        if not draft.rows or not self._same_edges(draft, raw, width):
            return None
        columns = len(draft.rows[0])
        figure_columns = min(sum(1 for cell in reversed(row) if not cell or _NUMBER.fullmatch(cell.replace(" ", "")))
                             for row in draft.rows[-3:])
        out = []
        for row in rows:
            label, figures = (row[0] if row else ""), row[1:]
            if (not label or _NUMBER.fullmatch(label.replace(" ", "")) or not 0 < len(figures) <= figure_columns
                    or len(row) >= columns
                    or not all(not c or _NUMBER.fullmatch(c.replace(" ", "")) for c in figures)):
                return None
            out.append((label, *([""] * (columns - 1 - len(figures))), *figures))
        return out

    def _extend(
        self,
        draft: _TableDraft,
        rows: Sequence[tuple[str, ...]],
        page: int,
        confidence: Sequence[tuple[float, ...]] = (),
        ocr: bool = False,
    ) -> None:
        if ocr and not draft.ocr:
            # a text-layer table continued on a scanned page: its rows so far have no confidence
            draft.confidence = [() for _ in draft.rows]
            draft.ocr = True
        for k, row in enumerate(rows):
            draft.rows.append(row)
            draft.pages.append(page)
            if draft.ocr:
                # () for a row read from a text layer: its figures were not OCR'd
                draft.confidence.append(confidence[k] if ocr and k < len(confidence) else ())
            self.page_text.setdefault(page, []).append("\t".join(row))

    def _close_table(self) -> None:
        self.table_open = False
        draft = self.table
        if draft is None:
            return
        self.table = None
        self.blocks.append(
            TableBlock(
                title=draft.title,
                rows=tuple(draft.rows),
                unit=draft.unit,
                section=draft.section,
                shape="ocr" if draft.ocr else "pdf",
                page=draft.page,
                line_numbers=tuple(draft.pages),
                confidence=tuple(draft.confidence) if draft.ocr else (),
            )
        )


# A caption printed inside the table's ruling, in its first rows: "收支预算总表", "公开表一",
# "部门：江苏省…办公厅", "单位：万元" (one cell across the table, or the three side by side).
_CAPTION_WORD = re.compile(r"表|单位\s*[：:]|部门\s*[：:]|编制单位")
_CAPTION_NAME = re.compile(r"^(.*?表(?:[（(][^）)]*[）)])?)(?=公开表|部门\s*[：:]|单位\s*[：:]|编制单位|$)")


def _title_rows(rows: list[tuple[str, ...]]) -> tuple[str, str, list[tuple[str, ...]]]:
    """(title, unit, the rows after them) for tables whose caption rows sit inside the ruling."""
    title = unit = ""
    skip = captions = 0
    for row in rows:
        cells = [cell for cell in row if cell]
        text = "".join(cells)
        if not cells and captions < 3:
            skip += 1  # ruled blank rows around the caption rows (上海 预算单位 tables)
            continue
        if captions >= 3 or len(cells) > 3 or not _CAPTION_WORD.search(text):
            break
        if len(cells) > 1 and not any(re.search(r"[：:]", c) for c in cells):
            break  # header cells such as "收入 | 支出表"
        if _is_figure_row(cells) and captions == 0 and len(cells) > 1:
            break
        captions += 1
        unit = unit or find_unit(text)
        name = _CAPTION_NAME.match(text.replace(" ", ""))
        if name and not title and len(name.group(1)) <= _MAX_TITLE_CHARS:
            title = name.group(1)
        skip += 1
    if captions == 0 or skip >= len(rows):
        return "", "", rows
    return title, unit, rows[skip:]


def _title_like(text: str) -> bool:
    text = text.strip()
    return (
        0 < len(text) <= _MAX_TITLE_CHARS
        and "。" not in text
        and not text.endswith(("，", "；", "：", ",", ";", ":"))
        and not text.startswith("注")
    )


def _header_rows(rows: Sequence[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    """Leading rows up to the first one with a figure or subject code."""
    header = []
    for row in rows:
        if _is_figure_row(row):
            break
        header.append(row)
    return tuple(header) if len(header) < len(rows) else tuple(rows[:1])


def _unit_in_rows(rows: Sequence[tuple[str, ...]]) -> str:
    for row in rows[:2]:
        for cell in row:
            unit = find_unit(cell)
            if unit:
                return unit
    return ""


def _worth_a_table(table: _RawTable) -> bool:
    # A single ruled box around a paragraph is a frame, not a table; read it as prose.
    rows = table.rows
    return bool(rows) and (len(rows) > 1 or len(rows[0]) > 1)


def _grow(bbox: tuple[float, float, float, float], by: float) -> tuple[float, float, float, float]:
    return (bbox[0] - by, bbox[1] - by, bbox[2] + by, bbox[3] + by)


def _inside(char: _Char, box: tuple[float, float, float, float]) -> bool:
    x = (char.x0 + char.x1) / 2
    y = (char.top + char.bottom) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _is_page_number(line: _Line, height: float) -> bool:
    near_edge = line.top < 0.1 * height or line.bottom > 0.9 * height
    return near_edge and bool(_PAGE_NUMBER.match(line.text))


def _geometry(width: float, lines: Sequence[_Line]) -> _PageGeometry:
    body = [line for line in lines if len(line.text) >= 4] or list(lines)
    if not body:
        return _PageGeometry(width, 0.0, width, 0.0, False)
    pitches = [
        b.baseline - a.baseline
        for a, b in zip(body, body[1:], strict=False)
        if abs(a.size - b.size) < 0.5 and b.baseline > a.baseline
    ]
    left = min(line.x0 for line in body)
    offsets = [(line.x0 - left) / line.size for line in body]
    indents = any(o < 0.5 for o in offsets) and any(_INDENT_CHARS <= o <= 3.0 for o in offsets)
    return _PageGeometry(
        width=width,
        left=left,
        right=max(line.x1 for line in body),
        pitch=statistics.median(pitches) if pitches else 0.0,
        indents=indents,
    )


def _is_note(text: str) -> bool:
    return text.startswith(_NOTE_START) or "本表" in text
