"""Bilingual glossary of budget-disclosure terms: English (and loose Chinese) -> printed Chinese.

The English vocabulary (en_zh.tsv) is the standard classification of government revenue and
expenditure, the standard tables and their columns, and the words users put around them, not
phrases from any one question. `render_english` puts an English question's words into the
Chinese the reports print, so one matcher serves every language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

# Organisation-type words: used to match organisations named in English, never as metrics.
EN_ORG_WORDS: tuple[tuple[str, str], ...] = (
    ("grid management service center", "网格化管理服务中心"),
    ("grid management center", "网格化管理服务中心"),
    ("grid service center", "网格化综合服务中心"),
    ("grid center", "网格化服务中心"),
    ("city operation center", "城市运行管理中心"),
    ("city operations center", "城市运行管理中心"),
    ("social work department", "社会工作部"),
    ("district committee", "区委"),
)

# Units a question asks for, by English or Chinese cue.
COUNT_UNITS = frozenset({"件", "个", "人", "名", "人次", "辆", "户", "次", "期", "条", "部", "台", "套", "项", "家", "万件", "万余件", "余件", "余人", "余个"})
MONEY_UNITS = frozenset({"元", "万元", "千元", "亿元"})


def is_count_unit(unit: str) -> bool:
    """'件', and '台（套）' or '台/套' (a unit printed with its alternative) are counts."""
    return unit in COUNT_UNITS or any(u in COUNT_UNITS for u in re.split(r"[（()）/、]", unit) if u)

# Question phrasing that names no metric. Only whole phrases: removing single characters such
# as 中 or 年 would break 中心 and 年初 apart.
QUESTION_NOISE = (
    "是多少万元", "是多少元", "是多少", "为多少", "有多少", "多少万元", "多少元", "多少件", "多少个",
    "多少人", "多少辆", "多少", "是几人", "是几", "几人", "几个", "什么", "请问", "是否", "分别是",
    "一共", "总共", "了吗", "吗？", "呢？", "百分比", "百分之几", "百分之", "占比是", "比例是",
    # colloquial ways of asking, no part of any printed label
    "实际花了", "花了多少钱", "花了", "用了多少钱", "用了", "安排了", "安排多少", "多少钱", "多少万",
    "是多少万", "有多少万", "有多少钱", "说明里的增减", "倒推", "反推", "推算", "里的增减", "的增减", "说明里的", "说明里", "说明中的", "说明中",
    "预算说明", "决算说明",  # "按25年预算说明": the part of the report looked in, not the figure
    "到底", "究竟", "多大",
    "加起来", "一共是", "大概", "具体", "请问一下", "方面", "那个", "这个", "那项", "这项", "有几个", "有多少", "有几", "花得", "用得", "里说",
)

# Colloquial words for what the templates print (开支 for 支出): replaced in the question.
ZH_SYNONYMS: tuple[tuple[str, str], ...] = (
    ("预算盘子", "总预算"), ("开支", "支出"), ("花销", "支出"), ("花费", "支出"), ("开销", "支出"),
    ("实际执行了", "执行"), ("实际执行", "执行"), ("执行了", "执行"),
    # buying, as the asset paragraphs print it ("购置车辆1辆", "新购置")
    # (not 购买: 政府购买服务 is printed as it is)
    ("购买了", "购置"), ("购买几", "购置几"), ("购买多少", "购置多少"),
    ("打算买", "购置"), ("要买", "购置"), ("买了", "购置"), ("买几", "购置几"), ("买多少", "购置多少"),
    # a compound users write for two printed items
    # vehicles held ("有几辆车") are the paragraph's 共有车辆, not the 购置车辆 of the year
    ("水电费", "水费和电费"), ("共有几辆车", "共有车辆几辆"), ("共有多少辆车", "共有车辆多少辆"),
    ("有几辆车", "共有车辆几辆"), ("有多少辆车", "共有车辆多少辆"),
    ("几辆车", "几辆车辆"), ("多少辆车", "多少辆车辆"),
    # a score asked as "多少分": the self-evaluations print 得分 (平均得分, 自评得分)
    ("得了多少分", "得分"), ("得多少分", "得分"), ("打了多少分", "得分"), ("多少分", "得分"),
    # a total as users say it and as the tables print it
    # staff actually in post, as the templates print them ("在职实有人数 12 人", "单位实际在职在编人员"):
    # both words kept where a user's phrase may be either
    ("实有几个人", "实有人数"), ("实有多少人", "实有人数"), ("实际在职", "实际在职实有"),
    ("收支总共", "收支总计"), ("收支总额", "收支总计"), ("总支出", "支出合计"), ("总收入", "收入合计"), ("支出总额", "支出合计"), ("收入总额", "收入合计"),
)

# English cues that a change, not a level, is asked for ("by how much did … grow").
EN_CHANGE_WORDS = ("increase", "decrease", "grow", "grew", "rise", "rose", "fall", "fell", "drop", "decline",
                   "change", "compared with", "compared to", "more than", "less than", "exceed", "raised",
                   "lower than", "higher than", "previous year", "last year", "year-on-year", "year on year",
                   "year before", "prior year", "reduced", "cut by", "up on", "up from", "down on", "down from",
                   "growth", "grown", "increment", "go up", "went up", "gone up", "goes up", "go down",
                   "went down", "gone down", "goes down")
EN_CHANGE_RE = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in EN_CHANGE_WORDS) + r")", re.I)
# Words that name no item on their own: a question left with only these is too vague to answer.
GENERIC_WORDS = ("预算", "决算", "支出", "收入", "金额", "资金", "经费", "数", "合计", "总计", "全年", "年初", "多少")

EN_STOPWORDS = frozenset(
    "what was is are the of in for a an how many much did does do which and or by to at on its it s "
    "this that with from as be were handle handled have has had district center centre department "
    "final accounts account year grid 's".split()
)

ASCII_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'\-]*")


def translate_org_words(question: str) -> list[str]:
    lowered = question.lower()
    return [zh for phrase, zh in EN_ORG_WORDS if phrase in lowered]


# --- English questions -----------------------------------------------------------------------

VOCAB_FILE = Path(__file__).with_name("en_zh.tsv")
MIN_RESPELT = 4  # letters a word needs to be respelt (respell)
MAX_PHRASE_WORDS = 8
# Words that carry no item: question words, articles, units named in words.
EN_FUNCTION_WORDS = EN_STOPWORDS | frozenset(
    "was were will would could should can may please tell me show give list number amount figure value "
    "money yuan rmb cny wan ten thousand approximately about exactly whole entire overall their there "
    "than more less higher lower larger smaller bigger greater fewer much many so far also all any each "
    "per into under over within what's whats get got put paid pay make made use used "
    "report reported reports disclosure disclosed printed listed shown state stated say said "
    "fy fiscal budgeted planned allocated allocate actually according item items code table "
    "increase increased decrease decreased compared compare change changed grow grew rise rose fall fell "
    "drop dropped decline declined went go goes given previous prior "
    # verbs and words that say how a figure is asked for, never what it is
    "set aside expect expected held hold holds covered cover filed file launched receive received record "
    "recorded percentage end during before exceed exceeded short came come take taken reach reached "
    "include included involved among across own itself if you share proportion fraction percent "
    "plan plans planning add adds adding added up vs versus roughly around approx nearly "
    "working back derive derived implied infer inferred calculate calculated compute computed times narrative".split()
)
# Words that turn what follows into its opposite ("not completed", "never used"): a figure of
# the words the vocabulary placed is the opposite of what is asked (qa.answerer refuses).
EN_NEGATIONS = frozenset("not never unfinished uncompleted incomplete unpaid unused".split())


def negates(word: str) -> bool:
    """("don't round" asks how to answer, not for the opposite figure)"""
    lowered = word.lower().replace("’", "'")
    return lowered in EN_NEGATIONS or (lowered.endswith("n't") and lowered != "don't")


# "FY2024", "fy24": the year, read by the year parser, no item
FISCAL_YEAR_RE = re.compile(r"fy\d{2,4}")
# Prepositions an item follows: "spend on X", "budget for X".
ITEM_PREPOSITIONS = frozenset({"for", "on", "towards", "toward"})
CONTEXT_PREPOSITIONS = frozenset({"in", "under", "within"})
DETERMINERS = frozenset({"its", "the", "their", "this", "that"})
ORDINAL_WORDS = frozenset("first second third fourth fifth sixth seventh eighth ninth tenth".split())
# Connectives that the computation parser reads in Chinese.
# ("A exceeded B": A than B, more)
EXCEED_WORDS = ("exceed", "exceeded", "exceeds", "surpass", "surpassed", "surpasses", "outstrip", "outstripped", "outstrips")
EN_CONNECTIVES = {"and": "和", "plus": "加上", "minus": "减去", "than": "比", "or": "或", **{w: "比" for w in EXCEED_WORDS}}
EN_SUM_CUES = frozenset({"combined", "together", "sum", "altogether"})
EN_MORE = frozenset({"more", "higher", "larger", "bigger", "greater", *EXCEED_WORDS})
EN_LESS = frozenset({"less", "lower", "smaller", "fewer"})
# Measures and totals stand apart: "total basic pension" is 基本养老保险缴费 合计, not 合计基本….
STANDALONE_TERMS = frozenset({"合计", "总计", "小计", "预算", "决算", "决算数", "预算数", "全年预算数", "年初预算", "调整预算",
                              "执行数", "全年", "支出合计", "收入合计"})
# Actual against budget in English words: "less than budgeted", "fall short of its initial budget".
_BUDGET = (r"(?:the|its)\s+(?:(?:(?:initial|original|start[\s-]of[\s-]year|year[\s-]start|full[\s-]year)\s+)?budget"
           r"|年初预算数?|全年预算数?|预算数?)")
BUDGET_GAP_RE = re.compile(
    rf"\b(?:more|less|higher|lower)\s+than\s+(?:was\s+|it\s+|had\s+been\s+)?(?:budgeted|planned|{_BUDGET})"
    rf"|\b(?:fall|fell|falls|falling)\s+short\s+of\s+{_BUDGET}|\bshort\s+of\s+{_BUDGET}"
    r"|\b(?:went|go|goes|left|remained|was|were)\s+unspent\b"
    rf"|\b(?:exceed|exceeded|overshoot|overshot|surpass|surpassed|overran|overrun|above|below|under)\s+{_BUDGET}"
    r"|\b(?:over|under)spen[dt]",
    re.I,
)
DANGLING_RE = re.compile(r"(?:(?<=^)|(?<=[,，?？.。;；:：]))\s*(?:和|加上|减去|比|或)(?=\s|$)|(?<=\s)(?:和|加上|减去|比|或)\s*(?=[,，?？.。;；:：]|$)")
LIST_MARKS = (",", "，", ";", "；", "、")  # between two placed phrases: a list
EN_TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?|[^A-Za-z0-9\s]+|\s+")


# Plurals that name another thing than their singular: "works" (procurement of works, public
# works) is construction, 工程, where "work" is 工作.
UNSTEMMED = frozenset({"works"})


def stem(word: str) -> str:
    """'services' -> 'service', 'subsidies' -> 'subsidy', "bureau's" -> 'bureau'."""
    w = word.lower().removesuffix("'s").removesuffix("'")
    if w in UNSTEMMED:
        return w
    # British and American spellings are one word: organisation / organization, centralised
    w = re.sub(r"isation(s?)$", r"ization\1", w)
    w = re.sub(r"is(ed|ing)$", r"iz\1", w) if len(w) > 6 else w
    # the adjective of a field is the field: meteorological / meteorology, ecological / ecology
    w = re.sub(r"olog(?:ical|ic)$", "ology", w)
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if w.endswith("uses"):
        return w[:-2]  # bonuses, buses
    if w.endswith(("sses", "ches", "shes", "xes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


# Glue words are no part of a phrase: "medical care for administrative units" is the phrase
# "medical care of administrative units".
GLUE_WORDS = frozenset("of for the on in at to by from a an its their".split())
# Chinese that ends a name and starts none: other + public security + expenditure is one name,
# "spending on medical care" is 支出 and 医疗, not 支出医疗.
SUFFIX_TERMS = frozenset({"支出", "收入", "经费", "资金"})


def _phrase_key(text: str) -> tuple[str, ...]:
    words = re.findall(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?", text.replace("-", " "))
    return tuple(stem(w) for w in words if w.lower() not in GLUE_WORDS)


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Every word of the vocabulary's English phrases as written: the words a misspelt word of
    a question is put back to (respell). Not the function words: "four" is no slip of "for"."""
    words: set[str] = set()
    for line in VOCAB_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            words.update(re.findall(r"[a-z]+", line.partition("\t")[0].lower()))
    return frozenset(w for w in words if len(w) >= 3) - EN_FUNCTION_WORDS - GLUE_WORDS


