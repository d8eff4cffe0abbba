"""question -> which organisations it names: every report's name scored against the question.

Users shorten names in ways no alias list foresees: 规划资源局 (规划和自然资源局), 区政府办公室
(区人民政府办公室), 万里街道 (…万里街道办事处), 省人大办公厅 (江苏省人大常委会办公厅), 硚口网格中心.
What they keep is the name's characters in order. So a question names an organisation by a run
of its own characters that appears, in order, in the name (a subsequence), and the run scores by
how rare its characters are among the names in the store: 财 and 规 tell names apart, 局 and 区
hardly do. Runs made only of office words (政府, 办公室, 中心 …) name nobody by themselves.

English names are read the same way after translating office words (Finance Bureau -> 财政局,
Subdistrict -> 街道办事处) and place names by pinyin (Putuo -> 普陀, Wanli -> 万里).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from index.meta import NOT_DISTRICTS, split_place
from qa.glossary import EN_FUNCTION_WORDS, GLUE_WORDS

# Office and government words: shared by many names, they only support a match.
OFFICE_WORDS = (
    "中共", "人民政府", "政府", "人民", "办公室", "办公厅", "委员会", "常委会", "中心", "服务", "管理",
    "综合", "部门", "单位", "办事处", "局", "部", "厅", "委", "院", "办", "处", "会", "省", "市", "区", "县",
    # kinds of office every district has: what they are called says nothing of which district's
    "社会管理", "网格化", "网格", "城市运行", "街道",
)
_OFFICE_RE = re.compile("|".join(sorted(OFFICE_WORDS, key=len, reverse=True)))

# English office vocabulary -> the Chinese words names are made of; longest phrases first.
EN_OFFICE: tuple[tuple[str, str], ...] = (
    ("people's congress standing committee", "人大常委会"),
    ("peoples congress standing committee", "人大常委会"),
    ("standing committee of the people's congress", "人大常委会"),
    ("people's congress", "人大"), ("peoples congress", "人大"), ("ppc", "人大"), ("npc", "人大"),
    ("standing committee", "常委会"),
    ("general office", "办公厅"),
    ("district government office", "区人民政府办公室"),
    ("government office", "人民政府办公室"),
    ("people's government", "人民政府"),
    ("planning and natural resources", "规划和自然资源"),
    ("natural resources", "自然资源"),
    ("social welfare institute", "社会福利院"), ("social welfare home", "社会福利院"),
    ("welfare institute", "福利院"), ("welfare home", "福利院"),
    ("social work department", "社会工作部"), ("social work", "社会工作"),
    ("finance bureau", "财政局"), ("finance department", "财政厅"), ("finance", "财政"),
    ("grid management service center", "网格化管理服务中心"),
    ("grid management service centre", "网格化管理服务中心"),
    ("grid management", "网格化管理"), ("grid service", "网格化服务"), ("grid", "网格"),
    ("city operation", "城市运行"), ("city operations", "城市运行"),
    ("street office", "街道办事处"), ("sub-district", "街道办事处"), ("subdistrict", "街道办事处"),
    ("street", "街道"),
    ("district committee", "区委"), ("communist party", "中共"), ("cpc", "中共"), ("ccp", "中共"),
    ("operation management centre", "运行管理中心"), ("operation management center", "运行管理中心"),
    ("management service centre", "管理服务中心"), ("management service center", "管理服务中心"),
    ("management centre", "管理中心"), ("management center", "管理中心"),
    ("service centre", "服务中心"), ("service center", "服务中心"),
    ("comprehensive service center", "综合服务中心"), ("comprehensive service centre", "综合服务中心"),
    ("comprehensive", "综合"),
    ("procuratorate", "检察院"), ("court", "法院"), ("hospital", "医院"), ("school", "学校"),
    ("public security bureau", "公安局"), ("police", "公安"), ("township", "乡镇"), ("town", "镇"),
    ("planning", "规划"),
    ("bureau", "局"), ("commission", "委员会"), ("committee", "委员会"), ("office", "办公室"),
    ("department", "部"), ("centre", "中心"), ("center", "中心"), ("government", "人民政府"),
    ("municipal", "市"), ("provincial", "省"), ("province", "省"), ("city", "市"), ("district", "区"),
    ("county", "县"),
)
_EN_OFFICE_RE = re.compile(
    "|".join(rf"\b{re.escape(p)}\b" for p, _ in EN_OFFICE), re.IGNORECASE
)
# (the words of the office phrases, for putting a misspelt one back: qa.glossary.respell)
EN_OFFICE_WORDS = frozenset(w for p, _ in EN_OFFICE for w in re.findall(r"[a-z]+", p)
                            if len(w) >= 3 and w not in EN_FUNCTION_WORDS | GLUE_WORDS)
_EN_OFFICE_PHRASES = frozenset(p.replace("'", "") for p, _ in EN_OFFICE) | frozenset(p for p, _ in EN_OFFICE)
_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_CJK = re.compile(r"[\u4e00-\u9fa5]")
# A place is named "XX区" (or 市/县/省) at a word boundary: "城乡社区" holds no place "乡社区".
PLACE_WORD_RE = re.compile(r"(?<![\u4e00-\u9fa5])([\u4e00-\u9fa5]{2,3}?(?:区|县|市|省))")
MIN_SCORE = 1.2  # a run worth less than about one rare character names nobody
KEEP_SHARE = 0.9
NAME_GAP = 2  # characters between a name and later office words that make them two phrases
LOWER_LEVEL_FACTOR = 0.8  # a name whose city the question says but not its district
# A character matched after skipping some of the name counts for this much: 区府办 is nearer to
# 区人民政府办公室 (府办 adjacent) than to 区人民政府万里街道办事处.
GAP_FACTOR = 0.5
HOMOPHONE_FACTOR = 0.5  # a character of the name typed as another that sounds the same
WORD_FACTOR = 0.3  # a run of office-word characters only  # reports within this share of the best score are all candidates


@lru_cache(maxsize=16384)
def pinyin_words(text: str) -> tuple[str, ...]:
    """One syllable per character (lazy_pinyin, which reads polyphones by their phrase)."""
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # pragma: no cover - pypinyin is a dependency
        return ()
    return tuple(lazy_pinyin(text))


@lru_cache(maxsize=16384)
def same_sound(a: str, b: str) -> bool:
    """Two characters read alike (化 and 划: hua), tones aside."""
    if a == b:
        return True
    sounds = pinyin_words(a + b)
    return len(sounds) == 2 and sounds[0] == sounds[1] and sounds[0].isalpha()


@dataclass(frozen=True)
class OrgMatch:
    report: str
    score: float
    spans: tuple[tuple[int, int], ...]  # question character ranges that matched the name
    text: str  # what the question said of the name
    named: bool = True  # a run holds the name's own words or its district, not only office words or a city


class OrgLinker:
    """Scores each report's organisation name against a question (linear in the catalog)."""

    def __init__(self, names: dict[str, str], terms: Iterable[str] = ()) -> None:
        """`names`: report name -> organisation name as printed (place included). `terms`:
        budget words (机关运行经费, 行政运行): where a question prints one that is in no name, it
        is the metric, and its characters name no organisation (运行 of 机关运行经费 is not
        城市运行管理中心's)."""
        self.names = {r: n for r, n in names.items() if n}
        self.cache: dict[str, Any] = {}  # what readers of this catalog derive from it once
        distinct = set(self.names.values())
        self.terms = sorted({t for t in terms if len(t) >= 4 and not any(t in n for n in distinct)},
                            key=lambda t: (-len(t), t))
        df: Counter[str] = Counter()
        self._by_char: dict[str, set[str]] = {}
        for name in distinct:
            df.update(set(name))
            for c in set(name):
                self._by_char.setdefault(c, set()).add(name)
        total = max(len(distinct), 1)
        self.weight = {c: math.log(1 + total / n) for c, n in df.items()}
        self._pinyin: dict[str, str] = {}
        for name in distinct:
            chars = [c for c in name if _CJK.match(c)]
            syllables = pinyin_words("".join(chars))
            if len(syllables) != len(chars):
                continue
            for size in (2, 3, 4):
                for i in range(len(chars) - size + 1):
                    self._pinyin.setdefault("".join(syllables[i : i + size]).lower(), "".join(chars[i : i + size]))

    # -- the question as Chinese name words -------------------------------------------------------

    def name_text(self, question: str) -> str:
        """The question with English office words and pinyin place names put in Chinese, so one
        matcher serves both: 'Putuo District Finance Bureau' -> '普陀区财政局'."""
        if not _ASCII_WORD.search(question):
            return question
        out = _EN_OFFICE_RE.sub(lambda m: self._office(m.group(0)), question)
        words = _ASCII_WORD.findall(out)
        for size in (2, 1):
            for i in range(len(words) - size + 1):
                # "Yuelu's": a possessive is the name
                key = "".join(re.sub(r"['’]s$", "", w.lower()) for w in words[i : i + size]).replace("-", "").replace("'", "")
                zh = self._pinyin.get(key)
                if zh:
                    out = re.sub(r"\s*".join(map(re.escape, words[i : i + size])), zh, out, count=1)
        # English words run together: "普陀 区 财政局" -> "普陀区财政局"
        return re.sub(r"(?<=[\u4e00-\u9fa5])\s+(?=[\u4e00-\u9fa5])", "", out)

    def name_words(self, words: list[str], i: int) -> int:
        """How many English words from `words[i]` name an organisation: an office phrase
        (finance bureau, standing committee) or a place in pinyin (Putuo, Wanli)."""
        # "People's Congress" is the office phrase, "Subdistrict's" the office word
        kept = [w.lower().replace("'", "") for w in words]
        cut = [w.lower().removesuffix("'s").replace("'", "") for w in words]
        for size in range(min(5, len(words) - i), 0, -1):
            for lowered in (kept, cut):
                phrase = " ".join(lowered[i : i + size])
                if phrase in _EN_OFFICE_PHRASES or (size <= 2 and phrase.replace(" ", "") in self._pinyin):
                    return size
        return 0

    @staticmethod
    def _office(phrase: str) -> str:
        lowered = phrase.lower()
        return next(zh for p, zh in EN_OFFICE if p == lowered)

    # -- scoring -------------------------------------------------------------------------------

    @staticmethod
    @lru_cache(maxsize=65536)
    def _own(name: str) -> frozenset[str]:
        """Characters that single the organisation out: its own words less office words, and
        its district (硚口 of 硚口区…网格化服务中心); a city alone (株洲市) does not."""
        rest, places = _without_places(name)
        own = set(_OFFICE_RE.sub("", rest))
        if places and (len(places) > 1 or places[-1].endswith(("区", "县"))):
            own |= set(places[-1][:-1])
        return frozenset(own)

    @staticmethod
    @lru_cache(maxsize=65536)
    def _proper(name: str) -> frozenset[str]:
        """The characters that make a name its own: less 中共, its places and its office word
        (上海市普陀区社会福利院 -> 社会)."""
        rest, _ = _without_places(name)
        end = max((w for w in NAME_ENDS + OFFICE_END_WORDS if rest.endswith(w)), key=len, default="")
        proper = rest[: len(rest) - len(end)] if end else rest
        return frozenset(proper or rest)

    def _runs(self, text: str, name: str) -> list[tuple[float, int, int]]:
        """(weight, start, end) of each maximal run of `text` found in order in `name`."""
        runs = []
        i = 0
        while i < len(text):
            if text[i] not in name or not _CJK.match(text[i]):
                i += 1
                continue
            position = name.index(text[i])
            j = i + 1
            weight = self.weight.get(text[i], 0.0)
            last = position
            while j < len(text):
                found = name.find(text[j], last + 1)
                if not _CJK.match(text[j]):
                    break
                if found < 0:
                    # 规化资源局 for 规划和自然资源局: a character typed for the next one of the
                    # name that sounds the same (a pinyin input method's slip) counts a little,
                    # when the name goes on after it (社会服务 is no 社会福利院: 务 does not follow)
                    if (last + 1 < len(name) and same_sound(text[j], name[last + 1])
                            and j + 1 < len(text) and name.find(text[j + 1], last + 2) >= 0):
                        weight += self.weight.get(name[last + 1], 0.0) * HOMOPHONE_FACTOR
                        last += 1
                        j += 1
                        continue
                    break
                # characters adjacent in the name count fully; after a gap, a little less
                weight += self.weight.get(text[j], 0.0) * (1.0 if found == last + 1 else GAP_FACTOR)
                last = found
                j += 1
            # office words alone name nobody (政府, 办公室), unless they spell out most of a name
            # as users write it (区政府办公室)
            if j - i >= 2 and (_OFFICE_RE.sub("", text[i:j]) or j - i >= 5):
                # a run made only of the name's office word and places says little of which
                # office: "福利" of 福利费 against 社会福利院, "办公" of 办公费 against 办公室
                if not set(text[i:j]) & self._proper(name):
                    weight *= WORD_FACTOR
                runs.append((weight, i, j))
                i = j
            else:
                # office words alone (办公室): skip the whole run, not to match its tail (公室)
                i = j if j - i >= 2 else i + 1
        return runs

    def match(self, question: str) -> list[OrgMatch]:
        """Every report whose name the question names, best first."""
        text = self.name_text(question)
        for term in self.terms:
            if term in text:
                text = text.replace(term, " " * len(term))  # same length: spans stay in place
        out = []
        maybe = self._maybe_named(text)
        for report, name in self.names.items():
            if maybe is not None and name not in maybe:
                continue
            runs = self._runs(text, name)
            if not runs:
                continue
            score = sum(w for w, _, _ in runs)
            if score < MIN_SCORE:
                continue
            spans = tuple((i, j) for _, i, j in runs)
            said = {c for i, j in spans for c in text[i:j]}
            _, places = _without_places(name)
            if len(places) >= 2 and set(places[0][:-1]) <= said and not set(places[-1][:-1]) & said:
                # "Shanghai Finance Bureau": the city named and not the district is the city's
                # own office (上海市财政局), not a district's (上海市普陀区财政局)
                score *= LOWER_LEVEL_FACTOR
            own = self._own(name)
            named = any(set(text[i:j]) & own for i, j in spans)
            out.append(OrgMatch(report, score, spans, "".join(text[i:j] for i, j in spans), named))
        out.sort(key=lambda m: (-m.score, m.report))
        return out

    def _maybe_named(self, text: str) -> set[str] | None:
        """The names a question can name at all: those holding one of its characters that is no
        office word (a run of office words alone names nobody), so the scoring reads a few names
        of thousands; None (all) when the question spells out five office characters in a row
        (区政府办公室), which may name an office by them alone."""
        cjk = "".join(c if _CJK.match(c) else " " for c in text)
        office = _OFFICE_RE.sub(lambda m: "\0" * len(m.group(0)), cjk)
        if re.search("\0{5,}", office):
            return None
        own = set(office) - {" ", "\0"}
        return set().union(*(self._by_char.get(c, ()) for c in own)) if own else set()

    def candidates(self, question: str) -> tuple[list[OrgMatch], str]:
        """(the reports named, within KEEP_SHARE of the best; the name text matched)."""
        matches = self.match(question)
        if not matches:
            return [], ""
        first = matches[0]
        # (apart: "硚口区人民政府办公室" is one name, the office words right after the place)
        start = min(i for i, _ in first.spans)
        earlier = {self.names[m.report] for m in matches
                   if m.named and max(j for _, j in m.spans) + NAME_GAP <= start}
        if not first.named and len(earlier) == 1:
            # "岳麓21年…城市管理类", "the Lusong grid centre … under government office affairs": a
            # name said by its own words or place comes first; office and budget words later in
            # the question (城市管理, 政府办公室) are what it asks about, not another organisation.
            # (A place many names share, 普陀区, says no one of them.)
            matches = [m for m in matches if m.named]
        best = matches[0].score
        kept = [m for m in matches if m.score >= KEEP_SHARE * best]
        return kept, matches[0].text


