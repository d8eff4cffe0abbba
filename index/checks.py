"""Analysis (or a stored report) -> findings: the report's own arithmetic, checked like an auditor.

A catalogue of named rules (`RULES`), each with its source in the disclosure template, a severity
(`error`: arithmetic the template requires, `warning`: softer) and a function from `Material` to
the `Outcome`s of every instance of the rule that applies. A failed outcome carries a `Finding`
that cites every figure it compared (value as printed, locator, quote), so the Reports tab and
answers can show both sides. Rounding is never a finding: figures are printed to a fixed number
of decimals, so a sum of n parts may be off by n units of the last printed digit.

Precision over recall: a rule that cannot tell a printed inconsistency from a parsing gap (a
table continued on a page the loader did not join, a code lost from a row) reports a warning, not
an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from index.grams import CJK_RUN_RE
from index.models import Fact, TableBlock
from index.numbers import parse_number, to_unit

ERROR = "error"
WARNING = "warning"


# ---------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Figure:
    """One cited figure: the value as printed, where it is, and the line it is printed in."""

    value: str
    locator: str
    quote: str

    @classmethod
    def of(cls, fact: Fact) -> Figure:
        return cls(value=fact.raw, locator=fact.locator, quote=fact.quote[:200])


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    figures: tuple[Figure, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule, "severity": self.severity, "message": self.message,
            "figures": [{"value": f.value, "locator": f.locator, "quote": f.quote} for f in self.figures],
        }  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    """One instance of a rule that applied: which tables it read and, if it failed, the finding."""

    rule: str
    tables: tuple[str, ...]
    finding: Finding | None = None

    @property
    def holds(self) -> bool:
        return self.finding is None


@dataclass(frozen=True)
class Material:
    """What the checks read: the same whether it comes from a fresh Analysis or from the store."""

    report: str
    year: int | None
    kind: str  # 预算 | 决算 | 绩效自评 | ''
    place: str
    facts: tuple[Fact, ...]
    text: str
    tables: tuple[str, ...]  # table titles in reading order (empty tables included)

    @classmethod
    def of_analysis(cls, analysis: Any) -> Material:
        report = analysis.report
        titles = tuple(b.title for b in report.blocks if isinstance(b, TableBlock))
        return cls(
            report=report.name, year=report.meta.year, kind=report.meta.kind,
            place=report.meta.place, facts=tuple(analysis.facts), text=report.text, tables=titles,
        )  # fmt: skip


def material_from_store(store: Any, name: str) -> Material | None:
    """A stored report's material (a SqliteFactStore and the name it was added under), or None
    if the store has no such report. The checks run again on the stored facts, tables and text,
    so the store keeps no findings of its own and its layout does not change."""
    row = store.report_row(name)
    if row is None:
        return None
    year = row.get("year")
    return Material(
        report=name, year=int(year) if year else None, kind=str(row.get("kind") or ""),
        place=str(row.get("place") or ""), facts=tuple(store.facts([name])),
        text=store.report_text(name) or "", tables=tuple(t["title"] for t in store.tables(name)),
    )  # fmt: skip


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str
    source: str  # where the identity comes from in the template
    run: Callable[[Material], Iterator[Outcome]] = field(repr=False)


# ---------------------------------------------------------------------------------- helpers

SPACE_RE = re.compile(r"\s+")
ORDINAL_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|\d+[.．、]\s*|[（(][一二三四五六七八九十\d]+[)）])"
)


def _norm(text: str) -> str:
    return SPACE_RE.sub("", text)


def _label(fact: Fact) -> str:
    """Row label without spaces, the 类/款/项 header words and an ordinal ("一、")."""
    text = _norm(fact.row_label)
    text = re.sub(r"^(?:类款项|类款|类)", "", text)
    return ORDINAL_RE.sub("", text)


def _decimals(raw: str) -> int:
    raw = raw.replace(" ", "")
    return len(raw.split(".", 1)[1]) if "." in raw else 0


def _step(facts: Iterable[Fact]) -> Decimal:
    """One unit of the coarsest last printed digit among the figures (0.01 for 2 decimals)."""
    places = [_decimals(f.raw) for f in facts]
    return Decimal(1).scaleb(-min(places)) if places else Decimal("0.01")


def _tolerance(whole: Fact, parts: Sequence[Fact]) -> Decimal:
    # each printed figure may be off by half a unit: n parts and the whole, rounded to units
    return _step([whole, *parts]) * max(1, len(parts)) + Decimal("1e-9")


def _sum(facts: Iterable[Fact]) -> Decimal:
    return sum((f.value for f in facts), Decimal(0))


def _fmt(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _sum_finding(
    rule: Rule, what: str, whole: Fact, parts: Sequence[Fact], *, severity: str = ""
) -> Finding:
    total = _sum(parts)
    return Finding(
        rule=rule.name,
        severity=severity or rule.severity,
        message=f"{what}: printed {whole.raw}, the parts add up to {_fmt(total)} "
        f"(difference {_fmt(whole.value - total)})",
        figures=(Figure.of(whole), *(Figure.of(p) for p in parts)),
    )


def _sum_outcome(
    rule: Rule, table: str, what: str, whole: Fact, parts: Sequence[Fact], *, severity: str = ""
) -> Outcome:
    """`whole = sum(parts)` checked in one table: a finding when they differ by more than the
    printed figures' rounding."""
    finding = None
    if abs(_sum(parts) - whole.value) > _tolerance(whole, parts):
        finding = _sum_finding(rule, f"{table}: {what}", whole, parts, severity=severity)
    return Outcome(rule.name, (table,), finding)


