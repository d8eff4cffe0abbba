"""Query + facts -> ranked candidate figures, grouped by value (lookup_facts).

Matching is on Chinese character bigrams weighted by rarity across all fact labels in the
store (a bigram such as 支出 that labels half the facts says little; 公积 says a lot). A fact
scores by how much of the question's metric its row label and column name cover, how much of
its own label the question names, and its context (table title, sentence) as a weaker signal.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property, lru_cache

from index.facts import NONE_STATED, RELATION_WORDS_RE, relation_only
from index.grams import CJK_RUN_RE, NOISE_CHARS, grams, label_frequencies
from index.models import Fact
from index.numbers import UNIT_FACTORS
from qa.glossary import GENERIC_WORDS, MONEY_UNITS, is_count_unit
from qa.query import CHANGE_WORDS, FUND_NAMES_RE, Query

YEAR_IN_TEXT_RE = re.compile(r"(20\d{2})\s*年")
RATIO_WORDS = ("占", "比例", "比重", "完成", "执行率", "率")
TOTAL_LABELS = ("合计", "总计", "小计")
TOTAL_COLUMN_RE = re.compile(r"^(合计|小计|总计|金额|决算数|预算数|本年支出合计|本年收入合计|本年支出小计)$")
# Any organisation named in a label ("武昌区社会管理网格化服务中心" in brackets after another name)
ORG_PHRASE_RE = re.compile(
    r"(?:[\u4e00-\u9fa5]{2}[省市])?[\u4e00-\u9fa5]{2}区[\u4e00-\u9fa5]{0,14}?(?:服务中心|管理中心|中心|工作部|办公室|委员会)"
)
GENERIC_LONGEST_FIRST = sorted(GENERIC_WORDS, key=len, reverse=True)
QUOTED_LABEL_BONUS = 0.08  # above the answerer's ambiguity margin (0.06): a quoted name settles a tie
DATED_FIGURE_BONUS = 0.1
FUNCTION_CHARS = frozenset("的为了是在和与及给")
COUNTED_BONUS, COUNTED_PENALTY = 0.25, 0.15  # a count of the noun asked, of another noun
REVENUE_FOR_SPENDING = 0.03  # a tie-break among cells printing one figure
SPENDING_RE = re.compile(r"支出|花|用了|开支|spen[dt]|expenditure|outturn|paid|pay\b", re.I)
REVENUE_RE = re.compile(r"收入|收支|revenue|income", re.I)
TOTAL_CUE_BONUS = 0.1
SCORE_WEIGHTS = r"分值|权重|满分"  # what a self-evaluation item could score
SCORE_WEIGHT_RE = re.compile(rf"(?:^|/)\s*(?:{SCORE_WEIGHTS})\s*$")
# a self-evaluation's points column (得分, 分值 …): its unit-less integers are points, never counts
SCORE_COLUMN_RE = re.compile(rf"(?:^|/)\s*(?:得分|评分|分数|{SCORE_WEIGHTS})\s*$")
SCORE_WEIGHT_ASKED_RE = re.compile(r"分值|权重|满分|weight|maximum|max\b|full marks|out of", re.I)
QUALIFIER_WEIGHT = 0.2  # how much "X" of "X的Y" tells figures of the same Y apart
MENTIONED_BONUS = 0.05
ROW_ADDS_PENALTY = 0.5  # 电费 asked, the row is 邮电费: another item
OTHER_PENALTY = 0.3  # 其他X asked, X found
COUNTED_NOUN_BONUS = 0.1  # above the ambiguity margin: the count whose noun is said, among its sentence's
KIND_MEASURE_PENALTY = 0.15  # a budget figure, where only the final accounts are named
ACQUIRED_RE = re.compile(r"购置|购买|新购|新增")  # a figure of what is bought, not held
ACQUIRING_ASKED_RE = re.compile(r"购|买|新增|添置|\b(?:buy|bought|purchas\w*|acquir\w*|new)\b", re.I)
ACQUIRED_PENALTY = 0.1  # what is bought, where what is held is asked
# 未完成, 没花完, 不满意, 非税; not the 不 of 不含 / 不包括 / 不计 (what a figure leaves out), of
# 不只 / 不仅 / 不光 (not only) or 不论 / 不管 (whatever)
NEGATION_RE = re.compile(r"(?:[未没]|不(?![含包计算同变是只仅光单但论管])|非(?!常))(?=[\u4e00-\u9fa5])")
SENTENCE_HEAD_PENALTY = 0.2  # another figure of the sentence is named by the question's last word
# "邮电费" asked of a row named 电费: a narrower item than the row
LONGER_NAME_PENALTY = 0.3
SIBLING_PENALTY = 0.3  # a coded row beside the coded item the question names (行政单位医疗 for 事业单位医疗)
CHILD_NAMED_BONUS = 0.1  # above the ambiguity margin: a child named with its parent is the child
MAX_MODIFIER = 2  # characters a modifier of a row's name has (邮 of 邮电费, 日常 of 日常公用经费)
JOINING_CHARS = frozenset("的中里内和与及或、在是为项占年度")
MEASURE_WORDS = ("执行数", "实际", "安排", "当年", "本年", "上年", "项目", "实际数", "完成", "计划")
# "（不是劳务派遣那个）": a figure whose own name holds this much of what the question rules out
AVOIDED_COVER = 0.6
AVOIDED_PENALTY = 0.4
# "本部门无纳入预算管理的非税收入" answers a question about 非税收入, not one about 收入预算 (which
# shares only the 入预 across 纳入|预算 with it): a report's "there is none of X" needs this share of
# X's own words in the question
NONE_STATED_COVER = 0.2
NAMED_TABLE_COVER = 0.8  # a table title holding this share of the table the question names is that table
TOTAL_WORDS_RE = re.compile("合计|小计|总计")
AS_OF_RE = re.compile(r"(?:截至|截止)\s*(?:20\d{2})\s*年")
TOTAL_LABEL_RE = re.compile(r"(?:合计|总计|小计|总额|共计|总数|总预算|总支出|总收入)(?:均为|为|是|达)?$")
# "一、差旅费", "（一）工资": a row's numbering, printed with its punctuation
ROW_NUMBER_RE = re.compile(r"^\s*(?:[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+[、.．])\s*")
# "30 20 电费", "3 9 其他": a 科目 code or row number printed before the name, split by the layout
LEADING_DIGITS_RE = re.compile(r"^[\d\s.、]+(?=[\u4e00-\u9fff])")


@dataclass(frozen=True)
class FactView:
    """A fact with its match features computed once at load (org names taken out of labels:
    '劳务派遣人员工作经费硚口区…本级' is matched as '劳务派遣人员工作经费…本级')."""

    fact: Fact
    label: frozenset[str]
    column: frozenset[str]
    context: frozenset[str]
    parents: frozenset[str]
    quote: frozenset[str]
    table: frozenset[str]
    hay: str
    label_years: frozenset[int]
    crowded: bool  # an unnamed column in a row of several figures
    first_in_row: bool
    total_column: bool
    measure: str  # budget | actual | target | ''
    plain_label: str = ""  # the label without punctuation, as a question would quote it
    plain_column: str = ""  # the header path the same way

    @cached_property
    def unnumbered_label(self) -> str:
        """The row's name without its code or numbering (一、差旅费 -> 差旅费), read once per fact."""
        return NOISE_CHARS.sub("", ROW_NUMBER_RE.sub("", LEADING_DIGITS_RE.sub("", self.fact.row_label)))

    @cached_property
    def own_name(self) -> frozenset[str]:
        """The figure's own name: its row's, or for a cell its row does not name (a 三公 table's
        row of columns) its column's. A word its row shares with its column counts once (基本工资
        under 基本支出 is not named by 基本支出), unless the row restates its column with a total
        word (人员经费合计 under 人员经费); a total header (小计 of 公务用车购置及运行费) names nothing.
        Read once per fact, not once per question."""
        column = self.fact.column
        if self.label:
            restated = bool(self.plain_label) and TOTAL_WORDS_RE.sub("", self.plain_label) in NOISE_CHARS.sub("", column)
            return self.label if restated else (self.label - self.column) or self.label
        return frozenset() if is_total_column(column) else frozenset(grams(leaf_column(column)))


