"""file text (txt/md) -> blocks: prose paragraphs and tables in the three shapes the seeds show.

Shapes (CORPUS.md): "tsv" rows of tab-separated cells; "cells" one cell per tab-led line (a DOCX
table flattened); "spaced" PDF text where a row's cells are separated by spaces and its label is
wrapped over several earlier lines. Tables keep the printed grid; the spaced and cells shapes,
whose columns are not aligned in the text, also carry per-cell column names (row_columns) worked
out here, because only the layout tells which header a value sits under.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from index.decode import join_wrapped
from index.models import Block, TableBlock, TextBlock
from index.numbers import is_dash, parse_cell

TAG_RE = re.compile(r"<[^>]+>")
CHECKED_RE = re.compile(r"<input[^>]*checked[^>]*>")
UNCHECKED_RE = re.compile(r"<input[^>]*>")
UNIT_LINE_RE = re.compile(r"单位\s*[：:]\s*(亿元|万元|千元|元)")
UNIT_PAREN_RE = re.compile(r"[（(]\s*(亿元|万元|千元|元)\s*[）)]")
PART_RE = re.compile(r"^第[一二三四五六七八九十]+部分")
HEADING_RE = re.compile(
    r"^(#+\s*|第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])"
)
SPACED_TITLE_RE = re.compile(r"^表\s*\d+(?:-\d+)?\s*[.．、]")
ENUM_ITEM_RE = re.compile(r"^[（(]?[一二三四五六七八九十廿]+[)）、]")
SENTENCE_END = "。！？；：:;!?"
CJK_RE = re.compile(r"[\u3400-\u9fff]")
# Header cells that name the row, not a value column.
LABEL_HEADERS = frozenset(
    {
        "项目", "科目编码", "科目名称", "项目编码", "项目名称", "项目单位", "单位编码", "单位名称",
        "部门（单位）代码", "部门（单位）名称", "功能分类科目编码", "经济分类科目编码", "名称",
        "品名", "项目任务明细", "来源项目", "年度", "目标名称", "一级指标", "二级指标", "三级指标",
        "指标名称", "序号", "栏次",
    }
)


def clean_line(line: str) -> str:
    """Drop markup the converters left (<b>, **, <p>), keeping checkboxes as ☑/☐."""
    line = CHECKED_RE.sub("☑", line)
    line = UNCHECKED_RE.sub("☐", line)
    line = TAG_RE.sub("", line)
    return line.replace("**", "").replace("\u00a0", " ").rstrip(" \r")


def is_heading(line: str) -> bool:
    text = line.strip()
    if text.startswith("#"):
        return True
    return bool(HEADING_RE.match(text)) and len(text) <= 40 and not text.endswith(("。", "；"))


def heading_text(line: str) -> str:
    return line.strip().lstrip("#").strip()


def is_title_line(text: str) -> bool:
    t = text.strip().lstrip("#").strip()
    if not t or len(t) > 60 or t.endswith(("。", "；", "，")):
        return False
    return "表" in t and not t.startswith(("注", "说明"))


def _is_cell_line(raw: str) -> bool:
    return raw.startswith("\t") and raw.count("\t") == 1


def _is_tsv_line(raw: str) -> bool:
    return "\t" in raw.strip("\n") and not _is_cell_line(raw) and bool(raw.strip())


@dataclass
class _Ctx:
    section: str = ""
    title: str = ""
    unit: str = ""
    recent: list[str] = field(default_factory=list)  # recent non-table lines, for titles

    def remember(self, text: str) -> None:
        self.recent.append(text)
        del self.recent[:-8]
        if is_title_line(text):
            self.title = heading_text(text)
            self.unit = ""
        found = UNIT_LINE_RE.search(text)
        if found:
            self.unit = found.group(1)


def parse_text_blocks(text: str) -> list[Block]:
    """Split a report's text into TextBlocks and TableBlocks in reading order."""
    raw_lines = text.split("\n")
    lines = [clean_line(x) for x in raw_lines]
    blocks: list[Block] = []
    ctx = _Ctx()
    para: list[str] = []
    para_line = 0
    i = 0
    n = len(lines)
    spaced = _has_spaced_tables(lines)

    def flush() -> None:
        nonlocal para
        if para:
            joined = ""
            for part in para:
                joined = join_wrapped(joined, part.strip())
            if joined.strip():
                blocks.append(TextBlock(text=joined.strip(), section=ctx.section, line=para_line + 1))
        para = []

    while i < n:
        line = lines[i]
        stripped = line.strip()
        if _is_tsv_line(line):
            flush()
            end = _tsv_end(lines, i)
            blocks.extend(_tsv_table(lines, i, end, ctx))
            i = end
            continue
        if _is_cell_line(line):
            flush()
            end = _cells_end(lines, i)
            blocks.extend(_cells_table(lines, i, end, ctx))
            i = end
            continue
        if spaced and (UNIT_LINE_RE.search(stripped) or SPACED_TITLE_RE.match(stripped)):
            flush()
            ctx.remember(stripped)
            end = _spaced_end(lines, i + 1)
            blocks.extend(_spaced_table(lines, i + 1, end, ctx))
            i = end
            continue
        if not stripped:
            # a blank line ends a paragraph only if the sentence is complete (PDF wraps mid-sentence)
            if para and para[-1].rstrip()[-1:] in SENTENCE_END:
                flush()
            i += 1
            continue
        if is_heading(stripped) or is_title_line(stripped):
            flush()
            if is_heading(stripped):
                ctx.section = heading_text(stripped)
            ctx.remember(stripped)
            blocks.append(TextBlock(text=heading_text(stripped), section=ctx.section, line=i + 1))
            i += 1
            continue
        if not para:
            para_line = i
        para.append(stripped)
        ctx.remember(stripped)
        if stripped[-1:] in "。！？":
            flush()
        i += 1
    flush()
    return blocks