# Common words ending in 区/市/县/省 that end no place name ("城乡社区", "园区", "城市", "节省");
# 山区 or 新区 may (青山区, 浦东新区), so only whole words of NOT_DISTRICTS are no place.
NOT_PLACE_ENDS = (
    "社区", "城区", "园区", "景区", "小区", "街区", "辖区", "片区", "市区", "城市", "超市", "门市", "都市",
    "上市", "节省", "反省",
    # a determiner before 区/市/县/省 is the whole of one ("串联全区14条街道", "我市", "本省"), no name
    "全区", "本区", "该区", "各区", "我区", "两区", "全市", "本市", "该市", "各市", "我市", "全县", "本县",
    "全省", "本省", "我省", "各省",
)

# Words a name ends in; what a user writes as a name ends in one too (万里街道, 区府办, 社工部).
NAME_ENDS = (
    "街道办事处", "办事处", "街道", "办公室", "办公厅", "委员会", "常委会", "中心", "工作部", "福利院",
    "局", "厅", "委", "院", "部", "办", "处", "所", "站", "队", "会", "馆",
)


# Two-character words a user writes right before an organisation's name that are no part of it
# ("请问财政局…", "今年网格中心…"): whatever else stands there qualifies the name.
# where the figure is read: "根据武昌区城运中心2024年决算…", "按照区府办的预算…"
READ_FROM_WORDS = ("根据", "按照", "依据", "参照", "对照")
LEAD_WORDS = frozenset(
    "请问 问下 想问 查询 查下 查查 看看 告诉 那个 这个 这家 那家 哪个 哪家 我们 你们 他们 咱们 关于 有关 对于 "
    "今年 去年 上年 本年 全年 当年 明年 前年 年度 本级 下属 所属 各个 全部 所有 整个 一下 帮我 麻烦 "
    "月底 年底 月末 年末 以来 其他 其中 一般 合计 本部 部门 单位 市级 区级 省级 县级 本区 本市 全区 全市 全省 "
    "来看 翻看 看下".split()
) | frozenset(READ_FROM_WORDS)
# English words that stand before a name without being one ("Per Wanli Subdistrict's 2023
# budget", "According to …"): the question's own function words
_EN_LEAD_WORDS = frozenset(
    "the what which how who whose in for of did does do is was were are and or by at on its their this that "
    "fy total budget final per according from under with about as to".split()
) | EN_FUNCTION_WORDS | GLUE_WORDS