def label_core(label: str) -> str:
    """A sentence label less its relation words: '收入支出总计增加' -> '收入支出总计'."""
    return RELATION_WORDS_RE.sub("", label)


def own_label(fact: Fact) -> str:
    """What the figure is of. A figure labelled by relation words alone has its subject in the
    clause before: "提租补贴（项）1549.82万元，与上年相比增加531.81万元", "养老保险支出。年初预算
    为452.40万元，支出决算为446.11万元"."""
    # (已完成 is 完成 done: the aspect word adds no subject of its own)
    if fact.source == "text" and fact.parents and relation_only(fact.row_label.removeprefix("已")):
        return f"{fact.parents} {fact.row_label}"
    return fact.row_label


def fact_measure(fact: Fact, report_kind: str) -> str:
    """Budget, actual or target, read from the column, then the row label, then the table
    title (a sentence's: its subject), then the kind of report (a 决算's own figures are actuals)."""
    # a sentence's figure without a measure of its own takes its subject's ("年初项目支出预算数为…，分别为
    # 网格热线专项经费57万元": a budget)
    places = [fact.column, fact.row_label] if fact.source == "table" else [fact.row_label, fact.parents]
    if fact.source == "table":
        places.append(fact.table)
    for text in places:
        # (预算执行数, 当年预算执行数: what was spent of a budget, an actual)
        text = FUND_NAMES_RE.sub("", text).replace("预算执行", "执行")
        if not text:
            continue
        if "目标" in text:
            return "target"
        actual = any(w in text for w in ("决算", "执行数", "实际", "完成值"))
        budget = "预算" in text
        if actual != budget:
            return "actual" if actual else "budget"
    return {"决算": "actual", "预算": "budget"}.get(report_kind, "")


NUMBERED_SEGMENT_RE = re.compile(r"^\s*[一二三四五六七八九十]+、")
MISREAD_HEADER_SEGMENTS = 3  # numbered headings in one cell's column path: a run of headers misread


def readable_column(column: str) -> str:
    """The column path, or "" when it strings numbered headings of several columns together
    ("业支出 / 九、医疗卫生与计划生育支出 / 十、节能环保支出 / 十一、城乡社区支出 / …", a
    rotated page's header read as one): it then says nothing of which column a figure is in."""
    numbered = sum(bool(NUMBERED_SEGMENT_RE.match(part)) for part in column.split(" / "))
    return "" if numbered >= MISREAD_HEADER_SEGMENTS else column


def make_views(
    facts: list[Fact], org_words: dict[str, list[str]], kinds: dict[str, str] | None = None
) -> list[FactView]:
    """`org_words` maps a report to its own organisation's names: a label mentions its own
    organisation, so only those are stripped (linear in facts, whatever the store's size)."""
    kinds = kinds or {}
    words = {r: sorted({w for w in ws if len(w) >= 3}, key=lambda w: (-len(w), w)) for r, ws in org_words.items()}
    strip_cache: dict[str, list[str]] = {}

    def strip(text: str, report: str) -> str:
        # whole organisation phrases first: once its district is taken out of
        # "武昌区社会管理网格化服务中心" the phrase is no longer recognised
        text = ORG_PHRASE_RE.sub(" ", text)
        for w in strip_cache.setdefault(report, words.get(report, [])):
            if w in text:
                text = text.replace(w, " ")
        return text

    crowd: Counter[tuple[str, str, str, str]] = Counter()
    first: dict[tuple[str, str, str, str], int] = {}
    # "截止2022年12月31日，本部门流动资产…。固定资产…；在建工程1项12277.73万元": a paragraph's date
    # holds for the figures after it in its section
    dated: dict[int, str] = {}
    section_date: dict[tuple[str, str], str] = {}
    for f in sorted((f for f in facts if f.source == "text"), key=lambda f: (f.report, f.position)):
        section = (f.report, f.table)
        found = AS_OF_RE.search(f.quote)
        if found:
            section_date[section] = found.group(0)
        elif YEAR_IN_TEXT_RE.search(f.quote):
            section_date.pop(section, None)  # a sentence of a year of its own ends the dated paragraph
        elif section in section_date:
            dated[f.position] = section_date[section]
    for f in facts:
        if f.source == "table":
            key = (f.report, f.table, f.row_label, f.quote)
            first.setdefault(key, f.position)
            if not f.column:
                crowd[key] += 1
    return [
        FactView(
            fact=f,
            label=frozenset(grams(strip(LEADING_DIGITS_RE.sub("", f.row_label) if f.source == "table" else own_label(f), f.report))),
            column=frozenset(grams(readable_column(f.column))),
            context=frozenset(grams(f"{f.table} {f.parents}")),
            parents=frozenset(grams(f.parents)),
            quote=frozenset(grams(strip(f.quote, f.report))) if f.source == "text" else frozenset(),
            table=frozenset(grams(f.table)),
            hay=f"{f.row_label} {f.column} {f.quote} {f.table} {f.code} {f.parents} {dated.get(f.position, '') if f.source == 'text' else ''}",
            label_years=frozenset(int(y) for y in YEAR_IN_TEXT_RE.findall(f.row_label)),
            crowded=f.source == "table" and not f.column and crowd[(f.report, f.table, f.row_label, f.quote)] > 1,
            first_in_row=first.get((f.report, f.table, f.row_label, f.quote)) == f.position,
            total_column=is_total_column(f.column),
            measure=fact_measure(f, kinds.get(f.report, "")),
            plain_label=NOISE_CHARS.sub("", strip(LEADING_DIGITS_RE.sub("", f.row_label) if f.source == "table" else label_core(f.row_label), f.report)).strip(),
            plain_column=NOISE_CHARS.sub("", readable_column(f.column).replace("/", "")) if f.source == "table" else "",
        )
        for f in facts
    ]


class GramWeights:
    """Inverse document frequency of bigrams over the fact labels of the store. A bigram no
    label carries (question phrasing such as 是多少) weighs little: it cannot tell facts apart."""

    def __init__(self, label_texts: Iterable[str] = (), *, counts: tuple[Counter[str], int] | None = None) -> None:
        """`label_texts`: each fact's "row label column table" text; or `counts`, the store's
        kept (bigram -> labels holding it, labels) (SqliteFactStore.label_frequencies)."""
        df, n = counts if counts is not None else label_frequencies(label_texts)
        self.n = max(n, 1)
        self.df = df

    def __call__(self, gram: str) -> float:
        seen = self.df.get(gram, 0)
        if not seen:
            return 0.3
        return math.log((self.n + 1) / (seen + 1)) + 0.5


