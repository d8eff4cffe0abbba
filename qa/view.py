"""Answer dict -> what the chat shows: markdown for the message, HTML for sources and charts.

Pure functions over the CONTRACT.md answer shape and plain table grids, so they are tested
without a store or a browser. Everything that comes from a report or a question is untrusted
text (reports print `<b>`, `<input>` and worse): it is passed through `html.escape` before it
is put into HTML, and through `md_escape` before it goes into chat markdown.
"""

from __future__ import annotations

import csv
import html
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

Grid = Sequence[Sequence[str]]

# Inline styles, not only classes: gr.HTML content keeps them whatever CSS the page loads.
HIT_STYLE = "background:#ffe066;color:#000;font-weight:700;outline:2px solid #e8590c"
MARK_STYLE = "background:#ffe066;color:#000;font-weight:700;padding:0 2px"
CELL_STYLE = "border:1px solid #ccc;padding:1px 4px"
NUMBER_STYLE = "white-space:nowrap;text-align:right"
TEXT_STYLE = "max-width:14em"
CONTEXT_ROWS = 8  # rows shown above and below the cited row of a long table
LONG_TABLE = 2 * CONTEXT_ROWS + 6
NO_SOURCES = '<p class="dqa-none">No source to show: this answer cites no figure.</p>'

_MD_SPECIALS = re.compile(r"([\\`*_\[\]{}|#~>])")
_CODE = re.compile(r"^[0-9]{3,}$")
_LINE = re.compile(r"\bline ([0-9]+)\b")


# ------------------------------------------------------------------ text helpers


def esc(text: object) -> str:
    """HTML-escape any value (None -> '')."""
    return html.escape("" if text is None else str(text), quote=True)


def md_escape(text: object) -> str:
    """Text for chat markdown: HTML-escaped, markdown specials backslash-escaped."""
    escaped = esc(text)
    return _MD_SPECIALS.sub(r"\\\1", escaped)


def squash(text: str) -> str:
    """Cell text for matching: NFKC (full-width digits) without whitespace or thousands commas.

    Reports print `313. 08`, `1,234.56` and `科目 编码`; a citation's raw figure and row label
    must match the cell whichever way it was spaced.
    """
    return re.sub(r"[\s,，]", "", unicodedata.normalize("NFKC", text or ""))


def split_row(row: str) -> tuple[str, str]:
    """A citation's `row` ("30107 绩效工资", "合计") -> (subject code, label)."""
    head, _, rest = (row or "").strip().partition(" ")
    if _CODE.match(head):
        return head, rest.strip()
    return "", (row or "").strip()


# ------------------------------------------------------------------ tables


def locate_cell(
    rows: Grid,
    row: str,
    column: str,
    raw: str,
    line: int | None = None,
    line_numbers: Sequence[int] = (),
) -> tuple[int, int] | None:
    """Where the cited figure is printed in a table grid, as (row index, column index).

    A candidate is a cell holding the raw figure (alone, or followed by a unit: "238.15 万元").
    Candidates in a row that holds the cited subject code win over those in a row holding the
    cited label, which win over the rest; then a row printed on the cited source `line`; then
    the cell whose header cells above (merged cells spanning rightwards) name the most parts
    of the cited column (" / "-joined path); then the nearest cell right of the label (side-by-side tables print code, label,
    amount three times per row). Without a code or label the winner must be unique on the
    other keys, else there is no answer: a wrong highlight is worse than none.
    """
    target = squash(raw)
    if not target:
        return None
    code, label = split_row(row)
    label_key = squash(label)
    label_parts = [squash(p) for p in label.split() if squash(p)]
    parts = [squash(p) for p in (column or "").split("/") if squash(p)]
    candidates: list[tuple[int, int, int, int, int, int]] = []
    for i, cells in enumerate(rows):
        keys = [squash(c) for c in cells]
        hits = [j for j, k in enumerate(keys) if _holds_figure(k, target)]
        if not hits:
            continue
        anchor, row_score = None, 0
        coded = [j for j, k in enumerate(keys) if code and _starts_with_code(k, code)]
        exact = [j for j, k in enumerate(keys) if label_key and k == label_key]
        inside = [j for j, k in enumerate(keys) if label_key and label_key in k and j not in hits]
        # a label spread over cells: "成本指标 经济成本指标 工资等费用" (一级/二级/三级指标)
        spread = [keys.index(p) for p in label_parts if p in keys] if len(label_parts) > 1 else []
        if coded:
            anchor, row_score = coded[0], 2
        elif exact or inside:
            anchor, row_score = (exact or inside)[0], 1
        elif spread and len(spread) == len(label_parts):
            anchor, row_score = max(spread), 1
        off_line = int(line is not None and (i >= len(line_numbers) or line_numbers[i] != line))
        for j in hits:
            header = {_spanning_cell(rows[h], j) for h in range(i)}
            col_score = sum(1 for p in parts if p in header)
            distance = j - anchor if anchor is not None and j > anchor else len(cells) + j
            candidates.append((-row_score, off_line, -col_score, distance, i, j))
    if not candidates:
        return None
    candidates.sort()
    best = candidates[0]
    if best[0] == 0 and len(candidates) > 1 and candidates[1][:3] == best[:3]:
        return None
    return best[4], best[5]