# ---------------------------------------------------------------- tab-separated rows ("tsv")


def _tsv_end(lines: list[str], start: int) -> int:
    i = start
    while i < len(lines):
        if _is_tsv_line(lines[i]):
            i += 1
            continue
        # blank lines inside a table are allowed if another tsv row follows soon
        j = i
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j > i and j < len(lines) and _is_tsv_line(lines[j]):
            i = j
            continue
        break
    return i


def _tsv_table(lines: list[str], start: int, end: int, ctx: _Ctx) -> list[Block]:
    rows: list[tuple[str, ...]] = []
    numbers: list[int] = []
    for k in range(start, end):
        if not lines[k].strip():
            continue
        rows.append(tuple(c.strip() for c in lines[k].split("\t")))
        numbers.append(k + 1)
    unit = ctx.unit or _unit_in_rows(rows)
    title = ctx.title or ctx.section
    table = TableBlock(
        title=title, rows=tuple(rows), unit=unit, section=ctx.section, shape="tsv",
        line_numbers=tuple(numbers),
        # a unit printed inside one cell, not on a 单位 line, covers that block's amounts only
        notes=("unit:partial",) if unit and not ctx.unit else (),
    )
    ctx.title, ctx.unit = "", ""
    return [table, *_long_cell_texts(rows, numbers, ctx.section)]


def _unit_in_rows(rows: list[tuple[str, ...]]) -> str:
    for row in rows[:6]:
        for cell in row:
            found = UNIT_LINE_RE.search(cell) or UNIT_PAREN_RE.search(cell)
            if found:
                return found.group(1)
    return ""


def _long_cell_texts(rows: list[tuple[str, ...]], numbers: list[int], section: str) -> list[Block]:
    """Cells holding whole sentences with figures are prose too (e.g. 完成情况 columns)."""
    out: list[Block] = []
    seen: set[str] = set()
    for row, line in zip(rows, numbers, strict=False):
        for cell in row:
            if len(cell) >= 8 and re.search(r"\d", cell) and parse_cell(cell) is None and cell not in seen:
                seen.add(cell)
                out.append(TextBlock(text=cell, section=section, line=line))
    return out


# ---------------------------------------------------------------- one cell per line ("cells")