@dataclass(frozen=True)
class Scored:
    fact: Fact
    score: float
    canonical: Decimal  # value in a common unit for grouping (万元 for money)
    canonical_unit: str


def canonical(fact: Fact) -> tuple[Decimal, str]:
    """A common unit for grouping equal figures: 万元 for money, one 'count' for 件/个/项…
    (84395 件 in the table and 84395 个 in the text are the same figure)."""
    return canonical_value(fact.value, fact.unit)


def canonical_value(value: Decimal, unit: str) -> tuple[Decimal, str]:
    if unit in UNIT_FACTORS:
        return (value * UNIT_FACTORS[unit] / UNIT_FACTORS["万元"]).normalize(), "万元"
    if unit in ("万件", "万余件"):
        return value.normalize(), "万件"
    if is_count_unit(unit):
        return value.normalize(), "count"
    return value.normalize(), unit


def unit_ok(query: Query, fact: Fact) -> bool:
    unit = fact.unit
    if query.unit_wanted == "money":
        # a unit-less table cell counts only with decimals: bare integers there are page
        # numbers, row numbers or scores, not amounts
        return unit in MONEY_UNITS or (unit == "" and fact.source == "table" and "." in fact.raw)
    if query.unit_wanted == "count":
        if unit == "" and fact.source == "table" and "." not in fact.raw:
            return not SCORE_COLUMN_RE.search(fact.column)  # a count in a table with no unit printed
        if query.count_unit:
            return query.count_unit in unit or (query.count_unit == "人" and unit == "名")
        return is_count_unit(unit)
    if query.unit_wanted == "percent":
        return unit == "%"
    if query.unit_wanted == "score":
        return unit == "分" or (unit == "" and fact.source == "table")
    if unit == "分":
        return False  # points of a self-evaluation answer only a question about points
    return unit != "%" or any(w in query.question for w in RATIO_WORDS)


def _cover(metric: set[str], target: frozenset[str] | set[str], weight: GramWeights) -> float:
    """The weighted share of `metric` that `target` holds, summed exactly (math.fsum): a set's order
    follows the process's string hashing, and a float sum in another order can tip a tie at the
    ambiguity margin from one run to the next."""
    total = math.fsum(weight(g) for g in metric)
    if not total:
        return 0.0
    return math.fsum(weight(g) for g in metric & target) / total


def split_head(metric_text: str) -> tuple[str, str]:
    """'一般公共预算财政拨款支出的全年预算数' -> ('一般公共预算财政拨款支出', '全年预算数'): in
    "X的Y" Y names the figure and X qualifies it, so Y must match the row/column and X may
    match the context (the clause before, the table title)."""
    if "的" not in metric_text:
        return "", metric_text
    qual, _, head = metric_text.rpartition("的")
    if len(grams(head)) < 2 or not specific_grams(grams(head)):
        # "一般公共服务支出（类）的决算数": a measure alone names no figure; X still does
        return "", metric_text
    return qual, head


# a figure in a column headed by a part of what is asked (人员经费 under 基本支出): the part,
# not the whole
PART_COLUMN_PENALTY = 0.1


def score_fact(query: Query, metric: set[str], table_ref: set[str], view: FactView, weight: GramWeights,
               report_year: int | None, head: set[str] | None = None, tail: set[str] | None = None,
               specific: set[str] | None = None, plain_metric: str = "", metric_words: list[str] | None = None,
               cores: list[str] | None = None, said_code: str = "") -> float:
    """`specific`: the metric less generic words (what names a column), computed once per
    question by lookup_facts; derived here when not given. `said_code`: the 科目 code a
    sentence's own 类/款/项 names stand for (_code_said), a sentence printing no code."""
    fact = view.fact
    code = fact.code or said_code
    if specific is None:
        specific = specific_grams(metric)
    if metric_words is None:
        metric_words = [plain_metric]
    if cores is None:
        cores = item_cores(metric_words)
    main = _cover(head or metric, view.label | view.column, weight)
    # the figure's own sentence or row counts for more than the section or table it sits in
    own = _cover(metric, view.label | view.column | view.quote | view.parents, weight)
    wide = _cover(metric, view.label | view.column | view.context | view.quote, weight)
    # how much of the figure's own name the question says (FactView.own_name)
    named = _cover(set(view.own_name), metric, weight) if view.own_name else 0.0
    # the parent rows named too ("财政事务的行政运行"), when they say what the row and column do
    # not (人员经费 over 离退休人员经费 / 退休费 is the column's word, not the parent's)
    parent = _cover(metric, view.parents - view.label, weight) if (metric - view.label - view.column) & view.parents else 0.0
    score = 0.55 * main + 0.1 * own + 0.1 * wide + 0.25 * named + 0.2 * parent
    if table_ref:
        # the table named: its title, or a column headed by it (one page, two tables side by side)
        score += 0.3 * max(_cover(table_ref, view.table, weight), 0.8 * _cover(table_ref, view.column, weight)) - 0.1

    if not view.label and not view.column:
        score -= 0.25  # an unaddressable cell: only its table title matches
    if view.crowded:
        # one of several figures in a row whose columns the layout did not name; the first
        # figure of a budget-table row is its total (合计), the likeliest meaning
        score -= 0.12 if view.first_in_row else 0.2
    elif fact.source == "table" and view.column and view.total_column and (
            not (view.column & specific)
            or (view.label & specific and not (view.column - view.table) & specific and not specific <= view.column)):
        # no column asked for (for a row the question names, a header repeating the table's
        # title, 一般公共预算基本支出 over …/合计 and …/公用经费, asks none): the row's total
        # column (合计 / 决算数 / 金额) — unless that header says every word asked (基本支出
        # of 基本工资's row: the question names the column, and the row only shares 基本)
        score += 0.08
    if fact.source == "table" and _part_column(fact.column, specific):
        score -= PART_COLUMN_PENALTY
    plain_label = NOISE_CHARS.sub("", fact.row_label)
    row_named = len(view.plain_label) >= 3 and view.plain_label in plain_metric and view.plain_label not in TOTAL_LABELS
    if ((not plain_label or any(plain_label.endswith(t) for t in TOTAL_LABELS)) and not row_named
            and _cover(metric, view.column, weight) >= 0.5):
        score += 0.12  # the question names a column but no row: the total row is meant
    if query.codes:
        if code and code in query.codes:
            score += 0.6
        elif code:
            score -= 0.3
    for number in query.numbers:
        if number in query.codes and (number == code or (fact.source == "table" and not fact.code)):
            continue  # the code's own figure, or a table that prints no codes: it cannot tell
        if number not in view.hay:
            score -= 0.6  # a distinctive number (12345 hotline, a code) the fact does not carry
    if (query.mentioned and fact.raw.replace(",", "") not in query.mentioned
            and any(re.search(rf"(?<![\d.]){re.escape(n)}(?![\d.])", view.hay) for n in query.mentioned)):
        score += MENTIONED_BONUS  # "of the 906 items, how many …": the sentence that prints 906
    for forms in query.ordinals if query.op == "value" else ():
        if not any(form in view.hay for form in forms):
            score -= 0.6  # "the 13th Congress": a row that prints no 十三 is another item
    if len(query.counted) >= 3 and fact.source == "text" and fact.unit not in MONEY_UNITS and fact.unit != "%":
        # "how many budget units …": a sentence's count of what is asked (3个预算单位) over its
        # count of something else it prints (编报绩效目标的项目49个); a noun of two characters
        # (案件, 车辆) is too plain, and too often a translation's guess, to tell counts apart
        noun = NOISE_CHARS.sub("", fact.column) or view.plain_label  # printed after the figure, else before it
        score += COUNTED_BONUS if query.counted in noun else -COUNTED_PENALTY if noun else 0.0
    asked_years = set(query.years) | ({report_year} if report_year else set())
    dated = set(query.years) - {report_year}
    if dated and report_year in query.years and any(str(y) in view.hay for y in dated):
        # "own at the end of 2023, per its 2024 budget": 2024 names the report, 2023 the date
        # of the figure, and the figure printed with it ("截至2023年12月31日…共有车辆2辆") is meant
        score += DATED_FIGURE_BONUS
    if any(re.search(rf"(?:截至|截止)\s*{y}", view.hay) for y in query.dates):
        score += DATED_FIGURE_BONUS  # "截至2024年8月底": the figure printed as of that date
    if view.label_years - asked_years:
        score -= 0.35  # "与 2019 年度相比 …": a figure about another year
    if labels_change(fact) != query.wants_change:
        score -= 0.35  # a change where a level is asked for, or the other way round
    if fact.unit == "%" and query.unit_wanted != "percent" and not any(w in query.question for w in RATIO_WORDS):
        score -= 0.3
    if (fact.source == "table" and _asks_spending(query.question)
            and "收入" in f"{fact.column} {fact.table}" and "支出" not in fact.column):
        score -= REVENUE_FOR_SPENDING  # spending asked: an income column printing the same figure is not it
    if (query.unit_wanted == "score" and SCORE_WEIGHT_RE.search(fact.column)
            and not SCORE_WEIGHT_ASKED_RE.search(query.question)):
        score -= 0.15  # a self-evaluation's 分值 is what an item could score; its 得分 is what it did
    if query.measure and view.measure and query.measure != view.measure:
        score -= 0.3  # a budget figure for an actual one, or the other way round
    elif not query.measure and query.kind == "决算" and view.measure == "budget":
        score -= KIND_MEASURE_PENALTY  # "X in the final accounts": its 决算数, not the 年初预算 beside it
    if ACQUIRED_RE.search(fact.row_label) and not _asks_acquiring(query.question):
        score -= ACQUIRED_PENALTY  # "有几台设备": what is held (共有…), not what the year buys (购置…)
    if tail and tail & (view.label | view.column):
        score += 0.1  # the head of the phrase (its last word) is what the figure is
    if query.wants_total and (TOTAL_LABEL_RE.search(plain_label) or (fact.source == "text" and _total_of(fact))
                              or (fact.source == "table" and not plain_label and view.total_column)):
        # "一共花了多少", "the total procurement budget": the sentence's 总额 (or the figure its
        # 其中 splits into parts), not one of its parts
        score += TOTAL_CUE_BONUS
        if fact.source == "table" and view.total_column:
            score += TOTAL_CUE_BONUS  # the grand total: the total row in the total column
    if (plain_metric and len(view.plain_column) >= 3 and view.plain_column in plain_metric
            and view.column & specific):
        score += QUOTED_LABEL_BONUS  # the question quotes the whole header path (“三公”经费 / 小计)
    if "其他" in plain_metric and "其他" not in view.hay and "其它" not in view.hay:
        score -= OTHER_PENALTY  # "other office equipment": a row without 其他 is the item itself
    if _names_longer_item(metric_words, view, weight):
        score -= LONGER_NAME_PENALTY
    if fact.source == "table" and _row_adds_a_character(cores, view):
        score -= ROW_ADDS_PENALTY
    if plain_metric and (view.plain_label == plain_metric if len(view.plain_label) < 3 else (
            view.plain_label in plain_metric and f"其他{view.plain_label}" not in plain_metric)):
        # the question quotes the row's whole name (城乡社区支出, not 其他城乡社区支出; and a question
        # that says 其他城乡社区支出 quotes no 城乡社区支出)
        score += QUOTED_LABEL_BONUS
    return score