def _spanning_cell(cells: Sequence[str], j: int) -> str:
    """Cell j, or when empty the nearest filled cell left of it: a merged header ("预算数"
    over six columns) is printed once, in its first column."""
    for k in range(min(j, len(cells) - 1), -1, -1):
        if squash(cells[k]):
            return squash(cells[k])
    return ""


def _holds_figure(key: str, target: str) -> bool:
    """A cell printing the figure, bare or with a short unit after it ("238.15万元", "99.13%")."""
    if key == target:
        return True
    rest = key[len(target) :] if key.startswith(target) else ""
    return 0 < len(rest) <= 3 and not any(ch.isdigit() or ch == "." for ch in rest)


def _starts_with_code(key: str, code: str) -> bool:
    """ "20103政府办公厅…" starts with 20103; "2010350事业运行" does not (a longer code)."""
    return key.startswith(code) and not key[len(code) : len(code) + 1].isdigit()


def _header_count(rows: Grid, limit: int = 4) -> int:
    """Rows before the first one holding a figure: the header block kept above a window."""
    for i, cells in enumerate(rows[:limit]):
        if any(_is_number(c) for c in cells):
            return i
    return min(limit, len(rows))


def _is_number(text: str) -> bool:
    key = squash(text)
    if not key or _CODE.match(key):
        return False
    try:
        Decimal(key.rstrip("%"))
    except InvalidOperation:
        return False
    return True


def render_grid(
    rows: Grid,
    hit: tuple[int, int] | None = None,
    *,
    title: str = "",
    unit: str = "",
    line_numbers: Sequence[int] = (),
) -> str:
    """A table grid as an HTML table; the `hit` cell is highlighted (class dqa-hit + mark).

    Long tables show their header rows and a window around the hit, with the skipped rows
    counted, so the highlighted cell is on screen without scripts.
    """
    width = max((len(r) for r in rows), default=0)
    # columns empty in every row carry nothing (tsv lines end in tabs): drop them, keep the hit
    columns = [
        j
        for j in range(width)
        if any(j < len(r) and r[j].strip() for r in rows) or (hit is not None and hit[1] == j)
    ]
    keep: list[int | str] = list(range(len(rows)))
    if hit is not None and len(rows) > LONG_TABLE:
        head = _header_count(rows)
        start, stop = max(head, hit[0] - CONTEXT_ROWS), min(len(rows), hit[0] + CONTEXT_ROWS + 1)
        keep = list(range(head))
        if start > head:
            keep.append(f"… {start - head} rows …")
        keep.extend(range(start, stop))
        if stop < len(rows):
            keep.append(f"… {len(rows) - stop} rows …")
    caption = " ".join(p for p in (esc(title), f"（单位：{esc(unit)}）" if unit else "") if p)
    out = [
        '<div class="dqa-table" style="overflow:auto;max-height:460px">',
        '<table style="border-collapse:collapse;font-size:13px">',
    ]
    if caption:
        out.append(f'<caption style="text-align:left;font-weight:600">{caption}</caption>')
    for item in keep:
        if isinstance(item, str):
            out.append(
                f'<tr class="dqa-gap"><td colspan="{len(columns) + 1}" '
                f'style="{CELL_STYLE};color:#888;text-align:center">{esc(item)}</td></tr>'
            )
            continue
        i = item
        line = line_numbers[i] if i < len(line_numbers) else ""
        cells = [f'<td class="dqa-line" style="{CELL_STYLE};color:#999">{esc(line)}</td>']
        for j in columns:
            cell = rows[i][j] if j < len(rows[i]) else ""
            style = f"{CELL_STYLE};{NUMBER_STYLE if _is_number(cell) else TEXT_STYLE}"
            if hit == (i, j):
                cells.append(
                    f'<td class="dqa-hit" style="{style};{HIT_STYLE}">'
                    f'<mark style="{MARK_STYLE}">{esc(cell)}</mark></td>'
                )
            else:
                cells.append(f'<td style="{style}">{esc(cell)}</td>')
        row_class = ' class="dqa-hit-row" style="background:#fff8db"' if hit and hit[0] == i else ""
        out.append(f"<tr{row_class}>{''.join(cells)}</tr>")
    out.append("</table></div>")
    return "".join(out)