def _cells_end(lines: list[str], start: int) -> int:
    i = start
    while i < len(lines):
        raw = lines[i]
        if _is_cell_line(raw) or raw.startswith("\t"):
            i += 1
            continue
        if not raw.strip():
            i += 1
            continue
        # a short non-tab line is a wrapped cell if the run it starts ends at a cell line
        j = i
        while j < len(lines) and (not lines[j].strip() or (not lines[j].startswith("\t") and len(lines[j].strip()) <= 12)):
            j += 1
        if j < len(lines) and lines[j].startswith("\t") and j > i:
            i = j
            continue
        break
    # do not swallow trailing blank lines
    while i > start + 1 and not lines[i - 1]:
        i -= 1
    return max(i, start + 1)


@dataclass(frozen=True)
class _Cell:
    text: str
    line: int
    row_end: bool = False  # blank line(s) follow, then the next cell: where a flattened row ends


def _read_cells(lines: list[str], start: int, end: int) -> list[_Cell]:
    cells: list[_Cell] = []
    blank = False
    for k in range(start, end):
        raw = lines[k]
        if raw.startswith("\t"):
            if blank and cells:
                cells[-1] = replace(cells[-1], row_end=True)
            cells.append(_Cell(raw[1:].strip(), k + 1))
            blank = False
        elif raw.strip() and cells:
            last = cells[-1]
            cells[-1] = _Cell(join_wrapped(last.text, raw.strip()), last.line)
            blank = False
        else:
            blank = True
    if cells:
        cells[-1] = replace(cells[-1], row_end=True)
    return cells


@dataclass(frozen=True)
class _Grid:
    """A flattened table whose rows all have the header's number of cells (empty cells kept):
    cell k of a row sits under header cell k. `start`/`end` index the cells it spans."""

    start: int
    end: int
    rows: tuple[tuple[str, ...], ...]
    columns: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]
    value_names: tuple[str, ...]


def _grid_at(cells: list[_Cell], h: int) -> _Grid | None:
    """The grid whose header row holds the label header cells[h] (项目 / 三级指标 …).

    A DOCX table flattened one cell per line ends each row with a blank line; a header row is the
    run of cells around h between two row ends. When the rows after it have exactly as many cells
    as the header and each ends where a row ends, columns are positional — which tells a score
    (分值 / 得分) from a target printed in words (年度指标值) in self-evaluation forms, where the
    run-of-values reading cannot. A merged cell breaks the grid; the rows from there are read
    the usual way."""
    start = h
    while start > 0 and not cells[start - 1].row_end:
        start -= 1
    end = h
    while end < len(cells) and not cells[end].row_end:
        end += 1
    width = end - start + 1
    header = [c.text for c in cells[start : end + 1]]
    label_cols = max(k for k, text in enumerate(header) if _norm(text) in LABEL_HEADERS) + 1
    if end >= len(cells) or width - label_cols < 2:
        return None
    rows: list[tuple[str, ...]] = []
    columns: list[tuple[str, ...]] = []
    lines: list[int] = []
    named: dict[int, str] = {}
    at = end + 1
    while at + width <= len(cells) and cells[at + width - 1].row_end:
        row = [c.text for c in cells[at : at + width]]
        if any(_norm(text) in LABEL_HEADERS for text in row) or any(
            parse_cell(text) is not None for text in row[:label_cols] if text
        ):
            break  # a header again, or a figure where a label belongs: not this grid
        labels = [text for text in row[:label_cols] if text]
        figures = [(k, text) for k, text in enumerate(row) if k >= label_cols and text and parse_cell(text)]
        if figures and labels:
            rows.append((labels[-1], *(text for _, text in figures)))
            columns.append(("", *(header[k] for k, _ in figures)))
            lines.append(cells[at].line)
            named.update((k, header[k]) for k, _ in figures)
        at += width
    if len(rows) < 2:
        return None
    return _Grid(start, at, tuple(rows), tuple(columns), tuple(lines), tuple(named[k] for k in sorted(named)))