# Table kinds of the national 决算 template and the Shanghai / Jiangsu 预算 templates, by title.
# Order matters: the first pattern that matches names the kind.
TABLE_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("三公", re.compile(r"三公")),
    ("政府性基金", re.compile(r"政府性基金")),
    ("国有资本", re.compile(r"国有资本经营")),
    ("财政拨款总表", re.compile(r"财政拨款收(?:入)?支(?:出)?(?:决算|预算)?总表")),
    ("基本支出表", re.compile(r"基本支出")),
    ("一般公共预算支出表", re.compile(r"一般公共预算.*支出|财政拨款支出(?:决算|预算)表")),
    ("总表", re.compile(r"收(?:入)?支(?:出)?(?:决算|预算)?总表|财务收支预算总表|收支总预算表")),
    ("收入表", re.compile(r"收入(?:决算|预算)(?:总)?表")),
    ("支出表", re.compile(r"支出(?:决算|预算)(?:总)?表")),
    ("机关运行经费", re.compile(r"机关运行经费")),
    ("政府采购", re.compile(r"政府采购")),
)
# "公开 01 表" … "公开 09 表" (Wuchang 2024) follow the 决算 template's order.
FINAL_ACCOUNTS_ORDER = ("总表", "收入表", "支出表", "财政拨款总表", "一般公共预算支出表", "基本支出表",
                        "三公", "政府性基金", "国有资本")  # fmt: skip
PUBLIC_NUMBER_RE = re.compile(r"公开\s*0?(\d)\s*表$")
STANDARD_KINDS = frozenset(FINAL_ACCOUNTS_ORDER) | {"机关运行经费", "政府采购"}


def table_kind(title: str, kind: str = "") -> str:
    text = _norm(title)
    match = PUBLIC_NUMBER_RE.search(text)
    if match and kind == "决算" and 1 <= int(match.group(1)) <= 9:
        return FINAL_ACCOUNTS_ORDER[int(match.group(1)) - 1]
    for name, pattern in TABLE_KINDS:
        if pattern.search(text):
            return name
    return ""


def _table_facts(m: Material) -> dict[str, list[Fact]]:
    """Facts per table title, in reading order; a row printed twice (a block repeated) once."""
    out: dict[str, list[Fact]] = {}
    seen: set[tuple[str, str, str, str, str]] = set()
    for f in m.facts:
        if f.source != "table":
            continue
        key = (f.table, f.code, f.row_label, f.column, f.raw)
        if key in seen:
            continue
        seen.add(key)
        out.setdefault(f.table, []).append(f)
    return out


def _tables_of(m: Material, kind: str) -> list[tuple[str, list[Fact]]]:
    return [(t, fs) for t, fs in _table_facts(m).items() if table_kind(t, m.kind) == kind]


def _money(f: Fact) -> bool:
    return f.unit in ("元", "万元", "千元", "亿元") or not f.unit


TOTAL_LABELS = frozenset({"合计", "总计"})


# ---------------------------------------------------------------------------------- within a table


def _complete(facts: Sequence[Fact], column: str) -> bool:
    """Whether every figure row of the column in a coded table has its code (or is a total): a
    row whose code the parser lost would make a parent look short of its children."""
    return all(
        f.code or _label(f) in TOTAL_LABELS or "合计" in _label(f)
        for f in facts
        if f.column == column
    )


def _ambiguous_columns(facts: Sequence[Fact]) -> set[str]:
    """Columns holding two figures of one row: the loader could not tell the columns apart
    (a flattened PDF line), so no identity can be read from them."""
    seen: set[tuple[str, str, str, str]] = set()
    out: set[str] = set()
    for f in facts:
        key = (f.column, f.code, f.row_label, f.quote)
        if key in seen:
            out.add(f.column)
        seen.add(key)
    return out


def _run_children(rule: Rule, m: Material) -> Iterator[Outcome]:
    for table, facts in _table_facts(m).items():
        by_col: dict[str, dict[str, Fact]] = {}
        unclear = _ambiguous_columns(facts)
        for f in facts:
            if f.code and _money(f) and f.column not in unclear:
                by_col.setdefault(f.column, {}).setdefault(f.code, f)
        for column, by_code in by_col.items():
            last_code = [f for f in facts if f.column == column and f.code][-1].code
            for code, parent in by_code.items():
                if len(code) not in (3, 5):
                    continue
                children = [
                    f for k, f in by_code.items() if len(k) == len(code) + 2 and k.startswith(code)
                ]
                if not children:
                    continue
                # short of its children and the table ends in them: maybe continued unread
                unsure = not _complete(facts, column) or (
                    _sum(children) < parent.value and any(c.code == last_code for c in children)
                )
                yield _sum_outcome(
                    rule, table, f"{code} {parent.row_label} ({column or '金额'}) = sum of its "
                    f"{len(children)} sub-items", parent, children, severity=WARNING if unsure else "",
                )  # fmt: skip


def _run_total_of_classes(rule: Rule, m: Material) -> Iterator[Outcome]:
    for table, facts in _table_facts(m).items():
        unclear = _ambiguous_columns(facts)
        columns = dict.fromkeys(
            f.column for f in facts if len(f.code) == 3 and f.column not in unclear
        )
        for column in columns:
            tops = list(
                {f.code: f for f in facts if f.column == column and len(f.code) == 3}.values()
            )
            totals = [
                f for f in facts if f.column == column and not f.code and _label(f) in TOTAL_LABELS
            ]
            if not totals or not tops:
                continue
            total = totals[0]
            severity = "" if _complete(facts, column) else WARNING
            yield _sum_outcome(rule, table, f"{_label(total)} ({column or '金额'}) = sum of "
                               f"its {len(tops)} 类 rows", total, tops, severity=severity)  # fmt: skip


def _rows(facts: Sequence[Fact]) -> dict[tuple[str, str, str], list[Fact]]:
    rows: dict[tuple[str, str, str], list[Fact]] = {}
    for f in facts:
        rows.setdefault((f.row_label, f.code, f.quote), []).append(f)
    return rows


def _split_column(column: str) -> tuple[str, str]:
    parts = [p for p in column.split(" / ") if p]
    return (" / ".join(parts[:-1]), parts[-1]) if parts else ("", "")


ROW_TOTAL_COLUMNS = frozenset({"合计", "本年支出合计", "本年收入合计", "小计", "金额合计"})
# Not a component of a row total: a measure beside it (预算数 vs 决算数) or an index column.
NOT_COMPONENT_RE = re.compile(
    r"行次|栏次|编码|预算数|决算数|年初|年末|结转|结余|完成|比上年|增减|%"
)