def _names_longer_item(metric_words: list[str], view: FactView, weight: GramWeights) -> bool:
    """The question's item is the row's name with a word of its own before it (邮电费 asked, the
    row is 电费): another, narrower item. Only where the two characters at the join are a pair
    the store's labels print (邮电 is in 邮电费 rows of other reports); a join no label prints
    (城乡社区管理事务 | 行政运行, 老干部 | 离休费) is two words side by side. A measure or a joining
    word before the name (年初预算财政拨款支出, 预算中电费) narrows nothing. A sentence's figure as
    much as a row's ("网格服务管理联动专项经费项目支出" asked, the sentence's 项目支出 is the whole)."""
    label = view.plain_label
    if len(label) < 2:
        return False
    for word in metric_words:
        at = word.find(label)
        if at <= 0 or not "\u4e00" <= word[at - 1] <= "\u9fff" or word[at - 1] in JOINING_CHARS:
            continue
        if any(word[:at].endswith(w) for w in (*GENERIC_WORDS, *MEASURE_WORDS)):
            continue
        modifier = re.split(f"[{''.join(JOINING_CHARS)}]", word[:at])[-1]
        if len(modifier) > MAX_MODIFIER:
            continue  # a whole name before it (城乡社区管理事务 | 行政运行): the row's parent, not a modifier
        join = word[at - 1:at + 1]
        if weight.df.get(join) and join not in view.hay:
            return True
    return False


def negated_words(metric_text: str) -> list[str]:
    """The words a Chinese metric negates, by their first character: 还有几项没完成 -> ['完'],
    不满意工单 -> ['满']. A figure answers only if it negates the same word (未完成, 没完成)."""
    return [metric_text[m.end()] for m in NEGATION_RE.finditer(metric_text)]


def item_cores(metric_words: list[str]) -> list[str]:
    """Each metric word less its generic words of two characters or more (电费预算 -> 电费)."""
    cores = []
    for word in metric_words:
        for generic in GENERIC_LONGEST_FIRST:
            word = word.replace(generic, "") if len(generic) >= 2 else word
        cores.append(word)
    return cores


def _row_adds_a_character(cores: list[str], view: FactView) -> bool:
    """The row's name is the question's item with one character of its own before it (电费
    asked, the row is 邮电费): another item that merely ends in the same word. A joining or
    generic character before it (的电费, 预算电费) narrows nothing; "其他" is read apart.
    `cores`: the metric's words less their generic words (item_cores, once per question)."""
    label = view.unnumbered_label
    for word in cores:
        if len(word) < 2 or len(label) != len(word) + 1 or not label.endswith(word):
            continue
        modifier = label[0]
        if "\u4e00" <= modifier <= "\u9fff" and modifier not in JOINING_CHARS and modifier not in "其总合小":
            return True
    return False


def _sentence_head(scored: list[Scored], headed: list[bool]) -> list[Scored]:
    """"共收到不满意工单12516件，已调查10091件" asked "已经调查了多少件": of the figures one
    sentence prints, the question's last word (its head, 调查) says which is meant; the others of
    that sentence, whose own names lack it, are demoted."""
    sentences = {(s.fact.report, s.fact.quote) for s, hit in zip(scored, headed, strict=True)
                 if hit and s.fact.source == "text"}
    return [replace(s, score=s.score - SENTENCE_HEAD_PENALTY)
            if not hit and s.fact.source == "text" and (s.fact.report, s.fact.quote) in sentences else s
            for s, hit in zip(scored, headed, strict=True)]


