"""The one object app.py and eval/ call: question -> answer dict (CONTRACT.md JSON).

Flow: parse the question (org/year/kind/metric/op) -> look the metric up in the fact store of
the resolved reports -> answer only when one figure clearly wins; list the candidates when
several different figures match about equally; say "not found" (with what was searched and
the nearest facts) when nothing matches well. Hybrid retrieval (dense + keyword, fused by
chunk id) supplies the passages the figure sits in and a small tie-break for facts printed in
them. Every figure shown is copied from a fact; computed answers show their arithmetic.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Any

from index.config import Settings
from index.facts import NONE_STATED
from index.models import Fact
from index.numbers import UNIT_FACTORS, format_value
from qa.glossary import chinese_terms, english_words, respell
from qa.lookup import (
    LEADING_DIGITS_RE,
    MEASURE_ONLY_RE,
    NOISE_CHARS,
    TOTAL_LABEL_RE,
    FactView,
    GramWeights,
    Group,
    OverTime,
    Scored,
    canonical,
    canonical_value,
    char_pairs,
    drop_unasked_parts,
    fact_measure,
    grams,
    group_by_value,
    is_total_column,
    label_core,
    label_names_item,
    labels_change,
    lookup_facts,
    make_views,
    own_label,
    plain_coded_names,
    specific_text_grams,
)
from qa.orgs import EN_OFFICE_WORDS, OrgLinker
from qa.pinyin_names import pinyin_index, spell_in_chinese
from qa.query import (
    CODE_RE,
    DIGITS_RE,
    EARLIER_YEAR_WORDS,
    UNPLACED_NAME_A_PART,
    YEAR_RE,
    Query,
    ReportInfo,
    asked_measure,
    join_groups,
    other_word_order,
    parse_query,
    report_info,
)
from qa.ranking import RankRow, of_kind, ranked, ranking_text, undecided

log = logging.getLogger(__name__)

MEASURE_WORD_RE = re.compile(r"预算数|决算数|执行数|预算|决算|执行|实际")
VAGUE_RIVALS = 2  # figures (best and rivals) that make a weak best a miss
# below this best score, a best with a rival close to it is a miss, not a choice: not found, the
# rivals given as nearest (chosen on dev: requiring two rivals, not one, kept 3 more wrong dev
# figures and gained no correct answer)
VAGUE_SCORE = 0.7
# the subject a report's whole is printed under: its appropriated spending, its grand totals
CLASS_LEVEL_RE = re.compile(r"[（(][类款项][）)]")  # 一般公共服务支出（类）: a 科目 level, named with its level
WHOLE_SUBJECT_RE = re.compile(
    r"一般公共预算财政拨款支出(?![^，。；]*(?:[（(][类款项][）)]|中的|里的))|财政拨款支出总|收支总计|收入总计|支出总计")
CO_LOCATED_MARGIN = 0.15  # how far below an operand's best its figure printed beside the other's may be
SAME_COLUMN_BOOST = 0.07  # an operand printed in the other's table column (over AMBIGUITY_MARGIN)
PAIR_MARGIN = 0.1  # how far below each side's best a figure printed in one sentence with the other may be
CHANGE_DISTANCE = 2  # facts between a level and the change printed about it in the next sentence
CONFIRMING_RE = re.compile(r"是不是|是否|对吗|对不对|有没有|\b(?:is it|was it|is that|was that|confirm|really)\b", re.I)
MIN_SCORE = 0.5  # below this no fact names the metric well enough to be shown
INCONSISTENCY_MARGIN = 0.2  # a nearly equal figure this close is shown beside the best (_nearly_equal)
AMBIGUITY_MARGIN = 0.06  # different figures scoring within this of the best are all shown
MAX_QUESTION_CHARS = 500  # longer input is no question about one figure (DQA_MAX_QUESTION)
TIME_BUDGET_S = 10.0  # seconds of scoring a question may take (DQA_TIME_BUDGET); answers take milliseconds
MAX_UNNAMED_REPORTS = 12  # above this, a question must name its organisation
# what an English answer calls each kind of report
EN_REPORT_KINDS = {"预算": "budget", "决算": "final accounts", "绩效自评": "performance self-evaluation"}
MAX_RANKED_ORGS = 60  # organisations a ranking asks its figure of, at most (each is one question)
MAX_LISTED_ORGS = 20  # organisations listed when a question must name one
# the measure asked -> (the other measure, the kind of report printing only that one)
OTHER_MEASURE = {"actual": ("budget", "预算"), "budget": ("actual", "决算")}
KIND_EN = {"决算": "final accounts", "预算": "budget", "绩效自评": "performance self-evaluation"}


def _plain(raw: str) -> str:
    return raw.replace(" ", "").replace(",", "")


def _in_wan(value: str, unit: str, zh: bool) -> str:
    """A figure printed in 元, also in 万元 (an exact shift of the decimal point, so nothing is
    rounded): "（合 120.6 万元）"; '' for any other unit, zero or a value that is no number."""
    if unit != "元":
        return ""
    try:
        wan = Decimal(value).scaleb(-4)
    except ArithmeticError:
        return ""
    if not wan:
        return ""
    text = format_value(wan.normalize() if wan != wan.to_integral() else wan.to_integral())
    return f"（合 {text} 万元）" if zh else f" (= {text} 万元)"


def _fact_citation(fact: Fact) -> dict[str, Any]:
    return {
        "report": fact.report,
        "locator": fact.locator,
        "quote": fact.quote,
        "table": fact.table if fact.source == "table" else "",
        "section": fact.table if fact.source == "text" else "",
        "row": f"{fact.code} {fact.row_label}".strip(),
        "column": fact.column,
        "raw": fact.raw,
        "unit": fact.unit,
        "source": fact.source,
    }


def _unit_gap(unit: str) -> str:
    """'99.13%' as printed, '84395 件' and '27.38 万元' with a space."""
    return "" if unit in ("%", "％", "") else " "


def _computed(query: Query, text: str, value: str, unit: str, op: str, arithmetic: str,
              operands: list[Fact]) -> dict[str, Any]:
    """A computed answer: its figure, the arithmetic shown, and every operand cited."""
    cites = [_fact_citation(f) for f in operands]
    return {"status": "answered", "answer": text, "value": value, "unit": unit, "citations": cites,
            "computation": {"op": op, "expression": arithmetic, "operands": cites}, "searched": query.searched}


def _names_item(fact: Fact, item: str) -> bool:
    """Whether a figure's own name (its row and column) says at least half of the item: one shared
    word (项目 of 联动项目) does not name it."""
    return _names_words(f"{fact.row_label} {fact.column}", item)


def _names_words(name: str, item: str) -> bool:
    wanted = specific_text_grams(item) or grams(item)
    return 2 * len(wanted & grams(name)) >= len(wanted)  # at least half of it


def _citations(group: Group, limit: int = 3) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    # the places that match about as well as the best, table cells first: a table is the
    # canonical place a figure is printed
    near = group.score - AMBIGUITY_MARGIN
    for item in sorted(group.members, key=lambda s: (s.score < near, s.fact.source != "table", -s.score)):
        key = item.fact.locator + item.fact.raw
        if key in seen:
            continue
        seen.add(key)
        out.append(_fact_citation(item.fact))
        if len(out) >= limit:
            break
    return out


@lru_cache(maxsize=1)
def _known_english() -> frozenset[str]:
    """The words a misspelt English word is put back to: the vocabulary's and the office words."""
    return english_words() | EN_OFFICE_WORDS


def _bare_name(label: str) -> str:
    """A label's core without its years and punctuation, as two names are set side by side."""
    return NOISE_CHARS.sub("", re.sub(r"20\d{2}\s*年度?", "", label_core(label)))


def _nearly_equal(a: Group, b: Group) -> bool:
    """Two figures of one report within 1% of each other (397.1 in a table, 397.18 in the
    text): the report printing one figure two ways, never to be settled silently."""
    report_a, report_b = a.members[0].fact.report, b.members[0].fact.report
    if a.unit != b.unit or report_a != report_b or not a.value or not b.value:
        return False
    if abs(a.value - b.value) > abs(b.value) * Decimal("0.01"):
        return False
    # two sentences about different subjects ("一般公共预算财政拨款支出 … 完成年初预算的110.20%",
    # "一般公共服务支出(类) … 111.28%") are two figures, however close
    facts = [g.members[0].fact for g in (a, b)]
    if not all(f.source == "text" and f.parents for f in facts) or facts[0].row_label != facts[1].row_label:
        return True
    first, second = (_bare_name(f.parents) for f in facts)
    return first in second or second in first


def _at_places(result: Decimal, *operands: Decimal) -> Decimal:
    """A computed figure to the decimal places its operands are printed with, no more."""
    places = max([-int(v.as_tuple().exponent) for v in operands] + [0])
    return result.quantize(Decimal(1).scaleb(-places)) if places else result


def _is_total_label(label: str) -> bool:
    """合计 / 总额 at the end, or 共 / 累计 at the start ("共收到回访不满意工单"): a whole, not a part."""
    plain = NOISE_CHARS.sub("", label_core(label))
    return bool(TOTAL_LABEL_RE.search(plain) or re.match(r"(?:全年|全区|本年)?(?:共|总共|共计|累计|合计)", plain))


def _total_for_a_part(query: Query, metric: str, fact: Fact) -> bool:
    """A whole (合计, 总额, 共收到…) found for a question that names a part it never prints:
    "教育培训类不满意工单" answered by 共收到回访不满意工单 12516 is the whole, not the part. A
    word of the metric none of whose specific grams the figure's row, column, sentence or table
    holds is such a part, unless the question asks for a total."""
    whole = _is_total_label(fact.row_label) or (fact.source == "table" and not fact.row_label.strip()
                                                and is_total_column(fact.column))
    if query.wants_total or not whole:
        return False
    hay = f"{fact.row_label} {fact.column} {fact.quote} {fact.table} {fact.parents}"
    return any(words and not any(g in hay for g in words)
               for words in ({g for g in specific_text_grams(w) if len(g) >= 2} for w in metric.split()))


def _the_whole_among(query: Query, groups: list[Group]) -> Group | None:
    """One figure printed the same way for the whole and for each of its parts ("…财政拨款支出
    年初预算为451.04万元 … 完成年初预算的69.4%", then each 类 … 62.1%, 78.5%), asked of no part, of
    one named organisation's report: the whole's. None when the question names a part's subject,
    when the figures are of several reports, or when no single figure is the whole's (every place a
    figure is printed is judged, not only the first)."""
    facts = [[m.fact for m in g.members] for g in groups]
    if not query.org_named or len({f.report for fs in facts for f in fs}) != 1:
        return None
    if not all(f.source == "text" and f.parents for fs in facts for f in fs):
        return None
    whole_of = [{bool(WHOLE_SUBJECT_RE.search(f.parents)) for f in fs} for fs in facts]
    if any(len(kinds) != 1 for kinds in whole_of):
        return None  # a figure printed both as the whole's and as a part's: not told apart
    wholes = [g for g, kinds in zip(groups, whole_of, strict=True) if True in kinds]
    asked = grams(f"{query.metric} {' '.join(query.terms)}")
    # a part's own words, less those it shares with the whole (一般公共服务支出 -> 服务)
    whole_words = grams(" ".join(w for fs in facts for f in fs for w in WHOLE_SUBJECT_RE.findall(f.parents)))
    parts = [grams(label_core(CLASS_LEVEL_RE.sub("", f.parents))) - whole_words
             for fs, kinds in zip(facts, whole_of, strict=True) if False in kinds for f in fs]
    if len(wholes) != 1 or any(p & asked for p in parts):
        return None
    return wholes[0]