def _run_row_columns(rule: Rule, m: Material) -> Iterator[Outcome]:
    """合计 = 基本支出 + 项目支出 (+ 上缴上级 + 经营 + 对附属单位补助); 本年收入合计 = 财政拨款收入 +
    上级补助收入 + 事业收入 + …; 合计 = 人员经费 + 公用经费; 合计 = 一般公共预算 + 政府性基金 + 国有资本经营:
    a row's total column is the sum of the columns beside it under the same header. A column
    group with sub-columns (基本支出 / 人员经费, 公用经费) counts once: its 小计 or its parts."""
    for table, facts in _table_facts(m).items():
        if table_kind(table, m.kind) in ("三公", ""):
            continue
        unclear = _ambiguous_columns(facts)
        for (label, _code, _quote), cells in _rows(facts).items():
            paths = {
                tuple(x for x in f.column.split(" / ") if x): f
                for f in cells
                if f.column not in unclear
            }
            for path, total in paths.items():
                if not path or path[-1] not in ROW_TOTAL_COLUMNS or not _money(total):
                    continue
                prefix = path[:-1]
                groups: dict[str, list[tuple[tuple[str, ...], Fact]]] = {}
                for other, f in paths.items():
                    if other == path or len(other) <= len(prefix) or other[: len(prefix)] != prefix:
                        continue
                    groups.setdefault(other[len(prefix)], []).append((other, f))
                parts: list[Fact] = []
                for head, members in groups.items():
                    if head in ROW_TOTAL_COLUMNS or NOT_COMPONENT_RE.search(head):
                        continue
                    direct = [
                        f
                        for p, f in members
                        if len(p) == len(prefix) + 1 or p[-1] in ("小计", "合计")
                    ]
                    parts.extend(direct[:1] if direct else [f for _p, f in members])
                if not parts:
                    continue
                yield _sum_outcome(rule, table, f"row “{label}” {total.column} = "
                                   + " + ".join(p.column for p in parts), total, parts)  # fmt: skip


def _run_basic_split(rule: Rule, m: Material) -> Iterator[Outcome]:
    """基本支出 = 人员经费 + 公用经费, as columns of a row (预算 总表: 基本支出 / 人员经费, 公用经费)."""
    for table, facts in _table_facts(m).items():
        for (label, _code, _quote), cells in _rows(facts).items():
            by_leaf = {_split_column(f.column)[1]: f for f in cells}
            basic = by_leaf.get("基本支出")
            staff, office = by_leaf.get("人员经费"), by_leaf.get("公用经费")
            if basic is None or staff is None or office is None:
                continue
            yield _sum_outcome(
                rule, table, f"row “{label}” 基本支出 = 人员经费 + 公用经费", basic, [staff, office]
            )


def _three_public_part(segments: list[str]) -> str:
    """'三公 / 公务用车购置及运行费 / 小计' -> '用车'; '… / 公务用车购置费' -> '购置'; '“三公”经费 / 合计' -> '合计'."""
    last = segments[-1]
    if any("公务用车" in x for x in segments):
        if last == "小计" or last.startswith("公务用车购置及运行"):
            return "用车"
        if "购置" in last:
            return "购置"
        if "运行" in last:
            return "运行"
        return ""
    if "因公出国" in last:
        return "出国"
    if "公务接待" in last:
        return "接待"
    if last in ("合计", "小计"):
        return "合计"
    return ""


def _run_three_public(rule: Rule, m: Material) -> Iterator[Outcome]:
    """“三公” 合计 = 因公出国(境)费 + 公务用车购置及运行费 + 公务接待费; 公务用车 小计 = 购置费 + 运行费."""
    for table, facts in _tables_of(m, "三公"):
        for cells in _rows(facts).values():
            measures: dict[str, dict[str, Fact]] = {}
            for f in cells:
                segments = [x for x in _norm(f.column).split("/") if x]
                measure = next((x for x in segments if x in ("预算数", "决算数")), "")
                segments = [x for x in segments if x not in ("预算数", "决算数")]
                if not segments or not any(
                    w in "".join(segments) for w in ("三公", "因公出国", "公务用车", "公务接待")
                ):
                    continue
                part = _three_public_part(segments)
                if not part:
                    continue
                measures.setdefault(measure, {}).setdefault(part, f)
            for measure, parts in measures.items():
                total = parts.get("合计")
                members = [parts[k] for k in ("出国", "用车", "接待") if k in parts]
                if total is not None and members:
                    what = f"“三公”经费{measure}合计 = 因公出国(境) + 公务用车 + 公务接待"
                    yield _sum_outcome(rule, table, what, total, members)
                car, buy, run = parts.get("用车"), parts.get("购置"), parts.get("运行")
                if car is not None and buy is not None and run is not None:
                    what = f"公务用车购置及运行费{measure} = 购置费 + 运行费"
                    yield _sum_outcome(rule, table, what, car, [buy, run])


CURRENT_RE = re.compile(
    r"^(?:本年收入合计|本年支出合计|当年收入(?:小计)?|当年支出(?:小计)?|本年收入|本年支出)$"
)
GRAND_RE = re.compile(r"^(?:总计|收入总计|支出总计|收入合计|支出合计)$")
CARRY_RE = re.compile(r"结转|结余|上年结转|事业基金")


def _sides(facts: Sequence[Fact]) -> dict[str, list[Fact]]:
    """A 总表's figures per column (收入 side, 支出 side) in reading order."""
    out: dict[str, list[Fact]] = {}
    for f in facts:
        out.setdefault(f.column, []).append(f)
    return out