def _prefer_named_children(scored: list[Scored], named: dict[tuple[str, str], str], plain_metric: str) -> list[Scored]:
    """"城乡社区管理事务行政运行": a row named with its parent (212 01 01 under 212 01) is the
    child; the parent's name only says where it sits. `named`: (report, code) -> name of the rows
    the question names whole; the deepest named row of each chain gains. A child whose name the
    question says only inside its parent's ("事业单位医疗" in "行政事业单位医疗") is not named at
    all: it loses the bonus for a quoted name."""
    parents = {(r, c[:k]) for r, c in named for k in range(1, len(c))}

    def spans(label: str) -> list[tuple[int, int]]:
        return [(m.start(), m.start() + len(label)) for m in re.finditer(re.escape(label), plain_metric)]

    def inside(label: str, ancestors: list[str]) -> bool:
        outer = [span for a in ancestors for span in spans(a)]
        own = spans(label)
        return bool(own) and all(any(a <= b and e <= f for a, f in outer) for b, e in own)

    def adjust(s: Scored) -> Scored:
        key = (s.fact.report, s.fact.code)
        ancestors = [named[(s.fact.report, s.fact.code[:k])] for k in range(1, len(s.fact.code))
                     if (s.fact.report, s.fact.code[:k]) in named]
        if key not in named or not ancestors:
            return s
        if inside(named[key], ancestors):
            return replace(s, score=s.score - QUOTED_LABEL_BONUS)
        return replace(s, score=s.score + CHILD_NAMED_BONUS) if key not in parents else s

    return [adjust(s) for s in scored]


def _prefer_named_noun(scored: list[Scored], plain_metric: str) -> list[Scored]:
    """"串联全区14条街道、143个社区、1274个网格": counts of one sentence under one name differ
    only by the noun each counts; the one whose noun the question says is asked, the others
    not, however common that noun is in the store's labels."""
    siblings: dict[tuple[str, str, str], list[Scored]] = defaultdict(list)
    for s in scored:
        if s.fact.source == "text" and s.fact.column:
            siblings[(s.fact.report, s.fact.quote, s.fact.row_label)].append(s)
    named: set[int] = set()
    for group in siblings.values():
        said = [s for s in group if len(s.fact.column) >= 2 and s.fact.column in plain_metric]
        if said and len(said) < len({s.fact.column for s in group}):
            named.update(id(s) for s in said)
    return [replace(s, score=s.score + COUNTED_NOUN_BONUS) if id(s) in named else s for s in scored]


def prints_year(text: str, year: int) -> bool:
    """Whether `text` prints `year` as its own, not only as what it is set against ("比2024年预算
    减少", "较2024年", "与2024年相比": the figure is of another year)."""
    return any(not re.search(r"(?:比|较|与|同)\s*$", text[max(0, m.start() - 3):m.start()])
               for m in re.finditer(str(year), text))


@lru_cache(maxsize=1024)
def _asks_acquiring(question: str) -> bool:
    """Buying asked (read once per question, not once per fact)."""
    return bool(ACQUIRING_ASKED_RE.search(question))


@lru_cache(maxsize=1024)
def _asks_spending(question: str) -> bool:
    """Spending asked and no revenue (read once per question, not once per fact)."""
    return bool(SPENDING_RE.search(question)) and not REVENUE_RE.search(question)


def _generic(gram: str) -> bool:
    return any(gram in w or w in gram for w in GENERIC_WORDS)


@lru_cache(maxsize=4096)
def _none_of(label: str) -> frozenset[str]:
    """The specific words of what a "there is none of X" statement names (X = its label)."""
    return frozenset(specific_text_grams(label)) or frozenset(grams(label))


def specific_text_grams(metric_text: str) -> set[str]:
    """The grams of a metric once its generic words are taken out: 支出合计 has none (出合 is
    no word), 政府采购支出 has 政府, 府采, 采购."""
    text = metric_text
    for word in GENERIC_LONGEST_FIRST:
        text = text.replace(word, " ")
    # "收入总计的预算数": the 的 left between two generic words names nothing
    text = " ".join(w for w in text.split() if not set(w) <= FUNCTION_CHARS)
    specific = specific_grams(grams(text, words=True))
    if not specific:
        # only generic words: they are the name ("收入总计", "全年预算数"), unless one word alone
        whole = grams(metric_text, words=True)
        specific = whole if len(whole) >= 2 else set()
    return specific


def specific_grams(metric: set[str]) -> set[str]:
    """The metric without measure and generic words (预算, 支出 …): what names a column."""
    return {g for g in metric if not _generic(g)}


CodedNames = dict[str, frozenset[str]]  # a coded row's plain name -> its 科目 codes in the store


def plain_coded_names(labels: dict[str, frozenset[str]]) -> CodedNames:
    """The store's coded row names as a question would quote them (no spaces or brackets)."""
    out: dict[str, set[str]] = defaultdict(set)
    for label, codes in labels.items():
        out[NOISE_CHARS.sub("", LEADING_DIGITS_RE.sub("", label))].update(codes)
    return {name: frozenset(codes) for name, codes in out.items() if name}


# "财政事务（款）": a name and the level of the 功能分类 it is printed as; a code's length is its level
SUBJECT_LEVEL_RE = re.compile(r"([^（）()。；，,\s]+?)\s*[（(](类|款|项)[）)]")
CODE_LEVELS = {3: "类", 5: "款", 7: "项"}
LEVEL_NUMBERING_RE = re.compile(r"^(?:\s*(?:\d+\s*[.．、]|[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、|其中[：:])\s*)+")
# a sentence label's year and measure words: what is left names an item, or nothing
MEASURE_ONLY_RE = re.compile(r"20\d{2}\s*年度?|这一项|那一项|这项|那项|当年|本年|上年|全年|年初|预算|决算|执行数|执行|实际|安排|为|是|[的了]")


def label_names_item(label: str) -> bool:
    """A sentence's label naming more than its year and measure ("2023年当年预算执行数为" names nothing)."""
    return len(re.findall(r"[\u4e00-\u9fff]", MEASURE_ONLY_RE.sub("", label))) >= 2


def _code_paths(codes: set[str], names: CodedNames) -> dict[str, list[frozenset[str]]]:
    """code -> the names the store's tables give it and its parent (2010601 行政运行 under 20106
    财政事务; 20106 under 201 一般公共服务支出): what a sentence that prints no code says instead.
    A code whose names the tables do not both give is left out: nothing to tell it by."""
    if not codes:
        return {}  # (most questions give no code: the store's names are not walked for them)
    by_code: dict[str, set[str]] = defaultdict(set)
    wanted = {c for code in codes for c in (code, code[:-2])}
    for name, coded in names.items():
        for code in coded & wanted:
            by_code[code].add(name)
    return {code: [frozenset(by_code[code]), frozenset(by_code[code[:-2]])]
            for code in codes if by_code.get(code) and by_code.get(code[:-2])}


