"""seed reports + their cases -> a synthetic corpus of N reports with each report's own gold.

Each synthetic report is one seed (corpus/*.txt) with:

* its district renamed throughout (硚口 -> 枫桐, "Qiaokou" -> "Fengtong" in English questions),
  a two-character name no seed contains, unique in the corpus;
* every year shifted by the same delta (2020 -> 2022, "2019 年度" -> "2021 年度");
* every amount multiplied by the same whole factor and printed with its own decimals
  ("313. 08" x3 -> "939. 24"). A whole factor keeps the reports' sums exact (人员经费 +
  公用经费 = 基本支出 still holds to the cent) and leaves every ratio and percentage as printed.

The seed's known-answer cases go through the same transform, so each synthetic report keeps
its own gold answers: money golds are scaled, counts and percentages stay, questions are
renamed and re-dated. Amounts are decimals not followed by a count unit or %, and whole
numbers followed by 元/万元 (a bare whole number in a table may be a count, so it stays).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from eval.cases import Case, squash
from index.numbers import MONEY_UNITS, UNITS

# Two-character district names are drawn from these: none occurs in the seeds, and no two
# share a pinyin syllable, so the English names are unique too.
SYLLABLES = (
    ("枫", "feng"),
    ("桐", "tong"),
    ("柏", "bai"),
    ("槐", "huai"),
    ("榆", "yu"),
    ("杉", "shan"),
    ("梧", "wu"),
    ("桂", "gui"),
    ("棠", "tang"),
    ("荷", "he"),
    ("菱", "ling"),
    ("芷", "zhi"),
    ("蘅", "heng"),
    ("澜", "lan"),
    ("泓", "hong"),
    ("潇", "xiao"),
    ("沅", "yuan"),
    ("澧", "li"),
    ("翠", "cui"),
    ("黛", "dai"),
    ("琅", "lang"),
    ("璞", "pu"),
    ("锦", "jin"),
    ("屏", "ping"),
    ("霞", "xia"),
    ("岑", "cen"),
    ("峦", "luan"),
    ("嵩", "song"),
    ("麒", "qi"),
    ("麟", "lin"),
    ("鹭", "lu"),
    ("鸥", "ou"),
    ("雁", "yan"),
    ("蓉", "rong"),
    ("芙", "fu"),
    ("薇", "wei"),
    ("茗", "ming"),
    ("蕙", "hui"),
    ("竹", "zhu"),
    ("柳", "liu"),
    ("杏", "xing"),
    ("桃", "tao"),
    ("橙", "cheng"),
    ("橘", "ju"),
    ("棣", "di"),
    ("樟", "zhang"),
    ("桦", "hua"),
    ("枣", "zao"),
    ("檀", "tan"),
    ("柘", "zhe"),
)
MAX_REPORTS = len(SYLLABLES) * (len(SYLLABLES) - 1)
FACTORS = range(2, 20)
YEAR_SHIFTS = range(-3, 4)

_NUMBER_RE = re.compile(r"(?<![\d.,A-Za-z])(\d{1,3}(?:,\d{3})+|\d+)(?:\.( ?)(\d+))?(?![\d])")
_MONEY_AFTER_RE = re.compile(r"\s*(?:" + "|".join(sorted(MONEY_UNITS, key=len, reverse=True)) + ")")
_COUNTS = sorted((u for u in UNITS if u not in MONEY_UNITS), key=len, reverse=True)
_LONG_COUNTS = [u for u in _COUNTS if len(u) > 1 or u in "%％"]
_SHORT_COUNTS = [u for u in _COUNTS if u not in _LONG_COUNTS]
# "23.05 万余件", "66. 0%", "12.5人": a count or a percentage, never scaled. "万" not followed by
# 元 is a count multiplier ("23.05万人次"). A one-character unit counts only right after the
# figure: in flattened tables "136400.00 项目当年预算" is an amount before the word 项目.
_NOT_MONEY_AFTER_RE = re.compile(
    r"\s*(?:" + "|".join(re.escape(u) for u in _LONG_COUNTS) + r"|万(?!元))"
    r"|(?:" + "|".join(re.escape(u) for u in _SHORT_COUNTS) + ")"
)
_YEAR_RE = re.compile(r"(?<![\d.,A-Za-z])(20[0-3]\d)(?![\d.])")
_COUNT_AFTER_RE = re.compile("|".join(re.escape(u) for u in _COUNTS))


@dataclass(frozen=True)
class Variant:
    """How one synthetic report is made from its seed."""

    name: str  # the synthetic file name (the report name as added)
    seed: str  # the seed's file name
    old_district: str  # "硚口"
    old_english: str  # "Qiaokou"
    district: str  # "枫桐"
    english: str  # "Fengtong"
    year_shift: int
    factor: int


def shift_years(text: str, delta: int) -> str:
    """Every year 2000-2039 moved by `delta`; not counts that look like years ("2023件")."""
    if delta == 0:
        return text

    def shift(match: re.Match[str]) -> str:
        if _COUNT_AFTER_RE.match(text, match.end()):
            return match.group(0)
        return str(int(match.group(1)) + delta)

    return _YEAR_RE.sub(shift, text)


def scale_figure(raw: str, factor: int) -> str:
    """'313. 08' x 3 -> '939. 24'; '1,234.50' x 2 -> '2,469.00'; '180' x 2 -> '360'."""
    match = _NUMBER_RE.fullmatch(raw.strip())
    if match is None:
        raise ValueError(f"{raw!r} is not a printed figure")
    whole, space, fraction = match.group(1), match.group(2) or "", match.group(3) or ""
    value = Decimal(whole.replace(",", "") + (f".{fraction}" if fraction else "")) * factor
    decimals = len(fraction)
    text = f"{value:,.{decimals}f}" if "," in whole else f"{value:.{decimals}f}"
    if decimals:
        head, tail = text.split(".")
        text = f"{head}.{space}{tail}"
    return text


def scale_amounts(text: str, factor: int) -> str:
    """Every amount in `text` multiplied by `factor` (see the module docstring for "amount")."""
    if factor == 1:
        return text

    def scale(match: re.Match[str]) -> str:
        has_decimals = match.group(3) is not None
        if has_decimals:
            if _NOT_MONEY_AFTER_RE.match(text, match.end()):
                return match.group(0)
        elif not _MONEY_AFTER_RE.match(text, match.end()):
            return match.group(0)
        return scale_figure(match.group(0), factor)

    return _NUMBER_RE.sub(scale, text)


def transform_text(text: str, variant: Variant) -> str:
    text = text.replace(variant.old_district, variant.district)
    text = text.replace(variant.old_english, variant.english)
    return scale_amounts(shift_years(text, variant.year_shift), variant.factor)


def transform_case(case: Case, variant: Variant) -> Case:
    """The seed case as asked of the synthetic report: same question, its own gold."""
    answer = case.answer
    if not case.absent and case.unit in MONEY_UNITS:
        answer = scale_figure(case.answer, variant.factor)
    return replace(
        case,
        id=f"{Path(variant.name).stem}:{case.id}",
        question=transform_text(case.question, variant),
        answer=answer,
        doc=variant.name,
        evidence=transform_text(case.evidence, variant),
        source=variant.seed,
    )


def case_holds(case: Case, text: str) -> bool:
    """Whether a transformed case still points at its report: evidence and printed gold in it.

    A case fails when its evidence straddles a figure the transform treats differently in
    context (a bare whole number in a table); such cases are dropped, not mis-scored.
    """
    if case.absent:
        return True
    squashed = squash(text)
    if case.evidence and squash(case.evidence) not in squashed:
        return False
    if case.kind in ("table", "text") and case.unit in MONEY_UNITS:
        return squash(case.answer) in squashed
    return True


def district_of(text: str, name: str) -> str:
    """The seed's district stem ("硚口") from its metadata."""
    from index.meta import read_meta

    district = read_meta(text, name).district
    if not district:
        raise ValueError(f"{name}: no district found in the report; it cannot seed a corpus")
    return district[:-1] if district[-1] in "区县市" else district