def _run_grand_total(rule: Rule, m: Material) -> Iterator[Outcome]:
    """总计 = 本年合计 + the 结转和结余 rows between them (年初结转和结余, 使用非财政拨款结余 on the income
    side; 结余分配, 年末结转和结余 on the spending side): 总表 "30 行 = (27+28+29) 行"."""
    for kind in ("总表", "财政拨款总表"):
        for table, facts in _tables_of(m, kind):
            for column, cells in _sides(facts).items():
                labels = [_label(f) for f in cells]
                current = next((i for i, x in enumerate(labels) if CURRENT_RE.match(x)), None)
                grand = next(
                    (
                        i
                        for i, x in enumerate(labels)
                        if GRAND_RE.match(x) and (current is None or i > current)
                    ),
                    None,
                )
                if current is None or grand is None:
                    continue
                between = [cells[i] for i in range(current + 1, grand) if CARRY_RE.search(labels[i])
                           and not ORDINAL_RE.match(_norm(cells[i].row_label))]  # fmt: skip
                parts = [cells[current], *between]
                yield _sum_outcome(rule, table, f"{labels[grand]} ({column}) = {labels[current]} + 结转和结余",
                                   cells[grand], parts, severity=WARNING if len(between) < 1 else "")  # fmt: skip


def _side_of(column: str) -> str:
    col = _norm(column)
    if col.startswith(("收入", "本年收入", "财政拨款收入")):
        return "收入"
    if col.startswith(("支出", "本年支出", "财政拨款支出")):
        return "支出"
    return ""


def _run_balance(rule: Rule, m: Material) -> Iterator[Outcome]:
    """收入总计 = 支出总计 (not 本年收入合计 = 本年支出合计: 结转和结余 sit between them)."""
    for kind in ("总表", "财政拨款总表"):
        for table, facts in _tables_of(m, kind):
            grand: dict[str, Fact | None] = {"收入": None, "支出": None}
            for f in facts:
                label = _label(f)
                side = (
                    "收入"
                    if label.startswith("收入")
                    else "支出"
                    if label.startswith("支出")
                    else _side_of(f.column)
                )
                if GRAND_RE.match(label) and side and grand[side] is None:
                    grand[side] = f
            income, spending = grand["收入"], grand["支出"]
            if income is None or spending is None:
                continue
            finding = None
            if abs(income.value - spending.value) > _step([income, spending]) / 2:
                finding = Finding(rule.name, rule.severity,
                                  f"{table}: 收入总计 {income.raw} ≠ 支出总计 {spending.raw}",
                                  (Figure.of(income), Figure.of(spending)))  # fmt: skip
            yield Outcome(rule.name, (table,), finding)


# ---------------------------------------------------------------------------------- across tables


def _find(
    facts: Sequence[Fact], label: Callable[[str], bool], column: Callable[[str], bool]
) -> Fact | None:
    for f in facts:
        if label(_label(f)) and column(_norm(f.column)):
            return f
    return None


def _is(*names: str) -> Callable[[str], bool]:
    return lambda x: x in names


def _leaf(*names: str) -> Callable[[str], bool]:
    return lambda x: x.split("/")[-1] in names


ANY: Callable[[str], bool] = lambda x: True  # noqa: E731


def _standard_figures(m: Material) -> dict[str, list[Fact]]:
    """The figures the template prints in more than one table, by name; each list is one
    figure as each table prints it."""
    out: dict[str, list[Fact]] = {}

    def put(name: str, fact: Fact | None) -> None:
        if fact is not None:
            out.setdefault(name, []).append(fact)

    def income_side(c: str) -> bool:
        return _side_of(c) == "收入" or c.startswith("收入")

    def spend_side(c: str) -> bool:
        return _side_of(c) == "支出" or c.startswith("支出")

    def spend_total(c: str) -> bool:
        ends = ("合计", "小计", "决算数", "预算数", "金额")
        return spend_side(c) and (c.endswith(ends) or "/" not in c)

    for _t, facts in _tables_of(m, "总表"):
        put("本年收入合计", _find(facts, _is("本年收入合计"), income_side))
        put("本年支出合计", _find(facts, _is("本年支出合计"), spend_total))
    for _t, facts in _tables_of(m, "收入表"):
        put("本年收入合计", _find(facts, _is("合计"), _leaf("本年收入合计", "合计")))
    for _t, facts in _tables_of(m, "支出表"):
        put("本年支出合计", _find(facts, _is("合计"), _leaf("本年支出合计", "合计")))
        put("基本支出(全部资金)", _find(facts, _is("合计"), _leaf("基本支出")))
    for _t, facts in _tables_of(m, "财政拨款总表"):
        put(
            "一般公共预算财政拨款支出",
            _find(facts, _is("本年支出合计"), _leaf("一般公共预算财政拨款", "一般公共预算")),
        )
    for _t, facts in _tables_of(m, "一般公共预算支出表"):
        put("一般公共预算财政拨款支出", _find(facts, _is("合计"), _leaf("合计")))
        put("一般公共预算基本支出", _find(facts, _is("合计"), _leaf("基本支出")))
    for _t, facts in _tables_of(m, "基本支出表"):
        put("一般公共预算基本支出", _find(facts, _is("合计"), _leaf("合计")))
    return out


def _run_same_figure(rule: Rule, m: Material) -> Iterator[Outcome]:
    for name, facts in _standard_figures(m).items():
        if len({f.table for f in facts}) < 2:
            continue
        base = facts[0]
        for other in facts[1:]:
            if other.table == base.table:
                continue
            gap = _gap(base, other)
            finding = None
            if gap:
                finding = Finding(rule.name, WARNING if gap == "unit" else rule.severity,
                                  f"{name}: {base.table} prints {base.raw} {base.unit}, {other.table} prints {other.raw} {other.unit}",
                                  (Figure.of(base), Figure.of(other)))  # fmt: skip
            yield Outcome(rule.name, (base.table, other.table), finding)


def _run_same_indicator(rule: Rule, m: Material) -> Iterator[Outcome]:
    """A self-evaluation indicator ("成本指标 经济成本指标 手持终端话费") printed in the 整体 form and
    in a project form, under the same column, has one value (Wuchang 2024: 74.34 vs 74.33)."""
    seen: dict[tuple[str, str], Fact] = {}
    for table, facts in _table_facts(m).items():
        for f in facts:
            if f.code or len(f.row_label.split()) < 3 or not f.column:
                continue
            key = (_norm(f.row_label), _norm(f.column))
            first = seen.setdefault(key, f)
            if first is f or first.table == table:
                continue
            gap = (
                _gap(first, f)
                if first.unit == f.unit
                else ("" if first.value == f.value else "error")
            )
            finding = None
            if gap:
                finding = Finding(rule.name, WARNING if gap == "unit" else rule.severity,
                                  f"“{f.row_label}” ({f.column}): {first.table} prints {first.raw}, {table} prints {f.raw}",
                                  (Figure.of(first), Figure.of(f)))  # fmt: skip
            yield Outcome(rule.name, (first.table, table), finding)