def _swapped(word: str) -> set[str]:
    """The strings two neighbouring letters of `word` swapped make (hoem -> home)."""
    return {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)} - {word}


def respell(question: str, words: Iterable[str], known: frozenset[str]) -> str:
    """The question with each of `words` (those no phrase placed) put back to the one known
    word that two swapped letters make of it ("welfare hoem" -> "welfare home"); a word with no
    such known word, or with several, stays as typed. Only swaps: a letter added, dropped or
    changed turns real words into others (send -> spend, dept -> debt, mayor -> major), and
    with no dictionary here a real word cannot be told from a slip. Capitalised words (names,
    pinyin: Hunan) and short ones stay."""
    out = question
    for word in dict.fromkeys(words):
        lowered = word.lower()
        if (len(lowered) < MIN_RESPELT or not word.isalpha() or not word.islower() or lowered in known
                or lowered in EN_FUNCTION_WORDS):
            continue
        near = _swapped(lowered) & known
        if len(near) == 1:
            out = re.sub(rf"\b{re.escape(word)}\b", near.pop(), out)
    return out


@lru_cache(maxsize=1)
def english_vocabulary() -> dict[tuple[str, ...], str]:
    vocab: dict[tuple[str, ...], str] = {}
    for line in VOCAB_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, _, chinese = line.partition("\t")
        key = _phrase_key(english)
        if key and chinese.strip():
            vocab.setdefault(key, chinese.strip())
    return vocab