# ------------------------------------------------------------------ quotes


def find_figure(text: str, raw: str, after: str = "") -> tuple[int, int] | None:
    """(start, end) of the figure `raw` in `text`, not inside a longer number.

    Spacing and thousands commas may differ (`313. 08`, `1,234.56`). The first occurrence
    after the label `after` wins: "12345热线工单84395件" holds 12345 before the figure.
    """
    key = squash(raw)
    if not key:
        return None
    body = r"[\s,]*".join(re.escape(ch) for ch in key)
    pattern = re.compile(rf"(?<![0-9.]){body}(?![0-9])(?!\.[0-9])")
    spans = [m.span() for m in pattern.finditer(text or "")]
    if not spans:
        return None
    label_at = (text or "").find(after) if after else -1
    if label_at >= 0:
        later = [s for s in spans if s[0] >= label_at + len(after)]
        if later:
            return later[0]
    return spans[0]


def highlight_figure(text: str, raw: str, after: str = "") -> str:
    """The text as HTML with the figure wrapped in <mark>; everything escaped."""
    span = find_figure(text, raw, after)
    if span is None:
        return esc(text)
    a, b = span
    return f'{esc(text[:a])}<mark class="dqa-hit" style="{MARK_STYLE}">{esc(text[a:b])}</mark>{esc(text[b:])}'


# ------------------------------------------------------------------ sources


def _source_header(citation: Mapping[str, Any]) -> str:
    report = esc(citation.get("report"))
    locator = esc(citation.get("locator"))
    return (
        f'<div class="dqa-source-head" style="margin-bottom:6px"><b>{report}</b>'
        f'<br><span style="color:#555">{locator}</span></div>'
    )


def render_text_source(citation: Mapping[str, Any], note: str = "") -> str:
    """A cited paragraph (the citation's quote) with the figure highlighted."""
    _, label = split_row(str(citation.get("row") or ""))
    where = citation.get("section") or citation.get("table") or ""
    quote = highlight_figure(
        str(citation.get("quote") or ""), str(citation.get("raw") or ""), label
    )
    parts = [_source_header(citation)]
    if where:
        parts.append(f'<div style="color:#555">§ {esc(where)}</div>')
    parts.append(
        f'<blockquote class="dqa-quote" style="border-left:3px solid #e8590c;'
        f'margin:6px 0;padding:4px 10px">{quote}</blockquote>'
    )
    if note:
        parts.append(f'<div class="dqa-note" style="color:#888;font-size:12px">{esc(note)}</div>')
    return f'<div class="dqa-source">{"".join(parts)}</div>'