def _code_said(fact: Fact, paths: dict[str, list[frozenset[str]]]) -> str:
    """The code a sentence stands under by its 类/款/项 names ("一般公共服务支出（类）财政事务（款）
    行政运行（项）。年初预算为 1560.05 万元" is 2010601's): its item's and its parent's names both
    said in the sentence's own heading path, or ''."""
    if fact.source != "text":
        return ""
    # its own label's path, else — for a label of a measure or change only ("年初预算为", "与上年相比
    # 增加") — the clause before it ("…行政运行（项）。年初预算为"); a label naming something else
    # ("主要原因是…预留机动经费") is not under the path before it
    path = (fact.row_label if SUBJECT_LEVEL_RE.search(fact.row_label)
            else "" if label_names_item(label_core(fact.row_label)) else fact.parents)
    # each level named whole ("行政事业单位医疗（款）" is no 事业单位医疗), without its numbering ("1.人大事务")
    levels = {level: NOISE_CHARS.sub("", LEVEL_NUMBERING_RE.sub("", name)) for name, level in SUBJECT_LEVEL_RE.findall(path)}
    said = [code for code, (names, parents) in paths.items()
            if levels.get(CODE_LEVELS[len(code)]) in names and levels.get(CODE_LEVELS[len(code) - 2]) in parents]
    return said[0] if len(said) == 1 else ""


def _coded_items(cores: list[str], names: CodedNames) -> list[str]:
    """The coded names a question's cores say (事业单位医疗 in 财政拨款事业单位医疗执行),
    longest first, none inside another said."""
    said = sorted({n for n in names if len(n) >= 3 for core in cores if n in core}, key=len, reverse=True)
    return [n for k, n in enumerate(said) if not any(n in longer for longer in said[:k])]


def _inside_longer_names(items: list[str], names: CodedNames, plain_metric: str) -> dict[str, list[str]]:
    """item -> the coded names of its parents (a code a proper prefix of the item's: 21011
    行政事业单位医疗 over 2101102 事业单位医疗) that hold its name and add words the question does
    not say: the question names the item, not its parent."""
    found = {}
    for item in items:
        longer = [n for n in names if item in n and n != item and n not in plain_metric
                  and _is_parent(names[n], names[item]) and _adds_a_word(n.replace(item, "", 1), plain_metric)]
        if longer:
            found[item] = longer
    return found


def _is_parent(parent_codes: frozenset[str], codes: frozenset[str]) -> bool:
    return any(len(p) < len(c) and c.startswith(p) for p in parent_codes for c in codes)


def _adds_a_word(rest: str, plain_metric: str) -> bool:
    """What a longer name has beyond the question's item is a word of its own (行政 of
    行政事业单位医疗) that the question does not say elsewhere (an English question's rendering
    may put 离退休人员 after 福利费), not only generic words or 其他 (read apart)."""
    for generic in (*GENERIC_LONGEST_FIRST, "其他", "其它"):
        rest = rest.replace(generic, "")
    runs = CJK_RUN_RE.findall(rest)
    pairs = [r[i:i + 2] for r in runs for i in range(len(r) - 1)] or [r for r in runs if r]
    return bool(pairs) and sum(p in plain_metric for p in pairs) < 0.75 * len(pairs)


def _named_only_inside(text: str, inner: dict[str, list[str]]) -> bool:
    """Every place `text` says a coded item of the question, it is part of a longer coded name
    (行政事业单位医疗 says 事业单位医疗 only as its tail): the text names another item."""
    for core, longer in inner.items():
        spans = [(m.start(), m.end()) for m in re.finditer(re.escape(core), text)]
        if not spans:
            continue
        outer = [(m.start(), m.end()) for n in longer for m in re.finditer(re.escape(n), text)]
        if all(any(a <= b and e <= f for a, f in outer) for b, e in spans):
            return True
    return False


def _coded_sibling(label: str, code: str, items: list[str], names: CodedNames) -> bool:
    """The row is another item beside the one the question names: codes of one parent (2101101
    行政单位医疗 beside 2101102 事业单位医疗), names of one tail of two characters or more, each
    with its own modifier before it."""
    if label not in names or label in items or len(code) < 5:
        return False
    for item in items:
        if item in label or label in item or not any(
                len(c) == len(code) and c[:-2] == code[:-2] and c != code for c in names[item]):
            continue
        tail = 0
        while tail < min(len(item), len(label)) and item[-1 - tail] == label[-1 - tail]:
            tail += 1
        own, theirs = item[:-tail] if tail else item, label[:-tail] if tail else label
        if tail >= 2 and 0 < len(own) <= MAX_MODIFIER and 0 < len(theirs) <= MAX_MODIFIER:
            return True
    return False


def char_pairs(text: str) -> list[str]:
    """Each two neighbouring characters of `text`, in order, repeats kept (how much of a name
    another says is counted over these)."""
    return [text[i:i + 2] for i in range(len(text) - 1)]


def _another_coded_item(label: str, code: str, items: list[str], names: CodedNames) -> bool:
    """The row is a coded item other than every coded item the question names: neither name
    holds the other and the row's name says under half of the item's character pairs
    (维修（护）费 asked, 30231 公务用车运行维护费 printed; 差旅费 asked, 因公出国（境）费 printed)."""
    if label not in names or not items:
        return False
    for item in items:
        if item in label or label in item or code in names.get(item, ()):
            return False  # (one code printed under two spellings: 维修费 and 维修（护）费 are 30213)
        pairs = char_pairs(item)
        if sum(p in label for p in pairs) >= 0.5 * len(pairs):
            return False
    return True


class OverTime(RuntimeError):
    """A question's work went past its time budget (lookup_facts' `deadline`)."""


DEADLINE_EVERY = 256  # facts scored between looks at the clock