COST_LABEL_RE = re.compile(r"成本")
PAID_LABEL_RE = re.compile(r"支付|实际(?:使用|支出)|支出决算|决算数|使用")
# words every cost and payment line shares, which tie no two figures to one project
PLAIN_PAIRS = frozenset("项目 资金 经费 支出 预算 成本 年度 万元 合计 专项 指标 支付 使用 实际 本年 全年 单位 部门".split())


def _pairs(text: str) -> set[str]:
    return {run[i : i + 2] for run in CJK_RUN_RE.findall(text) for i in range(len(run) - 1)} - PLAIN_PAIRS


def _run_cost_vs_payment(rule: Rule, m: Material) -> Iterator[Outcome]:
    """A project's cost as a self-evaluation states it ("88712345热线话务员外包项目成本38.25万元")
    and the narrative's payment for that project ("网格热线专项…支付该项目资金38.24万元") are one
    figure when they differ by one unit of the last printed digit: a figure rounded twice, or a
    typo (a warning). Figures further apart are a target and its outcome, no finding. The two
    are tied by a word of the project's name in the payment's line (热线), not by their values
    alone."""
    money = [f for f in m.facts if f.unit in ("万元", "元") and f.value >= 1]
    costs = [f for f in money if COST_LABEL_RE.search(f.row_label)]
    paid = [f for f in money if f.source == "text" and PAID_LABEL_RE.search(f.row_label) and "预算" not in f.row_label]
    found: set[tuple[str, str]] = set()
    for cost in costs:
        names = _pairs(COST_LABEL_RE.split(cost.row_label)[0])  # the project's name, before 成本
        for pay in paid:
            if pay.quote == cost.quote or pay.unit != cost.unit or _decimals(pay.raw) != _decimals(cost.raw):
                continue
            at = m.text.find(pay.quote)
            line = _line_of(m.text, at) if at >= 0 else pay.quote
            if _gap(cost, pay) != "unit" or not names & _pairs(line) or (cost.raw, pay.quote) in found:
                continue
            found.add((cost.raw, pay.quote))
            yield Outcome(rule.name, (cost.table,), Finding(
                rule.name, rule.severity,
                f"{_norm(cost.row_label)} {cost.raw} {cost.unit}, but {_norm(pay.row_label)} {pay.raw} {pay.unit}",
                (Figure.of(cost), Figure.of(pay))))


# ---------------------------------------------------------------------------------- text against tables

ORG_YEAR_PREFIX_RE = re.compile(r"^.*?\d{4}\s*年度?")
TEXT_TARGETS: tuple[
    tuple[str, re.Pattern[str], str, Callable[[str], bool], Callable[[str], bool]], ...
] = (
    # (name, the narrative's label, table kind, table row label, table column)
    (
        "财政拨款收支总计",
        re.compile(r"^财政拨款收(?:入)?支(?:出)?(?:总计|预算总计|总预算)(?:为)?$"),
        "财政拨款总表",
        lambda x: GRAND_RE.match(x) is not None,
        ANY,
    ),
    (
        "收支总计",
        re.compile(r"^(?:收入支出|收支)(?:决算)?(?:总计|预算总计|总预算)(?:为)?$"),
        "总表",
        lambda x: GRAND_RE.match(x) is not None,
        ANY,
    ),
    ("本年收入合计", re.compile(r"^本年收入合计$"), "总表", _is("本年收入合计"), ANY),
    ("本年支出合计", re.compile(r"^本年支出合计$"), "总表", _is("本年支出合计"), ANY),
    (
        "一般公共预算财政拨款基本支出",
        re.compile(r"^一般公共预算(?:财政拨款)?基本支出(?:预算)?(?:为)?$"),
        "基本支出表",
        _is("合计"),
        _leaf("合计"),
    ),
    ("人员经费", re.compile(r"^人员经费$"), "基本支出表", _is("人员经费合计", "人员经费"), ANY),
    ("公用经费", re.compile(r"^公用经费$"), "基本支出表", _is("公用经费合计", "公用经费"), ANY),
)


def _text_facts(m: Material) -> list[Fact]:
    return [f for f in m.facts if f.source == "text" and f.unit in ("万元", "元")]


def _gap(one: Fact, other: Fact) -> str:
    """'' when two printings of one figure agree; 'unit' when they differ by one unit of the
    coarser last digit (38.25 vs 38.24: a figure rounded twice, or a typo; a warning); 'error'."""
    a = to_unit(one.value, one.unit or "万元", "元")
    b = to_unit(other.value, other.unit or "万元", "元")
    if a is None or b is None:
        return ""
    step = max(
        to_unit(_step([one]), one.unit or "万元", "元") or 0,
        to_unit(_step([other]), other.unit or "万元", "元") or 0,
    )
    diff = abs(a - b)
    if diff <= Decimal(step) / 2 + Decimal("1e-9"):
        return ""
    return "unit" if diff <= Decimal(step) + Decimal("1e-9") else "error"


def _close(text_fact: Fact, table_fact: Fact) -> bool:
    return _gap(text_fact, table_fact) == ""


def _text_vs_table(rule: Rule, name: str, text_fact: Fact, table_fact: Fact) -> Outcome:
    finding = None
    gap = _gap(text_fact, table_fact)
    if gap:
        finding = Finding(rule.name, WARNING if gap == "unit" else rule.severity,
                          f"{name}: the text says {text_fact.raw} {text_fact.unit}, {table_fact.table} prints "
                          f"{table_fact.raw} {table_fact.unit}", (Figure.of(text_fact), Figure.of(table_fact)))  # fmt: skip
    return Outcome(rule.name, (table_fact.table,), finding)