@dataclass(frozen=True)
class Rendering:
    text: str  # the question with its English words in Chinese (names and function words out)
    terms: tuple[str, ...]  # the Chinese runs the English words gave
    unplaced: tuple[str, ...]  # content words the vocabulary has no entry for
    bare: str = ""  # the question with its English content words out (connectives kept)
    unplaced_items: tuple[str, ...] = ()  # unplaced words right after "for" / "on": the item asked


def chinese_terms() -> list[str]:
    """The Chinese side of the vocabulary: the standard budget words as printed."""
    printed = set(english_vocabulary().values()) | set(dict(ZH_SYNONYMS).values())
    return sorted(printed | {re.sub(r"[（）()]", "", zh) for zh in printed})


# A threshold in English words, as the reports print it: "priced at 200,000 yuan or more" ->
# 20万元以上 ("单价20万元（含）以上的设备"), "over 1 million yuan" -> 100万元以上.
EN_THRESHOLD_RE = re.compile(
    r"\b(?:(?P<before>more than|over|above|at least|exceeding)\s+)?(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<m>million\s+)?"
    r"(?:yuan|rmb|元)(?:\s*\((?:inclusive|included)\))?(?P<after>\s+(?:or|and)\s+(?:more|above|over|upwards|higher))?",
    re.I,
)