def foreign_qualifier(text: str, match: OrgMatch, known: str) -> str:
    """A word the question puts right before the name it matched that the name does not hold:
    "浦东财政局" matched to 上海市普陀区财政局 by 财政局, "江苏省财政厅" to 上海市财政局 by 财政,
    "Pudong Finance Bureau". Such a word names another organisation of the kind (another
    district's bureau); "" when the word before is none (请问, 今年, 2024年) or absent.
    `known`: the store's organisation names and districts, one per line."""
    if not match.spans:
        return ""
    start, end = min(match.spans)
    if not text[start:end].endswith(NAME_ENDS):
        return ""  # "社会工作" of 其他社会工作事务支出: an item's words, not a name the question gives
    before = text[:start]
    run = re.search(r"([\u4e00-\u9fa5]+)$", before)
    if run:
        word = re.sub(r"^(?:年度|年|的)", "", run.group(1))
        # "2024年预算中财政局…", "决算里…": where the figure is read, no name of its own
        word = re.sub(r"^(?:部门|单位)?(?:预算|决算|绩效自评|报告|公开|表)(?:中|里|内|上|的)?", "", word)
        grams = {word[k : k + 2] for k in range(len(word) - 1)}
        # a name of its own (浦东, 宜川路, 长寿路): no two of its characters together in any name
        if (2 <= len(word) <= 4 and word[:2] not in LEAD_WORDS and word[-2:] not in LEAD_WORDS
                and not any(g in known for g in grams)):
            return word + text[start:end]
        return ""
    english = re.search(r"([A-Z][a-z]+)\s+$", before)
    if english and english.group(1).lower() not in _EN_LEAD_WORDS:
        return english.group(1)
    return ""