def _run_text_totals(rule: Rule, m: Material) -> Iterator[Outcome]:
    tables = _table_facts(m)
    done: set[tuple[str, str]] = set()
    for f in _text_facts(m):
        label = ORG_YEAR_PREFIX_RE.sub("", _norm(f.row_label))
        for name, pattern, kind, row, column in TEXT_TARGETS:
            if not pattern.match(label):
                continue
            for table, facts in tables.items():
                if table_kind(table, m.kind) != kind:
                    continue
                target = _find(facts, row, column)
                if target is not None and (name, f.raw) not in done:
                    done.add((name, f.raw))
                    yield _text_vs_table(rule, name, f, target)
                    break
            break


ITEM_RE = re.compile(r"([^（）()]+)[（(]项[)）]\s*$")


def _run_text_items(rule: Rule, m: Material) -> Iterator[Outcome]:
    """Each 项's "支出决算为 X 万元" in the 一般公共预算财政拨款支出决算具体情况 equals the table's row."""
    if m.kind != "决算":
        return
    tables = _tables_of(m, "一般公共预算支出表")
    if not tables:
        return
    for f in _text_facts(m):
        if not _norm(f.row_label).startswith("支出决算"):
            continue
        match = ITEM_RE.search(_norm(f.parents))
        if not match:
            continue
        item = match.group(1)
        for _table, facts in tables:
            rows = [
                x
                for x in facts
                if len(x.code) == 7
                and _norm(x.row_label) == item
                and _leaf("合计", "小计")(_norm(x.column))
            ]
            if len(rows) == 1:
                yield _text_vs_table(rule, f"{item}（项）支出决算", f, rows[0])
                break


PERCENT_OF_RE = re.compile(r"占(?P<whole>[^，。；%0-9]*?)的?$")


def _run_shares(rule: Rule, m: Material) -> Iterator[Outcome]:
    """ "合计 W 万元，其中：X 万元，占 P%" and the sentences after it ("Y 万元，占 Q%"): P = X / W, where
    W is the sentence's first figure, else the first figure of the last sentence that opened a
    breakdown (其中 / 主要用于 / 包括) in the same section; "占本年支出合计的 P%" names W;
    "完成年初预算的 P%": P = 决算 / 年初预算. A share over 100% means the whole was misread: skipped."""
    facts = [f for f in m.facts if f.source == "text"]
    opening: Fact | None = None
    for i, f in enumerate(facts):
        first = next(
            (
                x
                for x in facts[max(0, i - 8) : i + 1]
                if x.quote == f.quote and x.unit in ("万元", "元")
            ),
            None,
        )
        if (
            first is not None
            and re.search(r"其中|主要用于|包括|具体", f.quote)
            and first.quote == f.quote
        ):
            if opening is None or opening.quote != f.quote:
                opening = first
        if f.unit != "%" or i == 0:
            continue
        part = facts[i - 1]
        if part.quote != f.quote or part.unit not in ("万元", "元"):
            continue
        label = _norm(f.row_label)
        base: Fact | None = None
        if "占" in label:
            named = PERCENT_OF_RE.search(label)
            name = named.group("whole") if named else ""
            if name:
                base = next(
                    (x for x in facts if x.unit == part.unit and _norm(x.row_label) == name), None
                )
            elif first is not None and first is not part:
                base = first
            elif opening is not None and opening.table == f.table and opening is not part:
                base = opening
        elif label.startswith("完成") and "预算" in label:
            before = [
                x
                for x in facts[max(0, i - 3) : i]
                if x.quote == f.quote and "预算" in _norm(x.row_label) and x.unit == part.unit
            ]
            base = before[0] if before and before[0] is not part else None
        if base is None or base is part or base.value <= 0 or base.unit != part.unit:
            continue
        ratio = part.value / base.value * 100
        if "占" in label and ratio > 100 + Decimal("0.5"):
            continue
        places = _decimals(f.raw)
        step = Decimal(1).scaleb(-places)
        # the two figures are rounded too: their error on the ratio comes on top of its own
        slack = step + (_step([part]) / base.value * 100) * 2 + Decimal("1e-9")
        finding = None
        if abs(ratio - f.value) > slack:
            finding = Finding(rule.name, rule.severity,
                              f"{f.raw}% printed, {part.raw} / {base.raw} is {ratio.quantize(Decimal('0.01'))}%",
                              (Figure.of(f), Figure.of(part), Figure.of(base)))  # fmt: skip
        yield Outcome(rule.name, (), finding)


COMPARE_WORDS_RE = re.compile(r"决算数?(大于|小于|等于|持平于?|与)(?:年初)?预算数?")
# "增加 A 万元，增长 P%": not the template's "增加（减少）0万元，增长（减少）0%"
CHANGE_PAIR_RE = re.compile(
    r"(增加|减少|增长|下降)(?![）)])\s*(\d[\d,]*(?:\.\s?\d+)?)\s*万?元[^，。；]{0,4}[，,]\s*(增长|下降|增加|减少)(?![）)])"
)


def _run_directions(rule: Rule, m: Material) -> Iterator[Outcome]:
    """ "决算数小于预算数" when 决算 < 预算 (the two figures printed before it); "减少 A 万元，下降 P%"
    (not "减少 …，增长 …"); 增加/减少 of 0 is 持平."""
    facts = [f for f in m.facts if f.source == "text" and f.unit in ("万元", "元")]
    by_quote: dict[str, list[Fact]] = {}
    for f in facts:
        by_quote.setdefault(f.quote, []).append(f)
    previous: list[Fact] = []
    for sentence, figures in list(by_quote.items()) + [("", [])]:
        for match in COMPARE_WORDS_RE.finditer(sentence):
            pool = figures if len(figures) >= 2 else previous
            budget = next((x for x in pool if "预算" in _norm(x.row_label)), None)
            final = next((x for x in pool if "决算" in _norm(x.row_label)), None)
            if budget is None or final is None:
                continue
            word = match.group(1)
            actual = (
                "大于"
                if final.value > budget.value
                else "小于"
                if final.value < budget.value
                else "等于"
            )
            said = {"持平": "等于", "持平于": "等于", "与": ""}.get(word, word)
            if not said:
                continue
            finding = None
            if said != actual:
                finding = Finding(rule.name, rule.severity,
                                  f"the text says 决算数{word}预算数, but 决算 {final.raw} is {actual} 预算 {budget.raw}",
                                  (Figure.of(final), Figure.of(budget)))  # fmt: skip
            yield Outcome(rule.name, (), finding)
        for match in CHANGE_PAIR_RE.finditer(sentence):
            first, second = match.group(1), match.group(3)
            up, down = {"增加", "增长"}, {"减少", "下降"}
            amount = next((x for x in figures if x.value == parse_number(match.group(2))), None)
            if amount is None or amount.value == 0:
                continue
            finding = None
            if (first in up and second in down) or (first in down and second in up):
                finding = Finding(
                    rule.name,
                    rule.severity,
                    f"direction words disagree: “{first} {amount.raw}” then “{second}”",
                    (Figure.of(amount),),
                )
            yield Outcome(rule.name, (), finding)
        if figures:
            previous = figures


