"""question -> Query: which reports (org, year, kind), which metric, which kind of answer.

Organisations are recognised from the names in the store (full name, district, district stem,
its pinyin, the office words after the district), never from a fixed list.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from qa.glossary import (
    ASCII_WORD_RE,
    EN_CHANGE_RE,
    EN_STOPWORDS,
    QUESTION_NOISE,
    ZH_SYNONYMS,
    english_vocabulary,
    negates,
    render_english,
    translate_org_words,
)
from qa.orgs import (
    OrgLinker,
    foreign_qualifier,
    name_in_question,
    unknown_places,
    unmatched_english,
    unmatched_name,
)
from qa.ranking import RankAsk, of_kind, read_ranking

# "retirement pay of veteran cadres (离休费)": Chinese in brackets glosses the English before it
CHINESE_GLOSS_RE = re.compile(r"[（(][^（()）]*[\u4e00-\u9fff][^（()）]*[)）]")
NOISE_LONGEST_FIRST = sorted(QUESTION_NOISE, key=lambda w: (-len(w), w))  # 多少万 before 多少
MIXED_CHINESE_CHARS = 3  # Chinese content a mixed question needs for its English to be a gloss
YEAR_RE = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
# "截至2023年8月31日", "2023年底", "as of 2023": a date inside a report, not the report's year
DATE_YEAR_RE = re.compile(
    r"(?:截至|截止|到|至)\s*(20\d{2})\s*年|(20\d{2})\s*年\s*(?:\d{1,2}\s*月|底|末)|\b(?:as of|as at|end of)\s+(?:\w+\s+)?(20\d{2})",
    re.I,
)
# "24年", "21年度": a two-digit year, written out before anything else reads the question
SHORT_YEAR_RE = re.compile(r"(?<![\d.])([0-3]\d)(?=\s*年)")
DATE_PHRASE_RE = re.compile(
    r"(?:截至|截止)\s*(?:20\d{2}\s*年)?\s*(?:\d{1,2}\s*月\s*(?:\d{1,2}\s*日)?)?\s*(?:底|末)?"
    r"|20\d{2}\s*年\s*\d{1,2}\s*月\s*(?:\d{1,2}\s*日)?\s*(?:底|末)?|20\d{2}\s*年\s*(?:底|末)"
)
# "working back from its 2025 budget and the stated decrease", "按25年说明倒推": the change is
# the way to the figure asked, not the figure
BACKWARD_RE = re.compile(
    r"\b(?:stated|reported|printed|given|disclosed)\s+(?:year[\s-]on[\s-]year\s+)?(?:increase|decrease|change|rise|fall|drop|reduction)\b"
    r"|\bimplied\b|\bwork(?:ing)?\s+back\b|\bback\s+out\b|\bderived?\b|倒推|反推|推算|推出"
    r"|\b(?:going|judging)\s+by\b[^?]{0,60}\b(?:increase|decrease|change|rise|fall|drop|growth)\b",
    re.I,
)
# The year before's level asked for (not the change): "what was the previous year's amount?"
PREVIOUS_LEVEL_RE = re.compile(
    r"\b(?:what|how much)\b[^?]{0,40}\b(?:previous|prior|last|preceding)\s+year'?s?\s+(?:amount|figure|level|total|budget|spending|value)\b"
    r"|(?:上年|去年|上一年)(?:的)?(?:金额|数额|规模|水平)?(?:是|为|有)多少",
    re.I,
)
# "what was X's budget the year before": that year's level, when no word of a change is said
# (EN_CHANGE_RE finds only the year phrase, and none of CHANGE_VERBS_RE)
EN_YEAR_BEFORE_RE = re.compile(
    r"(?<!by )\b(?:what|how much) (?:was|were|did)\b[^?]{0,120}"
    r"\b(?:the year before|the previous year|the prior year|the preceding year|last year)\b", re.I)
EN_YEAR_PHRASES = frozenset({"year before", "previous year", "prior year", "last year"})
CHANGE_VERBS_RE = re.compile(
    r"\b(?:shr[iau]nk|slip|sav|gain|climb|jump|versus|vs|relative|declin|differ|cut|reduc|compar|rais|lower|higher"
    r"|up|down|more|less)[a-z]*\b", re.I)
# "FY24", "'24 budget": English two-digit years
EN_SHORT_YEAR_RE = re.compile(r"(?:\bFY\s?|(?<![\w'’])['’])(\d{2})\b", re.I)
# A year that names the report asked of, not a figure's year: "24年预算里", "按25年说明",
# "according to its 2025 budget", "Wanli Subdistrict's 2024 budget"
REPORT_YEAR_RE = re.compile(
    r"(?:按|据|根据|从|在|依)\s*(20\d{2})\s*年度?"
    r"|(20\d{2})\s*年度?\s*(?:的)?\s*(?:部门|单位)?(?:预算|决算)?(?:里|中|上|报告|公开|说明|文件)"
    r"|\b(?:in|according\s+to|per|from|on|by|reported\s+in|stated\s+in|under|of)\s+(?:the\s+|its\s+|their\s+|[A-Z][\w\s]{0,60}?'s\s+)?"
    r"(20\d{2})\s+(?:unit\s+|department(?:al)?\s+)?(?:budget|final\s+accounts|report|disclosure)(?!\s+(?:execution|figure|amount|total))"
    r"|'s\s+(20\d{2})\s+(?:unit\s+|department(?:al)?\s+)?(?:budget|final\s+accounts|report|disclosure)(?!\s+(?:execution|figure|amount|total))",
)
# "2024年预算里", "2019年部门决算中的": the report the figure is looked up in (its kind is the
# query's kind), no words of the figure's name
KIND_POINTER_RE = re.compile(
    r"(?:(?<!\d)(?:20)?\d{2}\s*年度?\s*的?\s*|^|(?<=\s))(?:部门|单位)?(?:预算|决算)(?:报告|公开)?(?:里|中|上(?![年期]))的?")
CODE_RE = re.compile(r"(?<![\d.])(\d{3}|\d{5}|\d{7})(?!\d|\.\d)")  # (never a decimal's part: 998.48)
# a figure the question states (906 items, 4896.98, 3,680.00), not a date's month or day
MENTIONED_RE = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d{2,4})(?!\d|[.,]\d|\s*[月日号])")
SPLIT_CODE_RE = re.compile(r"(?<![\d.,])([1-3]\d{2})[\s.-]+(\d{2})(?:[\s.-]+(\d{2}))?(?![\d.,])")
THRESHOLD_RE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:万元|万|元)?\s*(?:（含）|\(含\))?\s*(?:及|或)?以[上下]")
DIGITS_RE = re.compile(r"(?<![\d.,])\d{5,}(?![\d.,])")  # 12345, 2010301: numbers a figure's row must print
# "the 13th Congress", "the second session": an ordinal names one of a series; the figure's row
# must print it (第十三届, 二次会议)
ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_ORDINAL_WORD_ALT = "|".join(ORDINAL_WORDS)
_COUNTED_BY_ORDINAL = "session|meeting|plenary|plenum|phase|batch|round"  # 次 of 二次会议
ORDINAL_WORD_RE = re.compile(rf"\d{{1,2}}(?:st|nd|rd|th)|{_ORDINAL_WORD_ALT}", re.I)
ORDINAL_COUNTED_RE = re.compile(rf"\s+(?:{_COUNTED_BY_ORDINAL})", re.I)
EN_ORDINAL_RE = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)\b|\b({_ORDINAL_WORD_ALT})\s+(?={_COUNTED_BY_ORDINAL})", re.I)
MARKS_RE = re.compile(r"[，。？！?!、：:；;“”\"'‘’（）()《》〈〉【】\[\],.]+")
PUNCT_RE = re.compile(r"[\s，。？！?!、：:；;“”\"'‘’（）()《》〈〉【】\[\],.]+")

DOC_KIND_STRONG = (
    ("绩效自评", "绩效自评"), ("自评", "绩效自评"), ("self-evaluation", "绩效自评"),
    ("self evaluation", "绩效自评"), ("performance evaluation", "绩效自评"),
    ("部门决算", "决算"), ("决算", "决算"), ("final account", "决算"),
    ("部门预算", "预算"),
)
# Where the split patterns below ("A和B合计", "A比B多", "A占B的比例") start: only where a line
# starts, since a lazy first part can always start there, and trying every later start too made
# a long run of separators (500 × 和) backtrack for seconds.
LINE_START = r"(?:^|(?<=\n))"
# Words that ask for two figures added up.
SUM_CUES = (r"之和|的和|合计|加起来|加在一起|相加|总和|共计|一共|总共|合起来|\btotal\b|\bplus\b|combined|together"
            r"|\badd(?:s|ed|ing)? up\b")
SUM_RE = re.compile(rf"{LINE_START}(.+?)(?:与|和|加上|\+|plus)(.+?)(?:{SUM_CUES})|sum of (.+?) and (.+)", re.I)
SUM_CUE_RE = re.compile(SUM_CUES, re.I)
# "A、B和C": a list mark between two Chinese items (kept apart from the 、 of a printed name only
# where the question asks for a sum)
LIST_MARK_RE = re.compile(r"(?<=[\u4e00-\u9fff）)”])\s*、\s*(?=[\u4e00-\u9fff（(“])")
# 加 between two items adds them ("会议费加培训费"); not inside a word (增加, 追加, 加班, 加强 …)
# (外加, 再加 say it too; 新加坡, 加拿大, 加纳 are places)
PLUS_ZH = r"(?:加上|外加|再加上?|(?<![增追参附外施叠添更再新])加(?![强快大班油工入装固分密权盟点速坡拿纳]))"
LIST_SEPARATORS = rf"与|和|、|{PLUS_ZH}|\+|\bplus\b|\band\b"  # between two items of a list
SUM_SPLIT_RE = re.compile(rf"(.+?)(?:{LIST_SEPARATORS})(.+)", re.I)
# "A加B是多少": the 加 says the sum without any other cue word
BARE_PLUS_RE = re.compile(rf"[\u4e00-\u9fff）)”]{PLUS_ZH}[\u4e00-\u9fff（(“]")
# Words that ask for two figures put together or set against each other and nothing else: a
# question with one that is not read as a computation is not answered with one figure
STRONG_SUM_RE = re.compile(
    r"加起来|加在一起|相加|之和|的和|总和|合起来|\bcombined\b|\bsum(?:s|med|ming)?\b|\baltogether\b"
    r"|\badd(?:ed|ing)? (?:up|together)\b|\btotal(?:l)?ing\b",
    re.I,
)
# A total's own name: "combined total income and expenditure" asks for 收支总计, one printed figure
TOTAL_NAME_RE = re.compile(r"[\u4e00-\u9fff、]{2,}(?:总计|合计|总额)|总预算")  # not "合计" alone ("what is the total")
CHANGE_PHRASE_RE = re.compile(
    r"(?:比|较|与)\s*(?:上年度?|去年|上一年|前一年|20\d{2}\s*年度?)(?:预算|决算)?(?:相比)?"
    r"|(?:涨|降|增加|减少|增长|下降|上升|降低|多|少)了?(?=\s|$)|几(?=\s|$)")
BALANCE_RE = re.compile(r"结转|结余")  # what remains, as printed: a level, not a computation
STRONG_DIFF_RE = re.compile(
    r"相差|之差|差了|差多少|差几|没花完|(?:超出|超过|超支|多出|多花|少花)[^，。？?]{0,20}?多少|\bdifference between\b|\bgap between\b|\bremains?\b|\bremaining\b"
    r"|\bleft over\b|\bunspent\b|\bleaving out\b|\bnot counting\b|\bnet of\b",
    re.I,
)
DIFF_RE = re.compile(
    rf"{LINE_START}(.+?)(?:与|和|减去|减|-)(.+?)(?:相差|之差|的差|差额|差值|差了|差$)|{LINE_START}(.+?)减去(.+?)(?:[，,\s]*(?:差额|差值|相差).*)?$"
    # "A比B多多少" compares two printed figures; "比上年减少了多少" asks for a printed change
    rf"|{LINE_START}(.+?)比(.+?)(?<![增减])(?:多|少|高|低)(?:了)?$|difference between (.+?) and (.+)",
    re.I,
)
# "2024年预算比2023年执行数涨了多少": with the change word taken out, what is left sets one
# figure against another (only where a change is asked, and only when B is no earlier year alone)
SET_AGAINST_RE = re.compile(rf"{LINE_START}(.+?)比(.+?)(?:涨|降|增加|减少|增长|下降|上升|降低)?了?$")
# "X占Y的比例", "Y里X占比多少", "X as a share of Y", "what share of Y went to X": the share one
# printed figure is of another, computed from the two (a share printed in words is found the
# usual way when the two cannot be)
RATIO_WORDS_ZH = r"(?:的)?(?:比例|比重|百分比|百分之几|份额|几成|多少)"
RATIO_RE = re.compile(
    rf"{LINE_START}(.+?)(?:里|中|内|当中)的?(.+?)(?:占比|所占比例|所占比重|占(?:多少)?{RATIO_WORDS_ZH})"
    rf"|{LINE_START}(.+?)占(?!比)(.+?){RATIO_WORDS_ZH}$"
)
RATIO_CUE_ZH_RE = re.compile(r"比例|比重|百分比|百分之|占比|几成|[%％]")
EN_SHARE_WORD_RE = re.compile(r"\b(?:share|proportion|percentage|percent|ratio)\b", re.I)
EN_RATIO_RE = re.compile(
    rf"{LINE_START}(.+?)\bas an? (?:share|percentage|proportion|per ?cent|fraction) of\b(.+)"
    r"|\bwhat (?:share|percentage|proportion|per ?cent|fraction|part)(?:\s*\([^)]*\))? of\b(.+?)\b(?:goes|went|is|was|are|were|comes?|came)"
    r"(?: (?:spent|used|allocated|budgeted))?(?: (?:to|on|for|from))?\b(.+)"
    r"|\b(?:share|percentage|proportion) of (.+?) in (.+)",
    re.I,
)
# "Y里除去X还剩多少", "除了X，Y还有多少", "Y excluding X", "leaving out X, how much of Y remains":
# a whole less one of its parts (both printed), never the part itself
EXCLUDE_WORDS = r"(?:除去|除了|除开|扣除|扣掉|去掉|去除|刨去|不含|不包括|不计|剔除)"
EXCLUDE_RE = re.compile(
    rf"^(?P<whole>.+?)(?:里|中|内)?[，,\s]*{EXCLUDE_WORDS}(?P<part>.+?)(?:的部分|部分)?(?:之外|以外|外|后)?"
    r"(?:还剩|剩下|剩余|还有|还)?$"
    rf"|^{EXCLUDE_WORDS}(?P<part2>.+?)(?:之外|以外|外|后)?[，,\s]+(?P<whole2>.+?)(?:还剩|剩下|剩余|还有|还)?$"
)
# the English words a question leaves something out with
EN_LEAVE_OUT = r"excluding|not counting|not including|leaving out|setting aside|apart from|other than|except(?: for)?|net of"
EN_EXCLUDE_RE = re.compile(
    rf"^(?P<whole>.+?)\b(?:{EN_LEAVE_OUT}|without|less)\b(?P<part>.+)$"
    rf"|^\W*(?:{EN_LEAVE_OUT})\b(?P<part2>[^,]+),(?P<whole2>.+)$",
    re.I,
)
LEAVE_OUT_RE = re.compile(rf"{EXCLUDE_WORDS}|\b(?:{EN_LEAVE_OUT})\b", re.I)
LIST_SEPARATOR_RE = re.compile(LIST_SEPARATORS, re.I)


def _only_left_out_are_listed(text: str) -> bool:
    """"the 'three public' total, excluding meetings and training": the items joined by "and"
    right after the word that leaves something out (up to the next comma) are what is left out,
    not two figures to add; a list before that word ("goods and services combined, excluding
    works") or after the comma that ends it ("不含公务接待费，办公费和印刷费一共") is summed."""
    left_out = LEAVE_OUT_RE.search(text)
    if not left_out:
        return False
    end = re.search(r"[，,；;]", text[left_out.end():])
    after = text[left_out.end() + end.end():] if end else ""
    return not LIST_SEPARATOR_RE.search(text[:left_out.start()]) and not LIST_SEPARATOR_RE.search(after)


# a comparison that asks by how much, not which
GAP_RE = re.compile(
    r"\bby how much\b|\bhow much (?:more|less|higher|lower|bigger|smaller|larger)\b|\b(?:difference|gap)\b"
    r"|差(?:了)?多少|相差|差距|差额|(?:多|少|高|低|增|减|降|涨)(?:了|出)?多少",
    re.I,
)
# Budget against actual for one figure: "比年初预算多花了多少", "预算和实际执行差了多少", "没花完",
# "over budget", "unspent". (over: actual above budget; under: below; else how far apart)
# "its initial budget", "the start-of-year budget", "budget": the budget a variance is against
EN_ITS_BUDGET = r"(?:its\s+|the\s+|their\s+)?(?:initial\s+|original\s+|year-start\s+|beginning-of-year\s+|start-of-year\s+)?budget\b"
VARIANCE_OVER_RE = re.compile(
    r"比(?:年初|全年)?预算(?:数)?多(?:花|用|支出|支)?(?:了)?|超支|(?:超出|超过|超|高于)了?(?:年初|全年)?预算"
    rf"|\b(?:over|above|exceed(?:ed|s)?)\s+{EN_ITS_BUDGET}"
    r"|\bmore than (?:it |they )?(?:had )?budgeted\b",
    re.I,
)
VARIANCE_UNDER_RE = re.compile(
    r"比(?:年初|全年)?预算(?:数)?少(?:花|用|支出|支)?(?:了)?|低于了?(?:年初|全年)?预算|没花完|未花完|没用完|未用完|节约了?多少|省了多少"
    rf"|\b(?:under|below|within)\s+{EN_ITS_BUDGET}"
    r"|\bunspent\b|\bless than (?:it |they )?(?:had )?budgeted\b|\bleft unspent\b",
    re.I,
)
VARIANCE_GAP_RE = re.compile(
    r"(?:年初|全年)?预算(?:数)?(?:和|与|跟|同)(?:实际)?(?:执行|支出|决算|花)(?:数|的)?(?:相)?差"
    r"|(?:实际)?(?:执行|支出|决算)(?:数)?(?:和|与|跟|同)(?:年初|全年)?预算(?:数)?(?:相)?差"
    r"|(?:年初|全年)?预算(?:数)?比(?:实际)?(?:执行|支出|决算)(?:数)?(?:多|少)"
    r"|(?:实际)?(?:执行|支出|决算)(?:数)?比(?:年初|全年)?预算(?:数)?(?:多|少)"
    r"|\b(?:budget(?:ed)?|plan(?:ned)?)\s+(?:and|vs\.?|versus)\s+(?:the\s+)?actual|\bactual\s+(?:and|vs\.?|versus)\s+(?:the\s+)?budget",
    re.I,
)
# the words of a budget-against-actual question, to leave the item it is about
VARIANCE_WORDS_RE = re.compile(
    r"多出|比|年初|全年|预算数?|实际|执行数?|决算数?|多花|少花|多用|少用|花|用|多|少|超支|超出|超过|超|高于|低于|没花完|未花完|没用完|未用完"
    r"|节约|省|和|与|跟|同|相|差|了|的|钱|有|是|多少|万元?|那块|这块|那项|这项|[，,]"
)
COMPARE_RE = re.compile(
    r"which\b.{0,60}?\b(larger|bigger|higher|greater|more|smaller|lower|less)\b|\bcompare\b|\bvs\.?\b|比较|对比"
    # "…? give the larger figure", "whichever is bigger": the answer asked is one of the two
    r"|\b(?:give|return|report|show|state|name)\s+(?:me\s+|us\s+)?(?:the|whichever(?:\s+is)?)\s+"
    r"(larger|bigger|higher|greater|smaller|lower)\b|\bwhichever\s+is\s+(larger|bigger|higher|greater|smaller|lower)\b"
    r"|(?:哪个|哪一个|哪家|谁).{0,30}?更?(大|多|高|小|少|低)(?!少)",
    re.I,
)
# Words of a change the reports print (比上年增加, 同比); a label with one is a change, not a level.
# Words that ask for a total ("一共花了多少", "总支出"): a figure labelled 合计/总额/总计 is meant.
TOTAL_CUE_RE = re.compile(r"一共|总共|共计|合计|总额|总计|总数|总支出|总收入|总预算|收支总|\btotal\b|\boverall\b|in all", re.I)
# A comparison's own words, no part of what is compared.
CONNECTIVE_WORDS = frozenset({"和", "与", "跟", "及", "同"})  # left alone where two names were joined
COMPARE_LEFTOVERS = frozenset("多少大小高低的数者")  # one character standing alone after them
COMPARE_WORDS = ("哪一个", "哪个", "哪家", "谁的", "谁", "更多", "更少", "更大", "更小", "更高", "更低", "较大", "较小", "较多", "较少")
CHANGE_WORDS = ("增加", "减少", "增长", "下降", "上升", "降低", "比上年", "较上年", "同比", "与上年", "持平", "增幅")
# A question asks for a change with those words or colloquial ones (涨了, 降了, 多了).
CHANGE_CUE_RE = re.compile("|".join((*CHANGE_WORDS, "涨了", "降了", "多了", "少了", "增减")))
EARLIER_YEAR_WORDS = frozenset({"上年", "去年", "前一年", "上一年", "上年度", "上年同期"})
# "did X spend more on goods or services": a comparison of two items, in English
EN_ITEM_COMPARE_RE = re.compile(
    r"\b(more|less|larger|smaller|higher|lower|bigger)\b[^?]{0,60}?\bor\b"
    # "is overseas travel or official hospitality larger?"
    r"|\b(?:is|was|are|were)\b[^?]{0,80}?\bor\b[^?]{0,60}?\b(larger|bigger|higher|greater|more|smaller|lower|less)\b",
    re.I,
)
# The two items compared: "服务采购 和 货物采购", "服务采购还是货物采购".
ITEMS_RE = re.compile(r"(.+?)(?:还是|或者|或|和|与|跟|\s比\s?)(.+)")
SMALLER_WORDS = ("smaller", "lower", "less", "小", "少", "低")
# Words asking for one of two figures by size ("give the larger figure", 给出较大的)
PICK_CUE_RE = re.compile(r"larger|smaller|bigger|greater|higher|lower|较大|较小|更大|更小|较多|较少|大的|小的", re.I)
# What a figure measures: the budget, the actual outturn, or a target. A question that asks
# for one is never answered with another.
MEASURE_CUES = (
    ("actual", ("决算", "执行数", "执行了", "实际", "完成值", "花了", "用了", "花掉", "花得", "用得", "开支", "花费", "actual", "executed", "spend ", "spend?",
                "spent", "outturn")),
    ("budget", ("预算", "安排了", "计划", "budget", "budgeted", "allocated", "planned", "year-start", "initial")),
    ("target", ("目标值", "target")),
)
INTENDED_SPENDING_RE = re.compile(
    r"\b(?:(?:plan|plans|planned|planning|expect|expects|expected|intend|intends|intended|going|set|is set|are set)"
    r"\s+to\s+spend|will(?:\s+\w+){0,4}?\s+(?:spend|be\s+spent))\b")
# Names of funds and reports that contain 预算/决算 without naming a measure.
FUND_NAMES_RE = re.compile(
    r"一般公共预算|政府性基金预算|国有资本经营预算|部门预算|部门决算|预算单位|预算管理|预算绩效|预算财政拨款"
    r"|general public budget|government(?:al)?[- ]fund budget|state capital operation budget|budget(?:ary)? units?"
    r"|budget management|budget performance", re.I)
MEASURES = ("全年预算数", "年初预算数", "支出决算数", "全年执行数", "全年预算", "年初预算", "支出决算", "预算数",
            "决算数", "执行数", "实际完成值", "年初目标值", "预算", "决算", "执行")


@dataclass(frozen=True)
class ReportInfo:
    name: str
    org: str
    district: str
    year: int | None
    kind: str
    aliases: tuple[str, ...]
    scope: str = ""
    group: str = ""  # the report this one is part of (itself unless joined): one report, several files


def join_groups(catalog: list[ReportInfo], joined: dict[str, str] | None = None) -> list[ReportInfo]:
    """Files of one report share a group: those joined by hand (`index add --same-report-as`)
    and those whose documents give the same organisation, year, kind and scope (a narrative
    file and its tables file; one report added twice under two names). A question about one
    is asked of all, and one figure printed in several of them is one answer citing each."""
    joined = joined or {}
    names = {i.name for i in catalog}
    by_identity: dict[tuple[str, int, str], list[tuple[str, str]]] = {}
    group: dict[str, str] = {}
    # files that name a scope first, so a file that names none joins the report it completes
    for info in sorted(catalog, key=lambda i: (not i.scope, i.name)):
        target = joined.get(info.name, "")
        if target in names:
            group[info.name] = group.get(target, target)
            continue
        group[info.name] = info.name
        if info.org and info.year and info.kind:
            # a 部门 budget and a 单位 budget of one office are two reports
            known = by_identity.setdefault((info.org, info.year, info.kind), [])
            match = next((g for scope, g in known if not info.scope or scope == info.scope), None)
            if match:
                group[info.name] = match
            else:
                known.append((info.scope, info.name))
    return [replace(i, group=group[i.name]) for i in catalog]


def _pinyin(text: str) -> str:
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # pragma: no cover - pypinyin is a dependency; degrade to no pinyin
        return ""
    return "".join(lazy_pinyin(text)).lower()


@lru_cache(maxsize=65536)
def _word_starts(text: str) -> tuple[int, ...]:
    """Where each word of `text` starts (jieba's dictionary cut, no HMM guesses)."""
    from index.stores import _jieba

    starts, at = [], 0
    for word in _jieba().lcut(text, HMM=False):
        starts.append(at)
        at += len(word)
    return tuple(starts)


def report_info(row: dict[str, Any]) -> ReportInfo:
    org = str(row.get("org") or "")
    district = str(row.get("district") or "")
    aliases: list[str] = []
    if org:
        aliases.append(org)
    if district:
        stem = district[:-1] if len(district) >= 3 else district
        aliases += [district, stem]
        py = _pinyin(stem)
        if py:
            aliases.append(py)
        head = org.split(district, 1)[0] if district in org else ""
        city = re.sub(r"^中共", "", head)
        if len(city) >= 3:
            aliases.append(city)
        tail = org.split(district, 1)[1] if district in org else ""
        tail = tail.lstrip("委")
        # office words after the district: 社会工作部, 网格化综合服务中心, 城市运行管理中心 …,
        # each tail starting where a word starts (管理服务中心, not 理服务中心: a tail cut inside
        # a word is read in 受理服务中心, a unit the question names)
        for cut in reversed(_word_starts(tail)):
            piece = tail[cut:]
            if len(piece) >= 5 and piece[0] not in "和与及的":  # (和自然资源局 is no way to say it)
                aliases.append(piece)
    return ReportInfo(
        name=str(row["name"]), org=org, district=district,
        year=int(row["year"]) if row.get("year") else None, kind=str(row.get("kind") or ""),
        aliases=tuple(dict.fromkeys(a for a in aliases if a)), scope=str(row.get("scope") or ""),
        group=str(row["name"]),
    )


@dataclass(frozen=True)
class Query:
    question: str
    lang: str
    reports: tuple[str, ...]  # candidate report names after org/year/kind resolution
    orgs: tuple[str, ...]  # districts named (for comparisons across organisations)
    years: tuple[int, ...]
    kind: str
    metric: str  # the question with org/year/kind/question words removed (Chinese terms)
    terms: tuple[str, ...]  # extra Chinese terms from the glossary
    codes: tuple[str, ...]
    numbers: tuple[str, ...]  # distinctive digit runs (12345 hotline, codes)
    unit_wanted: str  # "money" | "count" | "percent" | "score" | ""
    count_unit: str  # a specific count unit asked for (辆, 件 …)
    op: str  # "value" | "times" (A ÷ B, a multiple) | "sum_all" (every operand added: a year's quarters) | "sum" | "diff" (absolute, 相差) | "minus" (signed, 减去) | "except" (a whole less its part) | "ratio" | "variance" (an item's budget against its actual; operands (item, over|under|gap|larger|smaller)) | "compare" | "compare_items" | "rank" (one figure of each organisation, sorted: `ranking`) | "unread" (two figures asked for, not told apart)
    operands: tuple[str, ...] = ()
    table_ref: str = ""
    table_ref_rendered: bool = False  # table_ref is an English name put in Chinese: a guess at the title
    measure: str = ""
    smaller: bool = False
    gap: bool = False  # a comparison asking how far apart the two are ("down by how much", 差多少)
    year_in_text: bool = False  # the year asked is no report's year: facts must mention it
    unknown_place: str = ""
    org_named: bool = True
    wants_change: bool = False  # a printed change ("比上年增加 …") is asked for, not a level
    wants_total: bool = False  # "一共", "总支出", "total": a figure labelled 合计/总额/总计
    # operands given the setting the question states once ("in the 三公 budget, A or B"): the
    # items themselves, which the figures found must still name
    items: tuple[str, ...] = ()
    # other figures the question quotes ("of the 906 items, how many were completed"): the
    # sentence that prints them is likelier the one asked about
    mentioned: tuple[str, ...] = ()
    fallback_metrics: tuple[str, ...] = ()  # metrics tried in turn when the metric names nothing
    counted: str = ""  # what a count question counts ("how many budget units …" -> 预算单位)
    ordinals: tuple[tuple[str, ...], ...] = ()  # each English ordinal's printed forms (十三, 13)
    dates: tuple[int, ...] = ()  # years of dates the question gives ("截至2024年8月底")
    from_tables: bool = False  # "决算表里…", "in the tables": a table's figure, not the text's
    from_text: bool = False  # "说明里写的…", "in the narrative": a sentence's figure, not a cell's
    avoid: tuple[str, ...] = ()  # "（不是劳务派遣那个）": what the figure asked for is not
    # op "rank": the figure asked of every organisation of a kind, sorted ("各单位…从高到低")
    ranking: RankAsk | None = None
    searched: dict[str, Any] = field(default_factory=dict)


# The joining characters inside a standard name (城乡社区规划与管理, 对个人和家庭的补助): no
# place to split two items at. They are masked while the computation parser reads a metric.
_JOINERS = {"和": "\ue000", "与": "\ue001", "及": "\ue002"}
_UNMASK = str.maketrans({v: k for k, v in _JOINERS.items()})


@lru_cache(maxsize=1)
def _joined_names() -> tuple[str, ...]:
    names = set(english_vocabulary().values())
    return tuple(sorted((t for t in names if any(j in t for j in _JOINERS)), key=lambda w: (-len(w), w)))


def mask_joined_names(text: str) -> str:
    for name in _joined_names():
        if name in text:
            text = text.replace(name, name.translate(str.maketrans(_JOINERS)))
    return text


def unmask(text: str) -> str:
    return text.translate(_UNMASK)


# A metric of these words alone asks for a report's whole budget.
TOTAL_WORDS = frozenset({"合计", "总计", "总额"})  # "the budget total" is the budget
BARE_ACTUAL_WORDS = frozenset({"支出", "决算", "实际支出", "支出决算", "决算数"})  # spending, no item named
BARE_BUDGET_WORDS = frozenset({"预算", "预算数", "总预算", "预算总额", "预算总数", "全部预算", "整体预算", "部门预算", "单位预算", "年度预算"})
NUMERAL_CHARS = frozenset("一二三四五六七八九十0123456789")


def share_subject(first: str, second: str) -> tuple[str, str]:
    """'项目支出预算数' and '执行数' -> ('项目支出预算数', '项目支出执行数'): a second operand that
    names only a measure shares the first operand's subject (Chinese drops it)."""
    second_measure = second.strip("的 ")
    if second_measure in MEASURES:
        for measure in sorted(MEASURES, key=lambda w: (-len(w), w)):
            if first.endswith(measure):
                if len(first) > len(measure):
                    return first, first[: -len(measure)] + second_measure
                break  # the first operand is a measure itself: nothing to share
    if len(first) == 1 or (len(first) <= 2 and all(c in NUMERAL_CHARS for c in first)):
        # "二、三季度用款计划", "水、电费": the first names only what sets it apart
        if len(second) > len(first) + 1:
            return first + second[len(first):], second
    if second and len(second) <= 4 and len(first) > len(second) + 1 and first[-1] == second[-1]:
        return first, first[: len(first) - len(second)] + second
    return first, second


def share_context(first: str, second: str) -> tuple[str, str]:
    """'三公经费支出 预算 因公出国境费' and '公务接待费' -> the second with the first's leading
    words: in a rendered English question ("in the 'three public expenses' budget, is overseas
    travel or official hospitality larger") the words before the first item are the setting of
    both. Only runs the rendering spaced apart; Chinese written as one run is left as it is."""
    words = first.split()
    setting = [w for w in words[:-1] if w != words[-1]]  # a gloss repeats the item: no setting
    if not setting or " " in second.strip() or any(w in second for w in setting):
        return first, second
    return " ".join([*setting, words[-1]]), " ".join([*setting, second.strip()])


def _ratio_operands(question: str, metric: str, lang: str, remove: PhraseIndex,
                    linker: OrgLinker) -> tuple[str, str] | None:
    """(part, whole) of a question asking the share one figure is of another, else None."""
    found = EN_RATIO_RE.search(question) if lang != "zh" else None
    if found is not None:
        groups = [g for g in found.groups() if g is not None]
        part, whole = (groups[1], groups[0]) if found.group(3) is not None else (groups[0], groups[1])
        sides = [_english_side(side, remove, linker) for side in (part, whole)]
    elif lang == "en":
        return None
    else:
        # Chinese, or a mixed question that says 占 in Chinese and the share in English
        # ("basic expenditure 占本年支出合计的 share 是多少")
        text = re.sub(r"\s*(占|比例|比重|占比|百分比)\s*", r"\1", metric)
        cue = RATIO_CUE_ZH_RE.search(question) or EN_SHARE_WORD_RE.search(question)
        if "占" in text and cue:
            text = re.sub(r"[\s%％]+$", "", text)
            if not re.search(f"{RATIO_WORDS_ZH}$", text):
                # "X占Y的百分比是多少？": the share's word went out with the question words
                text = text.rstrip("的 ") + "比例"
        found = RATIO_RE.search(text)
        if found is None:
            return None
        if found.group(1) is not None:
            whole, part = found.group(1), found.group(2)
        else:
            part, whole = found.group(3), found.group(4)
        sides = [part, whole]
    sides = [" ".join(side.removeprefix("的").split()).strip("的 ") for side in sides]
    if not all(grams_of(side) for side in sides) or sides[0] == sides[1]:
        return None
    return sides[0], _whole_named(sides[1])


# "all four quarterly plans", "四个季度", "1至4季度": the year's four quarters asked together
QUARTERS_RE = re.compile(r"\b(?:all\s+)?(?:four|4)\s+quarter(?:ly|s)?\b|四个季度|[一1]\s*[至到-]\s*[四4]\s*季度|全年四个季度", re.I)
SUM_OF_SERIES_RE = re.compile(r"\b(?:add(?:ing)?\s+up|sum|total|together|combined)\b|合计|加起来|加总|一共|总共|合起来", re.I)
QUARTER_WORDS_RE = re.compile(r"第?[一二三四1-4]?个?季度|四个|合计|一共|总共|加起来|总计")
# "A is how many times B", "A是B的几倍": a multiple, A ÷ B
TIMES_EN_RE = re.compile(
    r"(?:^|[:,]\s*)(?P<a>[^:,?]+?)\s+(?:is|are|was|were)\s+how many times\s+"
    r"(?:(?:as (?:much|large|big|high) as|that of|those of)\s+)?(?P<b>[^?]+)", re.I)
TIMES_ZH_RE = re.compile(r"(?:^|(?<=[，。？?\n]))(?P<a>[^，。？?]+?)是(?P<b>[^，。？?]+?)的(?:几|多少)倍")


def _times_operands(question: str, lang: str, remove: PhraseIndex, linker: OrgLinker) -> tuple[str, str] | None:
    """(A, B) of a question asking how many times B is A; None when it asks no multiple."""
    found = TIMES_EN_RE.search(question) if lang != "zh" else None
    if found is not None:
        sides = [_english_side(found.group(k), remove, linker) for k in ("a", "b")]
    else:
        found = TIMES_ZH_RE.search(question)
        if found is None:
            return None
        sides = [clean_metric(found.group(k), remove) for k in ("a", "b")]
    sides = [" ".join(side.split()).strip("的 ") for side in sides]
    if not all(grams_of(side) for side in sides) or sides[0] == sides[1]:
        return None
    return sides[0], sides[1]


def _english_side(side: str, remove: PhraseIndex, linker: OrgLinker) -> str:
    """One side of an English share or exclusion, as the metric the rest of the question gives."""
    return clean_metric(render_english(side, linker.name_words).text, remove)


def _whole_named(whole: str) -> str:
    """The whole a share is of, or a part is taken from: a bare "budget" or "spending" is the
    report's total, in the words the templates print it with."""
    if set(whole.split()) <= BARE_BUDGET_WORDS | TOTAL_WORDS:
        return "收入支出预算总计"  # "what share of the budget": of the whole budget
    if set(whole.split()) <= BARE_ACTUAL_WORDS:
        return "本年支出合计"  # "of all it spent"
    return whole


def _excluded_operands(question: str, metric: str, lang: str, remove: PhraseIndex,
                       linker: OrgLinker) -> tuple[str, str] | None:
    """(whole, part) of a question asking what is left of a figure without one of its parts."""
    if lang != "zh":
        found = EN_EXCLUDE_RE.search(question.strip().rstrip("?？"))
        if found is None:
            return None
        whole, part = found.group("whole") or found.group("whole2"), found.group("part") or found.group("part2")
        sides = [_english_side(side, remove, linker) for side in (whole, part)]
    else:
        found = EXCLUDE_RE.search(metric)
        if found is None:
            return None
        sides = [found.group("whole") or found.group("whole2"), found.group("part") or found.group("part2")]
    sides = [" ".join(re.sub(r"(?:还剩|剩下|剩余|remains?|left)$", "", side.strip()).split()).strip("的 ，,")
             for side in sides]
    if not all(grams_of(side) for side in sides) or sides[0] == sides[1]:
        return None
    return _whole_named(sides[0]), sides[1]


# (中 only where it is no part of a word: 集中采购, 其中, 中小企业, 中心 …)
ZH_SETTING_RE = re.compile(
    r"^(?P<setting>[\u4e00-\u9fff]{2,}?)(?:里面|里|当中|之中|(?<![集其空心])中(?![小心央国标间期部]))的?"
    r"(?P<item>[\u4e00-\u9fff]{2,})$")


def share_setting_zh(first: str, second: str) -> tuple[str, str]:
    """'政府采购预算里工程' and '服务' (from "政府采购预算里，工程比服务多多少") -> '政府采购预算 工程'
    and '政府采购预算 服务': the place named before the first item with 里/中 is where both are."""
    found = ZH_SETTING_RE.match(first.replace(" ", ""))
    if not found or not second.strip() or found.group("setting") in second:
        return first, second
    return f"{found.group('setting')} {found.group('item')}", f"{found.group('setting')} {second.strip()}"


def _with_setting(operands: tuple[str, str], lang: str) -> tuple[tuple[str, ...], tuple[str, str]]:
    """(the items as the question names them, the operands to look up): in English the setting
    stated once goes with both (share_context), in Chinese the place named with 里/中
    (share_setting_zh); () when nothing was shared."""
    if lang == "zh":
        shared = share_setting_zh(*operands)
        return (shared, shared) if shared != operands else ((), operands)
    shared = share_context(*operands)
    return (operands, shared) if shared != operands else ((), operands)


def sum_items(metric: str) -> list[str]:
    """'A和B和C' -> [A, B, C]: the items a sum question lists (SUM_SPLIT_RE's separators), each
    sharing its neighbour's subject as two-item sums do ("水、电费")."""
    items: list[str] = []
    rest = metric
    while (found := SUM_SPLIT_RE.match(rest)) and found.group(1).strip() and found.group(2).strip():
        items.append(found.group(1).strip())
        rest = found.group(2)
    rest = SUM_CUE_RE.sub("", rest).strip()
    if rest:
        items.append(rest)
    for k in range(len(items) - 1):
        items[k], items[k + 1] = share_subject(items[k], items[k + 1])
    return items


def share_enumerated(first: str, second: str) -> tuple[str, str]:
    """'…新建工程二季度' and '三季度用款计划' (from "二、三季度用款计划") -> both whole: the words
    before the first and after the second belong to each."""
    a = re.search(r"[一二三四1-4]季度$", first)
    b = re.match(r"([一二三四1-4]季度)(.*)$", second)
    if not (a and b):
        return first, second
    prefix = first[: a.start()]
    return first + b.group(2), prefix + second


def asked_measure(question: str) -> str:
    """'budget' | 'actual' | 'target' | '' (both or neither named)."""
    q = FUND_NAMES_RE.sub("", question.lower()).replace("final account", "")
    q = re.sub(r"(?:预算|决算)说明", "", q)  # where to read it ("决算说明中…预算是多少"), no measure
    q = INTENDED_SPENDING_RE.sub(" budget ", q)  # "plans to spend": what is budgeted, not spent
    found = {name for name, cues in MEASURE_CUES if any(c in q for c in cues)}
    return found.pop() if len(found) == 1 else ""


def detect_lang(question: str) -> str:
    cjk = len(re.findall(r"[\u4e00-\u9fff]", question))
    latin = len(ASCII_WORD_RE.findall(question))
    if cjk and latin >= 2:
        return "mixed"
    return "zh" if cjk else "en"


# A measure word that is the first character of a noun ("多少项目", "几部门"): the noun is what is
# counted (in 个), not the measure word; an amount when the noun is followed by one ("多少项目资金")
COUNTER_AS_NOUN = {"项": "[目]", "部": "[门分]", "名": "[称单]", "台": "[账]", "件": "[数]", "户": "[籍]"}
AMOUNT_AFTER_NOUN_RE = re.compile(r"^.?(?:预算|资金|经费|支出|金额|收入)")


# "how many budget units filed …", "有几个预算单位开展了…": the noun a count question counts, up to
# the verb or preposition after it
EN_COUNTED_RE = re.compile(
    r"\bhow many\s+((?:[a-z][a-z-]*\s+){0,3}?[a-z][a-z-]*?)(?=\s+(?:did|does|do|were|was|are|is|have|has|had|in|of|for"
    r"|at|within|under|on|by|from|that|which|who|got|get|will|would|could|can|per|across|during|[a-z]+ed)\b|\s*[?,.]|\s*$)",
    re.I)
ZH_COUNTED_END = (r"开展|编报|完成|参加|参与|实施|组织|进行|建立|建成|办理|受理|获得|举办|召开|设立|成立|落实|推进|纳入"
                  r"|申报|申请|提交|报送|上报|维护|处理|处置|签收|收到|接到|回访|采集|登记|购置|配备|使用|发生"
                  r"|通过|达到|是|有|在|被|的|了|呢|啊|吗|[，,。？?！!\s]|$")
ZH_COUNTED_RE = re.compile(rf"(?:多少|几)(?:个|件|项|名|户|辆|台|套|家|所|期|场|批|条|类)([\u4e00-\u9fff]{{2,8}}?)(?={ZH_COUNTED_END})")


def _counted_noun(question: str, linker: OrgLinker) -> str:
    """What a count question counts, in the Chinese the reports print it in; '' when it names
    nothing after its count word (多少件, how many)."""
    found = ZH_COUNTED_RE.search(question)
    if found:
        return found.group(1)
    found = EN_COUNTED_RE.search(question)
    if found:
        rendered = render_english(found.group(1), linker.name_words)
        return "".join(rendered.terms) if not rendered.unplaced else ""
    return ""


def _unit_wanted(question: str) -> tuple[str, str]:
    q = question.lower()
    if re.search(r"\bscored?\b|\bscores\b|\bpoints\b|得分|分数|分值|多少分|几分|总分|评分", q):
        return "score", ""  # a self-evaluation's 分, never an amount or a count
    if re.search(r"(?:多少|几)个?(?:人|名)(?!次|民)", q):
        return "count", "人"  # 几个人, 多少名
    for unit in ("辆", "件", "人次", "户", "名", "部", "台", "套", "项", "个"):
        said = re.search(f"(?:多少|几){unit}", q)
        if said and unit in COUNTER_AS_NOUN and re.match(COUNTER_AS_NOUN[unit], q[said.end():]):
            if AMOUNT_AFTER_NOUN_RE.match(q[said.end():]):
                continue  # "多少项目预算资金": an amount of the projects
            return "count", ""  # "多少项目", "几部门": projects, departments, counted in 个
        if said:
            # 几个 is any count (几个编制 are people); other measure words say what is counted
            return "count", "" if unit == "个" else unit
    counted = re.search(r"\bhow many\b(?:\s+[\w'-]+){0,3}?\s+(batch(?:es)?|person[- ]times|vehicles?|cars?|households?)\b", q)
    if counted:
        # what English counts in, said in the unit the reports print ("how many reception batches")
        word = counted.group(1)
        return "count", ("批次" if word.startswith("batch") else "人次" if word.startswith("person")
                         else "户" if word.startswith("household") else "辆")
    if re.search(r"percentage|in percent|百分比|百分之|by what percent|\bwhat (?:share|proportion|fraction|rate)\b"
                 r"|\bas an? (?:share|percentage|proportion|per ?cent|fraction) of\b|\bshare of\b"
                 r"|\b(?:execution|completion|satisfaction|implementation|utili[sz]ation|growth)\s+rate\b|\bsatisfaction\b"
                 r"|\brate of (?:increase|growth|decrease|decline)\b", q):
        return "percent", ""  # "in percentage terms, how much did it grow"
    if any(w in q for w in ("how much", "spent", "spend", "cost", "万元")) and "how many" not in q:
        return "money", ""
    if "编制" in q and "人" not in q:
        return "count", ""  # posts are printed in 个 as often as in 人 (共有编制数 11 个)
    if "几人" in q or "多少人" in q or "人数" in q or re.search(r"how many (?:people|staff|employees|persons)", q):
        return "count", "人"
    if any(w in q for w in ("百分比", "百分之", "占比", "比例", "比重", "percent", "%", "满意度", "满意率", "执行率", "率是", "rate")):
        return "percent", ""
    if "how many" in q or "多少件" in q or "多少个" in q:
        return "count", ""
    # ("2024年决算里…": the report pointed at says nothing of the figure's unit)
    if any(w in KIND_POINTER_RE.sub(" ", q) for w in ("万元", "元", "金额", "经费", "支出", "收入", "预算", "决算", "资金",
                                                    "how much", "拨款", "费", "多少钱")):
        return "money", ""
    if re.search(r"\b(?:budget|budgeted|spending|expenditure|expenses?|funds?|funding|costs?|allocated|yuan)\b", q):
        return "money", ""
    return "", ""


ORG_TAIL = r"[\u4e00-\u9fa5]{0,12}?(?:服务中心|管理中心|中心|工作部|局|办公室|委员会)"
ORG_TAIL_RE = re.compile(ORG_TAIL)
# A question pointing at the tables without naming one ("决算表里…", "in the tables")
TABLE_POINTER_RE = re.compile(
    r"(?:决算|预算|公开)?表格?(?:里|中|内|上)的?|\b(?:in|from) the (?:\w+ )?tables?\b", re.I)
# (代表 is a deputy, not a table; a name ends at a pointer word, punctuation or the question's end)
TABLE_REF_RE = re.compile(r"([\u4e00-\u9fa5“”\"（）()]{4,40}?(?<!代)表)(?=中|里|内|的|，|,|：|:|\s|$|？|\?)"
                          r"|[（(]([\u4e00-\u9fa5“”\"]{2,40}?(?<!代)表)[)）]")
# A question pointing at the narrative ("说明里写的", "in the narrative"): a sentence's figure, not a cell's
TEXT_POINTER_RE = re.compile(
    r"(?:说明|文字|正文|文字说明|情况说明)(?:里|中|内|部分)|文中|原文(?:里|中)?写|"
    r"\b(?:in|per|from|according to) (?:the |its )?(?:narrative|text|explanatory notes?|written explanation)\b"
    r"|\bnarrative\b(?!\s+table)", re.I)
# English words the vocabulary cannot place, this many of them: they name what is asked ("new
# assets the centre plans to add"), and a bare "budget" left beside them is not the whole budget
UNPLACED_NAME_A_PART = 2
EARLIER_RE = re.compile("|".join(sorted(EARLIER_YEAR_WORDS, key=len, reverse=True))
                        + r"|\b(?:previous|prior|last|preceding) year\b", re.I)
ANSWER_ASKED_RE = re.compile(r"(?:请|并)?(?:给出|写出|说出|报出)(?:较大|较小|更大|更小|较多|较少|大的|小的|多的|少的)?(?:者|的那一个数|的那个数|的那一个|的那个|那一个数|那个数|那一个|那个|的数字|的数|数字|数)?|(?<=\s)者(?=\s|$)")
VERSUS_RE = re.compile(r"\s*(?<![A-Za-z])(?:vs\.?|versus|VS|PK)(?![A-Za-z])\s*", re.I)
# What the question says it does not mean ("（不是劳务派遣那个）", "(not the year-start one)",
# "rather than X"): facts named by it are not the answer
AVOID_RE = re.compile(
    r"[（(]\s*(?:不是|而不是|并非|不要|非)\s*([^（()）]{2,24}?)\s*(?:那个|那项|那一项|那笔|这个|的那个)?\s*[)）]"
    r"|(?<![是])(?:，|,)\s*(?:而)?不是\s*([^，,。？?！!]{2,24}?)(?:那个|那项|那一项|那笔|这个|的那个)?(?=[，,。？?！!]|$)"
    r"|[（(]\s*not\s+(?:the\s+)?([^()（）]{2,40}?)(?:\s+(?:one|figure|line|item|amount))?\s*[)）]"
    r"|(?:,|，)\s*not\s+(?!counting|including|included)(?:the\s+)?([^,，.?？!]{2,40}?)(?:\s+(?:one|figure|line|item|amount))?(?=[,，.?？!]|$)"
    r"|\b(?:rather than|instead of)\s+(?:the\s+)?([^,，.?？!]{2,40}?)(?:\s+(?:one|figure|line|item|amount))?(?=[,，.?？!]|$)",
    re.I)
EN_TABLE_REF_RE = re.compile(
    r"([\u4e00-\u9fa5“”\"（）()、]{4,40})\s*(?:budget\s+|final\s+accounts?\s+|expenditure\s+|spending\s+|revenue\s+)?"
    r"(?:table|form|sheet)\b", re.I)
UNIT_WORDS_RE = re.compile(r"[（(](?:单位[：:])?(?:万元|千元|亿元|元)[）)]|(?:单位[：:])?(?:万元|千元|亿元)")


# "in the fiscal appropriation summary table", "the economic classification table": the words
# between a determiner and "table" name it
EN_TABLE_NAME_RE = re.compile(
    r"\b(?:the|its|their|this|that)\s+((?:(?!(?:of|in|on|for|to|the|a|an|what|which|is|was|its)\b)[A-Za-z'’‘“”\"&-]+\s+){1,6}?)"
    r"(summary\s+)?(?:table|sheet)\b", re.I)


def english_table_name(question: str, linker: OrgLinker) -> str:
    """The table an English question names, in the Chinese its title prints ("财政拨款 总表"),
    when every word of the name is in the vocabulary; "" otherwise."""
    for found in EN_TABLE_NAME_RE.finditer(question):
        rendering = render_english(found.group(1), linker.name_words)
        chinese = " ".join(rendering.terms)
        if rendering.unplaced or not chinese:
            continue
        return f"{chinese} 总表" if found.group(2) else chinese
    return ""


def table_reference(question: str) -> str:
    """'…基本支出决算表中，绩效工资…' -> '…基本支出决算表': the table the question points at."""
    match = TABLE_REF_RE.search(question)
    return (match.group(1) or match.group(2)).strip("“”\"") if match else ""


def strip_name(text: str, name: str, replacement: str) -> str:
    """`text` with each `name` and the office words after it (ORG_TAIL) replaced: one scan per
    name, no pattern compiled per name (a store of thousands of names would recompile them for
    every question)."""
    out: list[str] = []
    i = 0
    while (k := text.find(name, i)) >= 0:
        end = k + len(name)
        tail = ORG_TAIL_RE.match(text, end)
        out += [text[i:k], replacement]
        i = tail.end() if tail else end
    return "".join(out) + text[i:] if out else text


@lru_cache(maxsize=8192)
def _ascii_word_re(word: str) -> re.Pattern[str]:
    return re.compile(re.escape(word), re.I)


class PhraseIndex:
    """Words to look for in short texts, bucketed by their first two characters: which of
    thousands of names a question holds costs one lookup per character of the question."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = [w for w in dict.fromkeys(words) if w]
        self.extra: tuple[str, ...] = ()  # a few words added for one question (plus)
        self._by_start: dict[str, list[str]] = {}
        self._ascii = [w for w in self.words if w.isascii()]
        self._short = [w for w in self.words if not w.isascii() and len(w) < 2]
        for w in self.words:
            if not w.isascii() and len(w) >= 2:
                self._by_start.setdefault(w[:2], []).append(w)

    def plus(self, words: Iterable[str]) -> PhraseIndex:
        """This index and a few more words (a question's own aliases), without rebuilding it."""
        out = copy.copy(self)
        out.extra = tuple(w for w in words if w)
        return out

    def present(self, text: str, lowered: str | None = None) -> set[str]:
        lowered = text.lower() if lowered is None else lowered
        found = {w for w in self._ascii if w.lower() in lowered} | {w for w in self._short if w in text}
        found |= {w for w in self.extra if (w.lower() in lowered if w.isascii() else w in text)}
        for k in range(len(text) - 1):
            for w in self._by_start.get(text[k : k + 2], ()):
                if text.startswith(w, k):
                    found.add(w)
        return found


@dataclass(frozen=True)
class CatalogIndex:
    """What parse_query looks up in the catalog, built once per catalog (kept by its linker)."""

    aliases: PhraseIndex  # every alias of every report
    owners: dict[str, tuple[int, ...]]  # alias -> catalog positions of the reports it names
    long_aliases: tuple[str, ...]  # aliases of five characters or more (English office words)
    names: PhraseIndex  # organisation names, districts and long aliases: no part of a metric
    known: tuple[str, ...]  # every organisation name and district (places the store has)
    known_text: str  # the same, one per line: one scan answers "does any name hold this?"


def catalog_index(catalog: list[ReportInfo], linker: OrgLinker) -> CatalogIndex:
    cached = linker.cache.get("catalog")
    if cached is not None and cached[0] is catalog:
        return cached[1]
    owners: dict[str, list[int]] = {}
    for k, info in enumerate(catalog):
        for alias in info.aliases:
            if alias:
                owners.setdefault(alias, []).append(k)
    known = tuple(n for i in catalog for n in (i.org, i.district) if n)
    long_names = [a for i in catalog for a in i.aliases if len(a) >= 4 and not a.isascii()]
    index = CatalogIndex(
        aliases=PhraseIndex(owners), owners={a: tuple(v) for a, v in owners.items()},
        long_aliases=tuple(a for a in owners if len(a) >= 5),
        names=PhraseIndex([*known, *long_names, "部门决算", "部门预算"]),
        known=known, known_text="\n".join(known),
    )
    linker.cache["catalog"] = (catalog, index)
    return index


def clean_metric(text: str, remove: PhraseIndex) -> str:
    out = text
    lowered = text.lower()
    # only the names this question contains: with thousands of reports in the store, a regex
    # per name per question would dominate the answer time
    present = remove.present(text, lowered)
    for word in sorted(present, key=lambda w: (-len(w), w)):
        if word.isascii():
            out = _ascii_word_re(word).sub(" ", out)
            continue
        # the alias and the office words after it: 硚口区网格化中心, 武昌区城运中心
        out = strip_name(out, word, " ")
    out = re.sub(r"(?:按照|按|根据|依据|据)\s*(?=20\d{2})", " ", out)  # "按25年说明": the report's year
    out = DATE_PHRASE_RE.sub(" ", out)  # "截至2024年8月底": when, not what
    # "用2019年的说明倒推", "根据决算说明": where to read it, not what it is
    out = re.sub(r"(?:用|按照|按|根据|依据)\s*(?:20\d{2}\s*年度?)?\s*的?\s*(?:(?:预算|决算)?说明|报告)(?:里|中)?的?", " ", out)
    out = KIND_POINTER_RE.sub(" ", out)  # "2024年预算里…": the report looked in, not the figure
    out = re.sub(r"(?<!\d)20\d{2}(?!\d)\s*(?:年度|年(?!初))?", " ", out)  # "2021 年初预算" keeps its 年初
    out = UNIT_WORDS_RE.sub(" ", out)
    out = YEAR_RE.sub(" ", out)
    out = ASCII_WORD_RE.sub(lambda m: " " if m.group(0).lower() in EN_STOPWORDS or len(m.group(0)) > 1 else " ", out)
    for colloquial, printed in ZH_SYNONYMS:
        if colloquial in printed and printed in out:
            continue  # a word that adds the printed one (实际在职 -> 实际在职实有), already said
        out = out.replace(colloquial, printed)
    # "网格是多少个", "社区有多少个": the verb right before the question word is no part of the name
    out = re.sub(r"(?<=[\u4e00-\u9fff]{2})[是有](?=\s*(?:多少|几))", " ", out)
    for noise in NOISE_LONGEST_FIRST:
        out = out.replace(noise, " ")
    # punctuation goes as it goes from printed labels ("一般公共服务支出（类）占" is one run, as
    # its label is); a space stays where words were taken out, and parts runs
    out = MARKS_RE.sub("", out)
    # "2021 年的 full-year budget": a particle left where the year was taken out names nothing
    return " ".join(w.removeprefix("的") for w in out.split() if w.removeprefix("的"))


# One thing in two word orders, both printed: 收入预算 (Shanghai's 编制说明, 收入预算总表) and
# 部门预算收入 (Wuhan's 收入情况说明); a metric word in one order that finds nothing is asked
# again in the other (inside a longer printed name — 一般公共预算收入 — nothing is swapped)
WORD_ORDERS = {"预算收入": "收入预算", "预算支出": "支出预算", "收入预算": "预算收入", "支出预算": "预算支出"}


def other_word_order(metric: str) -> str:
    """The metric with its whole words of WORD_ORDERS in their other order, or ''."""
    words = metric.split()
    swapped = [WORD_ORDERS.get(w, w) for w in words]
    return " ".join(swapped) if swapped != words else ""


def grams_of(text: str) -> str:
    """The Chinese characters of a text (what is left to match once marks and spaces go)."""
    return "".join(re.findall(r"[\u4e00-\u9fff]", text))


def _dated(question: str, part: str, operand: str) -> str:
    """`operand` with the year the question prints right before `part` ("2023年执行数" ->
    "2023年职业年金缴费执行数"), or as it is."""
    head = re.sub(r"\s+", "", part)[:4]
    if not head:
        return operand
    found = re.search(r"(20\d{2})\s*年度?\s*(?=" + re.escape(head) + ")", question)
    return f"{found.group(1)}年{operand}" if found else operand


def chinese_numeral(n: int) -> str:
    """13 -> '十三', 20 -> '二十', 2 -> '二' (1-99, as ordinals are printed: 第十三届)."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    if not tens:
        return digits[ones]
    return f"{'' if tens == 1 else digits[tens]}十{digits[ones] if ones else ''}"


def english_ordinals(question: str) -> tuple[tuple[str, ...], ...]:
    """'the second session of the 13th Congress' -> (('二次', '第二'), ('十三', '13')): the ways a
    report prints each ordinal the question names."""
    out = []
    for found in EN_ORDINAL_RE.finditer(question):
        if found.group(1):
            n = int(found.group(1))
            if n and ORDINAL_COUNTED_RE.match(question, found.end()):
                out.append((f"{chinese_numeral(n)}次", f"第{chinese_numeral(n)}"))  # "the 2nd session": 二次会议
            elif n:
                out.append((chinese_numeral(n), found.group(1)))
        else:
            numeral = chinese_numeral(ORDINAL_WORDS.index(found.group(2).lower()) + 1)
            out.append((f"{numeral}次", f"第{numeral}"))
    return tuple(out)


def expand_years(question: str) -> str:
    """'24年预算' -> '2024年预算'."""
    question = SHORT_YEAR_RE.sub(lambda m: f"20{m.group(1)}", question)
    return EN_SHORT_YEAR_RE.sub(lambda m: f" 20{m.group(1)}", question)


# "（不含会议费和培训费）": a bracketed clarification of what the figure covers, not an item
ENUMERATED_RE = re.compile(r"(?<![一二三四五六七八九十\d])([一二三四1-4])[、,，和及与]([一二三四1-4])(季度)")
CLARIFICATION_RE = re.compile(r"[（(]\s*(?:不含|不包括|不计|含|包括|包含)[^（()）]*[)）]")
# An aside that says where to look ("（看25年预算）", "（23年预算里写的）", "（按报告原文）"): it names the
# report, never the figure
REPORT_POINTER_RE = re.compile(
    r"[（(]\s*(?:看|按|据|根据|见|参见|查看|以)?\s*(?:(?P<y>20\d{2})\s*年度?的?)?\s*(?:部门|单位)?"
    r"(?:预算|决算|报告|说明|公开|原文|报告原文)+(?:里|中|上)?(?:写的|说的|的|为准)?\s*[)）]")


# An aside that hands over a figure the report prints ("（24年预算说比上年少了2.32万）", "(the 2017
# report says it rose by 844.15)"): what the user read, to work from; neither the figure asked,
# nor words of its name, nor a year of the question
GIVEN_FIGURE_RE = re.compile(
    r"[（(][^（）()]{0,30}?(?:说|写|(?<!名)称|显示|says?|shows?|states?|reports?)[^（）()]{0,30}?"
    r"(?:增加|减少|多了|少了|增长|下降|降低|涨了|rose|fell|increased|decreased|grew|dropped)"
    r"[^（）()]{0,8}?(?<![\d.])(?!20\d{2}(?!\d))\d+(?:\.\d+)?(?!\d|\s*年)\s*(?:万元|万|元|%|％|亿元|亿|yuan|million|percent)?[^（）()]{0,6}[)）]",
    re.I)


# "2019年X比2018年多了1435.14万元，2018年X是多少": the question states the change and asks the
# level of the year it is against — the year before's level, asked as "2019年X上年是多少"
STATED_THEN_ASKED_RE = re.compile(
    r"^(?P<subject>.+?)比\s*(?P<y>20\d{2})\s*年度?(?:多了|少了|多|少|增加了?|减少了?|增长了?|下降了?|涨了|降了)\s*"
    r"\d[\d,]*(?:\.\d+)?\s*(?:万元|万|元|亿元)?\s*[，,；;]\s*(?:那么?|那|所以|则)?\s*(?P=y)\s*年度?的?"
    r"(?P<item>[\u4e00-\u9fff“”\"（）()]*?)(?:是|为|有)?多少[？?]?$")


QUOTE_MARKS_RE = re.compile(r"[“”\"（）()\s]")
MEASURE_WORDS_RE = re.compile(r"预算数?|决算数?|执行数|支出数?|金额|数额")  # what of an item is measured


def _asked_after_stated(question: str) -> str:
    """The question as the level of the year before it asks for, when it states the change first
    and the later year is its subject's; else the question as it is."""
    found = STATED_THEN_ASKED_RE.match(question.strip())
    if found is None:
        return question
    subject, asked = found.group("subject"), QUOTE_MARKS_RE.sub("", found.group("item"))
    later = [int(y) for y in YEAR_RE.findall(subject)]
    if later != [int(found.group("y")) + 1]:
        return question  # the subject of another year
    if asked and (not MEASURE_WORDS_RE.sub("", QUOTE_MARKS_RE.sub("", subject)).endswith(MEASURE_WORDS_RE.sub("", asked))
                  or asked_measure(asked) not in ("", asked_measure(subject))):
        # another item ("…中行政运行比…，一般公共服务支出是多少"), or another measure of it (its
        # actual changed, its budget asked): not the level the change was of
        return question
    return f"{subject}上年是多少"


# How the answer should be written ("（%，保留两位小数）", "，四舍五入到整数", "(to two decimals)"): no
# words of the figure asked
ANSWER_FORMAT_RE = re.compile(
    r"[（(][^（）()]{0,12}?(?:保留|小数|四舍五入|取整|decimal|round)[^（）()]{0,12}[)）]"
    r"|[，,]?\s*(?:请)?(?:保留(?:两|二|一|三|\d)位小数|四舍五入(?:到|至)?(?:整数|个位)?)"
    r"|[，,]?\s*\b(?:rounded|round(?:ed)?\s+to|to)\s+(?:one|two|three|\d)\s+decimals?(?:\s+places?)?", re.I)


# "跟年初预算比，…", "compared with the initial budget, …": the figure a question sets the asked one
# against, when it asks for the asked one only
REFERENCE_RE = re.compile(
    r"(?:跟|与|和|同|较|对比)[^，,。？?\s]{1,10}?(?:相)?比(?:较|起来)?(?=[，,\s])"
    r"|\b(?:compared (?:with|to)|relative to|measured against|against)\s+(?:the |its )?"
    r"(?:initial |original |year-start |planned )?(?:budget|plan)\b\s*,",
    re.I,
)


# full-width digits and Latin letters as typed by a Chinese input method ("２０２４年"), and the
# full-width decimal point: the ASCII the patterns read (Chinese punctuation stays as it is)
FULL_WIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                                              *range(0xFF41, 0xFF5B), 0xFF0E)})