def lookup_facts(
    query: Query, metric_text: str, views: list[FactView], weight: GramWeights, years: dict[str, int | None],
    coded_names: CodedNames | None = None, deadline: float | None = None,
) -> list[Scored]:
    """`coded_names`: the store's coded row names with their codes (plain_coded_names), which
    tell a question's item from its parent or sibling whose name holds or resembles it.
    `deadline`: a time.perf_counter() past which OverTime is raised instead of scoring on."""
    metric = grams(metric_text, words=True)
    if not metric:
        return []
    qual_text, head_text = split_head(metric_text)
    head = grams(head_text, words=True) if qual_text else None
    qual = {g for g in grams(qual_text, words=True) if not _generic(g)} - (head or set()) if qual_text else set()
    specific = specific_text_grams(metric_text)
    runs = CJK_RUN_RE.findall(metric_text.rstrip("的了 "))
    last = runs[-1].rstrip("的了") if runs else ""
    tail = {g for g in grams(last[-3:]) if not _generic(g)} if len(last) >= 4 else None
    table_ref = grams(query.table_ref, words=True)  # an English table name renders as words ("财政拨款 总表")
    if query.table_ref_rendered and not any(_cover(table_ref, t, weight) >= NAMED_TABLE_COVER for t in {v.table for v in views}):
        table_ref = set()  # an English table name no candidate report prints: no evidence either way
    if not specific and table_ref:
        specific = grams(metric_text, words=True)  # "…决算总表里的总计": the named table's total
    # a 科目 code alone names its row; a 3-digit "code" may be a count (208人), so only 5 and 7 digits
    coded = {c for c in query.codes if len(c) >= 5}
    if not specific and not coded:
        return []  # only generic words (预算, 支出 …) are left: too vague to pick a figure
    plain_metric = NOISE_CHARS.sub("", metric_text)
    metric_words = [NOISE_CHARS.sub("", w) for w in metric_text.split()]
    cores = item_cores(metric_words)
    coded_names = coded_names or {}
    items = _coded_items(cores, coded_names)
    inner = _inside_longer_names(items, coded_names, plain_metric)
    avoided = [g for g in (specific_grams(grams(a, words=True)) for a in query.avoid) if g]
    named_codes: dict[tuple[str, str], str] = {}  # (report, code) -> name of rows the question names whole
    negated = [re.compile(f"[未没不非无]{re.escape(w)}") for w in negated_words(metric_text)]
    paths = _code_paths(coded, coded_names)
    scored = []
    headed: list[bool] = []  # whether each scored figure's own name holds the metric's last word
    for i, view in enumerate(views):
        if deadline is not None and i % DEADLINE_EVERY == 0 and time.perf_counter() >= deadline:
            raise OverTime
        if not unit_ok(query, view.fact):
            continue
        if query.year_in_text and not any(prints_year(view.hay, y) for y in query.years):
            continue  # no report is of the year asked: only a figure printed with that year will do
        if query.year_in_text and view.label_years and not view.label_years & set(query.years):
            continue  # "2020年度财政拨款收、支总计" is 2020's, whatever year its paragraph also names
        said = _code_said(view.fact, paths) if paths and not view.fact.code else ""
        if (not specific & (view.label | view.column | view.quote | view.parents | view.table)
                and (view.fact.code or said) not in coded):
            continue  # shares no specific word with the question (only 预算, 支出 …): no answer
        if view.fact.column == NONE_STATED and _cover(_none_of(view.fact.row_label), metric, weight) < NONE_STATED_COVER:
            continue  # the report says it has none of something the question does not name
        if negated and not all(n.search(view.hay) for n in negated):
            continue  # "没完成的", "不满意": a figure whose row or sentence does not negate that word is the opposite one
        if query.wants_change != labels_change(view.fact):
            # "by how much did it grow": a level is never the answer, only a printed change;
            # and a change is never the level asked for ("2019年收支总计" is not "比2019年增加")
            continue
        value, unit = canonical(view.fact)
        score = score_fact(query, metric, table_ref, view, weight, years.get(view.fact.report), head, tail,
                           specific, plain_metric, metric_words, cores, said)
        if qual:
            # "面向中小企业预留的采购预算": the qualifier says which 采购预算; a figure whose
            # sentence, row, section and table never say it is another one
            score += QUALIFIER_WEIGHT * (
                _cover(qual, view.label | view.column | view.quote | view.parents | view.context | view.table, weight)
                - 0.5)
        if view.fact.code and len(view.plain_label) >= 2 and view.plain_label in plain_metric:
            named_codes[(view.fact.report, view.fact.code)] = view.plain_label
        if inner and _named_only_inside(
                view.plain_label if view.fact.source == "table" else NOISE_CHARS.sub("", f"{view.fact.parents}{view.plain_label}"),
                inner):
            score -= ROW_ADDS_PENALTY  # 事业单位医疗 asked, the row is 行政事业单位医疗: another item
        elif items and view.fact.code and (_coded_sibling(view.plain_label, view.fact.code, items, coded_names)
                                           or _another_coded_item(view.plain_label, view.fact.code, items, coded_names)):
            score -= SIBLING_PENALTY  # 事业单位医疗 asked, the row is 行政单位医疗 (or another item still)
        if any(_cover(a, view.label | view.column, weight) >= AVOIDED_COVER for a in avoided):
            score -= AVOIDED_PENALTY  # "（不是劳务派遣那个）": the figure the question says it does not mean
        scored.append(Scored(fact=view.fact, score=score, canonical=value, canonical_unit=unit))
        headed.append(bool(tail and tail & (view.label | view.column)))
    if any(headed) and query.lang == "zh":
        # (an English question's rendering puts its words in no Chinese order: its last is no head)
        scored = _sentence_head(scored, headed)
    if named_codes:
        scored = _prefer_named_children(scored, named_codes, plain_metric)
    scored = _prefer_named_noun(scored, plain_metric)
    if query.from_tables and any(s.fact.source == "table" for s in scored):
        scored = [s for s in scored if s.fact.source == "table"]  # "决算表里…": the tables' figure
    if query.from_text and any(s.fact.source == "text" for s in scored):
        scored = [s for s in scored if s.fact.source == "text"]  # "说明里写的…": the narrative's figure
    if table_ref and scored:
        # the question names a table ("…支出预算表的合计"): when a table of the report is that one,
        # figures of other tables are no answer
        named: dict[str, bool] = {}
        for s in scored:
            if s.fact.source == "table" and s.fact.table not in named:
                named[s.fact.table] = _cover(table_ref, grams(s.fact.table), weight) >= NAMED_TABLE_COVER
        if any(named.values()):
            scored = [s for s in scored if named.get(s.fact.table)]
    scored.sort(key=lambda s: (-s.score, s.fact.report, s.fact.position))
    return scored


@dataclass(frozen=True)
class Group:
    value: Decimal
    unit: str
    score: float
    members: tuple[Scored, ...]


def _part_column(column: str, specific: set[str]) -> bool:
    """A column under the one asked, headed by a part of it ("本年支出 / 预算数 / 基本支出 / 人员经费"
    for 基本支出): the asked words head an upper level, and the header right above the figure is an
    item of its own (no total, no measure such as 预算数, none of the asked words)."""
    levels = [p.strip() for p in column.split("/") if p.strip()]
    if len(levels) < 2:
        return False
    leaf = NOISE_CHARS.sub("", levels[-1])
    if not leaf or TOTAL_COLUMN_RE.search(leaf) or not MEASURE_ONLY_RE.sub("", leaf):
        return False
    upper = grams(" ".join(levels[:-1]))
    return not (grams(leaf) & specific) and bool(upper & specific)


def leaf_column(column: str) -> str:
    """'一般公共预算基本支出 / 人员经费' -> '人员经费': the header cell right above the figure."""
    return NOISE_CHARS.sub("", column.split("/")[-1])


def is_total_column(column: str) -> bool:
    return bool(TOTAL_COLUMN_RE.search(leaf_column(column)))


def is_row_total(column: str) -> bool:
    """The row's own total column: a 小计 under a part (三公 / 公务用车… / 小计) is a part."""
    return is_total_column(column) and column.count("/") < 2


def labels_change(fact: Fact) -> bool:
    """Whether a figure's label names a change (比上年增加 …), not a level."""
    return any(w in fact.row_label for w in CHANGE_WORDS)