def english_name(stem: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(stem)).capitalize()


def district_names(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """`count` unique (name, English name) pairs in a random order."""
    if count > MAX_REPORTS:
        raise ValueError(f"at most {MAX_REPORTS} synthetic reports, asked for {count}")
    pairs = [(a, b) for a in SYLLABLES for b in SYLLABLES if a != b]
    rng.shuffle(pairs)
    return [(a[0] + b[0], (a[1] + b[1]).capitalize()) for a, b in pairs[:count]]


@dataclass(frozen=True)
class SynthCorpus:
    folder: Path
    variants: tuple[Variant, ...]
    cases: dict[str, tuple[Case, ...]]  # report name -> its cases (those that still hold)
    dropped: int  # seed cases that no longer held after the transform


def seed_cases(cases: Sequence[Case], seed: str) -> list[Case]:
    """The cases about one seed that a synthetic copy can keep: single-report ones."""
    return [c for c in cases if c.doc == seed and c.kind != "compare"]


def synthesise(
    seeds: Sequence[Path], cases: Sequence[Case], count: int, folder: Path, seed: int = 0
) -> SynthCorpus:
    """Write `count` synthetic reports into `folder` (report i is seed i mod len(seeds))."""
    if count <= 0:
        raise ValueError(f"count must be > 0, got {count}")
    if not seeds:
        raise ValueError("no seed reports")
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    texts = {p.name: p.read_text(encoding="utf-8") for p in seeds}
    olds = {}
    for name, text in texts.items():
        stem = district_of(text, name)
        olds[name] = (stem, english_name(stem))
    names = district_names(count, rng)
    variants = []
    by_report: dict[str, tuple[Case, ...]] = {}
    dropped = 0
    for i in range(count):
        seed_path = seeds[i % len(seeds)]
        district, english = names[i]
        variant = Variant(
            name=f"syn{i:05d}_{seed_path.stem[:3]}.txt",
            seed=seed_path.name,
            old_district=olds[seed_path.name][0],
            old_english=olds[seed_path.name][1],
            district=district,
            english=english,
            year_shift=rng.choice(YEAR_SHIFTS),
            factor=rng.choice(FACTORS),
        )
        text = transform_text(texts[seed_path.name], variant)
        (folder / variant.name).write_text(text, encoding="utf-8")
        kept = []
        for case in seed_cases(cases, seed_path.name):
            moved = transform_case(case, variant)
            if case_holds(moved, text):
                kept.append(moved)
            else:
                dropped += 1
        by_report[variant.name] = tuple(kept)
        variants.append(variant)
    return SynthCorpus(folder, tuple(variants), by_report, dropped)


def sample_reports(corpus: SynthCorpus, per_seed: int, seed: int = 0) -> list[str]:
    """Up to `per_seed` synthetic reports of each seed, drawn at random."""
    rng = random.Random(seed + 1)
    by_seed: dict[str, list[str]] = {}
    for variant in corpus.variants:
        by_seed.setdefault(variant.seed, []).append(variant.name)
    chosen: list[str] = []
    for names in by_seed.values():
        chosen.extend(rng.sample(names, min(per_seed, len(names))))
    return sorted(chosen)