# a figure over many organisations is ranked when the question asks for one figure of each;
# a computed figure of each (a sum, a share) is not ranked
RANKED_OPS = frozenset({"value", "compare", "compare_items"})


def parse_query(question: str, catalog: list[ReportInfo], linker: OrgLinker | None = None) -> Query:
    """What a question asks: its organisations' candidate reports, years, kind, the figure's
    words (metric) and what to do with the figures found (op)."""
    ranking = read_ranking(question.strip().translate(FULL_WIDTH))
    if ranking is not None and ranking.rest:
        query = _parse_one(ranking.rest, catalog, linker)
        if not query.org_named or not query.reports:
            # ("whose 办公费 (office expenses) was the highest", "which organisation spent the least
            # on welfare expenses": words of the figure's name, no organisation's; the ranking is
            # over every organisation of the kind)
            query = _parse_one(ranking.rest, catalog, linker, link=False)
        held = {i.org or i.name for i in catalog if i.name in query.reports}
        orgs = {org for org in held if of_kind(ranking.kind, org)}
        # ("岳麓区各街道…": the kind names parts of one organisation's report, no organisations;
        # "各区法院…", over several organisations: a kind of organisation the store holds none of)
        absent = len(held) >= 2 and not any(of_kind(ranking.kind, i.org or i.name) for i in catalog)
        if query.op in RANKED_OPS and (len(orgs) >= 2 or absent):
            return replace(query, op="rank", operands=(), ranking=ranking)
    return _parse_one(question, catalog, linker)