def _qualified_by_unasked_words(general: Fact, special: Fact, asked: str, by: str = "row_label") -> bool:
    """`special`'s name is `general`'s with words put in (本部门政府采购预算 ->
    本部门面向中小企业预留政府采购项目预算金额), and the question says none of them: a narrower
    figure than the one asked, when the question did not narrow it. `by`: the name compared
    (the row's, or for one row of two forms the form's title: its 项目名称 where it prints one)."""
    short, long = (_form_name(f) if by == "table" else _bare_name(f.row_label) for f in (general, special))
    if len(short) < 2 or len(long) <= len(short) + 1:
        return False
    extra, k = [], 0
    for c in long:
        if k < len(short) and c == short[k]:
            k += 1
        else:
            extra.append(c)
    if k < len(short):
        return False  # the shorter name is not inside the longer one, in order
    return len(extra) >= 2 and not any(p in asked for p in char_pairs("".join(extra)))


def _form_name(fact: Fact) -> str:
    """The name of the form a table cell is in: its 项目名称 where its title prints one, else the title."""
    return _bare_name(fact.table.rpartition("项目名称")[2])


def _the_unqualified_among(query: Query, groups: list[Group]) -> Group | None:
    """Of figures tied for a question, the one whose name every other's narrows with words the
    question does not say (政府采购预算 beside 面向中小企业预留政府采购项目预算): the figure asked.
    Sentences of one report, or one row of several forms of one report; None when no single
    figure is that."""
    best = [g.members[0].fact for g in groups]
    if len({f.report for f in best}) != 1:
        return None
    asked = NOISE_CHARS.sub("", f"{query.metric}{''.join(query.terms)}")
    if all(f.source == "text" for f in best):
        general = [g for g, f in zip(groups, best, strict=True)
                   if all(o is f or _qualified_by_unasked_words(f, o, asked) or _one_kind_of_all(f, o, asked)
                          for o in best)]
    elif all(f.source == "table" for f in best) and len({(f.row_label, f.column) for f in best}) == 1:
        # (the question as typed: a form's name may have gone to the table named, "工作经费项目申报表里…",
        # or out with the organisation's, "区社会管理网格化服务中心工作经费")
        asked = NOISE_CHARS.sub("", query.question)
        # one row of two forms ("项目总预算" of 工作经费 and of 劳务派遣人员工作经费): the form whose
        # name the question says at greatest length; else the form the question names by the end
        # of its name, which every other's narrows with words the question does not say (a
        # question naming no form gets none: two projects are two figures)
        names = [_form_name(f) for f in best]
        said = sorted(_longest_run_in(n, asked) for n in names)
        if len(said) > 1 and said[-1] >= said[-2] + 2:
            return groups[[_longest_run_in(n, asked) for n in names].index(said[-1])]
        general = [g for g, f, n in zip(groups, best, names, strict=True)
                   if len(n) >= NAMED_FORM_TAIL and n[-NAMED_FORM_TAIL:] in asked
                   and all(o is f or _qualified_by_unasked_words(f, o, asked, by="table") for o in best)]
    else:
        return None
    return general[0] if len(general) == 1 else None


# the measure of the year before named in a change question: "比上年执行数", "the 2023 actual"
OTHER_MEASURE_ASKED_RE = re.compile(r"执行|实际|决算|\bactual|\bspent\b|\bexecut", re.I)
NAMED_FORM_TAIL = 4  # the characters a form's name ends with that a question must say to name it (工作经费)


def _longest_run_in(name: str, asked: str) -> int:
    """The length of the longest run of `name`'s characters that `asked` says as it is."""
    match = SequenceMatcher(None, name, asked, autojunk=False).find_longest_match(0, len(name), 0, len(asked))
    return match.size


ALL_KINDS_RE = re.compile(r"(?:各类|各项|全部|所有)([\u4e00-\u9fff]{1,4})$")


def _one_kind_of_all(general: Fact, special: Fact, asked: str) -> bool:
    """"…等各类办件 152949 件" beside "营商环境类办件共办理 29 件": the figure of all kinds, the
    other one kind of them that the question does not name (its 类 words unasked)."""
    every = ALL_KINDS_RE.search(_bare_name(general.row_label))
    if not every:
        return False
    kind = re.search(rf"([\u4e00-\u9fff]{{2,}}?)类{re.escape(every.group(1))}", _bare_name(special.row_label))
    return bool(kind) and not kind.group(1).endswith("各") and not any(p in asked for p in char_pairs(kind.group(1)))


def _outside_its_columns(whole: Fact, part: Fact) -> bool:
    """A row's total under a column group ("“三公”经费 / 小计") and a cell of that row outside
    the group ("培训费"): by the table's own header the cell is no part of that total."""
    if whole.source != "table" or part.source != "table" or (whole.table, whole.row_label) != (part.table, part.row_label):
        return False
    group, _, leaf = whole.column.rpartition(" / ")
    return bool(group) and _is_total_label(leaf) and not part.column.startswith(f"{group} / ")


def _seconds(text: str, default: float) -> float:
    """A setting's seconds, or the default when it is unset or no number ("ten")."""
    try:
        return float(text) if text.strip() else default
    except ValueError:
        return default


def _about_item(fact: Fact, metric: str) -> bool:
    """A sentence's figure whose subject and name say three in four of the character pairs of
    the item the metric names (its measure words aside): 社会福利事业单位支出 of "社会福利事业单位
    （项）…执行数", not 基本支出 of "机关事业单位基本养老保险缴费支出（项）…执行数"."""
    pairs = char_pairs(NOISE_CHARS.sub("", MEASURE_ONLY_RE.sub("", metric)))
    said = NOISE_CHARS.sub("", f"{fact.parents}{fact.row_label}")
    return bool(pairs) and sum(p in said for p in pairs) >= 0.75 * len(pairs)


def _same_column(fact: Fact, other: Fact) -> bool:
    """Two cells of one table's column, in other rows."""
    return (fact.source == other.source == "table" and fact.report == other.report and fact.table == other.table
            and fact.column == other.column and fact.row_label != other.row_label)


def _same_place(fact: Fact, other: Fact) -> bool:
    if fact.report != other.report or fact.position == other.position:
        return False
    if fact.source == "text":
        return other.source == "text" and fact.quote == other.quote
    return other.source == "table" and fact.table == other.table and fact.row_label == other.row_label