def _value_like(text: str) -> bool:
    return not text or is_dash(text) or parse_cell(text) is not None


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _cells_table(lines: list[str], start: int, end: int, ctx: _Ctx) -> list[Block]:
    """Rebuild rows from a flat cell sequence: a row is label cell(s) then a run of value cells.

    A header is the run of cells after a label header such as 项目 / 三级指标; a row's values map
    onto its names left to right, or right-aligned when the row also has text columns (targets
    and results printed as words) so that only its last columns hold figures.
    """
    cells = _read_cells(lines, start, end)
    rows: list[tuple[str, ...]] = []
    row_columns: list[tuple[str, ...]] = []
    numbers: list[int] = []
    names: list[str] = []
    unit = ctx.unit
    blocks: list[Block] = []
    base_title = ctx.title or (cells[0].text if cells else "") or ctx.section

    def flush_rows() -> None:
        if rows:
            blocks.append(
                TableBlock(
                    title=base_title, rows=tuple(rows), unit=unit, section=ctx.section, shape="cells",
                    line_numbers=tuple(numbers), notes=_encode_columns(row_columns),
                )
            )
        rows.clear()
        row_columns.clear()
        numbers.clear()

    grids: dict[int, _Grid] = {}
    for h, cell in enumerate(cells):
        if _norm(cell.text) in LABEL_HEADERS and not any(g.start <= h < g.end for g in grids.values()):
            grid = _grid_at(cells, h)
            if grid is not None:
                grids[grid.start] = grid

    i = 0
    text_run: list[_Cell] = []
    while i < len(cells):
        grid = grids.get(i)
        if grid is not None:
            flush_rows()
            rows.extend(grid.rows)
            row_columns.extend(grid.columns)
            numbers.extend(grid.lines)
            flush_rows()
            # rows after a merged cell (总分 across the label columns) take the grid's value columns
            names, text_run, i = list(grid.value_names), [], grid.end
            continue
        if not _value_like(cells[i].text):
            text_run.append(cells[i])
            i += 1
            continue
        j = i
        while j < len(cells) and _value_like(cells[j].text):
            j += 1
        values = [c.text for c in cells[i:j]]
        i = j
        while values and not values[-1]:
            values.pop()
        if not any(parse_cell(v) for v in values):
            if any(is_dash(v) for v in values):
                text_run = []  # a row printed with dashes only: no figures, but it ends here
            continue  # empty cells between rows: keep collecting the row's text cells
        texts = [c for c in text_run if c.text]
        label_at = max((k for k, c in enumerate(texts) if _norm(c.text) in LABEL_HEADERS), default=-1)
        if label_at >= 0 and len(texts) - label_at - 1 >= 2:
            # a header run: label header, then value names, then this row's label cells.
            # A new header starts a new table (its own unit and columns).
            flush_rows()
            after = texts[label_at + 1 :]
            width = len(values)
            names = [c.text for c in after[:width]] if len(after) > width else [c.text for c in after[:-1]]
            found = UNIT_PAREN_RE.search("".join(c.text for c in texts[: label_at + 1]))
            unit = found.group(1) if found else ctx.unit
            texts = after[len(names):]
        if names and len(values) > len(names):
            values = values[: len(names)]
        label_cells = [c.text for c in texts]
        if len(label_cells) >= 3:
            label = label_cells[-1] if len(label_cells[-1]) <= 12 else label_cells[0]
            cols = tuple(names[-len(values):]) if len(names) >= len(values) else tuple("" for _ in values)
        else:
            label = " ".join(label_cells)
            cols = tuple(names[: len(values)]) if len(names) >= len(values) else tuple("" for _ in values)
        rows.append((label, *values))
        row_columns.append(("", *cols))
        numbers.append(text_run[-1].line if text_run else cells[i - 1].line)
        text_run = []
    flush_rows()
    title = base_title
    seen: set[str] = set()
    for cell in cells:
        long_with_digits = len(cell.text) >= 8 and re.search(r"\d", cell.text) and parse_cell(cell.text) is None
        if (long_with_digits or len(cell.text) >= 30) and cell.text not in seen:
            seen.add(cell.text)
            blocks.append(TextBlock(text=cell.text, section=ctx.section or title, line=cell.line))
    ctx.title, ctx.unit = "", ""
    return blocks


COLUMNS_NOTE = "columns:"