# ---------------------------------------------------------------------------------- the document

TITLE_YEAR_RE = re.compile(
    r"((?:19|20)\d{2})\s*年度?\s*(?:[^\s，。；]{0,12}?)(?:部门|单位)?\s*(预算|决算)"
)
AS_OF_RE = re.compile(r"截[至止]\s*((?:19|20)\d{2})\s*年\s*12\s*月\s*31\s*日")
TABLE_YEAR_RE = re.compile(r"^\s*((?:19|20)\d{2})\s*年")
PLACEHOLDER_RE = re.compile(
    r"(?:[XＸ×xｘ]{2,}|某某)(?=[\u4e00-\u9fff（(])|(?<=[\u4e00-\u9fff])(?:[XＸ×]{2,}|××)"
)


def _line_of(text: str, start: int) -> str:
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", start)
    return text[lo : hi if hi >= 0 else len(text)].strip()


def _text_figure(m: Material, where: str, quote: str) -> Figure:
    return Figure(value=quote[:40], locator=where, quote=quote[:200])


def _run_year(rule: Rule, m: Material) -> Iterator[Outcome]:
    """The report's year in its titles (a line "…2024年度部门决算", a table title "2025年部门…表") and
    in a 决算's "截至 YYYY年12月31日"; other years in sentences ("比2023年预算") are comparisons."""
    if not m.year:
        return
    for match in TITLE_YEAR_RE.finditer(m.text):
        line = _line_of(m.text, match.start())
        if len(_norm(line)) > 60 or re.search(r"[，。；,;：]|比|较|与|上年|执行", line):
            continue  # a sentence ("与2024年预算持平"), not a title
        year = int(match.group(1))
        finding = None
        if year != m.year and not (
            m.kind == "预算" and match.group(2) == "决算" and year == m.year - 2
        ):
            finding = Finding(rule.name, rule.severity, f"a title names {year}, the report is of {m.year}: “{line[:60]}”",
                              (_text_figure(m, "title", line),))  # fmt: skip
        yield Outcome(rule.name, (), finding)
    for title in m.tables:
        titled = TABLE_YEAR_RE.match(title)
        if not titled:
            continue
        year = int(titled.group(1))
        finding = None
        if year != m.year:
            finding = Finding(rule.name, rule.severity, f"table title “{title}” names {year}, the report is of {m.year}",
                              (Figure(value=title, locator=title, quote=title),))  # fmt: skip
        yield Outcome(rule.name, (title,), finding)
    if m.kind == "决算":
        for match in AS_OF_RE.finditer(m.text):
            year = int(match.group(1))
            line = _line_of(m.text, match.start())
            finding = None
            if year != m.year:
                finding = Finding(rule.name, rule.severity, f"“{match.group(0)}” in a {m.year} 决算",
                                  (_text_figure(m, "text", line),))  # fmt: skip
            yield Outcome(rule.name, (), finding)


def _run_placeholders(rule: Rule, m: Material) -> Iterator[Outcome]:
    """Template placeholders left in the published text: "XX局", "××单位", "某某"."""
    found = False
    for match in PLACEHOLDER_RE.finditer(m.text):
        found = True
        line = _line_of(m.text, match.start())
        yield Outcome(rule.name, (), Finding(rule.name, rule.severity, f"placeholder “{match.group(0)}” left in the text: “{line[:60]}”",
                                             (_text_figure(m, "text", line),)))  # fmt: skip
    if not found:
        yield Outcome(rule.name, (), None)


def _run_image_tables(rule: Rule, m: Material) -> Iterator[Outcome]:
    """A table published only as a picture (a web page's <img>): its figures were not read, so
    no answer and no check can use them; the reader is told, not left to find it missing."""
    from index.html import IMAGE_TABLE_NOTE

    found = False
    for match in re.finditer(rf"\[{re.escape(IMAGE_TABLE_NOTE)}: ([^\]]*)\]", m.text):
        found = True
        line = _line_of(m.text, match.start())
        yield Outcome(rule.name, (), Finding(rule.name, rule.severity,
                                             f"table printed as an image, not read: “{match.group(1)[:60]}”",
                                             (_text_figure(m, "text", line),)))  # fmt: skip
    if not found:
        yield Outcome(rule.name, (), None)


# The template's tables, by kind: the national 决算 template (nine tables) and Shanghai's 预算.
REQUIRED: dict[str, tuple[str, ...]] = {
    "决算": FINAL_ACCOUNTS_ORDER,
    "上海预算": (
        "总表",
        "收入表",
        "支出表",
        "财政拨款总表",
        "一般公共预算支出表",
        "政府性基金",
        "国有资本",
        "基本支出表",
        "三公",
    ),
}


def _run_required(rule: Rule, m: Material) -> Iterator[Outcome]:
    if not m.tables:
        return  # a narrative-only file (its tables are published as another file)
    if m.kind == "决算":
        required = REQUIRED["决算"]
    elif m.kind == "预算" and m.place.startswith("上海"):
        required = REQUIRED["上海预算"]
    else:
        return
    present = {table_kind(t, m.kind) for t in m.tables}
    missing = [k for k in required if k not in present]
    finding = None
    if missing:
        finding = Finding(
            rule.name, rule.severity, f"tables of the template not found: {', '.join(missing)}", ()
        )
    yield Outcome(rule.name, tuple(t for t in m.tables if table_kind(t, m.kind)), finding)