def _parse_one(question: str, catalog: list[ReportInfo], linker: OrgLinker | None = None, link: bool = True) -> Query:
    """`link`: read organisation names (False: every report is a candidate, before its year
    and kind)."""
    q = _asked_after_stated(CLARIFICATION_RE.sub(" ", expand_years(question.strip().translate(FULL_WIDTH))))
    q = REPORT_POINTER_RE.sub(lambda m: f" 按{m.group('y')}年 " if m.group("y") else " ", q)
    q = GIVEN_FIGURE_RE.sub(" ", q)
    q = ANSWER_FORMAT_RE.sub(lambda m: " % " if re.search("[%％]", m.group(0)) else " ", q)  # (the unit stays)
    # ("2024 versus the previous year": a change, asked the way changes are)
    versus = bool(VERSUS_RE.search(q)) and not (CHANGE_CUE_RE.search(q) or EN_CHANGE_RE.search(q.lower())
                                                or EARLIER_RE.search(q))
    q = VERSUS_RE.sub("和", q) if versus else q  # "货物预算 vs 工程预算": two items set against each other
    avoided = [next(g for g in m.groups() if g) for m in AVOID_RE.finditer(q)]
    q = AVOID_RE.sub("，", q) if avoided else q
    # "二、三季度用款计划": two items that share their word, written out ("二季度和三季度用款计划")
    q = ENUMERATED_RE.sub(lambda m: f"{m.group(1)}{m.group(3)}和{m.group(2)}{m.group(3)}", q)
    if not GAP_RE.search(q) and not CHANGE_CUE_RE.search(q) and not COMPARE_RE.search(q):
        # "跟年初预算比，实际花了多少": what it is set against is no part of what is asked
        q = REFERENCE_RE.sub("，", q)
    lowered = q.lower()
    lang = detect_lang(q)
    years = tuple(dict.fromkeys(int(y) for y in YEAR_RE.findall(q)))
    kind = ""
    for cue, k in DOC_KIND_STRONG:
        if cue in lowered.replace("-", " "):
            kind = k
            break
    org_words = translate_org_words(q)
    linker = linker or OrgLinker({i.name: i.org for i in catalog})
    index = catalog_index(catalog, linker)
    # organisations: score each report by the aliases the question names
    scores: dict[str, int] = {}
    matched_aliases: set[str] = set()
    strong_districts: dict[str, None] = {}  # districts named by place, in catalog order
    hits = index.aliases.present(q, lowered) if link else set()
    for word in org_words if link else ():
        hits |= {a for a in index.long_aliases if a in word or (len(word) >= 4 and word in a)}
    by_info: dict[int, set[str]] = {}
    for alias in hits:
        for k in index.owners[alias]:
            by_info.setdefault(k, set()).add(alias)
    for k in sorted(by_info):
        # a place name (district, its stem or pinyin) identifies an organisation; office words
        # (网格化服务中心) shared by many only support it, and count once however many match
        info = catalog[k]
        placed = {a in (info.district, info.district[:-1]) or a.isascii() for a in by_info[k]}
        strong, weak = (3 if True in placed else 0), (1 if False in placed else 0)
        matched_aliases |= by_info[k]
        if strong:
            strong_districts[info.district] = None
        scores[info.name] = strong + weak
    named_districts = tuple(strong_districts)
    linked, _ = linker.candidates(q) if link else ([], "")
    # the question as the linker reads it (English office words and pinyin places in Chinese)
    name_text = linker.name_text(q)
    unknown_place = next(iter(unknown_places(q, index.known)), "")
    if not linked and not unknown_place:
        unknown_place = unmatched_name(q, index.known_text) or unmatched_english(name_text)
    if linked and not unknown_place:
        # "浦东财政局" read as 普陀区财政局 by 财政局: a word of its own before the name that the
        # name does not hold names another organisation of that kind
        unknown_place = foreign_qualifier(name_text, linked[0], index.known_text)
    if linked:
        # spans are on name_text; the Chinese pieces of a mixed question are printed in the
        # question as they are
        for match in linked:
            matched_aliases.update(p for p in name_in_question(name_text, match) if p in q)
    names_place = bool(strong_districts) or any(m.named for m in linked)
    if linked and len(named_districts) < 2:
        # the names the question gives, read character by character (规划资源局, 区府办)
        candidates = [i for i in catalog if i.name in {m.report for m in linked}]
    elif scores:
        top = max(scores.values())
        # keep every named organisation (a comparison names two); drop weak partial matches
        candidates = [i for i in catalog if scores.get(i.name, 0) >= min(top, 3) or (top < 3 and scores.get(i.name) == top)]
    else:
        candidates = list(catalog)
    if unknown_place:
        candidates = []  # a place the store has no report for: never answer from another
    year_in_text = False
    dates = {int(y) for m in DATE_YEAR_RE.finditer(q) for y in m.groups() if y}
    date_only = False
    report_years = [y for y in years if y not in dates]
    if report_years and dates and any(i.year in report_years for i in candidates):
        # "24年预算里，截至23年8月底…": the year of a date is the report's business only when
        # no other year names the report
        candidates = [i for i in candidates if i.year in report_years or i.year not in dates]
    elif dates and not report_years and len(years) == 1:
        # "截至24年8月底…有几辆车": a date is printed in that year's report or the next one's
        # (a 2025 budget counts the cars of 2024年8月31日); the figure must print the date's year
        candidates = [i for i in candidates if i.year in (years[0], years[0] + 1)]
        date_only = True
    named_years = {int(y) for m in REPORT_YEAR_RE.finditer(q) for y in m.groups() if y}
    figure_years = tuple(y for y in years if y not in named_years and y not in dates)
    if not (named_years and any(i.year in named_years for i in candidates)):
        figure_years = ()
    if figure_years:
        # "In its 2024 budget, what was the 2023 execution figure": the report of the year the
        # question says it reads; the other year is the figure's, printed with it
        candidates = [i for i in candidates if i.year in named_years]
        year_in_text = True
    elif date_only:
        year_in_text = bool(candidates)
    elif years:
        by_year = [i for i in candidates if i.year in years]
        if not by_year and (scores or linked) and candidates:
            # "截至2023年底…" in a 2024 report: keep the named organisation's reports, and
            # require the figure's own text to carry that year
            year_in_text = True
        else:
            candidates = by_year
    if kind:
        of_kind = [i for i in candidates if i.kind == kind]
        # a 决算 question is never answered from a 预算 (nor the other way round); a
        # self-evaluation word may name a section of a 决算 ("绩效自评项目的平均得分")
        candidates = of_kind if of_kind or kind != "绩效自评" else candidates
    if candidates and len(candidates) < len(catalog):
        # the other files of each report (a narrative file and its tables file)
        groups = {i.group for i in candidates}
        candidates = [i for i in catalog if i.group in groups]
    remove = index.names.plus(matched_aliases)
    # the table named, without the organisation and year that usually precede it
    bare = re.sub(r"(?<!\d)20\d{2}\s*年度?", "，", q)
    for alias in sorted(set(matched_aliases), key=lambda w: (-len(w), w)):
        if not alias.isascii():
            bare = strip_name(bare, alias, "，")
    table_ref = table_reference(bare)
    from_text = bool(TEXT_POINTER_RE.search(q))
    from_tables = not table_ref and not from_text and bool(TABLE_POINTER_RE.search(q))
    if from_text:
        q = TEXT_POINTER_RE.sub(" ", q)
    q_tables = TABLE_POINTER_RE.sub(" ", q) if from_tables else q
    # English words put in the Chinese the reports print (names left to the linker)
    rendering = render_english(q_tables, linker.name_words)
    source = rendering.text
    english_table = ""  # a table named in English words, rendered: a guess at its printed title
    if not table_ref and lang != "zh":
        # "the 2017 “三公”经费、会议费、培训费 budget table": a table named in Chinese, pointed at in English
        named = EN_TABLE_REF_RE.search(bare)
        table_ref = named.group(1).strip("“”\" ") if named else ""
        english_table = "" if table_ref else english_table_name(q_tables, linker)
    if (lang == "mixed" and len(grams_of(clean_metric(rendering.bare, remove))) >= MIXED_CHINESE_CHARS
            and CHINESE_GLOSS_RE.search(q) and not re.search(r"\b(?:and|or|than|plus|minus|versus|vs)\b", lowered)):
        # "retirement pay of veteran cadres (离休费)": the Chinese the user typed names the figure
        # as printed; the English beside it is a gloss, and a loose one can only blur it (not
        # when the English joins two items: "the housing provident fund or rent subsidies (提租补贴)")
        source = rendering.bare
    metric_source = re.sub(re.escape(table_ref) + "(?:里|中|内|上)?的?", " ", source) if table_ref else source
    # a table named in English keeps its words in the metric too: its rendering is a guess at
    # the printed title, and the words still say what the figure is about
    table_ref = table_ref or english_table
    terms = list(rendering.terms)
    metric = mask_joined_names(clean_metric(metric_source, remove))
    # a 科目 code written in its 类 款 项 parts ("212 99 99", "201-06-01") is one code
    codes = tuple(c for c in CODE_RE.findall(SPLIT_CODE_RE.sub(lambda m: "".join(g for g in m.groups() if g), q))
                  if not YEAR_RE.fullmatch(c))
    numbers = tuple(n for n in DIGITS_RE.findall(q) if not YEAR_RE.fullmatch(n))
    # "单价100万元以上的设备", "1 million yuan or more": the threshold is part of the item's name,
    # and a figure printed with another threshold (20万元以上) is another item
    numbers += tuple(dict.fromkeys(m.group(1) for m in THRESHOLD_RE.finditer(f"{q} {rendering.text}")
                                   if m.group(1) not in numbers))
    mentioned = tuple(n.replace(",", "") for n in MENTIONED_RE.findall(DATE_YEAR_RE.sub(" ", q))
                      if not YEAR_RE.fullmatch(n))  # a 3-digit one may be a code too
    ordinals = english_ordinals(q)
    if ordinals:
        metric = " ".join([metric, *(forms[0] for forms in ordinals)])
    unit_wanted, count_unit = _unit_wanted(q)
    if unit_wanted == "count" and not count_unit and (
            re.search(r"(?:人员|员|职工|干部)(?:数|人数)?$", metric.split()[-1] if metric.split() else "")
            or re.search(r"\bhow many (?:people|persons|employees|workers)\b", lowered)):
        count_unit = "人"  # "多少网格员": people are counted in 人 (or 名), never in 个 of something else
    op = "value"
    operands: tuple[str, ...] = ()
    shared_items: tuple[str, ...] = ()
    smaller = False
    gap = False
    fallback_metrics: tuple[str, ...] = ()
    previous_level = bool(PREVIOUS_LEVEL_RE.search(q)) or (
        bool(EN_YEAR_BEFORE_RE.search(q)) and not CHANGE_VERBS_RE.search(lowered)
        and all(m.group(0).lower() in EN_YEAR_PHRASES for m in EN_CHANGE_RE.finditer(lowered)))
    backward = bool(BACKWARD_RE.search(q)) or previous_level
    wants_change = not backward and (bool(CHANGE_CUE_RE.search(q)) or bool(EN_CHANGE_RE.search(lowered)))
    compare = COMPARE_RE.search(q) or EN_ITEM_COMPARE_RE.search(q) or versus
    if compare:
        op = "compare"
        # ("vs" alone says no direction)
        word = next((g for g in compare.groups() if g), "") if isinstance(compare, re.Match) else ""
        metric = ANSWER_ASKED_RE.sub(" ", metric)  # "给出较大者": how to answer, not what
        for cue in COMPARE_WORDS:
            metric = metric.replace(cue, " ")
        metric = " ".join(metric.split())
        metric = re.sub(r"(?<=[\u4e00-\u9fff])\s*[多少大小高低]$", "", metric)  # 哪个多 -> 多 left over
        # "哪个多？给出较大的那个数": what is left of the asking once its words went (多 的 数)
        metric = " ".join(w for w in metric.split() if w not in COMPARE_LEFTOVERS)
        metric = " ".join(re.sub(r"比(?=\s|$)", " ", metric).split())  # "办公费跟电费比，哪个多"
        items = ITEMS_RE.match(metric)
        if items and len({i.group for i in candidates}) == 1 and len(years) <= 1:
            # "服务采购和货物采购哪个多", "goods or services": two items of one report
            op, operands = "compare_items", share_subject(items.group(1).strip(), items.group(2).strip())
            shared_items, operands = _with_setting(operands, lang)
        smaller = word.lower() in SMALLER_WORDS
        gap = op == "compare" and bool(GAP_RE.search(q))
    else:
        # (read without the organisation's name: 规划和自然资源局 is no list)
        unnamed = q
        for alias in sorted(matched_aliases, key=len, reverse=True):
            unnamed = unnamed.replace(alias, " ")
        left_out_only = _only_left_out_are_listed(unnamed)
        sum_cue = (SUM_CUE_RE.search(q) or BARE_PLUS_RE.search(metric)) and not left_out_only
        parts_of_sum = SUM_SPLIT_RE.match(metric) if sum_cue else None
        listed = (sum_items(mask_joined_names(clean_metric(LIST_MARK_RE.sub("和", metric_source), remove)))
                  if sum_cue and LIST_MARK_RE.search(metric_source) else [])
        if (len(listed) >= 3 and not wants_change and unit_wanted != "percent"
                and not RATIO_CUE_ZH_RE.search(q) and not EN_SHARE_WORD_RE.search(q)):
            # "因公出国（境）费、公务用车购置及运行费和公务接待费加起来": every item of the list
            # is an operand (the list marks went with the punctuation of the one-run metric);
            # only a list marked as one (、, or a comma in English): "A and B and C" may hold a
            # name with "and" in it
            op, operands = "sum", tuple(listed)
        elif parts_of_sum and parts_of_sum.group(1).strip() and parts_of_sum.group(2).strip() and not wants_change:
            # "水费和电费一共…": the cue words were taken out of the metric as question noise
            second = SUM_CUE_RE.sub("", parts_of_sum.group(2)).strip()
            op, operands = "sum", share_enumerated(*share_subject(parts_of_sum.group(1).strip(), second))
            shared_items, operands = _with_setting(operands, lang)
        # (a change asked of items put together is no sum: "A和B合计比上年增加多少")
        for regex, name in (() if op == "sum" else ((DIFF_RE, "diff"), (SET_AGAINST_RE, "diff")) if wants_change
                            else ((DIFF_RE, "diff"),) if left_out_only else ((SUM_RE, "sum"), (DIFF_RE, "diff"))):
            found = regex.search(metric)
            if found is None:
                continue
            if name == "diff" and ("减去" in metric or "minus" in lowered):
                name = "minus"
            parts = [g.strip().removeprefix("的").strip() for g in found.groups() if g and g.strip("的 ")]
            if regex is SET_AGAINST_RE and not (
                    len(parts) == 2 and len(years) >= 2 and unit_wanted != "percent"
                    and "" != asked_measure(parts[0]) != asked_measure(parts[1]) != ""):
                continue  # only a budget set against another year's actual (or the other way round)
            # "X比23年预算少了多少" asks the printed change; "X预算比2023年执行数多了多少" sets a
            # budget against an actual: a computation
            earlier = len(parts) >= 2 and (
                parts[1] in EARLIER_YEAR_WORDS
                or (parts[1] in MEASURES and len(years) >= 2 and asked_measure(parts[0]) in ("", asked_measure(parts[1])))
            )
            if name == "diff" and (len(parts) == 1 or earlier):
                # "X比2023年多了多少", "X比上年增加多少", "X比23年预算少了多少": the change the report prints; what
                # changed is X ("比…多了" is the question's way of asking, not the figure's name)
                wants_change = True
                if "比" in metric and len(grams_of(parts[0])) >= 1:
                    metric = parts[0]
                break
            if len(parts) >= 2:
                shared = share_subject(parts[0], parts[1])
                # "2024年…预算比2023年执行数": an operand keeps the year printed before it
                operands = shared
                if len(years) >= 2:
                    operands = tuple(_dated(q, part, operand) for part, operand in zip(parts[:2], shared, strict=True))
                else:
                    # "in the 'three public' budget, how much more goes to A than to B"
                    shared_items, operands = _with_setting(shared, lang)
                # (two levels set against each other: "涨了多少" asks their difference, no printed
                # change; "涨了百分之几" still asks the change the report prints in per cent)
                op, wants_change = name, wants_change and unit_wanted == "percent"
                break
    variance = ("over" if VARIANCE_OVER_RE.search(q) else "under" if VARIANCE_UNDER_RE.search(q)
                else "gap" if VARIANCE_GAP_RE.search(q) else "")
    if variance and op in ("compare", "compare_items") and len(years) <= 1 and len({i.group for i in candidates}) <= 1:
        # "did X exceed its budget? give the larger figure": X's actual or its budget, whichever
        # is larger (smaller), both printed in one report
        # (unless it asks how far apart they are: "决算比年初预算少了多少", "how much was left unspent")
        variance = variance if GAP_RE.search(q) or (variance == "under" and not PICK_CUE_RE.search(q)) \
            else "smaller" if smaller else "larger"
        op = "value"
    if variance and op in ("value", "unread", "diff", "minus"):
        # one figure's budget against its actual: the item is what is left of the metric
        funds = {f"\x00{k}\x00": name for k, name in enumerate(dict.fromkeys(FUND_NAMES_RE.findall(metric)))}
        masked = metric
        for key, name in funds.items():
            masked = masked.replace(name, key)  # 一般公共预算 is a fund, not the budget measure
        words = VARIANCE_WORDS_RE.sub(" ", masked)
        for key, name in funds.items():
            words = words.replace(key, name)
        words = list(dict.fromkeys(words.split()))
        item = "" if set(words) <= BARE_ACTUAL_WORDS | BARE_BUDGET_WORDS | TOTAL_WORDS else " ".join(words)
        op, operands, wants_change, gap = "variance", (item if grams_of(item) else "", variance), False, False
    times = _times_operands(q, lang, remove, linker) if op in ("value", "unread", "diff", "compare_items") else None
    if times:
        op, operands, wants_change = "times", times, False
    if op in ("value", "unread") and not wants_change:
        ratio = _ratio_operands(q, metric, lang, remove, linker)
        excluded = None if ratio else _excluded_operands(q, metric, lang, remove, linker)
        if ratio:
            op, operands = "ratio", ratio
        elif excluded:
            op, operands = "except", excluded
    if (wants_change or previous_level) and op == "value":
        # "机关运行经费比上年降了百分之几": the change's own words are the figure's label, printed
        # with it; what changed is the rest (and "…减少了，上年是多少" asks the level before it)
        subject = " ".join(CHANGE_PHRASE_RE.sub(" ", metric).split())
        if previous_level:
            subject = " ".join(re.sub(r"(?:上年|去年|上一年)(?:的)?$", " ", subject).split())
        if subject:
            metric = subject
    if wants_change and op == "value" and len(years) >= 2:
        # "2019 … grow over 2018": the change is printed in the later year's report
        later = [i for i in candidates if i.year == max(years)]
        if later:
            groups = {i.group for i in later}
            candidates = [i for i in candidates if i.group in groups]
    if op == "value" and not BALANCE_RE.search(metric) and not TOTAL_NAME_RE.search(metric) and (
            STRONG_SUM_RE.search(q) or (STRONG_DIFF_RE.search(q) and not wants_change)):
        op = "unread"  # two figures asked for, and which two is not clear: no single figure answers
    quarters = QUARTERS_RE.search(q)
    if quarters and op in ("value", "unread", "sum") and (SUM_OF_SERIES_RE.search(q) or TOTAL_CUE_RE.search(q)):
        # "四个季度用款计划合计", "adding up all four quarterly plans": the four figures printed one
        # per quarter, summed (a project form prints 第一季度用款计划 … 第四季度用款计划)
        rest = " ".join(QUARTER_WORDS_RE.sub(" ", metric).split())
        op, operands = "sum_all", tuple(f"第{n}季度 {rest}" for n in "一二三四")
    if op == "unread" and len(years) == 2 and GAP_RE.search(q):
        # "2025年和2024年三公经费相差多少": one figure in two years' reports, set against each other
        op, gap = "compare", True
        metric = " ".join(re.sub(r"^(?:和|与|跟|同)|(?:相差|之差|差额|差距|差)$", "", m) for m in metric.split()).strip()
    wants_total = bool(TOTAL_CUE_RE.search(q)) and op != "sum"
    if (op == "value" and metric and set(metric.split()) <= BARE_BUDGET_WORDS | TOTAL_WORDS
            and set(metric.split()) & BARE_BUDGET_WORDS and not rendering.unplaced_items
            and len(rendering.unplaced) < UNPLACED_NAME_A_PART
            and unit_wanted in ("", "money", "percent")):
        # "what was the office's 2024 budget?": the report's total budget (收入、支出预算总计);
        # "how much did the total budget grow": that total's printed change
        metric = "收入支出预算总计" if not wants_change else f"{metric} 收支预算总计"
        if wants_change:
            # templates print the whole budget's change against 收支预算总计, 收支总预算 (Wuhan,
            # Jiangsu) or 财政拨款支出预算 (Shanghai): each tried in turn while the last named nothing
            fallback_metrics = (f"{metric.split()[0]} 收支总预算", f"{metric.split()[0]} 财政拨款支出预算")
        wants_total = not wants_change
    if (op in ("value", "compare") and set(metric.split()) - CONNECTIVE_WORDS <= BARE_ACTUAL_WORDS
            and asked_measure(q) == "actual"
            and unit_wanted in ("", "money") and not rendering.unplaced_items
            and len(rendering.unplaced) < UNPLACED_NAME_A_PART):
        # "到底花了多少钱": the whole of what was spent, in the words each template prints it
        metric, wants_total = "本年支出合计", True
        fallback_metrics = ("年度资金总额 全年执行数", "支出决算合计")
    asked_years = [y for y in years if y not in dates]
    if not figure_years and op == "value" and not wants_change and len(asked_years) >= 2:
        # one figure, two years, neither named as the report's: an earlier year's figure is
        # printed in the later year's report ("2016, given the 2017 figures"), with its year
        later = [i for i in candidates if i.year == max(asked_years)]
        if later:
            groups = {i.group for i in later}
            candidates = [i for i in candidates if i.group in groups]
            figure_years = tuple(y for y in asked_years if y != max(asked_years))
            year_in_text = True
    if previous_level and op == "value" and not figure_years and len(years) == 1 and candidates:
        # "…fell compared with the previous year. What was the previous year's amount?": the
        # year before the report's, derived from the level and the change the report prints
        figure_years, year_in_text = (years[0] - 1,), True
    if figure_years and op == "value" and not wants_change:
        years = figure_years  # what the figure's own text must print
    elif figure_years:
        year_in_text = False
    metric, operands = unmask(metric), tuple(unmask(o) for o in operands)
    # what the question says it does not mean, in the reports' words
    avoid = tuple(a for a in (clean_metric(render_english(w, linker.name_words).text if w.isascii() else w, remove)
                              for w in avoided) if grams_of(a))
    return Query(
        question=q, lang=lang, reports=tuple(i.name for i in candidates), orgs=named_districts,
        years=years, kind=kind, metric=metric, terms=tuple(terms), codes=codes, numbers=numbers, mentioned=mentioned, ordinals=ordinals, dates=tuple(sorted(dates)),
        unit_wanted=unit_wanted, count_unit=count_unit, op=op, operands=operands,
        counted=_counted_noun(q, linker) if unit_wanted == "count" else "",
        unknown_place=unknown_place, table_ref=table_ref, table_ref_rendered=bool(english_table), measure=asked_measure(q), smaller=smaller, gap=gap, from_tables=from_tables,
        from_text=from_text, avoid=avoid,
        year_in_text=year_in_text, org_named=names_place, wants_change=wants_change,
        wants_total=wants_total, fallback_metrics=fallback_metrics, items=tuple(unmask(i.split()[-1]) for i in shared_items),
        searched={"reports": [i.name for i in candidates], "years": list(years), "kind": kind, "metric": metric,
                  "terms": terms, "unplaced": [w for w in rendering.unplaced if not ORDINAL_WORD_RE.fullmatch(w)],
                  "negated": [w for w in rendering.unplaced if negates(w)],
                  "unplaced_items": [] if CHINESE_GLOSS_RE.search(q) else list(rendering.unplaced_items)},
    )