def _encode_columns(row_columns: list[tuple[str, ...]]) -> tuple[str, ...]:
    """Per-row column names travel in TableBlock.notes as 'columns:' + tab-joined names."""
    return tuple(COLUMNS_NOTE + "\t".join(cols) for cols in row_columns)


def decode_columns(block: TableBlock) -> list[tuple[str, ...]] | None:
    cols = [n[len(COLUMNS_NOTE):].split("\t") for n in block.notes if n.startswith(COLUMNS_NOTE)]
    if len(cols) != len(block.rows):
        return None
    return [tuple(c) for c in cols]


# ---------------------------------------------------------------- space-separated rows ("spaced")


def _has_spaced_tables(lines: list[str]) -> bool:
    """PDF-converted text: unit lines but no tab-separated rows anywhere."""
    has_tabs = any("\t" in line for line in lines)
    return not has_tabs and any(UNIT_LINE_RE.search(line) for line in lines)


def _is_prose(text: str) -> bool:
    return len(text) >= 25 and any(p in text for p in "。，；")


def _spaced_end(lines: list[str], start: int) -> int:
    i = start
    seen_data = False
    while i < len(lines):
        text = lines[i].strip()
        if PART_RE.match(text) or SPACED_TITLE_RE.match(text):
            break
        seen_data = seen_data or len(_numeric_tokens(text)) >= 2
        if UNIT_LINE_RE.search(text) and seen_data:
            # a second unit line starts the next table (its title is on the lines just above)
            back = i
            while back > start and lines[back - 1].strip() and not _numeric_tokens(lines[back - 1]):
                back -= 1
            return max(back, start + 1)
        i += 1
    return i


def _numeric_tokens(line: str) -> list[str]:
    return [t for t in line.split() if parse_cell(t) is not None]


def _merge_tokens(tokens: list[str]) -> list[str]:
    """Join spaced-out characters ("收 入 总 计" -> "收入总计"); keep words apart."""
    out: list[str] = []
    in_run = False
    for tok in tokens:
        single = len(tok) == 1 and bool(CJK_RE.match(tok))
        if single and in_run:
            out[-1] += tok
        else:
            out.append(tok)
            in_run = single
    return out


def _row_cells(tokens: list[str]) -> list[str]:
    """Tokens of a data line -> cells: consecutive text tokens form one label cell; a bare
    integer followed by text (a code such as 2010350) belongs to the label."""
    cells: list[str] = []
    label: list[str] = []
    for k, tok in enumerate(tokens):
        amount = parse_cell(tok)
        nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
        is_code = amount is not None and "." not in tok and nxt and parse_cell(nxt) is None and not is_dash(nxt)
        if (amount is None and not is_dash(tok)) or is_code:
            label.append(tok)
            continue
        if label:
            cells.append(_join_label(label))
            label = []
        cells.append(tok)
    if label:
        cells.append(_join_label(label))
    return cells


def _join_label(parts: list[str]) -> str:
    out = ""
    for part in parts:
        if out and (part[:1].isdigit() or out[-1:].isdigit()):
            out += " " + part
        else:
            out = join_wrapped(out, part)
    return out


# the line a project's form opens with: what every figure of the form is of
# (one name after it, not a header row of column words: "项目名称 金额 项目名称 金额")
NAMED_FORM_RE = re.compile(r"^项目名称\s*(?!(?:金额|预算数?|决算数?|合计|小计|项目|单位|科目|备注|执行数)(?:\s|$))"
                           r"[\u4e00-\u9fff（）()]{4,}(?!.*项目名称)")