def unmatched_name(question: str, known: str) -> str:
    """An organisation's name the question gives that matches no report at all: a run of its own
    ending in an office word ("青山网格中心24年…") whose other characters no name in the store
    (`known`, one per line) holds two of side by side (青山, 长寿路). "" when there is none."""
    for run in re.findall(r"[\u4e00-\u9fa5]+", re.sub(r"[的和与及、]", " ", question)):
        end = next((w for w in NAME_ENDS if run.endswith(w)), "")
        if not end or len(run) < len(end) + 2:
            continue
        rest = _OFFICE_RE.sub("", run[: len(run) - len(end)])
        # no two of its characters side by side in any name (长寿路: 长 is in 长沙市, 长寿 in none)
        if (len(rest) >= 2 and not any(rest[k : k + 2] in known for k in range(len(rest) - 1))
                and rest[-2:] not in LEAD_WORDS):
            return run
    return ""


def unmatched_english(name_text: str) -> str:
    """A capitalised English word right before an office or place word that no report's name
    holds: "Qingshan grid centre", "Jiangxia district's". `name_text` is the question as the
    linker reads it (OrgLinker.name_text), where the store's own places are already Chinese, so
    a capitalised word left before 网格中心 or 区 is a place the store has none of. ""
    when there is none."""
    for match in re.finditer(r"\b([A-Z][a-z]{2,})(?:['’]s)?\s*([\u4e00-\u9fa5]+)", name_text):
        word, run = match.groups()
        if word.lower() in _EN_LEAD_WORDS:
            continue
        if run.endswith(NAME_ENDS) or run[0] in "区县市省" and len(run) <= 2:
            return word
    return ""