def _threshold(match: re.Match[str]) -> str:
    if not (match.group("before") or match.group("after")):
        return match.group(0)
    value = Decimal(match.group("n").replace(",", "")) * (Decimal(10**6) if match.group("m") else 1)
    if value >= 10000 and value % 100 == 0:
        return f" {(value / 10000).normalize():f}万元以上 "
    return f" {value.normalize():f}元以上 "


def _is_word(token: str) -> bool:
    return bool(re.match(r"[A-Za-z]", token))


def distribute_shared_words(question: str, depth: int = 3) -> str:
    """Coordination that leaves a shared word out, written in full where the vocabulary names
    both halves: 'procurement of works or of services' -> 'procurement of works or procurement
    of services'; 'medical care for administrative units and for public institutions' ->
    '... and medical care for public institutions'; 'works or services procurement' -> 'works
    procurement or services procurement'. Nothing changes where the vocabulary names neither
    whole ('water and electricity' stays)."""
    vocab = english_vocabulary()
    tokens = EN_TOKEN_RE.findall(question.replace("-", " "))

    def key(words: list[str]) -> tuple[str, ...]:
        return tuple(stem(w) for w in words)

    def clause(start: int, step: int) -> list[int]:
        """Word tokens from `start` going `step`, within the clause (stops at punctuation,
        digits and other connectives)."""
        found, k = [], start
        while 0 <= k < len(tokens) and len(found) < 7:
            t = tokens[k]
            if t.isspace():
                k += step
                continue
            if not _is_word(t) or t.lower() in EN_CONNECTIVES:
                break
            found.append(k)
            k += step
        return found if step > 0 else found[::-1]

    for c, token in enumerate(tokens):
        if token.lower() not in ("and", "or"):
            continue
        left, right = clause(c - 1, -1), clause(c + 1, 1)
        words = lambda ks: [tokens[k] for k in ks if tokens[k].lower() not in GLUE_WORDS]  # noqa: E731
        if any(len(words(right[:j])) >= 2 and key(words(left[i:]) + [token] + words(right[:j])) in vocab
               for i in range(len(left)) for j in range(2, len(right) + 1)):
            # "administrative and public institution medical": one name holds the and and the
            # words after it that would be shared ("goods and services" alone shares nothing, so
            # "procurement for goods and services" is still two procurements)
            continue
        lead = 0
        while lead < len(right) and tokens[right[lead]].lower() in GLUE_WORDS:
            lead += 1
        glue_at = [n for n, k in enumerate(left) if tokens[k].lower() in GLUE_WORDS]
        if glue_at and glue_at[-1] < len(left) - 1:
            # "X for A and [for] B": X before the last glue word is shared
            first = words(left[glue_at[-1] + 1:])
            head_ks = left[:glue_at[-1]]
            second = right[lead:]
            cut = next((n for n, k in enumerate(second) if tokens[k].lower() in GLUE_WORDS), len(second))
            second_words = words(second[:cut])
            for n, k in enumerate(head_ks):
                if tokens[k].lower() in GLUE_WORDS:
                    continue
                head = words(head_ks[n:])
                single = [tokens[k]]
                for part in (head, single):
                    if key(part + first) in vocab and any(key(part + second_words[:m]) in vocab
                                                          for m in range(1, len(second_words) + 1)):
                        copied = "".join(tokens[k:left[glue_at[-1]] + 1]) + " "
                        rest = "".join(tokens[right[lead]:]) if right[lead:] else ""
                        done = "".join(tokens[:c + 1]) + " " + copied + rest
                        return distribute_shared_words(done, depth - 1) if depth > 1 else done
        if not glue_at and left and len(right) >= 2:
            # "A or B H": H after B is shared
            first = words(left)[-3:]
            right_words = words(right)
            for m in range(1, len(right_words)):
                second, shared = right_words[:m], right_words[m:]
                for h in range(len(shared), 0, -1):
                    if (key(second + shared[:h]) in vocab
                            and any(key(first[-n:] + shared[:h]) in vocab for n in range(1, len(first) + 1))):
                        after = left[-1] + 1
                        done = "".join(tokens[:after]) + " " + " ".join(shared[:h]) + "".join(tokens[after:])
                        return distribute_shared_words(done, depth - 1) if depth > 1 else done
    return question