def render_table_source(citation: Mapping[str, Any], grid: Mapping[str, Any] | None) -> str:
    """The cited table with the cited cell highlighted; the quote when the cell is not found.

    `grid` is `SqliteFactStore.table_grid(report, title)`: at least "rows", optionally
    "title", "unit" and "line_numbers".
    """
    if not grid or not grid.get("rows"):
        return render_text_source(
            citation, "The cited table is not stored; showing the printed row."
        )
    rows = grid["rows"]
    line_numbers = grid.get("line_numbers") or ()
    line = cited_line(citation)
    if line is not None and line_numbers and not min(line_numbers) <= line <= max(line_numbers):
        # table_grid gives the first table with this title; a report may print several
        note = f"The cited line {line} lies outside the stored table “{grid.get('title')}” (a report may print several tables with one title); showing the printed row."
        return render_text_source(citation, note)
    hit = locate_cell(
        rows,
        str(citation.get("row") or ""),
        str(citation.get("column") or ""),
        str(citation.get("raw") or ""),
        line,
        line_numbers,
    )
    if hit is None:
        note = f"The cell could not be located in the stored table “{grid.get('title') or citation.get('table')}”; showing the printed row."
        return render_text_source(citation, note)
    table = render_grid(
        rows,
        hit,
        title=str(grid.get("title") or citation.get("table") or ""),
        unit=str(grid.get("unit") or ""),
        line_numbers=grid.get("line_numbers") or (),
    )
    return f'<div class="dqa-source">{_source_header(citation)}{table}</div>'


def cited_line(citation: Mapping[str, Any]) -> int | None:
    """The source line a locator names ("…, line 283"), if any."""
    match = _LINE.search(str(citation.get("locator") or ""))
    return int(match.group(1)) if match else None


def render_source(citation: Mapping[str, Any], grid: Mapping[str, Any] | None = None) -> str:
    if citation.get("source") == "table" and citation.get("table"):
        return render_table_source(citation, grid)
    return render_text_source(citation)