def _without_places(name: str) -> tuple[str, tuple[str, ...]]:
    """(the name less 中共 and its places, the places): 中共上海市普陀区委社会工作部 ->
    ('委社会工作部', ('上海市', '普陀区'))."""
    rest = name.removeprefix("中共")
    places = split_place(rest)
    for place in places:
        rest = rest.replace(place, "", 1)
    return rest, places


# Longer office words a name ends in, whose characters are the office's kind, not its name.
OFFICE_END_WORDS = ("福利院", "服务中心", "管理中心")


def name_in_question(question: str, match: OrgMatch) -> list[str]:
    """The pieces of a Chinese question that name the organisation, each cut after its last
    office word: in "万里街道办公费" the name is 万里街道, and 办公费 is the metric."""
    pieces = []
    for i, j in match.spans:
        text = question[i:j]
        # a one-character end (办, 局, 部) ends the name only where the question's words stop
        # there: 区府办2025年 yes, 万里街道办公费 no (办公费 is the metric)
        ends = [
            k + len(w) for w in NAME_ENDS for k in range(len(text))
            if text.startswith(w, k)
            and (len(w) > 1 or i + k + 1 >= len(question) or not _CJK.match(question[i + k + 1])
                 or question[i + k + 1] in "的年和与在")
        ]
        cut = max(ends, default=0)
        if cut:
            pieces.append(text[:cut])
        elif j >= len(question) or not _CJK.match(question[j]):
            pieces.append(text)  # the name runs up to a year or the end: all of it is the name
    return pieces


def unknown_places(question: str, known: Iterable[str]) -> list[str]:
    """Place names ("青山区") the question names at a word boundary that no report's name
    contains: a question about a place the store has no report for."""
    names = list(known)
    found = []
    # dates, joining words and where-to-read words are no part of a place: "2020年硚口区",
    # "硚口区和芦淞区", "按照区府办…", "根据青山区…"
    text = re.sub(r"\d+\s*(?:年度|年|月|日|号)|[和与及、的在是中]|" + "|".join(READ_FROM_WORDS), " ", question)
    for match in PLACE_WORD_RE.finditer(text):
        place = match.group(1)
        core = place[:-1]
        if place.endswith(NOT_PLACE_ENDS) or place in NOT_DISTRICTS or place[-2:] in NOT_DISTRICTS and len(place) == 2:
            continue
        if any(core in n for n in names) or any(place[1:] in n for n in names if len(place) >= 4):
            continue  # 底硚口区 of "截至2023年底硚口区": the place is 硚口区
        found.append(place)
    return found