class Answerer:
    """Loads the stores once; `ask` answers one question (thread-safe)."""

    def __init__(self, store: Path | str | None = None, *, retrieval: bool = True) -> None:
        from index.stores import open_stores

        self.settings = Settings.from_env(store)
        self.stores = open_stores(self.settings.store, self.settings.chroma_url)
        self.retrieval = retrieval and os.environ.get("DQA_RETRIEVAL", "1") != "0"
        self._lock = threading.RLock()
        self._budget_left = TIME_BUDGET_S  # seconds of scoring the question being answered has left
        self._embedder: Any = None
        self.phraser = None
        if os.environ.get("DQA_LLM_URL"):
            from qa.phrase import LlmPhraser

            self.phraser = LlmPhraser(os.environ["DQA_LLM_URL"], os.environ.get("DQA_LLM_MODEL", "local"))
        self._load()

    # ------------------------------------------------------------------ loading

    def _load(self) -> None:
        """Build the in-memory state, then swap it in; `ask` and `refresh` hold the same lock, so
        a question sees either the old state or the new one, never a mix. Facts are read per
        report on first use (a question names one or two organisations), so load time and
        memory do not grow with every fact in the store."""
        reports = self.stores.facts.reports()
        catalog = join_groups([report_info(r) for r in reports], {str(r["name"]): str(r.get("joined") or "") for r in reports})
        group_year = {i.group: i.year for i in catalog if i.year and i.name == i.group}
        self.__dict__.update(
            catalog=catalog,
            years={i.name: i.year or group_year.get(i.group) for i in catalog},
            groups={i.name: i.group for i in catalog},
            info={i.name: i for i in catalog},
            views_by_report={},
            pinyin_by_report={},
            findings_by_report={},
            # the store keeps its labels' bigram counts with every write; an older store's are
            # counted here, from every label, until its next write keeps them
            weights=(GramWeights(counts=counts) if (counts := self.stores.facts.label_frequencies()) is not None
                     else GramWeights(self.stores.facts.label_texts())),
            linker=OrgLinker({i.name: i.org for i in catalog}, chinese_terms()),
            joined_labels=self.stores.facts.joined_labels(),
            coded_names=None,  # read on the first ranking (_coded), not at start-up
        )

    def _views(self, report: str) -> list[FactView]:
        views = self.views_by_report.get(report)
        if views is None:
            info = self.info.get(report)
            org_words = {report: [a for a in info.aliases if not a.isascii()]} if info else {}
            kinds = {report: info.kind} if info else {}
            views = make_views(self.stores.facts.facts([report]), org_words, kinds)
            self.views_by_report[report] = views
        return views

    def _findings(self, report: str) -> list[Any]:
        """The report's own failed checks (index.checks), run once per report on first use."""
        found = self.findings_by_report.get(report)
        if found is None:
            from index.checks import findings, material_from_store

            material = material_from_store(self.stores.facts, report)
            found = findings(material) if material is not None else []
            self.findings_by_report[report] = found
        return found

    def _with_checks(self, result: dict[str, Any], zh: bool, from_text: bool = False) -> dict[str, Any]:
        """An answer whose figure takes part in a check the report fails says so, with both
        sides cited: the reader sees the report disagree with itself, never one side silently."""
        if result.get("status") != "answered":
            return result
        failed: list[tuple[Any, str]] = []
        for cite in result.get("citations") or []:
            for finding in self._findings(cite["report"]):
                if all(finding is not f for f, _ in failed) and any(
                        fig.value == cite.get("raw") and fig.locator == cite["locator"] and fig.quote == cite["quote"][:200]
                        for fig in finding.figures):
                    failed.append((finding, cite["report"]))
        if not failed:
            return result
        if not from_text and "computation" not in result and not result.get("ranking"):
            # (a difference or sum keeps its own arithmetic; its operands' checks are shown; a
            # ranking's rows were each set to their table's side in _rank_row)
            result = self._table_side(result, failed, zh)
        result["checks"] = [{**f.as_dict(), "report": report} for f, report in failed]
        lines = []
        for f, _ in failed:
            sides = "；".join(f"{fig.value}（{fig.locator}）" for fig in f.figures)
            lines.append(f"注意：报告自身核对未通过（{f.rule}，{'错误' if f.severity == 'error' else '提示'}）：{f.message}。涉及：{sides}"
                         if zh else f"Note: the report fails its own check ({f.rule}, {f.severity}): {f.message}. "
                                    f"Figures: {sides}")
        result["answer"] = result["answer"] + "\n" + "\n".join(lines)
        return result

    def _table_side(self, result: dict[str, Any], failed: list[tuple[Any, str]], zh: bool) -> dict[str, Any]:
        """A sentence's figure that its own table contradicts (text_*_matches_table, an error:
        "财政拨款收入支出总计0.3万元" against the 总表's 2,961.68): the statement's table is the
        figure disclosed, the narrative restates it; both stay cited, the table's first. A
        question that asks what the narrative says keeps the narrative's figure."""
        cite = result["citations"][0]
        if cite.get("source") != "text":
            return result
        for finding, report in failed:
            if not (finding.rule.startswith("text_") and finding.severity == "error" and len(finding.figures) == 2):
                continue
            said, printed = finding.figures
            if said.value != cite.get("raw") or said.locator != cite["locator"]:
                continue
            table = next((v.fact for v in self._views(report)
                          if v.fact.source == "table" and v.fact.raw == printed.value and v.fact.locator == printed.locator), None)
            if table is None:
                return result
            value, label = _plain(table.raw), self._fact_label(table)
            org, year = self._org_name(report), self.years.get(report)
            text = (f"{org}{year or ''}年{label}为 {value}{_unit_gap(table.unit)}{table.unit}（表中所印；正文印作 "
                    f"{_plain(said.value)}{_unit_gap(cite['unit'])}{cite['unit']}，与表不一致）。" if zh
                    else f"{org} ({year or ''}): {label} = {value}{_unit_gap(table.unit)}{table.unit} as its table "
                         f"prints it (the narrative prints {_plain(said.value)} {cite['unit']}, which disagrees).")
            return {**result, "answer": text, "value": value, "unit": table.unit,
                    "citations": [_fact_citation(table), *result["citations"]]}
        return result

    def refresh(self) -> None:
        with self._lock:
            if self.stores.refresh():
                self._load()

    catalog: list[ReportInfo]
    years: dict[str, int | None]
    info: dict[str, ReportInfo]
    views_by_report: dict[str, list[FactView]]
    pinyin_by_report: dict[str, dict[str, set[str]]]
    findings_by_report: dict[str, list[Any]]
    groups: dict[str, str]
    weights: GramWeights
    linker: OrgLinker
    joined_labels: set[str]
    coded_names: dict[str, frozenset[str]] | None

    def _coded(self) -> dict[str, frozenset[str]]:
        """The store's coded row names with their codes, read once per loaded state (every
        caller holds the lock that _load swaps the state under)."""
        if self.coded_names is None:
            self.coded_names = plain_coded_names(self.stores.facts.coded_labels())
        return self.coded_names

    def _embed(self, text: str) -> Any:
        if self._embedder is None:
            from index.embed import load_embedder

            self._embedder = load_embedder(self.stores.embed_model)
        return self._embedder.embed([text])[0]

    # ------------------------------------------------------------------ retrieval

    def retrieve(
        self, question: str, k: int = 5, reports: list[str] | None = None, query: Query | None = None
    ) -> list[dict[str, Any]]:
        """Hybrid retrieval: keyword (jieba + BM25) and dense (Chroma) ranks fused by chunk id
        with reciprocal-rank fusion; keyword weighs more (it finds the chunk far more often on
        these reports than the static embedding does)."""
        with self._lock:
            query = query or parse_query(question, self.catalog, self.linker)
            if reports is None and query.reports:
                reports = list(query.reports)  # the organisation and year the question names
            # English questions search the Chinese chunks through their glossary terms
            text = " ".join([question, *query.terms, query.metric])
            keyword = self.stores.keywords.search(text, k * 4, reports=reports)
            dense: list[tuple[str, float]] = []
            if self.retrieval:
                try:
                    dense = self.stores.vectors.query(self._embed(text), k * 4, reports=reports)
                except Exception:  # noqa: BLE001 - dense retrieval is an aid, never a blocker
                    log.warning("dense retrieval failed", exc_info=True)
            fused: dict[str, float] = {}
            for weight, hits in ((1.0, keyword), (0.6, dense)):
                for rank, (chunk_id, _score) in enumerate(hits):
                    fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (60 + rank)
            order = sorted(fused, key=lambda c: -fused[c])[:k]
            chunks = self.stores.facts.chunks_by_id(order)
        return [
            {"chunk_id": cid, "report": chunks[cid].report, "kind": chunks[cid].kind, "text": chunks[cid].text,
             "table": chunks[cid].table, "section": chunks[cid].section, "page": chunks[cid].page,
             "score": round(fused[cid], 5)}
            for cid in order if cid in chunks
        ]

    # ------------------------------------------------------------------ answering

    def ask(self, question: str) -> dict[str, Any]:
        """Never raises: a question that cannot be handled is answered with status "error" and
        the reason, so one bad question never stops a batch or a chat."""
        started = time.perf_counter()
        question = (question or "").strip() if isinstance(question, str) else ""
        limit = int(os.environ.get("DQA_MAX_QUESTION", MAX_QUESTION_CHARS))
        if not question:
            result = self._error("empty question: ask about a figure in a report")
        elif len(question) > limit:
            result = self._error(f"question of {len(question)} characters is over the {limit}-character limit "
                                 "(DQA_MAX_QUESTION); ask about one figure at a time")
        else:
            # one question at a time against one consistent state (refresh swaps it under the
            # same lock); a question takes milliseconds, so serialising costs little
            try:
                with self._lock:
                    budget = _seconds(os.environ.get("DQA_TIME_BUDGET", ""), TIME_BUDGET_S)
                    self._budget_left = budget
                    query = self._spelled(question, parse_query(question, self.catalog, self.linker))
                    result = self._answer(query)
                    swapped = other_word_order(query.metric) if result["status"] == "not_found" else ""
                    if swapped:
                        # "预算收入" where the report prints "收入预算9,101.68万元", or "24年预算收入"
                        # where the next year's report prints "收入预算…，比2024年预算减少…". Only a
                        # figure printed under exactly the other order, or that level and change: a
                        # figure whose name merely holds the words may be a part (年初项目支出预算数
                        # for 预算支出), and an honest not-found is worth more
                        again = self._answer(replace(query, metric=swapped))
                        answered = again["status"] == "answered"
                        derived = answered and (again.get("computation") or {}).get("op") in ("sum", "minus")
                        if (derived and query.year_in_text) or (answered and str(again.get("label", "")).replace(" ", "") == swapped.replace(" ", "")):
                            result = again
                    result = self._with_checks(result, query.lang != "en", query.from_text)
            except OverTime:
                result = self._error(f"the question took over its {budget:g}-second time budget "
                                     "(DQA_TIME_BUDGET); ask a narrower question")
            except Exception as exc:  # noqa: BLE001 - one bad question must not stop the rest
                log.exception("answering %r failed", question[:200])
                result = self._error(f"internal error while answering ({type(exc).__name__}: {exc})")
            if self.phraser is not None and result["status"] == "answered":
                result["answer_template"] = result["answer"]
                result["answer"] = self.phraser.phrase(question, result)
        result["question"] = question
        result["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return result

    def _spelled(self, question: str, query: Query) -> Query:
        """The query of the question with its misspelt words put back (qa.glossary.respell) and
        its pinyin names ("Juzizhou") in the Chinese its candidate reports print them in
        (qa.pinyin_names); the query itself when it has neither."""
        unplaced = query.searched.get("unplaced") or []
        respelt = respell(question, unplaced, _known_english()) if unplaced else question
        if respelt != question:
            # "welfare hoem": a word two swapped letters from a known one is that word
            again = parse_query(respelt, self.catalog, self.linker)
            if len(again.searched.get("unplaced") or []) < len(unplaced):
                question, query, unplaced = respelt, again, again.searched.get("unplaced") or []
        if not any(w[:1].isupper() for w in unplaced) or not 0 < len(query.reports) <= MAX_UNNAMED_REPORTS:
            return query
        indexes = []
        for report in query.reports:
            if report not in self.pinyin_by_report:
                self.pinyin_by_report[report] = pinyin_index(v.fact for v in self._views(report))
            indexes.append(self.pinyin_by_report[report])
        spelled = spell_in_chinese(question, unplaced, indexes)
        return query if spelled == question else parse_query(spelled, self.catalog, self.linker)

    def _answer(self, query: Query) -> dict[str, Any]:
        zh = query.lang != "en"
        if query.unknown_place:
            msg = (f"没有找到{query.unknown_place}的报告：库中只有 {self._org_list()}。" if zh
                   else f"No report for {query.unknown_place} in the store (it holds {self._org_list()}).")
            return self._not_found(query, msg, [])
        if not query.reports:
            what = "、".join(filter(None, [str(y) for y in query.years] + [query.kind]))
            msg = (f"库中没有符合条件（{what}）的报告。" if zh else f"No report in the store matches ({what}).")
            return self._not_found(query, msg, [])
        if query.op == "rank":
            return self._rank_orgs(query)
        if not query.org_named and len(query.reports) > MAX_UNNAMED_REPORTS:
            # a question that names no organisation, against a large store: every report is a
            # candidate and a figure picked among hundreds would be a guess
            msg = (f"请指明单位：这个问题没有说明是哪个单位，库中有 {len(query.reports)} 份报告符合条件。" if zh
                   else f"Please name the organisation: {len(query.reports)} reports in the store match this question.")
            return self._which_organisation(query, msg, query.reports)
        if query.searched.get("negated") and query.op != "except":
            # "how many items were still not completed": what the placed words name (完成) is
            # the opposite of what is asked, and no printed figure is the rest
            words = "、".join(query.searched["negated"])
            msg = (f"问题问的是“{words}”之外的部分，报告没有直接印出这个数；请分别问总数和其中的部分，再相减。" if zh
                   else f"The question is negated (“{words}”), and no printed figure is the part that is not. "
                        "Ask for the total and the part, and take the difference.")
            return self._not_found(query, msg, [])
        if query.op == "sum" and self._one_name(query):
            query = replace(query, op="value", operands=())
        if query.op == "unread":
            msg = ("未能分清要相加或相减的是哪两个数，请分别写出两项的名称（如“A和B加起来”“A比B多多少”）。" if zh
                   else "Could not tell which two figures to add or subtract; name both items "
                        "(\"A plus B\", \"A minus B\").")
            return self._not_found(query, msg, [])
        if query.op == "compare":
            return self._compare(query)
        if query.op == "compare_items":
            return self._compare_items(query)
        if query.op == "variance":
            return self._variance(query)
        if query.op in ("diff", "minus") and query.unit_wanted == "percent":
            # "by what percentage did the budget exceed the execution figure": the change the
            # report prints in per cent ("比2022年预算执行数增加250.60%"); two levels give no percentage
            printed = self._single(replace(query, op="value", operands=()))
            if printed["status"] == "answered":
                return printed
        if query.op == "sum_all" or (query.op == "sum" and len(query.operands) > 2):
            return self._sum_all(query)
        if query.op in ("sum", "diff", "minus", "except", "ratio", "times"):
            return self._compute(query)
        return self._single(query)

    def _rank(self, query: Query, metric: str, reports: tuple[str, ...] | list[str], terms: bool = True,
              near: Fact | None = None) -> list[Group]:
        views = [v for r in reports for v in self._views(r)]
        # the question's own words last: "X的Y" keeps Y as head
        text = " ".join([*(query.terms if terms else ()), metric])
        coded = self._coded()
        # the time budget counts scoring only: a report's facts read on first use are no cost of
        # the question that happens to come first
        started = time.perf_counter()
        try:
            scored = lookup_facts(query, text, views, self.weights, self.years, coded, started + self._budget_left)
        finally:
            self._budget_left -= time.perf_counter() - started
        if near is not None:
            # the second operand of "X的全年预算数减去支出决算数" is printed where the first is
            # (or in its table's column: "印刷费和培训费" are two rows of one 基本支出表)
            # (only a cell saying every word of the operand: 项目培训费 is not 表6's 30216 培训费)
            asked = specific_text_grams(metric)
            scored = [replace(s, score=s.score + 0.1) if _same_place(s.fact, near)
                      else replace(s, score=s.score + SAME_COLUMN_BOOST)
                      if _same_column(s.fact, near) and asked <= grams(f"{s.fact.row_label} {s.fact.column} {s.fact.table}")
                      else s
                      for s in scored]
            scored.sort(key=lambda s: (-s.score, s.fact.report, s.fact.position))
        if self.retrieval and scored and scored[0].score >= MIN_SCORE - 0.1:
            scored = self._boost_retrieved(query, list(reports), scored)
        return drop_unasked_parts(group_by_value(scored, groups=self.groups), metric, AMBIGUITY_MARGIN)

    def _boost_retrieved(self, query: Query, reports: list[str], scored: list[Scored]) -> list[Scored]:
        """A small tie-break for facts printed in the passages retrieval ranks first."""
        try:
            top = self.retrieve(query.question, 3, reports=reports, query=query)
        except Exception:  # noqa: BLE001
            return scored
        texts = [c["text"] for c in top]
        boosted = []
        for item in scored[:200]:
            f = item.fact
            probe = f.quote[:40] if f.source == "text" else f.row_label
            bonus = 0.02 if probe and any(probe in t and f.raw in t for t in texts) else 0.0
            boosted.append(replace(item, score=item.score + bonus) if bonus else item)
        boosted.sort(key=lambda s: (-s.score, s.fact.report, s.fact.position))
        return boosted + scored[200:]

    @staticmethod
    def _decide(groups: list[Group]) -> tuple[str, list[Group]]:
        if not groups or groups[0].score < MIN_SCORE:
            return "not_found", groups[:3]
        best = groups[0]
        close = [g for g in groups[1:] if g.score >= best.score - AMBIGUITY_MARGIN
                 or (g.score >= best.score - INCONSISTENCY_MARGIN and _nearly_equal(g, best))]
        if close:
            return "ambiguous", [best, *close][:4]
        return "answered", [best]

    def _single(self, query: Query) -> dict[str, Any]:
        groups = self._rank(query, query.metric, query.reports)
        if query.mentioned and not CONFIRMING_RE.search(query.question):
            # "the target was 51 — how many were hired?": a number the question states is what
            # the user already has, never the figure asked (unless asked to confirm it)
            given = {Decimal(n) for n in query.mentioned}
            groups = [g for g in groups if not any(m.fact.value in given for m in g.members)]
        status, chosen = self._decide(groups)
        for metric in query.fallback_metrics if status == "not_found" else ():
            status, chosen = self._decide(self._rank(query, metric, query.reports))
            if status != "not_found":
                break
        zh = query.lang != "en"
        if status == "not_found":
            derived = (self._from_printed_change(query) if query.year_in_text
                       else self._change_from_two_levels(query) if query.wants_change else None)
            return derived or self._not_found(query, self._not_found_text(query), chosen)
        if status == "ambiguous":
            whole = _the_whole_among(query, chosen) or _the_unqualified_among(query, chosen)
            if whole is not None:
                status, chosen = "answered", [whole]
        if status == "ambiguous" and len(chosen) >= VAGUE_RIVALS and chosen[0].score < VAGUE_SCORE:
            # many weak rivals: nothing names the figure well; not found, the rivals as nearest
            return self._not_found(query, self._not_found_text(query), chosen)
        if status == "ambiguous" and all(self._a_total_for_unplaced(query, self._best_fact(g)) for g in chosen):
            # ("land-transfer revenue": totals tied for 收入, the words naming the part unplaced)
            return self._not_found(query, self._not_found_text(query), chosen)
        if status == "ambiguous":
            reports = {g.members[0].fact.report for g in chosen}
            if not query.org_named and len(reports) > 1:
                # figures of different organisations for a question that names none: which
                # organisation is meant is the open question, not which figure
                names = ("、" if zh else ", ").join(sorted({self._org_name(r) for r in reports}))
                msg = (f"请指明单位：{names} 的报告中都有与“{query.metric}”对应的数字。" if zh
                       else f"Please name the organisation: reports of {names} all have a figure for this.")
                return self._which_organisation(query, msg, sorted(reports))
            return self._ambiguous(query, chosen)
        group = chosen[0]
        fact = self._best_fact(group)
        other = OTHER_MEASURE.get(query.measure)
        if (other and not query.wants_change and self._only_measure(group, other[0])
                and all(self.info[m.fact.report].kind == other[1] for m in group.members if m.fact.report in self.info)):
            # an actual asked of a budget report, and only its budget found (a budget is never the
            # actual), or a budget asked of final accounts, and only a 决算数 found
            return self._not_found(query, self._not_found_text(query), chosen)
        if (fact.source == "text" and "预算执行" in fact.row_label and not label_names_item(fact.row_label)
                and query.op == "value" and not _about_item(fact, query.metric)):
            # "2023年当年预算执行数为70.70万元" names only a measure (an actual of a budget
            # report's narrative, item by item); its subject (机关事业单位基本养老保险缴费支出)
            # must be the item asked (基本支出 is not)
            return self._not_found(query, self._not_found_text(query), chosen)
        if _total_for_a_part(query, query.metric, fact) or query.searched.get("unplaced_items") or self._a_total_for_unplaced(query, fact):
            # "the procurement budget set aside for desktop computers": words the vocabulary
            # cannot place name a part, and the total of what it could place is no answer
            return self._not_found(query, self._not_found_text(query), chosen)
        value = _plain(fact.raw)
        label = self._fact_label(fact)
        org = self._org_name(fact.report)
        year = self.years.get(fact.report)
        extra: dict[str, Any] = {}
        if fact.column == NONE_STATED:
            # the report says in words that it has no such figure: say so, with its words
            extra["none_stated"] = {"quote": fact.quote, "locator": fact.locator}
            text = (f"{org}{year or ''}年：报告称无{label}（“{fact.quote}”），即 0。" if zh
                    else f"In {self._report_words(fact.report)} of {org}, the report states there is no {label} "
                         f"(“{fact.quote}”), i.e. 0.")
        elif zh:
            text = f"{org}{year or ''}年{label}为 {value}{_unit_gap(fact.unit)}{fact.unit}。"
        else:
            text = f"In {self._report_words(fact.report)} of {org}, {label} is {value}{_unit_gap(fact.unit)}{fact.unit}."
        notes = self._other_units(group, fact, zh) or _in_wan(value, fact.unit, zh)
        text = text + notes if zh or not notes else text.removesuffix(".") + notes + "."
        return {
            "status": "answered", "answer": text, "value": value, "unit": fact.unit, "label": label,
            "citations": _citations(group), "searched": query.searched, **extra,
        }

    @staticmethod
    def _a_total_for_unplaced(query: Query, fact: Fact) -> bool:
        """A total, for a question whose words the vocabulary could not place name a part of it."""
        return (len(query.searched.get("unplaced") or ()) >= UNPLACED_NAME_A_PART and not query.wants_total
                and _is_total_label(fact.row_label) and (fact.source == "text" or is_total_column(fact.column)))

    # ------------------------------------------------------------------ rankings

    def _rank_orgs(self, query: Query) -> dict[str, Any]:
        """One figure of every organisation of the kind asked ("列出各单位2024年“三公”经费",
        "which grid centre had the largest 基本支出"): each organisation's figure is answered as
        if the question named it, in one year and one kind of report, then sorted as asked;
        organisations without a figure stay in the answer, marked (never dropped)."""
        ask = query.ranking
        assert ask is not None
        zh = query.lang != "en"
        by_org: dict[str, list[str]] = {}
        for name in query.reports:
            if of_kind(ask.kind, self._org_name(name)):
                by_org.setdefault(self._org_name(name), []).append(name)
        what = ask.kind_name or ("单位" if zh else "organisation")
        if not by_org:
            msg = (f"库中没有符合条件的{what}报告。" if zh else f"No report of a {what} in the store matches.")
            return self._not_found(query, msg, [])
        if len(by_org) > MAX_RANKED_ORGS:
            msg = (f"符合条件的单位有 {len(by_org)} 个，超过 {MAX_RANKED_ORGS} 个：请指明地区或单位类别。" if zh
                   else f"{len(by_org)} organisations match, over {MAX_RANKED_ORGS}: name a place or a kind of organisation.")
            return self._which_organisation(query, msg, [r for rs in by_org.values() for r in rs])
        year = max(query.years) if query.years else self._common_year(by_org)
        kinds = [query.kind] if query.kind else self._ranked_kinds(query, by_org, year)
        best: list[RankRow] = []
        for kind in kinds:
            rows = [self._rank_row(query, org, reports, year, kind) for org, reports in sorted(by_org.items())]
            if sum(r.status == "answered" for r in rows) > sum(r.status == "answered" for r in best):
                best, chosen_kind = rows, kind
        if not best:
            best, chosen_kind = [self._rank_row(query, org, rs, year, kinds[0]) for org, rs in sorted(by_org.items())], kinds[0]
        kept, rest = ranked(best, ask.order)
        unread = undecided(kept, rest, ask)
        # what the figure is, as the reports print it (the top row's label), else the question's words
        what = next((r.label for r in kept if r.label), "") or " ".join(dict.fromkeys(query.metric.split()))
        text = ranking_text(ask, kept, rest, what, year, chosen_kind, zh, unread)
        rows = [r.as_dict(i) for i, r in enumerate(kept, start=1)] + [r.as_dict(None) for r in rest]
        ranking = {"order": ask.order, "top": ask.top, "of": ask.kind_name, "year": year, "kind": chosen_kind,
                   "metric": query.metric, "rows": rows}
        if not kept or unread:
            # (the top asked for could be a figure not read: no organisation is named the top)
            status = "ambiguous" if unread or any(r.status == "ambiguous" for r in rest) else "not_found"
            return {**self._not_found(query, text, []), "status": status, "ranking": ranking,
                    "citations": [r.citation for r in kept if r.citation]}
        top = kept[0] if ask.top else None
        return {"status": "answered", "answer": text, "value": top.value if top else None,
                "unit": top.unit if top else "", "citations": [r.citation for r in kept if r.citation],
                "ranking": ranking, "searched": query.searched}

    def _rank_row(self, query: Query, org: str, reports: list[str], year: int | None, kind: str) -> RankRow:
        chosen = tuple(r for r in reports if self.years.get(r) == year and (not kind or self.info[r].kind == kind))
        zh = query.lang != "en"
        if not chosen:
            held = "、".join(sorted({f"{self.years.get(r) or ''}{self.info[r].kind}" for r in reports if r in self.info}))
            return RankRow(org, year, kind, "no_report", note=(f"有 {held}" if zh else f"has {held}") if held else "")
        one = self._single(replace(query, op="value", ranking=None, reports=chosen, org_named=True,
                                   years=(year,) if year and not query.year_in_text else query.years))
        # the figure the organisation's question alone is answered with: a sentence its own
        # table contradicts gives way to the table's (Wuchang 事业运行 367.67 in the text, 372.78)
        one = self._with_checks(one, zh, query.from_text)
        if one["status"] != "answered":
            candidates = tuple({"value": c["value"], "unit": c["unit"],
                                "canonical": canonical_value(Decimal(c["value"]), c["unit"])[0],
                                "citation": c["citations"][0] if c["citations"] else None}
                               for c in one.get("candidates") or [])
            return RankRow(org, year, kind, one["status"] if one["status"] == "ambiguous" else "not_found",
                           candidates=candidates)
        amount, unit = canonical_value(Decimal(one["value"]), one["unit"])
        return RankRow(org, year, kind, "answered", value=one["value"], unit=one["unit"], canonical=amount,
                       canonical_unit=unit, label=one.get("label", ""),
                       citation=one["citations"][0] if one["citations"] else None)

    def _common_year(self, by_org: dict[str, list[str]]) -> int | None:
        """No year named: the year the most of the organisations have a report of (the latest of
        equals), never each its own year."""
        held = Counter(y for reports in by_org.values() for y in {self.years.get(r) for r in reports} if y)
        return max(held, key=lambda y: (held[y], y)) if held else None

    def _ranked_kinds(self, query: Query, by_org: dict[str, list[str]], year: int | None) -> list[str]:
        """The kinds of report to try, the measure asked first (花了 / actual: 决算; 预算 / budget:
        预算), then by how many organisations have one of that year."""
        held = Counter(k for reports in by_org.values()
                       for k in {self.info[r].kind for r in reports if self.years.get(r) == year and r in self.info})
        preferred = {"actual": "决算", "budget": "预算"}.get(query.measure, "")
        if preferred in held:
            return [preferred]
        return sorted(held, key=lambda k: (-held[k], k != "预算")) or [""]

    # ------------------------------------------------------------------ computed answers

    def _change_after(self, level: Fact) -> Fact | None:
        """The change printed right after a level in its sentence, about it (its subject)."""
        # in its sentence, or the next sentence that carries its subject ("2020 年度收、支总计
        # 525.73 万元。与 2019 年度相比，收、支总计各增加 191.10 万元")
        return next((v.fact for v in self._views(level.report)
                     if v.fact.source == "text" and labels_change(v.fact) and v.fact.parents == level.row_label
                     and (v.fact.quote == level.quote or 0 < v.fact.position - level.position <= CHANGE_DISTANCE)
                     and v.fact.position > level.position), None)

    def _change_from_two_levels(self, query: Query) -> dict[str, Any] | None:
        """A change no report prints ("2019年电费比上年少多少"), as the difference of the two years'
        levels, each from its own year's report of the organisation: the comparison of the two,
        both cited; None when the store has no report of the year before, or in per cent."""
        if query.unit_wanted == "percent" or query.op != "value" or len(query.years) > 2 or query.mentioned:
            return None  # (a change the question states itself asks something else: the level before it)
        if OTHER_MEASURE_ASKED_RE.search(query.question):
            return None  # a budget against last year's execution: no other report's budget is that
        later = max(query.years) if query.years else max((self.years.get(r) or 0 for r in query.reports), default=0)
        earlier = min(query.years) if len(query.years) == 2 else later - 1
        orgs = {self.info[r].org for r in query.reports if r in self.info and self.years.get(r) == later}
        if not later or earlier >= later or len(orgs) != 1:
            return None
        kinds = {self.info[r].kind for r in query.reports if r in self.info and self.years.get(r) == later}
        before = [i.name for i in self.catalog if i.org in orgs and i.year == earlier and i.kind in kinds]
        now = [r for r in query.reports if self.years.get(r) == later]
        if not before or not now:
            return None
        result = self._compare(replace(query, op="compare", gap=True, wants_change=False, year_in_text=False,
                                       years=(later, earlier), reports=tuple(now + before)))
        return result if result["status"] == "answered" else None

    def _from_printed_change(self, query: Query) -> dict[str, Any] | None:
        """An earlier year's figure that only a later report gives, as its level and change:
        "因公出国（境）费预算支出199.25万元，比上年预算减少23.25万元" -> 2018: 199.25 + 23.25 =
        222.50. The change must follow the level in its sentence and name the year asked (or
        上年); anything less is no answer."""
        year = min(query.years)
        later = [self.years[r] for r in query.reports if (self.years.get(r) or 0) > year]
        if not later or min(later) != year + 1:
            return None  # a report's printed changes are against the year before it
        reports = [r for r in query.reports if self.years.get(r) == min(later)]  # the next year's report
        level_query = replace(query, year_in_text=False, wants_change=False,
                              years=tuple({self.years[r] for r in reports if self.years.get(r)}))
        ranked = self._rank(level_query, query.metric, reports)
        # a change is printed in the text: the level is a sentence's figure, among the best
        in_text = [g for g in ranked if any(m.fact.source == "text" for m in g.members)]
        if not in_text or in_text[0].score < ranked[0].score - AMBIGUITY_MARGIN:
            return None
        if in_text[0].score < MIN_SCORE:
            return None
        # among the figures as good as the best, the one printed with a change after it (in one of
        # the places it is printed); two such figures are a doubt, and no answer
        found = []
        for group in (g for g in in_text if g.score >= in_text[0].score - AMBIGUITY_MARGIN):
            pairs = [(m.fact, self._change_after(m.fact)) for m in group.members
                     if m.fact.source == "text" and not labels_change(m.fact)]
            pair = next(((f, c) for f, c in pairs if c is not None), None)
            if pair is not None:
                found.append(pair)
        if len({(f.value, c.value) for f, c in found}) != 1:
            return None
        level, change = found[0]
        if change.unit != level.unit:
            return None
        measure = next((v.measure for v in self._views(level.report) if v.fact is level), "")
        actual_asked = query.measure == "actual" or re.search(r"final[\s-]accounts?|决算|actual|执行|spent|spend|花", query.question, re.I)
        if (query.measure and measure and query.measure != measure) or (measure == "budget" and actual_asked):
            return None  # a budget's change gives last year's budget, never last year's actual
        said = f"{change.row_label} {change.quote}"  # "与 2019 年度相比，…各增加": the year may open the sentence
        said_year = str(year) in said.replace(" ", "") or any(w in said for w in EARLIER_YEAR_WORDS)
        up = any(w in change.row_label for w in ("增加", "增长", "上升", "提高"))
        down = any(w in change.row_label for w in ("减少", "下降", "降低"))
        if not said_year or up == down:
            return None
        result = level.value - change.value if up else level.value + change.value
        if result <= 0:
            return None  # grown by its whole amount (a unit new that year): no earlier figure to give
        value = format_value(_at_places(result, level.value, change.value))
        sign = "−" if up else "+"
        arithmetic = f"{_plain(level.raw)} {level.unit} {sign} {_plain(change.raw)} {change.unit} = {value} {level.unit}"
        org = self._org_name(level.report)
        zh = query.lang != "en"
        text = (f"{org}{year}年：按{self.years.get(level.report)}年报告，{self._fact_label(level)} {_plain(level.raw)}{level.unit}，"
                f"“{change.row_label}” {_plain(change.raw)}{change.unit}，故 {arithmetic}。" if zh
                else f"{org} ({year}), from its {self.years.get(level.report)} report: {self._fact_label(level)} "
                     f"{_plain(level.raw)} {level.unit}, “{change.row_label}” {_plain(change.raw)} {change.unit}, "
                     f"so {arithmetic}.")
        return _computed(query, text, value, level.unit, "minus" if up else "sum", arithmetic, [level, change])

    def _resolve(self, query: Query, metric: str, reports: list[str], operand: bool = False,
                 near: Fact | None = None, unlike: Group | None = None) -> tuple[str, list[Group]]:
        """`unlike`: the other operand's figure, whose value this one cannot have (a share's whole
        is not its part, though printed in the part's row and column)."""
        if not operand:
            return self._decide(self._rank(query, metric, reports))
        ranked = self._operand_ranked(query, metric, reports, near)
        if unlike is not None:
            ranked = [g for g in ranked if (g.value, g.unit) != (unlike.value, unlike.unit)]
        status, groups = self._decide(ranked)
        item = query.items[query.operands.index(metric)] if query.items and metric in query.operands else ""
        if status != "answered" and item and item != metric:
            # the setting shared from the other operand may be that operand's alone ("the
            # second-phase work project and the linkage project"): the item by itself
            alone, alone_groups = self._decide(self._operand_ranked(query, item, reports, near))
            if alone == "answered" and _names_item(self._best_fact(alone_groups[0]), item):
                return alone, alone_groups
        if status == "answered" and item and not _names_item(self._best_fact(groups[0]), item):
            # "基本支出 预算 绩效": the setting shared from the other operand named the figure, not
            # the item; the item alone must
            status, groups = self._decide(self._operand_ranked(query, item, reports, near))
            if status == "answered" and not _names_item(self._best_fact(groups[0]), item):
                return "not_found", groups
        return status, groups

    def _operand_ranked(self, query: Query, metric: str, reports: list[str], near: Fact | None = None) -> list[Group]:
        """An operand's figures, ranked. An operand carries its own year ("2023年执行数" in a 2024
        budget: a figure printed with 2023), its own codes ("行政单位医疗（2101101）与事业单位医疗
        （2101102）") and only its own words: glossary terms of the whole question would blur the
        two; its actual is named in the report template's own word."""
        kinds = {self.info[r].kind for r in reports if r in self.info}
        if kinds == {"决算"}:
            metric = metric.replace("全年执行数", "决算数")  # the actual in the template's own word
        elif kinds == {"绩效自评"}:
            metric = metric.replace("决算数", "全年执行数")
        dated = YEAR_RE.match(metric)
        if dated:
            metric = metric[dated.end():].lstrip("年度 ")
            year = int(dated.group(1))
            if all(self.years.get(r) != year for r in reports):
                query = replace(query, years=(year,), year_in_text=True)
        query = replace(query, codes=tuple(CODE_RE.findall(metric)),
                        numbers=tuple(n for n in DIGITS_RE.findall(metric) if not YEAR_RE.fullmatch(n)),
                        measure=asked_measure(metric) or query.measure, wants_change=False)
        return self._rank(query, metric, reports, terms=False, near=near)

    def _pair_in_one_sentence(self, query: Query, files: list[str]) -> tuple[Group, Group] | None:
        """Two operands that one sentence prints together ("年初预算为 1560.05 万元，支出决算为
        1511.89 万元"), when either alone is in doubt: among each side's near-best figures, the one
        pair a sentence holds, if exactly one."""
        sides = []
        for text in query.operands:
            ranked = [g for g in self._operand_ranked(query, text, files) if g.score >= MIN_SCORE]
            if not ranked:
                return None
            sides.append([g for g in ranked if g.score >= ranked[0].score - PAIR_MARGIN][:6])
        pairs = {}
        for ga in sides[0]:
            for gb in sides[1]:
                if ga.value == gb.value:
                    continue
                quotes_a = {m.fact.quote for m in ga.members if m.fact.source == "text"}
                if any(m.fact.source == "text" and m.fact.quote in quotes_a for m in gb.members):
                    pairs[(ga.value, gb.value)] = (ga, gb)
        return next(iter(pairs.values())) if len(pairs) == 1 else None

    def _beside(self, query: Query, text: str, files: list[str], other: Fact, floor: float) -> list[Group]:
        """The figures named by `text`, scoring `floor` or more, that are printed where `other`
        is, each cited there only."""
        return [replace(g, members=tuple(m for m in g.members if _same_place(m.fact, other)))
                for g in self._operand_ranked(query, text, files, near=other)
                if g.score >= floor and any(_same_place(m.fact, other) for m in g.members)]

    def _printed_beside(self, query: Query, text: str, files: list[str], other: Group,
                        tied: tuple[str, list[Group]]) -> tuple[str, list[Group]]:
        """The one figure named by `text` that the sentence printing `other` also prints, cited
        there; else `tied` as it was."""
        fo = self._best_fact(other)
        if fo.source != "text":
            return tied
        beside = [g for g in self._beside(query, text, files, fo, MIN_SCORE) if g.value != other.value]
        return ("answered", beside) if len(beside) == 1 else tied

    def _compute(self, query: Query) -> dict[str, Any]:
        zh = query.lang != "en"
        a_text, b_text = query.operands
        found: list[tuple[str, Group, Group]] = []
        asked = query
        if query.op == "ratio" and self._prints_share(query):
            # the report prints the part's share itself ("住房保障支出（类）29.42 万元，占 9.55%"):
            # its figure, not a recomputation from two figures it rounded
            return self._printed_share(query)
        if query.op in ("ratio", "times"):
            # a share or a multiple is computed from two amounts (or counts): neither operand is a
            # percentage, and "how many times" asks for no count
            query = replace(query, unit_wanted="")
        # the whole a share is taken of is a total (基本支出 合计, the budget's 总计), not a part of it
        query_b = replace(query, wants_total=True) if query.op == "ratio" else query
        for files in self._by_group(query.reports):
            sa, ga = self._resolve(query, a_text, files, operand=True)
            near = self._best_fact(ga[0]) if sa == "answered" else None
            # (a share's whole sits anywhere: the part's row is no hint, its own columns are rivals)
            sb, gb = self._resolve(query_b, b_text, files, operand=True, near=near if query.op != "ratio" else None,
                                   unlike=ga[0] if sa == "answered" and query.op == "ratio" else None)
            if sa != "answered" and sb == "answered":
                # the second found alone: the first may be printed beside it ("年初预算为 …，支出决算为 …")
                sa, ga = self._resolve(query, a_text, files, operand=True, near=self._best_fact(gb[0]))
            if query.op in ("diff", "minus") and {sa, sb} == {"answered", "ambiguous"}:
                # one side found in a sentence, the other tied among figures elsewhere: the
                # figure that sentence prints beside it ("2023年当年预算执行数为711.34万元，2024年
                # 预算安排738.66万元") is the one set against it
                if sa == "ambiguous":
                    sa, ga = self._printed_beside(query, a_text, files, gb[0], (sa, ga))
                else:
                    sb, gb = self._printed_beside(query, b_text, files, ga[0], (sb, gb))
            if (sa == "answered" and sb == "answered" and query.op in ("diff", "minus")
                    and not _same_place(self._best_fact(ga[0]), self._best_fact(gb[0]))):
                # two figures set against each other are taken from one place where one prints
                # both ("年初预算为37.16万元，支出决算为37.66万元"), not one from a table and one from a sentence
                beside = self._beside(query, a_text, files, self._best_fact(gb[0]), ga[0].score - CO_LOCATED_MARGIN)
                if len(beside) == 1:
                    ga = beside  # cited where it stands beside the other
            if sa == "answered" and sb == "answered" and not self._same_figure(ga[0], gb[0]):
                found.append((files[0], ga[0], gb[0]))
            elif "ambiguous" in (sa, sb):
                pair = self._pair_in_one_sentence(query, files)
                if pair is not None:
                    found.append((files[0], *pair))
        if len(found) != 1 and asked.op == "ratio":
            return self._printed_share(asked)  # no two figures to divide
        if len(found) != 1:
            why = ("两个数都能在同一份报告中唯一找到" if zh else "both figures found unambiguously in one report")
            msg = (f"无法计算：没有{'唯一' if found else ''}一份报告满足“{why}”。" if zh
                   else f"Cannot compute: no single report has {why}.")
            return self._not_found(query, msg, [])
        report, group_a, group_b = found[0]
        fa, fb = self._operand_facts(group_a, group_b)
        va, ua = fa.value, fa.unit
        vb, ub = fb.value, fb.unit
        unit = ua
        if ua != ub and ua in UNIT_FACTORS and ub in UNIT_FACTORS:
            unit = "万元"
            va = va * UNIT_FACTORS[ua] / UNIT_FACTORS["万元"]
            vb = vb * UNIT_FACTORS[ub] / UNIT_FACTORS["万元"]
        elif ua != ub and asked.op == "ratio":
            return self._printed_share(asked)  # "what share of people were satisfied": not one count of another
        elif ua != ub:
            return self._not_found(query, "Cannot compute: the two figures have different units "
                                          f"({ua} vs {ub}).", [])
        if query.op == "ratio":
            return self._ratio(query, report, fa, fb, va, vb)
        if query.op == "times":
            return self._times(query, report, fa, fb, va, vb)
        if query.op == "except" and _outside_its_columns(fa, fb):
            return self._without_what_it_never_held(query, fa, fb)
        if query.op == "except" and not 0 <= vb <= va:
            return self._not_a_part(query, fb, fa)
        # 相差 asks how far apart two figures are; 减去 asks for the signed difference
        result = va + vb if query.op == "sum" else (va - vb if query.op in ("minus", "except") else abs(va - vb))
        if query.op == "diff" and vb > va:
            fa, fb, va, vb = fb, fa, vb, va
        result = _at_places(result, va, vb)
        sign = "+" if query.op == "sum" else "−"
        value = format_value(result)
        arithmetic = f"{_plain(fa.raw)} {fa.unit} {sign} {_plain(fb.raw)} {fb.unit} = {value} {unit}"
        la, lb = self._fact_label(fa), self._fact_label(fb)
        org = self._org_name(report)
        text = (f"{org}：{la}（{_plain(fa.raw)}{fa.unit}）{sign}{lb}（{_plain(fb.raw)}{fb.unit}）= {value} {unit}。"
                if zh else f"{org}: {la} ({_plain(fa.raw)} {fa.unit}) {sign} {lb} ({_plain(fb.raw)} {fb.unit}) = {value} {unit}.")
        return _computed(query, text, value, unit, query.op, arithmetic, [fa, fb])

    def _variance(self, query: Query) -> dict[str, Any]:
        """An item's actual against its budget, in the words each kind of report prints them
        with: a 决算 sets 决算数 against 年初预算 (for the whole, 一般公共预算财政拨款支出, the
        figure its template compares); a self-evaluation sets 全年执行数 against 全年预算数 (for
        the whole, its funds' 合计). A budget report prints no actual."""
        zh = query.lang != "en"
        item, direction = query.operands
        # the final accounts' budget the question names: the full-year (adjusted) one, else the initial one
        full_year = re.search(r"全年预算|调整预算|full[- ]year|adjusted", query.question, re.I)
        tried: list[dict[str, Any]] = []
        for files in self._by_group(query.reports):
            kind = self.info[files[0]].kind if files[0] in self.info else ""
            if kind == "决算":
                whole, actual, budget = "一般公共预算财政拨款支出", "决算数", "全年预算" if full_year else "年初预算"
            elif kind == "绩效自评":
                whole, actual, budget = "合计", "全年执行数", "全年预算数"
            else:
                continue
            name = item or whole
            sides = replace(query, reports=tuple(files), operands=(f"{name}{actual}", f"{name}{budget}"))
            if direction in ("larger", "smaller"):
                # "did it exceed its budget? give the larger figure": one of the two, both cited
                result = self._compare_items(replace(sides, op="compare_items", smaller=direction == "smaller"))
            else:
                result = self._compute(replace(sides, op="diff"))
            if result["status"] == "answered":
                tried.append(result)
        if len(tried) == 1:
            return tried[0]
        msg = ("未找到：需要同一份决算或绩效自评报告中该项的预算数和执行数（决算数）。" if zh
               else "Not found: this needs one final-accounts or self-evaluation report printing both the "
                    "budget and the actual of the item.")
        return self._not_found(query, msg, [])

    def _printed_share(self, query: Query) -> dict[str, Any]:
        """A share asked for that two printed figures do not give: one the report prints in words
        ("占 79.49%") may still be it, and only a percentage answers."""
        if self._prints_share(query):
            return self._single(self._share_query(query))
        result = self._single(replace(query, op="value", operands=(), unit_wanted="percent"))
        cited = (result.get("citations") or [{}])[0]
        if (result["status"] == "answered" and query.operands
                and not _names_words(f"{cited.get('row', '')} {cited.get('column', '')}", query.operands[0])):
            # "what share of W went to X": a percentage that never names X (W's own share of
            # something else) is no answer
            return self._not_found(query, self._not_found_text(query), [])
        return result

    def _prints_share(self, query: Query) -> bool:
        """Whether one percentage the report prints is named by the share's part (its own row or
        sentence says the part; "基本支出占 79.49%" is the whole's share of something else)."""
        if not query.operands:
            return False
        status, chosen = self._decide(self._rank(self._share_query(query), f"{query.operands[0]}占", query.reports))
        if status != "answered":
            return False
        fact = self._best_fact(chosen[0])
        # a share that says what it is of names the whole asked ("基本支出占本年支出 45.30%" is no
        # share of 人员经费); one that does not ("物业管理类2023件，占16.16%") is of its paragraph's whole
        named = re.search(r"占(.{2,})$", NOISE_CHARS.sub("", fact.row_label))
        if named and not grams(named.group(1)) & grams(query.operands[1]):
            return False
        return _names_item(fact, query.operands[0])

    @staticmethod
    def _share_query(query: Query) -> Query:
        """The printed share of the part: "卫生健康支出（类）2.71 万元，占 0.88%" asked as the part's 占,
        the whole's words (一般公共预算财政拨款支出) left out, since every share of it prints them."""
        part = query.operands[0] if query.operands else query.metric
        return replace(query, op="value", operands=(), unit_wanted="percent", metric=f"{part}占", terms=())

    def _not_a_part(self, query: Query, part: Fact, whole: Fact) -> dict[str, Any]:
        """A share of, or a remainder from, a whole its part is larger than: no answer."""
        zh = query.lang != "en"
        lp, lw = self._fact_label(part), self._fact_label(whole)
        share = query.op == "ratio"
        msg = (f"无法计算{'占比' if share else ''}：{lp}（{_plain(part.raw)}{part.unit}）不是"
               f"{lw}（{_plain(whole.raw)}{whole.unit}）的一部分。" if zh
               else f"Cannot compute{' the share' if share else ''}: {lp} ({_plain(part.raw)} {part.unit}) "
                    f"is not a part of {lw} ({_plain(whole.raw)} {whole.unit}).")
        return self._not_found(query, msg, [])

    def _without_what_it_never_held(self, query: Query, whole: Fact, other: Fact) -> dict[str, Any]:
        """"“三公”经费小计, excluding 培训费": the total's own column group holds no such cell, so
        the total is the answer as printed; both cited, and the reason said."""
        zh = query.lang != "en"
        lw, lo = self._fact_label(whole), self._fact_label(other)
        value = _plain(whole.raw)
        text = (f"{self._org_name(whole.report)}：{lw}为 {value} {whole.unit}；{lo}（{_plain(other.raw)}{other.unit}）"
                f"不在其内（表中另列一栏），无需扣除。" if zh
                else f"{self._org_name(whole.report)}: {lw} = {value} {whole.unit}; {lo} ({_plain(other.raw)} "
                     f"{other.unit}) is a column of its own, not part of it, so nothing is taken off.")
        return {"status": "answered", "answer": text, "value": value, "unit": whole.unit,
                "citations": [_fact_citation(whole), _fact_citation(other)], "searched": query.searched}

    def _ratio(self, query: Query, report: str, part: Fact, whole: Fact, vp: Decimal, vw: Decimal) -> dict[str, Any]:
        """The share `part` is of `whole`, in per cent to two decimals (the places shares are
        printed with), the division shown; a part larger than its whole is no share."""
        zh = query.lang != "en"
        if vw <= 0 or vp < 0 or vp > vw:
            return self._not_a_part(query, part, whole)
        value = format_value((vp * 100 / vw).quantize(Decimal("0.01")))
        arithmetic = f"{_plain(part.raw)} {part.unit} ÷ {_plain(whole.raw)} {whole.unit} × 100% = {value}%"
        lp, lw = self._fact_label(part), self._fact_label(whole)
        org = self._org_name(report)
        text = (f"{org}：{lp}占{lw}的 {value}%（{arithmetic}，保留两位小数）。" if zh
                else f"{org}: {lp} is {value}% of {lw} ({arithmetic}, to two decimals).")
        return _computed(query, text, value, "%", "ratio", arithmetic, [part, whole])

    def _sum_all(self, query: Query) -> dict[str, Any]:
        """Every operand found in one report, each a figure of its own, and added up, every
        figure cited: a series ("四个季度用款计划合计": 第一季度 … 第四季度, op sum_all) printed
        together in one table and unit, or a list of items ("A、B和C加起来") printed anywhere
        in the report, amounts in 元 and 万元 added in 万元."""
        zh = query.lang != "en"
        series = query.op == "sum_all"
        found: list[list[Fact]] = []
        for files in self._by_group(query.reports):
            facts: list[Fact] = []
            picked: list[Group] = []
            for text in query.operands:
                near = facts[0] if facts else None
                status, groups = self._resolve(query, text, files, operand=True, near=near)
                if status != "answered":
                    break
                # of the places printing this figure, the one naming this operand's own words
                # (four quarters of 158.05 each are four figures, not one)
                named = [m.fact for m in groups[0].members if _names_item(m.fact, text.split()[0])]
                fact = next((f for f in named or ([] if series else [m.fact for m in groups[0].members])
                             if f not in facts), None)
                if fact is None or (not series and any(self._same_figure(groups[0], g) for g in picked)):
                    break  # (two items of a list found as one figure: one of them is not found)
                facts.append(fact)
                picked.append(groups[0])
            if len(facts) == len(query.operands):
                found.append(facts)
        units = {f.unit for f in found[0]} if len(found) == 1 else set()
        money = len(units) > 1 and units <= set(UNIT_FACTORS)
        # (the four figures of one series are printed together: one table or section, one unit)
        if len(found) != 1 or (len(units) != 1 and not (money and not series)) or (
                series and len({f.table for f in found[0]}) != 1):
            msg = ("无法计算：没有一份报告能唯一找到每一项（同一单位）。" if zh
                   else "Cannot compute: no single report has every figure, in one unit, found unambiguously.")
            return self._not_found(query, msg, [])
        facts = found[0]
        unit = "万元" if money else facts[0].unit
        values = [f.value * UNIT_FACTORS[f.unit] / UNIT_FACTORS[unit] if money else f.value for f in facts]
        if not series and (unit == "%" or any(2 * v == sum(values) for v in values)):
            # shares are not added; and an item that is the others' total ("基本支出、人员经费和
            # 公用经费") would count them twice
            msg = ("无法计算：百分比不能相加，或其中一项是其余各项的合计。" if zh
                   else "Cannot add these: percentages do not add up, or one item is the total of the others.")
            return self._not_found(query, msg, [])
        total = _at_places(sum(values, Decimal(0)), *values)
        value = format_value(total)
        arithmetic = " + ".join(f"{_plain(f.raw)}{' ' + f.unit if money else ''}" for f in facts) + f" = {value} {unit}"
        org = self._org_name(facts[0].report)
        labels = "、".join(self._fact_label(f) for f in facts)
        text = (f"{org}：{labels}合计 {value} {unit}（{arithmetic}）。" if zh
                else f"{org}: {labels} add up to {value} {unit} ({arithmetic}).")
        return _computed(query, text, value, unit, "sum", arithmetic, facts)

    def _times(self, query: Query, report: str, a: Fact, b: Fact, va: Decimal, vb: Decimal) -> dict[str, Any]:
        """How many times `b` is `a`: a ÷ b to two decimals, the division shown."""
        zh = query.lang != "en"
        if vb <= 0 or va < 0:
            msg = ("无法计算倍数：除数为零或为负。" if zh else "Cannot compute the multiple: the divisor is zero or negative.")
            return self._not_found(query, msg, [])
        value = format_value((va / vb).quantize(Decimal("0.01")))
        arithmetic = f"{_plain(a.raw)} {a.unit} ÷ {_plain(b.raw)} {b.unit} = {value}"
        la, lb = self._fact_label(a), self._fact_label(b)
        org = self._org_name(report)
        text = (f"{org}：{la}是{lb}的 {value} 倍（{arithmetic}，保留两位小数）。" if zh
                else f"{org}: {la} is {value} times {lb} ({arithmetic}, to two decimals).")
        return _computed(query, text, value, "倍", "times", arithmetic, [a, b])

    def _compare_items(self, query: Query) -> dict[str, Any]:
        """Two items of one report ("服务采购和货物采购哪个多"): each found on its own, the larger
        (or smaller) answered, both cited."""
        zh = query.lang != "en"
        sides: list[Fact] = []
        for text in query.operands:
            status, groups = self._resolve(query, text, list(query.reports), operand=True)
            if status != "answered":
                msg = (f"无法比较：“{text}”的数字找不到或不唯一。" if zh
                       else f"Cannot compare: no single figure for “{text}”.")
                return self._not_found(query, msg, groups if status == "not_found" else [])
            side = self._best_fact(groups[0])
            if _total_for_a_part(query, text, side):
                msg = (f"无法比较：“{text}”只找到总数，没有这一项的数字。" if zh
                       else f"Cannot compare: only a total was found for “{text}”, not the item itself.")
                return self._not_found(query, msg, [])
            sides.append(side)
        values = [canonical(f) for f in sides]
        if values[0][1] != values[1][1]:
            return self._not_found(query, "Cannot compare figures in different units.", [])
        pick = (min if query.smaller else max)(range(2), key=lambda i: values[i][0])
        fact = sides[pick]
        parts = "；".join(f"{self._fact_label(f)} {_plain(f.raw)} {f.unit}" for f in sides)
        org = self._org_name(fact.report)
        if zh:
            text = f"{org}：{'较小' if query.smaller else '较大'}的是{self._fact_label(fact)}，{_plain(fact.raw)} {fact.unit}（{parts}）。"
        else:
            text = (f"{org}: {'smaller' if query.smaller else 'larger'} is {self._fact_label(fact)}, "
                    f"{_plain(fact.raw)} {fact.unit} ({parts}).")
        return {"status": "answered", "answer": text, "value": _plain(fact.raw), "unit": fact.unit,
                "citations": [_fact_citation(f) for f in sides],
                "comparison": [{"label": self._fact_label(f), "value": _plain(f.raw), "unit": f.unit,
                                "report": f.report, "status": "answered"} for f in sides],
                "searched": query.searched}

    def _compare(self, query: Query) -> dict[str, Any]:
        zh = query.lang != "en"
        sides: dict[str, list[str]] = {}
        info = [self.info[r] for r in query.reports]
        if len(query.orgs) >= 2:
            for district in query.orgs:
                sides[district] = [i.name for i in info if i.district == district]
            if not query.years:
                # no year named: the organisations are compared in the latest year all of them
                # have a report of, never one year's figure against another's
                held = [{self.years.get(r) for r in reports} - {None} for reports in sides.values()]
                common = set.intersection(*held) if held and all(held) else set()
                if not common:
                    years = "；".join(f"{side} {'、'.join(str(y) for y in sorted(h))}" for side, h in zip(sides, held, strict=True))
                    msg = (f"无法比较：各单位没有同一年的报告（{years}），请指明年份。" if zh
                           else f"Cannot compare: the organisations have no report of one year ({years}); name the year.")
                    return self._not_found(query, msg, [])
                sides = {side: [r for r in reports if self.years.get(r) == max(common)] for side, reports in sides.items()}
        elif len(query.years) >= 2:
            for year in query.years:
                sides[str(year)] = [i.name for i in info if self.years.get(i.name) == year]
        else:
            for i in info:
                sides.setdefault(f"{i.district or i.org} {self.years.get(i.name) or ''} {i.kind}".strip(), []).append(i.name)
        rows: list[dict[str, Any]] = []
        cites: list[dict[str, Any]] = []
        measures = self._year_measures(query) if len(query.orgs) < 2 and len(query.years) >= 2 else {}
        if measures:
            sides = {str(y): sides.get(str(y), []) for y in query.years}
        resolved: list[tuple[str, list[str], str, list[Group], Query, str]] = []
        for side, reports in sides.items():
            asked, metric = query, query.metric
            if side in measures:
                # each year with its own measure, and the metric without the other year's word
                metric = " ".join(w for w in (MEASURE_WORD_RE.sub(" ", metric).split()) if w not in ("和", "与"))
                metric = f"{metric} {'执行数' if measures[side] == 'actual' else '预算'}"
                asked = replace(query, measure=measures[side])
                if not reports or (measures[side] == "actual" and all(self.info[r].kind == "预算" for r in reports)):
                    # "24年预算和23年执行数": a budget report prints no actual of its own year; the
                    # next year's budget prints it, with its year ("2023年当年预算执行数为…")
                    reports = [r for r in query.reports if (self.years.get(r) or 0) > int(side)]
                    asked = replace(asked, years=(int(side),), year_in_text=True)
            if not reports:
                continue
            status, groups = self._resolve(asked, metric, reports)
            if status == "answered" and asked.measure == "actual" and self._only_measure(groups[0], "budget"):
                status = "not_found"  # a budget is never the actual asked for
            resolved.append((side, reports, status, groups, asked, metric))
        for side, reports, status, groups, asked, metric in resolved:
            others = [self._best_fact(gs[0]) for s, _, st, gs, _, _ in resolved if s != side and st == "answered"]
            if status == "ambiguous" and len(others) == 1 and others[0].source == "text" and len(query.orgs) < 2:
                # "24年预算和23年执行数哪个高": the figures tied for one side give way to the one
                # printed in the sentence the other side's is printed in ("2023年…执行数为711.34
                # 万元，2024年预算安排738.66万元"): like set against like
                # (only when that sentence is about the item asked, and the figure cited is the
                # sentence's own)
                beside = [replace(g, members=tuple(m for m in g.members if _same_place(m.fact, others[0])))
                          for g in self._rank(asked, metric, reports)
                          if g.score >= MIN_SCORE and g.value != others[0].value
                          and any(_same_place(m.fact, others[0]) for m in g.members)]
                if len(beside) == 1 and _about_item(others[0], metric):
                    status, groups = "answered", beside
            if status != "answered":
                rows.append({"label": side, "value": None, "unit": "", "report": reports[0], "status": status})
                continue
            fact = self._best_fact(groups[0])
            value, unit = groups[0].value, groups[0].unit
            rows.append({"label": side, "value": _plain(fact.raw), "unit": fact.unit, "report": fact.report,
                         "canonical": format_value(value), "canonical_unit": unit, "status": "answered",
                         "org": self._org_name(fact.report), "year": self.years.get(fact.report),
                         "metric": self._fact_label(fact)})
            cites.append(_fact_citation(fact))
        answered = [r for r in rows if r["status"] == "answered"]
        if len(answered) < 2:
            msg = ("无法比较：至少两方中有一方的数字找不到或不唯一。" if zh
                   else "Cannot compare: a figure is missing or ambiguous for one side.")
            return {**self._not_found(query, msg, []), "comparison": rows}
        units = {r["canonical_unit"] for r in answered}
        if len(units) != 1:
            return {**self._not_found(query, "Cannot compare figures in different units.", []), "comparison": rows}
        if query.gap and len(answered) == 2:
            return self._gap(query, answered, rows, cites)
        smaller = query.smaller
        pick = (min if smaller else max)(answered, key=lambda r: Decimal(r["canonical"]))
        parts = [f"{r['org']} {r['year']}: {r['value']} {r['unit']}" for r in answered]
        if zh:
            text = f"{'较小' if smaller else '较大'}的是{pick['org']}（{pick['year']}年），{pick['metric']}为 {pick['value']} {pick['unit']}。比较：" + "；".join(parts) + "。"
        else:
            text = (f"{'Smaller' if smaller else 'Larger'}: {pick['org']} ({pick['year']}), {pick['metric']} = "
                    f"{pick['value']} {pick['unit']}. Compared: " + "; ".join(parts) + ".")
        return {"status": "answered", "answer": text, "value": pick["value"], "unit": pick["unit"],
                "citations": cites, "comparison": rows, "searched": query.searched}

    @staticmethod
    def _year_measures(query: Query) -> dict[str, str]:
        """What each year of a comparison asks for, in the words after it: "2024年预算和2023年执行数"
        -> {"2024": budget, "2023": actual}; a year with no measure word of its own is left out."""
        marks = [(m.start(), m.group(1)) for m in re.finditer(r"(20\d{2})\s*年", query.question)]
        out: dict[str, str] = {}
        for k, (at, year) in enumerate(marks):
            end = marks[k + 1][0] if k + 1 < len(marks) else len(query.question)
            measure = asked_measure(query.question[at:end])
            if measure:
                out.setdefault(year, measure)
        return out if len(set(out.values())) > 1 else {}

    def _only_measure(self, group: Group, measure: str) -> bool:
        """Every place the figure is printed measures `measure` (budget, actual)."""
        return all(fact_measure(m.fact, self.info[m.fact.report].kind if m.fact.report in self.info else "") == measure
                   for m in group.members)

    def _gap(self, query: Query, answered: list[dict[str, Any]], rows: list[dict[str, Any]],
             cites: list[dict[str, Any]]) -> dict[str, Any]:
        """"2025 vs 2024, down by how much?": the larger less the smaller, both cited."""
        zh = query.lang != "en"
        big, small = sorted(answered, key=lambda r: Decimal(r["canonical"]), reverse=True)
        a, b = Decimal(big["canonical"]), Decimal(small["canonical"])
        unit = big["canonical_unit"] if big["canonical_unit"] in UNIT_FACTORS else big["unit"]
        value = format_value(_at_places(a - b, a, b))
        arithmetic = f"{format_value(a)} {unit} − {format_value(b)} {unit} = {value} {unit}"
        sides = [f"{r['org']} {r['year']}: {r['value']} {r['unit']}" for r in (big, small)]
        text = (f"相差 {value} {unit}（{arithmetic}）。比较：" + "；".join(sides) + "。" if zh
                else f"The difference is {value} {unit} ({arithmetic}). Compared: " + "; ".join(sides) + ".")
        return {"status": "answered", "answer": text, "value": value, "unit": unit, "citations": cites,
                "comparison": rows, "searched": query.searched,
                "computation": {"op": "diff", "expression": arithmetic, "operands": cites}}

    # ------------------------------------------------------------------ helpers

    def _same_figure(self, a: Group, b: Group) -> bool:
        """Two operands resolved to one printed figure (the same cell, or the same value in the
        same row): the question's two names were not told apart, and A − A says nothing."""
        fa, fb = self._best_fact(a), self._best_fact(b)
        if (fa.report, fa.position) == (fb.report, fb.position):
            return True
        if a.value != b.value:
            return False
        # one value under one name twice ("项目支出 149.19" in the text, "（2）项目支出 · 全年执行数
        # 149.19" in the table): the measures the question told apart were not found apart
        core_a, core_b = (re.sub(r"[\W\d（）()一二三四五六七八九十]", "", own_label(f)) for f in (fa, fb))
        return bool(core_a and core_b) and (core_a in core_b or core_b in core_a)

    def _by_group(self, reports: tuple[str, ...] | list[str]) -> list[list[str]]:
        """Reports as the files of each report: [[narrative, tables], [other]]."""
        out: dict[str, list[str]] = {}
        for report in reports:
            out.setdefault(self.groups.get(report, report), []).append(report)
        return list(out.values())

    def _one_name(self, query: Query) -> bool:
        """Whether the two operands of a sum are one printed name (社会保障和就业支出)."""
        if len(query.operands) != 2:
            return False
        a, b = (re.sub(r"\s+", "", x) for x in query.operands)
        return any(f"{a}和{b[:2]}" in label or f"{a}与{b[:2]}" in label for label in self.joined_labels)

    @staticmethod
    def _best_fact(group: Group) -> Fact:
        """The place to cite for a figure: a table cell before a sentence, among the places that
        match the question about as well as the best (a 0.00 in some other row is no citation
        for a 0 the report states in words)."""
        near = [s for s in group.members if s.score >= group.score - AMBIGUITY_MARGIN]
        if not any(s.fact.unit for s in near):
            # cells whose table's 单位 was not read, grouped with the same figure printed with its
            # unit: cite that one, which says what the figure is in
            near = [s for s in group.members if s.fact.unit] or near
        # a cell that says its unit before one whose table's 单位 was not read
        return max(near, key=lambda s: (bool(s.fact.unit), s.fact.source == "table", s.score)).fact

    @staticmethod
    def _operand_facts(a: Group, b: Group) -> tuple[Fact, Fact]:
        """The printings of two figures to compute with: each its best place, unless they are
        printed in different units and both are also printed in one unit (950.12 万元 in the text
        is 9,501,164 元 in the table, beside a 12,121,164 元 total): then that unit's, the finest
        such, so neither side is a rounding of the other's unit."""
        fa, fb = Answerer._best_fact(a), Answerer._best_fact(b)
        if fa.unit == fb.unit or fa.unit not in UNIT_FACTORS or fb.unit not in UNIT_FACTORS:
            return fa, fb
        units_a = {s.fact.unit: s.fact for s in sorted(a.members, key=lambda s: -s.score) if s.fact.unit}
        units_b = {s.fact.unit: s.fact for s in sorted(b.members, key=lambda s: -s.score) if s.fact.unit}
        shared = sorted((set(units_a) & set(units_b)) & set(UNIT_FACTORS), key=lambda u: UNIT_FACTORS[u])
        return (units_a[shared[0]], units_b[shared[0]]) if shared else (fa, fb)

    def _report_words(self, report: str) -> str:
        """A report as an English sentence names it: "the 2020 final accounts", "the 2024 budget"."""
        info = self.info.get(report)
        kind = EN_REPORT_KINDS.get(info.kind if info else "", "report")
        year = self.years.get(report)
        return f"the {year} {kind}" if year else f"the {kind}"

    def _org_name(self, report: str) -> str:
        info = self.info.get(report)
        return info.org if info and info.org else report

    def _org_list(self) -> str:
        # a report with neither district nor organisation is listed by its file name, never as ""
        return "、".join(sorted({i.district or i.org or i.name for i in self.catalog})) or "(none)"

    def _fact_label(self, fact: Fact) -> str:
        """What a figure is, as a reader would say it: the row and its column ("电费（公用经费 /
        决算数）"), without the row number the layout split ("30 20") or the organisation's own
        name ("…办事处（部门）共有车辆" -> "共有车辆")."""
        if fact.source == "table":
            row = LEADING_DIGITS_RE.sub("", fact.row_label).strip()
            path = [p.strip() for p in fact.column.split("/") if p.strip()]
            if row and path and _is_total_label(row) and not _is_total_label(path[-1]):
                # the total of a column reads as the column's total: "基本支出合计（支出预算）",
                # not "合计（支出预算 / 基本支出）"
                return f"{path[-1]}{row}" + (f"（{' / '.join(path[:-1])}）" if path[:-1] else "")
            if row and fact.column:
                return f"{row}（{fact.column}）"
            return row or fact.column or fact.table
        label = re.sub(r"^(?:截至\s*)?20\d{2}\s*年度?\s*|^[一二三四五六七八九十]是", "", own_label(fact)).strip()
        info = self.info.get(fact.report)
        for name in sorted((a for a in (info.aliases if info else ()) if len(a) >= 4 and not a.isascii()),
                           key=len, reverse=True):
            if label.startswith(name) and len(label) > len(name) + 1:
                label = re.sub(r"^[（(][^）)]{1,6}[）)]", "", label[len(name):]).strip()
                break
        # the sentence's own verb is no part of the name ("满意度达" + "为" would read "满意度达为")
        label = re.sub(r"(?:达到|达|为|是|共计|约)+$", "", label)
        if fact.column and fact.column != NONE_STATED and fact.column not in label:
            label += fact.column  # what a count counts: "串联全区" + "网格", not "串联全区为 1274 个"
        return label or fact.row_label or fact.quote[:30]

    @staticmethod
    def _other_units(group: Group, shown: Fact, zh: bool = True) -> str:
        """The same figure as printed in other units ("另印作 3807295.58 元"; in an English
        sentence " (also printed as 3807295.58 元)")."""
        units = sorted({f"{_plain(m.fact.raw)} {m.fact.unit}" for m in group.members
                        if m.fact.unit and m.fact.unit != shown.unit})
        if not units:
            return ""
        return f"（另印作 {'、'.join(units)}）" if zh else f" (also printed as {', '.join(units)})"

    def _not_found_text(self, query: Query) -> str:
        zh = query.lang != "en"
        names = ("、" if zh else ", ").join(
            self._org_name(r) + f"{self.years.get(r) or ''}" for r in query.reports[:4])
        unplaced = query.searched.get("unplaced") or []
        asked = [y for y in query.years if y]
        # a year asked that no searched report is of: say so first, so that the reports named
        # after it are read as the ones searched instead, not as the year asked
        no_year = bool(asked) and not any(self.years.get(r) in asked for r in query.reports)
        years = "、".join(str(y) for y in asked)
        if zh:
            lead = f"库中没有该单位{years}年的报告；" if no_year else ""
            extra = f"（未能理解的词：{'、'.join(unplaced)}）" if unplaced else ""
            return f"未找到：{lead}在 {names} 中没有与“{query.metric}”明确对应的数字。{extra}"
        lead = f"the store has no {years} report of this organisation, and " if no_year else ""
        extra = f" Words not in the vocabulary: {', '.join(unplaced)}." if unplaced else ""
        return f"Not found: {lead}no figure in {names} clearly matches “{query.metric}”.{extra}"

    @staticmethod
    def _error(reason: str) -> dict[str, Any]:
        return {"status": "error", "error": reason, "answer": reason, "value": None, "unit": "",
                "citations": []}

    def _not_found(self, query: Query | None, text: str, nearest: list[Group]) -> dict[str, Any]:
        return {
            "status": "not_found", "answer": text, "value": None, "unit": "", "citations": [],
            "nearest": [
                {"value": _plain(self._best_fact(g).raw), "unit": self._best_fact(g).unit,
                 "score": round(g.score, 3), **_fact_citation(self._best_fact(g))}
                for g in nearest
            ],
            "searched": query.searched if query else {},
        }

    def _which_organisation(self, query: Query, text: str, reports: list[str] | tuple[str, ...]) -> dict[str, Any]:
        """The question names no organisation, and several organisations' reports have a figure
        for it (or, over a large store, are all candidates, unsearched): ambiguous, not absent.
        The organisations are listed, not their figures, so that no figure of an organisation
        the user did not mean is shown as an answer."""
        organisations = sorted({self._org_name(r) for r in reports})
        return {"status": "ambiguous", "answer": text, "value": None, "unit": "", "citations": [],
                "candidates": [], "organisations": organisations[:MAX_LISTED_ORGS],
                "searched": query.searched}

    def _ambiguous(self, query: Query, groups: list[Group]) -> dict[str, Any]:
        zh = query.lang != "en"
        candidates: list[dict[str, Any]] = []
        for g in groups:
            fact = self._best_fact(g)
            candidates.append({"value": _plain(fact.raw), "unit": fact.unit, "score": round(g.score, 3),
                               "label": self._fact_label(fact), "citations": _citations(g, 2)})
        listing = "；".join(f"{c['value']} {c['unit']}（{c['citations'][0]['report']}：{c['citations'][0]['locator']}）" for c in candidates)
        text = (f"有多个数字同样符合，请指明：{listing}。" if zh
                else f"Several figures match equally well; please narrow the question: {listing}.")
        return {"status": "ambiguous", "answer": text, "value": None, "unit": "",
                "citations": [c for cand in candidates for c in cand["citations"][:1]],
                "candidates": candidates, "searched": query.searched}