def source_citations(answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What the Sources panel offers: the citations, else (not found) the nearest facts."""
    cites = list(answer.get("citations") or [])
    return cites or list(answer.get("nearest") or [])


def citation_label(index: int, citation: Mapping[str, Any]) -> str:
    """One line per citation for the picker (plain text: dropdowns do not render HTML)."""
    where = citation.get("locator") or citation.get("table") or citation.get("section") or ""
    figure = " ".join(str(x) for x in (citation.get("raw"), citation.get("unit")) if x)
    return f"[{index + 1}] {citation.get('report', '')} — {where}" + (
        f" — {figure}" if figure else ""
    )


# ------------------------------------------------------------------ the chat message


def _value_line(answer: Mapping[str, Any]) -> str:
    if answer.get("value") in (None, ""):
        return ""
    figure = " ".join(md_escape(x) for x in (answer["value"], answer.get("unit")) if x)
    return f"**{figure}**"


def answer_markdown(answer: Mapping[str, Any]) -> str:
    """The assistant's chat message: figure, sentence, arithmetic, comparison, citations."""
    status = answer.get("status", "not_found")
    lines: list[str] = []
    value = _value_line(answer)
    if value:
        lines.append(value)
    lines.append(md_escape(answer.get("answer") or ""))
    computation = answer.get("computation")
    if computation and computation.get("expression"):
        lines.append(f"Computed: {md_escape(computation['expression'])}")
    if answer.get("comparison"):
        lines.append(comparison_markdown(answer["comparison"]))
    if answer.get("ranking"):
        lines.append(ranking_markdown(answer["ranking"]))
    if status == "ambiguous" and answer.get("candidates"):
        lines.append("Candidates:")
        for c in answer["candidates"]:
            cite = (c.get("citations") or [{}])[0]
            lines.append(
                f"- **{md_escape(c.get('value'))} {md_escape(c.get('unit'))}** "
                f"{md_escape(c.get('label'))} — {md_escape(cite.get('report'))}: "
                f"{md_escape(cite.get('locator'))}"
            )
    cites = answer.get("citations") or []
    if cites:
        lines.append("Sources:")
        for i, c in enumerate(cites, 1):
            lines.append(f"{i}\\. {md_escape(c.get('report'))} — {md_escape(c.get('locator'))}")
    elif status == "not_found" and answer.get("nearest"):
        lines.append("Nearest figures (not an answer):")
        for n in answer["nearest"]:
            lines.append(
                f"- {md_escape(n.get('value'))} {md_escape(n.get('unit'))} — "
                f"{md_escape(n.get('report'))}: {md_escape(n.get('locator'))}"
            )
    return "\n\n".join(line for line in lines if line)


# ------------------------------------------------------------------ comparisons


def comparison_markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    """A small markdown table: one line per side of the comparison."""
    out = ["| | organisation | year | metric | value | report |", "|---|---|---|---|---:|---|"]
    for r in rows:
        value = (
            f"{r.get('value')} {r.get('unit') or ''}".strip()
            if r.get("value") is not None
            else r.get("status", "")
        )
        cells = [
            r.get("label"),
            r.get("org", ""),
            r.get("year", ""),
            r.get("metric", ""),
            value,
            r.get("report", ""),
        ]
        out.append("| " + " | ".join(md_escape(c if c is not None else "") for c in cells) + " |")
    return "\n".join(out)


def comparison_chart(rows: Sequence[Mapping[str, Any]]) -> str:
    """A horizontal bar chart in plain HTML/CSS (no scripts, no network), one bar per side.

    Bars use the canonical value (one unit for all sides, the Answerer guarantees that for an
    answered comparison); sides without a figure are listed with their status.
    """
    values: list[tuple[Mapping[str, Any], Decimal | None]] = []
    for r in rows:
        try:
            values.append((r, Decimal(str(r.get("canonical", r.get("value"))))))
        except (InvalidOperation, ValueError):
            values.append((r, None))
    top = max((abs(v) for _, v in values if v is not None), default=Decimal(0))
    out = ['<div class="dqa-chart" style="font-size:13px;max-width:640px">']
    for r, v in values:
        label, year = str(r.get("label") or ""), str(r.get("year") or "")
        if year and year not in label:
            label = f"{label} {year}".strip()
        if v is None:
            out.append(
                f'<div class="dqa-bar-row"><span>{esc(label)}</span> — {esc(r.get("status", "not found"))}</div>'
            )
            continue
        pct = float(abs(v) / top * 100) if top else 0.0
        unit = r.get("canonical_unit") or r.get("unit") or ""
        out.append(
            '<div class="dqa-bar-row" style="display:flex;align-items:center;gap:8px;margin:4px 0">'
            f'<span style="width:140px;flex:none">{esc(label)}</span>'
            f'<span class="dqa-bar" style="display:inline-block;height:18px;width:{pct:.1f}%;'
            'background:#4c6ef5;min-width:2px"></span>'
            f'<span style="flex:none">{esc(r.get("canonical", r.get("value")))} {esc(unit)}</span></div>'
        )
    out.append("</div>")
    return "".join(out)


# ------------------------------------------------------------------ rankings across reports

RANKING_COLUMNS = ("rank", "organisation", "year", "kind", "figure", "unit", "in common unit", "status",
                   "report", "where printed", "quote")


def _ranking_cells(row: Mapping[str, Any]) -> list[str]:
    cite = row.get("citation") or {}
    candidates = row.get("candidates") or []
    if row.get("status") == "ambiguous" and candidates:
        figure = " / ".join(f"{c.get('value')} {c.get('unit') or ''}".strip() for c in candidates)
    else:
        figure = "" if row.get("value") is None else str(row.get("value"))
    common = "" if row.get("canonical") in (None, "") or row.get("canonical_unit") in ("", "count", row.get("unit")) \
        else f"{row.get('canonical')} {row.get('canonical_unit')}"
    return [str(row.get("rank") or ""), str(row.get("org") or ""), str(row.get("year") or ""),
            str(row.get("kind") or ""), figure, str(row.get("unit") or ""), common,
            ("" if row.get("status") == "answered" else str(row.get("status") or ""))
            + (f" ({row['note']})" if row.get("note") else ""),
            str(cite.get("report") or ""), str(cite.get("locator") or ""), str(cite.get("quote") or "")]


def ranking_markdown(ranking: Mapping[str, Any]) -> str:
    """The ranking as a markdown table: every organisation, those without a figure marked."""
    out = ["| # | organisation | year | figure | status | where printed |", "|---:|---|---|---:|---|---|"]
    for row in ranking.get("rows") or []:
        rank, org, year, kind, figure, unit, common, status, report, where, _ = _ranking_cells(row)
        shown = " ".join(x for x in (figure, unit) if x) + (f" ({common})" if common else "")
        place = f"{report}: {where}" if report else ""
        cells = [rank, org, f"{year} {kind}".strip(), shown, status, place]
        out.append("| " + " | ".join(md_escape(c) for c in cells) + " |")
    return "\n".join(out)


def ranking_chart(ranking: Mapping[str, Any]) -> str:
    """The ranking's bar chart: the organisations in ranked order, in the common unit."""
    rows = [{**r, "label": r.get("org"), "year": "",
             "canonical": r.get("canonical") if r.get("status") == "answered" else None,
             "status": r.get("status")} for r in ranking.get("rows") or []]
    return comparison_chart(rows)


def ranking_csv(ranking: Mapping[str, Any]) -> str:
    """The ranking as CSV text (UTF-8 with a byte-order mark, so a spreadsheet opens the Chinese
    right): one line per organisation, its figure as printed, and where it is printed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RANKING_COLUMNS)
    for row in ranking.get("rows") or []:
        writer.writerow(_ranking_cells(row))
    return "\ufeff" + buffer.getvalue()


# ------------------------------------------------------------------ reports panel

REPORT_COLUMNS = [
    "report",
    "organisation",
    "year",
    "kind",
    "scope",
    "read as",
    "tables",
    "facts",
    "tables passing checks",
    "findings",
]
ERROR_STYLE = "background:#c92a2a;color:#fff"
WARNING_STYLE = "background:#f08c00;color:#000"
CHANGED_STYLE = "background:#fff3bf;font-weight:600"


def findings_summary(found: Sequence[Mapping[str, Any]] | None) -> str:
    """ "none", or "3 (1 error, 2 warnings)". """
    if not found:
        return "none"
    errors = sum(1 for f in found if f.get("severity") == "error")
    warnings = len(found) - errors
    parts = [f"{errors} error{'s' if errors != 1 else ''}" if errors else "",
             f"{warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""]
    return f"{len(found)} ({', '.join(p for p in parts if p)})"


def report_rows(
    reports: Sequence[Mapping[str, Any]],
    findings: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> list[list[Any]]:
    """`SqliteFactStore.reports()` (+ each report's findings) -> rows for the reports table."""
    return [
        [
            r.get("name", ""),
            r.get("org", ""),
            r.get("year") or "",
            r.get("kind", ""),
            r.get("scope", ""),
            r.get("read", ""),
            r.get("tables", 0),
            r.get("facts", 0),
            f"{r.get('tables_passed', 0)} / {r.get('tables', 0)}",
            findings_summary((findings or {}).get(str(r.get("name", "")))),
        ]
        for r in reports
    ]


def identity_text(report: Mapping[str, Any]) -> str:
    """ "上海市普陀区财政局 · 2024 · 决算 · 部门" (the parts known)."""
    parts = [report.get("org"), report.get("year"), report.get("kind"), report.get("scope")]
    return " · ".join(str(p) for p in parts if p not in (None, "")) or "(no organisation or year found)"


def _severity_badge(severity: str) -> str:
    style = ERROR_STYLE if severity == "error" else WARNING_STYLE
    return (
        f'<span class="dqa-severity dqa-{esc(severity)}" style="{style};padding:0 5px;'
        f'border-radius:3px;font-size:12px">{esc(severity)}</span>'
    )


def finding_html(finding: Mapping[str, Any]) -> str:
    """One finding (`Finding.as_dict()`): severity, rule, message and each cited figure."""
    figures = finding.get("figures") or []
    rows = "".join(
        f'<tr class="dqa-figure"><td style="{CELL_STYLE};{NUMBER_STYLE}"><b>{esc(f.get("value"))}</b></td>'
        f'<td style="{CELL_STYLE}">{esc(f.get("locator"))}</td>'
        f'<td class="dqa-quote" style="{CELL_STYLE};color:#444">'
        f"{highlight_figure(str(f.get('quote') or ''), str(f.get('value') or ''))}</td></tr>"
        for f in figures
    )
    table = (
        '<table class="dqa-figures" style="border-collapse:collapse;font-size:12px;margin:4px 0 0 0">'
        f'<tr><th style="{CELL_STYLE}">value</th><th style="{CELL_STYLE}">where</th>'
        f'<th style="{CELL_STYLE}">printed</th></tr>{rows}</table>'
        if figures
        else '<div style="color:#888;font-size:12px">(no figure cited)</div>'
    )
    return (
        f'<li class="dqa-finding" data-rule="{esc(finding.get("rule"))}" style="margin:6px 0">'
        f'{_severity_badge(str(finding.get("severity") or ""))} <code>{esc(finding.get("rule"))}</code> '
        f'<span class="dqa-message">{esc(finding.get("message"))}</span>{table}</li>'
    )


def findings_html(entries: Sequence[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]]) -> str:
    """Every stored report: its identity (org, year, kind, scope) and its check findings, each
    with the figures it compared. A report with findings is shown open."""
    if not entries:
        return '<p class="dqa-none">No reports in the index yet.</p>'
    out = ['<div class="dqa-reports" style="font-size:13px">']
    for report, found in entries:
        name = str(report.get("name", ""))
        summary = findings_summary(found)
        counts = f"tables {esc(report.get('tables', 0))}, facts {esc(report.get('facts', 0))}"
        items = "".join(finding_html(f) for f in found)
        body = (
            f'<ol class="dqa-findings" style="margin:4px 0 8px 1.2em;padding:0">{items}</ol>'
            if found
            else '<div style="color:#2b8a3e;margin:2px 0 6px 0">Every check that applies holds.</div>'
        )
        out.append(
            f'<details class="dqa-report" data-report="{esc(name)}"{" open" if found else ""} '
            'style="border-bottom:1px solid #ddd;padding:4px 0">'
            f'<summary><b class="dqa-report-name">{esc(name)}</b> — '
            f'<span class="dqa-identity">{esc(identity_text(report))}</span> '
            f'<span style="color:#555">({counts}; findings: {esc(summary)})</span></summary>{body}</details>'
        )
    out.append("</div>")
    return "".join(out)


REPLACE_FIELDS = (
    ("org", "organisation"), ("year", "year"), ("kind", "kind"), ("scope", "scope"),
    ("tables", "tables"), ("facts", "facts"), ("findings", "findings"), ("sha256", "sha256"),
    ("added_at", "added"),
)  # fmt: skip


def replace_preview_html(changes: Sequence[Any]) -> str:
    """What replacing stored reports would change: per report, stored vs new file, the fields
    that differ marked. `changes` are app.ReplaceChange (name, stored, new)."""
    out = ['<div class="dqa-replace" style="font-size:13px">']
    for change in changes:
        rows = []
        for key, label in REPLACE_FIELDS:
            old, new = change.stored.get(key, ""), change.new.get(key, "")
            differs = key != "added_at" and str(old) != str(new)
            style = f' class="dqa-changed" style="{CHANGED_STYLE}"' if differs else ""
            rows.append(
                f"<tr{style}><th style=\"{CELL_STYLE};text-align:left\">{esc(label)}</th>"
                f'<td style="{CELL_STYLE}">{esc(old)}</td><td style="{CELL_STYLE}">{esc(new)}</td></tr>'
            )
        out.append(
            f'<div class="dqa-replace-report" data-report="{esc(change.name)}" style="margin:6px 0">'
            f"<b>Replace {esc(change.name)}?</b> Its figures would be those of the new file; "
            "answers citing it change."
            '<table style="border-collapse:collapse;margin-top:4px">'
            f'<tr><th style="{CELL_STYLE}"></th><th style="{CELL_STYLE}">stored report</th>'
            f'<th style="{CELL_STYLE}">new file</th></tr>{"".join(rows)}</table></div>'
        )
    out.append("</div>")
    return "".join(out)