def _cjk_between(pieces: list[str], first: int, last: int) -> bool:
    """Whether Chinese stands between two English words: "actual 行政运行 spending" is 行政运行's
    actual spending, not the phrase "actual spending" with the item dropped."""
    return any(re.search(r"[\u4e00-\u9fff]", pieces[k]) for k in range(first + 1, last))


def _after_setting_word(pieces: list[str], at: int) -> bool:
    """The clause holding piece `at` opens with "in", "for", "under" …: a setting ("In the
    'three public' budget, A and B"), whose comma lists nothing."""
    start = at
    while start > 0 and pieces[start - 1].strip() not in LIST_MARKS:
        start -= 1
    words = [p.lower() for p in pieces[start:at] if re.match(r"[A-Za-z]", p)]
    return bool(words) and words[0] in CONTEXT_PREPOSITIONS | {"for", "of", "from"}


def _context_first(out: list[str], term_spans: list[tuple[int, int]], at: int) -> None:
    """"furniture in its procurement budget" -> "政府采购的家具": the item's term (the last before
    `at`, the context preposition) goes after the context's first term with 的, the way Chinese
    names an item within its context, so the item is the head the figure must be named by."""
    before = [s for s in term_spans if s[1] < at]
    after = [s for s in term_spans if s[0] > at and out[s[0]] not in STANDALONE_TERMS | SUFFIX_TERMS]
    if not before or not after or out[before[-1][0]] in STANDALONE_TERMS | SUFFIX_TERMS:
        return
    item, context = before[-1][0], after[0][0]
    out[context] = f"{out[context]}的{out[item]}"
    out[item] = " "