def _spaced_table(lines: list[str], start: int, end: int, ctx: _Ctx) -> list[Block]:
    header_lines: list[str] = []
    pending: list[str] = []
    rows: list[tuple[str, ...]] = []
    row_columns: list[tuple[str, ...]] = []
    numbers: list[int] = []
    prose: list[Block] = []
    header: list[str] = []
    leaf: list[str] = []
    seen_data = False
    for k in range(start, end):
        text = lines[k].strip()
        if not text:
            continue
        if UNIT_LINE_RE.search(text):
            ctx.unit = UNIT_LINE_RE.search(text).group(1)  # type: ignore[union-attr]
            continue
        if _is_prose(text):
            prose.append(TextBlock(text=text, section=ctx.section, line=k + 1))
            pending = []
            continue
        tokens = text.split()
        if seen_data and len(tokens) == 1 and tokens[0].isdigit():
            pending.append(text)  # a code printed on its own line above its wrapped name
            continue
        values = [t for t in tokens if parse_cell(t) is not None or is_dash(t)]
        cells = _row_cells(tokens)
        value_cells = [c for c in cells if parse_cell(c) is not None or is_dash(c)]
        if not value_cells or (not seen_data and not any("." in v or "%" in v for v in values) and len(values) < 2):
            if not seen_data:
                if is_title_line(text) and not header_lines:
                    ctx.title = ctx.title or text
                else:
                    header_lines.append(text)
            elif ENUM_ITEM_RE.match(text):
                pending = []  # a complete row item printed without figures
            else:
                pending.append(text)
            continue
        if not seen_data:
            seen_data = True
            header = _merge_tokens(" ".join(header_lines).split())
            leaf = _merge_tokens(header_lines[-1].split()) if header_lines else []
            if not rows:
                ctx.title = ctx.title or (header_lines[0] if header_lines else "")
                named = next((h for h in header_lines if NAMED_FORM_RE.match(h)), "")
                if named and named not in ctx.title:
                    # "表 12.部门项目支出绩效目标表" over "项目名称 X": the form of project X, which
                    # its figures (项目总预算, 2023年 …) are of
                    ctx.title = f"{ctx.title} {named}"
        if pending:
            first = cells[0] if cells and parse_cell(cells[0]) is None and not is_dash(cells[0]) else ""
            label = _join_label(pending + ([first] if first else []))
            cells = [label, *(cells[1:] if first else cells)]
            pending = []
        rows.append(tuple(cells))
        row_columns.append(_align(cells, header, leaf, len(header_lines) > 1))
        numbers.append(k + 1)
    blocks: list[Block] = []
    if rows:
        display_header = tuple(header)
        blocks.append(
            TableBlock(
                title=ctx.title or ctx.section, rows=(display_header, *rows), unit=ctx.unit,
                section=ctx.section, shape="spaced", line_numbers=(numbers[0], *numbers),
                notes=_encode_columns([tuple("" for _ in display_header), *row_columns]),
            )
        )
    ctx.title, ctx.unit = "", ""
    return blocks + prose


def _value_names(names: list[str]) -> list[str]:
    return [h for h in names if h not in LABEL_HEADERS and not h.startswith("部门") and not h.endswith("：")]


def _align(cells: list[str], header: list[str], leaf: list[str], multi_line: bool) -> tuple[str, ...]:
    """Column name for each cell of a spaced row; '' wherever the layout leaves any doubt,
    because a value under the wrong column is worse than a value under no column."""
    kinds = ["v" if (parse_cell(c) is not None or is_dash(c)) else "t" for c in cells]
    out = ["" for _ in cells]
    value_idx = [i for i, k in enumerate(kinds) if k == "v"]
    if not value_idx:
        return tuple(out)
    labels_in_row = kinds.count("t")
    if labels_in_row >= 2:
        # side-by-side groups ("项目 预算数 项目 预算数"): the g-th group's values -> its names
        groups = sum(1 for h in leaf if h == "项目")
        names = _value_names(leaf)
        if groups >= 2 and groups == labels_in_row and len(names) % groups == 0:
            per_group = len(names) // groups
            g, pos = -1, 0
            for i, kind in enumerate(kinds):
                if kind == "t":
                    g, pos = g + 1, 0
                    continue
                if g >= 0 and pos < per_group:
                    out[i] = names[g * per_group + pos]
                pos += 1
        return tuple(out)
    n_values = len(value_idx)
    for names, strict in ((_value_names(leaf), True), (_value_names(header), True), (_value_names(header), False)):
        if len(names) == n_values or (not strict and not multi_line and len(names) > n_values and "小计" not in names):
            for name, i in zip(names, value_idx, strict=False):
                out[i] = name
            break
    return tuple(out)
