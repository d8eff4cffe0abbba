"""Printed figures -> Decimal: amounts, percentages and counts as they appear in the reports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Units as printed. Longer forms first so "万元" wins over "元" and "万余件" over "件".
UNITS = (
    "亿元", "万元", "千元", "元",
    "万余件", "万件", "余件", "件",
    "人次", "余人", "人", "名",
    "余个", "个", "辆", "户", "批次", "场次", "次", "期", "条", "部", "台（套）", "台/套", "台", "套", "项", "家",
    "小时", "天", "所", "间", "平方米", "亩", "公里", "%", "％",
    # a self-evaluation's score ("平均得分99.43分"); minutes are time, not a score
    "分钟", "分",
)
UNIT_FACTORS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
MONEY_UNITS = frozenset(UNIT_FACTORS)

# A figure: digits with optional thousands separators and a decimal part. OCR in the seeds puts a
# space after the decimal point ("313. 08", "66. 0%"), so "\.\s?\d" is accepted as one number.
_NUMBER = r"[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\s?\d+)?"
NUMBER_RE = re.compile(_NUMBER)
_UNIT_ALT = "|".join(re.escape(u) for u in UNITS)
CELL_RE = re.compile(rf"^\s*({_NUMBER})\s*({_UNIT_ALT})?\s*$")
# Placeholders printed for "nothing" in a cell.
DASHES = frozenset({"-", "－", "—", "--", "——", "/", "—-", "-－"})


@dataclass(frozen=True)
class Amount:
    value: Decimal
    raw: str
    unit: str


def parse_number(raw: str) -> Decimal | None:
    """'1,234.56' -> Decimal('1234.56'); '313. 08' -> Decimal('313.08'); else None."""
    text = raw.strip().replace(",", "").replace("−", "-").replace(" ", "")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def normalise_unit(unit: str) -> str:
    return "%" if unit == "％" else unit


def parse_cell(cell: str) -> Amount | None:
    """A table cell holding exactly one figure (optionally with a unit), else None."""
    match = CELL_RE.match(cell)
    if not match:
        return None
    value = parse_number(match.group(1))
    if value is None:
        return None
    return Amount(value=value, raw=match.group(1).strip(), unit=normalise_unit(match.group(2) or ""))


def is_dash(cell: str) -> bool:
    return cell.strip() in DASHES


def format_value(value: Decimal) -> str:
    """A Decimal as plain text without exponent or thousands separators."""
    text = format(value, "f")
    return text


def to_unit(value: Decimal, unit: str, target: str) -> Decimal | None:
    """Convert between money units (元 <-> 万元); None if either is not a money unit."""
    if unit == target:
        return value
    if unit in UNIT_FACTORS and target in UNIT_FACTORS:
        return value * UNIT_FACTORS[unit] / UNIT_FACTORS[target]
    return None