def _longest_phrase(vocab: dict[tuple[str, ...], str], stems: list[str], pieces: list[str],
                    words: list[tuple[int, str]], i: int) -> int:
    """Words of the longest vocabulary phrase starting at word i (0 when none)."""
    return next((n for n in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1)
                 if tuple(stems[i:i + n]) in vocab and not _cjk_between(pieces, words[i][0], words[i + n - 1][0])), 0)


def render_english(question: str, name_words: Callable[[list[str], int], int] | None = None) -> Rendering:
    """'What is Wanli Subdistrict's 2024 budget for public legal services?' ->
    '2024 预算 公共法律服务': each English phrase in the vocabulary (longest first, on word
    stems) becomes its Chinese; neighbouring phrases join into one run; connectives (and, plus,
    minus, than) become the Chinese the computation parser reads. `name_words(words, i)` says
    how many words from i name an organisation (office words, pinyin places): those are left
    to the organisation linker, unless a longer vocabulary phrase starts there (office
    expenses is a cost, not an office)."""
    if not re.search(r"[A-Za-z]", question):
        return Rendering(question, (), (), question)
    vocab = english_vocabulary()
    # an English aside in brackets glosses the words before it ("public (office running)
    # expenses"): out of the phrase, so the words around it meet again
    # (a list in brackets is no gloss: "cases of all kinds (complaints, suggestions, messages)"
    # says what is counted, and stays)
    question = re.sub(r"\s*\((?:[A-Za-z][A-Za-z\s'/.-]*)\)\s*", " ", question)
    # "IT" is information technology, never the pronoun a lower-cased word list would take it for
    question = re.sub(r"\bIT\b", "information technology", question)
    question = distribute_shared_words(EN_THRESHOLD_RE.sub(_threshold, question))
    pieces = EN_TOKEN_RE.findall(question.replace("-", " "))
    out = list(pieces)
    words = []
    alpha = [k for k, p in enumerate(pieces) if re.match(r"[A-Za-z0-9]", p)]
    # "spend on furniture in its 2019 procurement budget": what follows "in its" is where the
    # item sits, not part of its name (CONTEXT_CUES)
    contexts = [k for n, k in enumerate(alpha[:-1])
                if pieces[k].lower() in CONTEXT_PREPOSITIONS and pieces[alpha[n + 1]].lower() in DETERMINERS]
    for k, p in enumerate(pieces):
        if re.match(r"[A-Za-z0-9]", p):
            if re.fullmatch(r"20\d{2}", p):
                continue  # a year is no part of a phrase ("total 2024 budget"), and stays printed
            if p.lower() in GLUE_WORDS:
                out[k] = " "
            else:
                words.append((k, p))
    stems = [stem(p) for _, p in words]
    plain_words = [p for _, p in words]
    terms: list[str] = []
    unplaced: list[str] = []
    unplaced_at: set[int] = set()
    placed_at: set[int] = set()
    item_starts: list[int] = []
    comparative = ""
    sum_cue = False
    run: list[str] = []
    span = [0, 0]  # pieces the current run covers
    last_word = -2

    term_spans: list[tuple[int, int]] = []  # pieces each Chinese term stands in

    def close_run() -> None:
        if run:
            joined = "".join(run)
            terms.append(joined)
            out[span[0]] = joined
            term_spans.append((span[0], span[1]))
            for k in range(span[0] + 1, span[1] + 1):
                out[k] = ""
            run.clear()

    i = 0
    while i < len(words):
        piece_at, word = words[i]
        if word.isdigit() and not any(tuple(stems[i:i + n]) in vocab for n in (2, 3)):
            close_run()
            i += 1
            continue  # years and codes stay as printed
        name_len = name_words(plain_words, i) if name_words else 0
        hit = _longest_phrase(vocab, stems, pieces, words, i)
        reach = hit + _longest_phrase(vocab, stems, pieces, words, i + hit) if hit else 0
        for shorter in range(hit - 1, 0, -1):
            # "fiscal appropriation | revenue and expenditure", not "fiscal appropriation
            # revenue | and expenditure": a shorter phrase here when the two phrases then cover more
            if (tuple(stems[i:i + shorter]) in vocab
                    and shorter + _longest_phrase(vocab, stems, pieces, words, i + shorter) > reach):
                hit = shorter
                break
        if name_len and name_len >= hit:
            close_run()
            for k in range(i, i + name_len):
                out[words[k][0]] = " "
            i += name_len
            continue
        if hit:
            chinese = vocab[tuple(stems[i:i + hit])]
            alone = chinese in STANDALONE_TERMS
            # "overseas travel, official cars and receptions": a comma between two placed
            # phrases lists them, as 、 does in Chinese
            listed = next((k for k in range(span[1] + 1, piece_at) if pieces[k].strip() in LIST_MARKS), None) \
                if run and last_word == i - 1 and not _after_setting_word(pieces, span[0]) else None
            if (last_word != i - 1 or alone or (run and run[-1] in STANDALONE_TERMS | SUFFIX_TERMS)
                    or any(span[1] < k < piece_at for k in contexts) or listed is not None):
                close_run()
            if listed is not None:
                out[listed] = "、"
            if not run:
                span[0] = piece_at
            run.append(chinese)
            placed_at.update(range(i, i + hit))
            span[1] = words[i + hit - 1][0]
            last_word = i + hit - 1
            i += hit
            continue
        lowered = word.lower()
        close_run()
        if lowered in EN_MORE:
            comparative = comparative or "多"
        elif lowered in EN_LESS:
            comparative = comparative or "少"
        if lowered in EN_SUM_CUES:
            sum_cue = True
        if lowered in EN_CONNECTIVES:
            out[piece_at] = EN_CONNECTIVES[lowered]
        elif (lowered in EN_FUNCTION_WORDS or stems[i] in EN_FUNCTION_WORDS or lowered in EN_SUM_CUES
              or FISCAL_YEAR_RE.fullmatch(lowered)):
            out[piece_at] = " "
        else:
            unplaced.append(word)
            before = [w.lower() for w in pieces[:piece_at] if re.match(r"[A-Za-z]", w)]
            while before and before[-1] in ("the", "a", "an", "its", "their", "his", "her"):
                before.pop()
            unplaced_at.add(i)
            # "how many zorbing events": what is counted (the word right after "how many")
            counted = before[-2:] == ["how", "many"] and not re.search(r"[^\sA-Za-z]", "".join(pieces[:piece_at]).rsplit("many", 1)[-1])
            if before and (before[-1] in ITEM_PREPOSITIONS or counted) and lowered not in ORDINAL_WORDS:
                item_starts.append(i)  # "spend on zorbing": the item itself is what it cannot place
            out[piece_at] = " "
        i += 1
    close_run()
    if contexts and not BUDGET_GAP_RE.search(question):
        _context_first(out, term_spans, contexts[0])
    items = []
    for start in item_starts:
        end = start
        while end + 1 in unplaced_at:
            end += 1
        if end + 1 not in placed_at:
            # not a modifier of a name it could place ("official overseas travel")
            items.extend(plain_words[start:end + 1])
    bare_out = list(out)
    for first, _last in term_spans:
        bare_out[first] = " "
    bare = " ".join(DANGLING_RE.sub(" ", "".join(bare_out)).split())
    text = "".join(out)
    # a connective with nothing on one side joins nothing (", and what was it?")
    text = DANGLING_RE.sub(" ", text)
    text = re.sub(r"(?<=[\u4e00-\u9fff）)])\s+(?=[\u4e00-\u9fff（(])", " ", text)
    gap = BUDGET_GAP_RE.search(question)
    if gap:
        # "How much less than budgeted did X spend on Y": Y's actual against Y's budget
        subject = " ".join(t for t in terms if t not in STANDALONE_TERMS and t not in SUFFIX_TERMS)
        if not subject:
            # a mixed question names the item in Chinese: "2024 决算 for 城乡社区规划与管理"
            subject = " ".join(r for r in re.findall(r"[\u4e00-\u9fff（）()]+", question)
                               if r not in STANDALONE_TERMS and not r.endswith(("预算", "预算数", "决算数"))) or "支出"
        more = bool(re.match(r"more|higher|over|exceed|surpass|above", gap.group(0), re.I))
        if "unspent" in gap.group(0).lower():
            # "how much of the budget went unspent": the budget less the actual, of what is named
            subject = " ".join(t for t in terms if t not in STANDALONE_TERMS | {"全年预算数", "年初预算"}) or subject
        phrase = gap.group(0).lower()
        if "unspent" in phrase:
            phrase = question.lower()  # which budget is named elsewhere: "of its full-year budget went unspent"
        budget = ("全年预算数" if re.search(r"full[\s-]year|全年", phrase)
                  else "年初预算" if re.search(r"initial|original|start|budgeted|planned|年初", phrase) else "预算数")
        # the actual side in the words that go with the budget's: 全年预算数 / 全年执行数 (a
        # self-evaluation), 年初预算 / 决算数 (final accounts)
        actual = "全年执行数" if budget == "全年预算数" else "决算数"
        text = f"{subject}的{actual}比{subject}的{budget}{'多' if more else '少'}"
        return Rendering(text, tuple(terms), tuple(dict.fromkeys(unplaced)), text, tuple(dict.fromkeys(items)))

    def cues(rendered: str) -> str:
        if "比" in rendered and comparative:
            rendered = rendered.rstrip(" ?？.。") + comparative
        if sum_cue:
            rendered = rendered.rstrip(" ?？.。") + "一共"
        return " ".join(rendered.split())

    return Rendering(cues(text), tuple(terms), tuple(dict.fromkeys(unplaced)), cues(bare), tuple(dict.fromkeys(items)))