def _run_empty_tables(rule: Rule, m: Material) -> Iterator[Outcome]:
    """An empty 政府性基金 / 国有资本经营 table while the text gives non-zero figures for it."""
    with_figures = {f.table for f in m.facts if f.source == "table"}
    for title in m.tables:
        kind = table_kind(title, m.kind)
        if kind not in ("政府性基金", "国有资本") or title in with_figures:
            continue
        word = "政府性基金" if kind == "政府性基金" else "国有资本经营"
        stated = [
            f
            for f in _text_facts(m)
            if word in f.row_label and f.value > 0 and "无" not in f.quote[:40]
        ]
        finding = None
        if stated:
            finding = Finding(rule.name, rule.severity, f"{title} is empty, the text gives {stated[0].raw} {stated[0].unit}",
                              (Figure.of(stated[0]),))  # fmt: skip
        yield Outcome(rule.name, (title,), finding)


# ---------------------------------------------------------------------------------- the catalogue


def _rule(
    name: str, severity: str, source: str, run: Callable[[Rule, Material], Iterator[Outcome]]
) -> Rule:
    holder: list[Rule] = []
    rule = Rule(name, severity, source, lambda m: run(holder[0], m))
    holder.append(rule)
    return rule


RULES: tuple[Rule, ...] = (
    _rule(
        "parent_equals_children",
        ERROR,
        "支出/收入表: 类 (3 位) 和 款 (5 位) 科目 = 其下各款/项之和",
        _run_children,
    ),
    _rule("total_equals_classes", ERROR, "功能分类表: 合计 = 各类之和", _run_total_of_classes),
    _rule(
        "row_total_equals_columns",
        ERROR,
        "支出表 “1 栏 = (2+3+…) 栏”: 合计 = 基本支出 + 项目支出 + …; 收入表同",
        _run_row_columns,
    ),
    _rule(
        "basic_equals_staff_plus_office", ERROR, "基本支出 = 人员经费 + 公用经费", _run_basic_split
    ),
    _rule(
        "three_public_sum",
        ERROR,
        "“三公”经费表: 合计 = 因公出国(境) + 公务用车购置及运行 + 公务接待; 公务用车 = 购置 + 运行",
        _run_three_public,
    ),
    _rule(
        "grand_total_equals_current_plus_carry",
        ERROR,
        "收入支出总表 “30 行 = (27+28+29) 行”: 总计 = 本年合计 + 结转和结余",
        _run_grand_total,
    ),
    _rule(
        "income_total_equals_spending_total",
        ERROR,
        "收入支出总表、财政拨款收支总表: 收入总计 = 支出总计",
        _run_balance,
    ),
    _rule(
        "same_figure_across_tables",
        ERROR,
        "同一数在总表、收入表、支出表、财政拨款总表、一般公共预算支出表、基本支出表中一致",
        _run_same_figure,
    ),
    _rule(
        "same_indicator_across_forms",
        ERROR,
        "绩效自评表: 同一指标在整体自评表与项目自评表中的值一致",
        _run_same_indicator,
    ),
    _rule(
        "cost_matches_payment",
        WARNING,
        "绩效自评: 成本指标所列项目成本与说明中该项目的支付数一致（差一个末位单位即同一数印了两次）",
        _run_cost_vs_payment,
    ),
    _rule(
        "text_total_matches_table",
        ERROR,
        "情况说明中的收支总计、本年收入/支出合计、人员/公用经费与表一致",
        _run_text_totals,
    ),
    _rule(
        "text_item_matches_table",
        ERROR,
        "一般公共预算财政拨款支出决算具体情况: 各项支出决算数与表 5 一致",
        _run_text_items,
    ),
    _rule(
        "share_matches_parts", ERROR, "“占 X%”、“完成年初预算的 X%” 与其两数之比一致", _run_shares
    ),
    _rule(
        "direction_matches_figures",
        ERROR,
        "“决算数大于/小于预算数”、“增加/减少 …，增长/下降 …” 与数字一致",
        _run_directions,
    ),
    _rule(
        "report_year_consistent",
        ERROR,
        "封面、标题、表名和 “截至 YYYY 年 12 月 31 日” 的年度与报告年度一致",
        _run_year,
    ),
    _rule("no_placeholders", ERROR, "不得保留模板占位符（XX局、××）", _run_placeholders),
    _rule("tables_read", WARNING, "公开表以图片发布时其数字未被读取", _run_image_tables),
    _rule(
        "required_tables_present",
        WARNING,
        "公开模板要求的表（决算九张表；上海预算九张表）齐全",
        _run_required,
    ),
    _rule(
        "empty_table_vs_text",
        WARNING,
        "空表（政府性基金、国有资本经营）与说明中的数字一致",
        _run_empty_tables,
    ),
)


def run_checks(material: Material, rules: Sequence[Rule] = RULES) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for rule in rules:
        outcomes.extend(rule.run(material))
    return outcomes


def findings(material: Material, rules: Sequence[Rule] = RULES) -> list[Finding]:
    """The failed checks, errors first, each once."""
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for outcome in run_checks(material, rules):
        f = outcome.finding
        if f is not None and (f.rule, f.message) not in seen:
            seen.add((f.rule, f.message))
            out.append(f)
    return sorted(out, key=lambda f: f.severity != ERROR)


def check_analysis(analysis: Any) -> list[Finding]:
    return findings(Material.of_analysis(analysis))


def coverage(material: Material) -> dict[str, list[str]]:
    """Per standard table with figures or required to be present: the rules that applied to it."""
    outcomes = run_checks(material)
    out: dict[str, list[str]] = {
        t: [] for t in material.tables if table_kind(t, material.kind) in STANDARD_KINDS
    }
    for o in outcomes:
        for t in o.tables:
            if t in out and o.rule not in out[t]:
                out[t].append(o.rule)
    return out