def drop_unasked_parts(groups: list[Group], metric_text: str, margin: float) -> list[Group]:
    """A row's total and its parts (合计 | 财政拨款收入 | 事业收入 …) are all "the row's figure";
    when the question names none of the parts, the parts do not compete with the total: a
    group whose every cell is an unasked part of a row whose total cell ranks above it is
    dropped (a question that names 人员经费 keeps 人员经费). A group is judged by its cells
    that score within `margin` of its best: those are what make it a rival."""
    if len(groups) < 2:
        return groups
    metric = grams(metric_text, words=True)
    specific = specific_text_grams(metric_text)
    totals: dict[tuple[str, str, str], set[str]] = {}  # total's place -> its label's grams
    # a sentence's whole ("采购预算830万元，其中：货物270万元…") is a contender below its parts too
    wholes = {}
    for group in groups:
        for item in group.members:
            key = _total_of(item.fact)
            if key is not None and item.fact.source == "text" and key not in wholes:
                wholes[key] = (grams(ORG_PHRASE_RE.sub(" ", item.fact.row_label)), group.score)
    # a sentence whose part the question names ("works procurement" of "采购金额…，其中：工程采购…"):
    # its whole is then not the figure asked
    named_part = {
        key for group in groups for item in group.members
        if item.fact.source == "text" and (key := _part_of(item.fact, specific)) in wholes
        and _content(grams(item.fact.row_label) - wholes[key][0]) & specific
    }
    groups = [g for g in groups if not all(
        _total_of(i.fact) in named_part for i in g.members if i.score >= g.score - margin)] or groups
    out: list[Group] = []
    for group in groups:
        if any(_total_of(item.fact) is not None for item in group.members if item.score >= group.score - margin):
            out.append(group)  # a whole is never dropped as a part
            for item in group.members:
                key = _total_of(item.fact)
                if key is not None:
                    totals.setdefault(key, grams(ORG_PHRASE_RE.sub(" ", item.fact.row_label)))
            continue
        parts = True
        for item in group.members:
            if item.score < group.score - margin:
                continue
            key = _part_of(item.fact, specific)
            if key is not None and key not in totals and key in wholes and wholes[key][1] >= group.score - margin:
                totals[key] = wholes[key][0]
            if key is None or key not in totals:
                parts = False
            elif item.fact.source == "text" and (grams(item.fact.row_label) - totals[key]) & metric:
                parts = False  # the question names what sets this part apart (…服务支出: 服务)
        # the top group goes only for a whole that is itself a contender (a sentence's, below it)
        whole_below = any(_part_of(i.fact, specific) in wholes for i in group.members if i.score >= group.score - margin)
        if not (parts and (out or whole_below)):
            out.append(group)
        for item in group.members:
            key = _total_of(item.fact)
            if key is not None:
                totals.setdefault(key, grams(ORG_PHRASE_RE.sub(" ", item.fact.row_label)))
    return out or groups


def _content(text_grams: set[str]) -> set[str]:
    """Bigrams without a function character: "的政" of "预留的政府采购" names nothing."""
    return {g for g in text_grams if not set(g) & FUNCTION_CHARS}


def _part_of(fact: Fact, specific: set[str]) -> tuple[str, str, str] | None:
    """The row (or sentence) a figure may be a part of: a non-total column the question does
    not name; a figure after "其中" ("政府采购支出总额192.27万元，其中：…服务支出190.37万元")."""
    if fact.source == "table":
        leaf = leaf_column(fact.column)
        # the question names the part by words its row does not explain (行政单位医疗 names no
        # 事业单位经营收入 column though both hold 单位)
        if not leaf or grams(leaf) & (specific - grams(fact.row_label)) or is_row_total(fact.column):
            return None
        return (fact.report, fact.table, fact.row_label)
    cut = fact.quote.find("其中")
    if cut < 0 or _printed_at(fact) < cut:
        return None
    return (fact.report, "", fact.quote)


def _printed_at(fact: Fact) -> int:
    """Where a sentence's figure is printed: after its own name, so that a part printing the
    whole's figure ("采购金额为21.07万元，其中：货物采购金额21.07万元") is read where it stands."""
    named = fact.quote.find(fact.row_label) if fact.row_label else -1
    return _raw_at(fact.quote, fact.raw, max(named, 0))


def _raw_at(quote: str, raw: str, start: int = 0) -> int:
    """Where a figure is printed in its sentence, as a number of its own: the 0 of "工程支出0万元",
    not the 0 inside "2020年度" (-1 if not printed)."""
    found = _own_number_re(raw).search(quote, start)
    return found.start() if found else -1


@lru_cache(maxsize=16384)
def _own_number_re(raw: str) -> re.Pattern[str]:
    # one pattern per printed figure, kept: scoring meets the same figures question after question
    return re.compile(rf"(?<![\d.,]){re.escape(raw)}(?![\d.,]*\d)")


def _total_of(fact: Fact) -> tuple[str, str, str] | None:
    """The row or sentence a figure is the total of."""
    if fact.source == "table":
        return (fact.report, fact.table, fact.row_label) if is_row_total(fact.column) else None
    cut = fact.quote.find("其中")
    at = _printed_at(fact)
    if cut > 0 and 0 <= at < cut:
        return (fact.report, "", fact.quote)
    return None


def _printed_places(members: list[Scored]) -> int:
    """Decimal places of a group's figure in its common unit, as the least precise print."""
    places = []
    with_unit = [m for m in members if m.fact.unit]
    # a unit-less cell merged into a figure with a unit (its table's 单位 not read) is that figure
    for m in with_unit or members:
        exponent = int(m.fact.value.as_tuple().exponent)
        scale = UNIT_FACTORS.get(m.fact.unit)
        # a 元 figure is exact to the 元 in 万元: 4 more places than it prints
        shift = 4 if scale is not None and scale == UNIT_FACTORS["元"] else 0
        places.append(max(-exponent, 0) + shift)
    return min(places) if places else 0


def _merge_roundings(groups: dict[tuple[Decimal, str, str], list[Scored]]) -> None:
    """176.32 万元 in the text is 1,763,159.52 元 of the table rounded: one figure, printed two
    ways, not two figures (397.1 and 397.18 are two: 397.18 rounds to 397.2)."""
    keys = sorted(groups, key=lambda k: -_printed_places(groups[k]))
    for i, fine in enumerate(keys):
        if fine not in groups:
            continue
        for coarse in keys[i + 1:]:
            if coarse not in groups or coarse[1] != fine[1] or coarse[2] != fine[2] or coarse == fine:
                continue
            places = _printed_places(groups[coarse])
            if places < _printed_places(groups[fine]) and fine[0].quantize(Decimal(1).scaleb(-places)) == coarse[0]:
                groups[fine].extend(groups.pop(coarse))


def group_by_value(scored: list[Scored], limit: int = 8, groups: dict[str, str] | None = None) -> list[Group]:
    """Equal figures of one report are one candidate, citing every place they are printed;
    `groups` maps a file to the report it is part of (a narrative file and its tables file)."""
    by_report = groups or {}
    out_groups: dict[tuple[Decimal, str, str], list[Scored]] = {}
    late: dict[tuple[Decimal, str, str], list[Scored]] = {}
    for item in scored:
        key = (item.canonical, item.canonical_unit, by_report.get(item.fact.report, item.fact.report))
        if key in out_groups or len(out_groups) <= limit * 4:
            out_groups.setdefault(key, []).append(item)
        else:
            late.setdefault(key, []).append(item)  # lower places of the figures kept may yet join them
    if late:
        # each kept figure at every coarser printing, once: a late figure is then one lookup
        kept_places = {k: _printed_places(members) for k, members in out_groups.items()}
        roundings = {(k[0].quantize(Decimal(1).scaleb(-p)), k[1], k[2], p)
                     for k, places in kept_places.items() for p in range(places)}
        for key, members in late.items():
            if (*key, _printed_places(members)) in roundings:
                out_groups[key] = members  # a rounding of a figure kept: merged below
    # a unit-less cell printing the same figure as a cell with a unit (one table's "单位" was
    # not read) is that figure, not a rival
    printed: dict[tuple[Decimal, str], tuple[Decimal, str, str]] = {}
    for key, members in out_groups.items():
        if key[1] != "":
            for m in members:
                printed.setdefault((m.fact.value, key[2]), key)
    for key in [k for k in out_groups if k[1] == ""]:
        target = printed.get((key[0], key[2]))
        if target is not None:
            out_groups[target].extend(out_groups.pop(key))
    _merge_roundings(out_groups)
    out = [
        Group(value=k[0], unit=k[1], score=max(m.score for m in v), members=tuple(v))
        for k, v in out_groups.items()
    ]
    out.sort(key=lambda g: -g.score)
    return out
