"""TableBlock -> facts (one per numeric cell) and the checks the report's own identities allow.

A grid is read the way a person reads it: the header rows above the first row with figures give
each column its path (merged cells spread right while the row above is empty there), index
columns (行次 / 栏次) are skipped, and a figure's row label is the text printed between the
previous figure column and it, so side-by-side layouts (收入 | 支出, three 经济分类 groups in
one row) get the right label for each half.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from index.models import Fact, TableBlock, TableCheck
from index.numbers import is_dash, parse_cell
from index.textblocks import decode_columns

INDEX_HEADERS = frozenset({"行次", "行", "序号"})
CODE_RE = re.compile(r"^(\d{3}|\d{5}|\d{7})$")
# 功能分类 codes start with 2 (201 …), 经济分类 codes with 3 (301 …); "12345热线" is no code.
CODE_PREFIX_RE = re.compile(r"^([23]\d{2}(?:\d{2}){0,2})(?:\s+|(?=\D))(\S.*)$")
SPACE_RE = re.compile(r"\s+")
# the points columns of a self-evaluation form (分值 the weight, 得分 the score given)
SCORE_COLUMN_RE = re.compile(r"(?:^|/)\s*(?:分值|得分|自评得分|评分|分数)\s*$")
HEADER_WORD_RE = re.compile(r"(指标|目标值|完成值|预算数|执行数|决算数|得分|分值|执行率|合计|金额|名称|项目)")
NOT_A_FIGURE_RE = re.compile(r"(电话|传真|邮编|邮政编码|号码|手机|编号|代码|地址)$")
TOC_LABEL_RE = re.compile(r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")


def norm(text: str) -> str:
    return SPACE_RE.sub("", text)


@dataclass(frozen=True)
class _Row:
    index: int
    cells: tuple[str, ...]


def _is_column_number_row(cells: tuple[str, ...]) -> bool:
    """'类 款 项 栏次 1 2 3' or '1 2 3 … 12': the printed column numbers, part of the header."""
    ints = [c for c in cells if c.strip().isdigit()]
    others = [norm(c) for c in cells if c.strip() and not c.strip().isdigit()]
    if len(ints) < 2 or any(o not in {"栏次", "类", "款", "项", "行次"} for o in others):
        return False
    nums = [int(c) for c in ints]
    return nums == sorted(nums) and len(set(nums)) == len(nums) and nums[0] <= 2


def is_code_cell(cells: tuple[str, ...], c: int) -> bool:
    """A bare integer followed by a text cell is a code (2010350, 30101, a truncated "30"), not a
    figure: 科目编码 columns sit left of the name they label. The Shanghai template prints a code
    split over its 类 | 款 | 项 columns ("201 | 06 | 01 | 行政运行"): each part is a code too."""
    cell = cells[c].strip()
    if not cell.isdigit() or len(cell) > 7:
        return False
    if c in _split_code_cells(cells):
        return True
    for nxt in cells[c + 1 :]:
        if not nxt.strip():
            continue
        return parse_cell(nxt) is None and not is_dash(nxt)
    return False


SPLIT_HEAD_RE = re.compile(r"^[23]\d{2}$")  # a 类 code: 201 (功能分类) or 301 (经济分类)
# a 款 or 项 part: 06, 01; 万里 2024 prints "301 | 2 | 津贴补贴" (the leading zero lost)
SPLIT_PART_RE = re.compile(r"^\d{1,2}$")


def _split_code_cells(cells: tuple[str, ...]) -> set[int]:
    """Columns of the row holding parts of a split code: a 3-digit 类 cell, then up to two 2-digit
    parts (empty cells between), then a text cell (the name)."""
    found: set[int] = set()
    for c, cell in enumerate(cells):
        if not SPLIT_HEAD_RE.match(cell.strip()):
            continue
        run = [c]
        for k in range(c + 1, len(cells)):
            nxt = cells[k].strip()
            if not nxt:
                continue
            if SPLIT_PART_RE.match(nxt) and len(run) < 3:
                run.append(k)
                continue
            if parse_cell(nxt) is None and not is_dash(nxt):
                found.update(run)
            break
    return found


def join_split_code(label_cells: list[str]) -> list[str]:
    """['201', '06', '01', '行政运行'] -> ['2010601', '行政运行']: a code printed over its
    类 | 款 | 项 columns, joined back into the one code it is."""
    if len(label_cells) < 3 or not SPLIT_HEAD_RE.match(label_cells[0]):
        return label_cells
    k = 1
    while k < len(label_cells) and k < 3 and SPLIT_PART_RE.match(label_cells[k]):
        k += 1
    if k == 1:
        return label_cells
    return [label_cells[0] + "".join(p.zfill(2) for p in label_cells[1:k]), *label_cells[k:]]


def figure_at(cells: tuple[str, ...], c: int):  # noqa: ANN201 - Amount | None
    if is_code_cell(cells, c):
        return None
    return parse_cell(cells[c])


def _has_figure(cells: tuple[str, ...]) -> bool:
    return any(figure_at(cells, c) is not None for c in range(len(cells)))


def header_paths(header: list[tuple[str, ...]], width: int) -> list[str]:
    """Column path per column: header cells top-down; a merged cell spreads right over columns
    whose cell is empty in this row and was empty in the row above too."""
    grid = [list(r) + [""] * (width - len(r)) for r in header]
    filled = [row[:] for row in grid]
    for r, row in enumerate(grid):
        for c in range(1, width):
            if row[c].strip():
                continue
            above_empty = r == 0 or not grid[r - 1][c].strip()
            if above_empty and filled[r][c - 1].strip() and r < len(grid) - 1:
                filled[r][c] = filled[r][c - 1]
    paths = []
    for c in range(width):
        parts: list[str] = []
        for row in filled:
            cell = norm(row[c])
            if cell and cell not in parts and not cell.isdigit() and cell not in {"类", "款", "项", "栏次"}:
                parts.append(cell)
        paths.append(" / ".join(parts))
    return paths


def split_code(label: str) -> tuple[str, str]:
    """'2010350 事业运行' -> ('2010350', '事业运行'); labels without a code -> ('', label)."""
    match = CODE_PREFIX_RE.match(label.strip())
    if match:
        return match.group(1), match.group(2).strip()
    return "", label.strip()


def _locator(block: TableBlock, row_index: int, label: str, column: str, cell: int = -1) -> str:
    where = ""
    if block.line_numbers and row_index < len(block.line_numbers):
        n = block.line_numbers[row_index]
        where = f"p. {n}" if block.shape in ("pdf", "ocr") else f"line {n}"
    read_by = ""
    if block.confidence and row_index < len(block.confidence) and 0 <= cell < len(block.confidence[row_index]):
        read_by = f"OCR {block.confidence[row_index][cell]:.2f}"  # a scanned page: how sure the reading is
    parts = [block.title or "table", f"row “{label}”" if label else "", f"column “{column}”" if column else "", where, read_by]
    return ", ".join(p for p in parts if p)


def extract_table_facts(block: TableBlock, report: str, start: int = 0) -> list[Fact]:
    rows = [tuple(c.strip() for c in r) for r in block.rows]
    if not rows:
        return []
    explicit = decode_columns(block)
    width = max(len(r) for r in rows)
    if explicit is not None:
        header_end = 0
        columns = None
        index_cols: set[int] = set()
        value_cols: set[int] = set()
    else:
        header_end = 0
        while header_end < len(rows) and (
            not _has_figure(rows[header_end]) or _is_column_number_row(rows[header_end])
        ):
            header_end += 1
        header = rows[:header_end]
        columns = header_paths(header, width)
        index_cols = {c for c in range(width) if any(norm(h[c]) in INDEX_HEADERS for h in header if c < len(h))}
        value_cols = {
            c for r in rows[header_end:] for c in range(len(r)) if c not in index_cols and figure_at(r, c)
        }
    if _is_contents(block, rows):
        return []
    facts: list[Fact] = []
    names_by_code: dict[str, str] = {}
    pending: list[tuple[int, int, str, str, str, Decimal, str, str, str]] = []
    partial_unit = "unit:partial" in block.notes
    for ri in range(header_end, len(rows)):
        cells = rows[ri]
        if explicit is None and _is_header_row(cells):
            # a header printed again mid-table (self-evaluation forms): columns change here
            columns = header_paths([cells], width)
            continue
        label_cells: list[str] = []
        texts: list[str] = []
        passed_value = False
        for c in range(len(cells)):
            if c in index_cols:
                continue
            amount = figure_at(cells, c)
            cell = cells[c]
            if amount is None:
                if cell and not is_dash(cell):
                    if passed_value:
                        texts, passed_value = [], False  # a new label group (side-by-side layout)
                    texts.append(cell)
                elif c in value_cols:
                    passed_value = True
                continue
            if texts:
                label_cells, texts = texts, []
            passed_value = True
            if explicit is not None:
                column = explicit[ri][c] if c < len(explicit[ri]) else ""
            else:
                column = columns[c] if columns and c < len(columns) else ""
            label_cells = join_split_code(label_cells)
            if len(label_cells) >= 2 and label_cells[0].isdigit() and not CODE_RE.match(label_cells[0]):
                label_cells = label_cells[1:]  # a code the converter truncated ("30" for 30201)
            label = " ".join(label_cells)
            code, name = split_code(label)
            if not code and len(label_cells) >= 2 and CODE_RE.match(label_cells[0]):
                code, name = label_cells[0], " ".join(label_cells[1:])
            if code:
                names_by_code.setdefault(code, name)
            if NOT_A_FIGURE_RE.search(name) or NOT_A_FIGURE_RE.search(column):
                continue  # 联系电话 83426353 and the like
            unit = amount.unit or block.unit
            if SCORE_COLUMN_RE.search(column):
                unit = "分"  # a self-evaluation's 分值 / 得分 column: points, whatever the table's unit
            if partial_unit and not amount.unit and "." not in amount.raw:
                unit = ""  # "预算执行情况（万元）" in one cell: scores and counts are not 万元
            quote = "  ".join(x for x in cells if x)
            pending.append((ri, c, name, code, column, amount.value, amount.raw, unit, quote))
    for ri, ci, name, code, column, value, raw, unit, quote in pending:
        parents = _parents(code, names_by_code)
        label = f"{code} {name}".strip()
        facts.append(
            Fact(
                report=report, source="table", table=block.title, row_label=name, column=column,
                value=value, raw=raw, unit=unit, locator=_locator(block, ri, label, column, ci),
                quote=quote, code=code, parents=parents, position=start + len(facts),
            )
        )
    return facts


def _is_header_row(cells: tuple[str, ...]) -> bool:
    texts = [c for c in cells if c.strip()]
    return (
        len(texts) >= 4
        and not _has_figure(cells)
        and all(len(c) <= 12 for c in texts)
        and sum(1 for c in texts if HEADER_WORD_RE.search(c)) >= 2
    )


def _is_contents(block: TableBlock, rows: list[tuple[str, ...]]) -> bool:
    """A table of contents (headings with page numbers) prints no figures worth a fact."""
    if block.unit:
        return False
    labelled = [r for r in rows if r and r[0]]
    toc = [r for r in labelled if TOC_LABEL_RE.match(r[0]) and all(c.strip().isdigit() for c in r[1:] if c.strip())]
    return len(labelled) >= 3 and len(toc) >= 0.6 * len(labelled)


def _parents(code: str, names: dict[str, str]) -> str:
    if len(code) not in (5, 7):
        return ""
    parents = [names.get(code[:n], "") for n in (3, 5) if n < len(code)]
    return " / ".join(p for p in parents if p)


# ---------------------------------------------------------------- identities printed in reports


def check_table(facts: list[Fact]) -> list[TableCheck]:
    """Parent 科目 = sum of its children (per column); 合计 = sum of the 类 rows; 基本支出 =
    人员经费 + 公用经费 where a row has all three. Failures are data, not errors. The full
    catalogue (across tables, text against tables, the document) is `index.checks`."""
    if not facts:
        return []
    table = facts[0].table
    checks: list[TableCheck] = []
    by_col: dict[str, dict[str, Fact]] = {}
    for f in facts:
        if f.code:
            by_col.setdefault(f.column, {}).setdefault(f.code, f)
    for column, by_code in by_col.items():
        for code, parent in by_code.items():
            if len(code) not in (3, 5):
                continue
            children = [f for k, f in by_code.items() if len(k) == len(code) + 2 and k.startswith(code)]
            if not children:
                continue
            total = sum((f.value for f in children), Decimal(0))
            holds = abs(total - parent.value) <= Decimal("0.011") * max(1, len(children))
            checks.append(
                TableCheck(
                    table=table, rule=f"{code} = sum of its {len(children)} sub-items ({column or 'value'})",
                    holds=holds, detail=f"{parent.raw} vs {total}",
                )
            )
        totals = [f for f in facts if f.column == column and norm(f.row_label) in {"合计", "总计"} and not f.code]
        tops = [f for k, f in by_code.items() if len(k) == 3]
        if totals and tops and len(by_code) >= 2:
            total = sum((f.value for f in tops), Decimal(0))
            holds = abs(total - totals[0].value) <= Decimal("0.011") * len(tops)
            checks.append(
                TableCheck(table=table, rule=f"合计 = sum of 类 rows ({column or 'value'})", holds=holds,
                           detail=f"{totals[0].raw} vs {total}")
            )
    rows: dict[str, dict[str, Fact]] = {}
    for f in facts:
        rows.setdefault(f.row_label + "|" + f.code, {})[norm(f.column).split("/")[-1]] = f
    for key, cols in rows.items():
        basic = cols.get("基本支出") or cols.get("小计")
        if basic and "人员经费" in cols and "公用经费" in cols:
            total = cols["人员经费"].value + cols["公用经费"].value
            checks.append(
                TableCheck(table=table, rule=f"基本支出 = 人员经费 + 公用经费 ({key.split('|')[0]})",
                           holds=abs(total - basic.value) <= Decimal("0.011"), detail=f"{basic.raw} vs {total}")
            )
    # 收入总计 = 支出总计 (not 本年收入合计 = 本年支出合计: 结转和结余 sit between them, so a
    # correct 收入支出决算总表 may print 9746.50 vs 9759.38 there)
    grand = [f for f in facts if norm(f.row_label) in {"总计", "收入总计", "支出总计"}]
    income = next((f for f in grand if "收入" in f.row_label or f.column.startswith(("收入", "本年收入"))), None)
    spend = next((f for f in grand if "支出" in f.row_label or f.column.startswith(("支出", "本年支出"))), None)
    if income is not None and spend is not None and income is not spend:
        checks.append(
            TableCheck(table=table, rule="收入总计 = 支出总计", holds=income.value == spend.value,
                       detail=f"{income.raw} vs {spend.raw}")
        )
    return checks
