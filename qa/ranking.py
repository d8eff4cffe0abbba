"""Questions over many organisations at once: "列出各单位2024年“三公”经费", "which department had
the largest 基本支出 in 2024?", "普陀区各部门2025年收入预算从高到低".

`read_ranking` finds the words that ask for a ranking (an organisation kind after 各 / 所有 /
哪个 / all / each / which, an order, a superlative, a top N) and returns them apart from the rest of
the question, which is then parsed as a question about one figure; the Answerer asks that figure of
every organisation in turn (qa.answerer `_rank_orgs`) and sorts what it finds.

What counts as an organisation kind is read from the office words names are made of (局, 中心,
街道, 委员会 …, and their English in qa.orgs.EN_OFFICE), never from a list of organisations: "各网格
中心" keeps the organisations whose names hold 网格…中心 in that order, "各部门" / "all departments"
keeps every one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from index.numbers import format_value
from qa.orgs import EN_OFFICE, OFFICE_WORDS

# The last word of an organisation kind (longest first): what 各 / 哪个 must be followed by for
# the question to range over organisations ("各项目", "各类", "各季度" range over other things).
ZH_KIND_ENDS = ("街道办事处", "办事处", "委员会", "办公室", "办公厅", "常委会", "单位", "部门", "机关", "街道",
                "中心", "学校", "局", "委", "办", "院", "厅", "部", "所", "站", "镇", "乡", "区", "县")
# Kinds every organisation is of: no filter ("各部门", "all departments", "哪个区").
GENERIC_KINDS = frozenset({"单位", "部门", "机关", "部", "办公室", "人民政府", "政府", "人民", "中共", "服务", "管理", "综合"})
PLACE_WORDS = frozenset({"区", "县", "市", "省"})
EN_GENERIC_KINDS = frozenset({"department", "organisation", "organization", "unit", "body", "agency",
                              "office", "entity", "authority", "district", "one"})

# (an end followed by a longer one is one kind: "普陀区部门", "区县")
_ZH_KIND = ("(?P<kind>(?:(?!的)[\u4e00-\u9fff]){0,6}?(?:" + "|".join(ZH_KIND_ENDS) + ")(?:"
            + "|".join(w for w in ZH_KIND_ENDS if len(w) >= 2) + "|县)*)")
# (各类 / 各项 / 各级 … range over kinds, items, levels; "各单位里" / "中": the set, no figure's word)
ZH_EACH_RE = re.compile(r"(?:各个|各(?![类项种级月季年])|所有|全部|每个|每一个|每家)(?:的)?" + _ZH_KIND + "(?:之中|当中|里面|里|中)?")
ZH_WHICH_RE = re.compile(r"(?:哪个|哪一个|哪家|哪一家|哪些|什么)" + _ZH_KIND)
# an organisation asked for without its kind ("哪家", "谁的", "whose"): any organisation
ZH_WHO_RE = re.compile(r"(?P<kind>哪一?家|谁家?)")
EN_WHO_RE = re.compile(r"\b(?P<kind>whose|who)\b", re.I)
ZH_MOST_RE = re.compile(r"最(?P<word>多|高|大|少|低|小)")
ZH_ORDER_RE = re.compile(
    r"(?:按|并按|且按)?(?:金额|数额|数字|大小|多少)?(?P<word>从高到低|由高到低|从大到小|由大到小|从多到少|由多到少|降序"
    r"|从低到高|由低到高|从小到大|由小到大|从少到多|由少到多|升序)(?:排列|排序|排名|列出)?")
ZH_TOP_RE = re.compile(r"(?:前|排名前)(?P<n>[1-9]\d?|[一二三四五六七八九十])(?:名|个|位|家)?")
ZH_LIST_WORDS_RE = re.compile(r"列出|列一下|列举|排名|排序|排行(?:榜)?|分别(?:是多少)?|一览|对比一下|比较一下|比一比")
ZH_NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}

_EN_KIND_WORD = (r"(?:departments?|organi[sz]ations?|units?|bodies|body|agenc(?:y|ies)|offices?|bureaus?|bureaux"
                 r"|cent(?:er|re)s?|sub-?districts?|districts?|streets?|committees?|commissions?|institutes?"
                 r"|homes?|entities|entity|authorit(?:y|ies)|governments?|hospitals?|schools?|courts?"
                 r"|procuratorates?|towns?|townships?|police|stations?|ones?)")
_EN_KIND = r"(?P<kind>(?:[a-z][a-z'\-]*\s+){0,3}?" + _EN_KIND_WORD + r")\b"
# ("all the Finance Bureau's spending" is one organisation's: after all / across only a plural
# kind ranges over organisations, after each / every a singular one)
EN_EACH_RE = re.compile(r"\b(?:(?P<many>all|across|among|amongst)|each|every)\s+(?:of\s+)?(?:the\s+|its\s+)?(?:(?:\d+|two|three|four|five)\s+)?" + _EN_KIND + "(?:'s|')?", re.I)
EN_WHICH_RE = re.compile(r"\b(?:which|what)\s+(?:(?:one\s+)?of\s+(?:the\s+|its\s+)?)?" + _EN_KIND, re.I)
WHICH_OF_RE = re.compile(r"(?:which|what)\s+(?:one\s+)?of\b", re.I)
# "which one of the Finance Bureau's …": the possessive after "of" names the owner
OF_OWNER_RE = re.compile(r"\s+of\s+(?:the\s+|its\s+)?(?:[\w\-]+\s+){0,3}?[\w\-]+(?:'s|’s)\s", re.I)
# what an organisation holds several of, named right after it: the things asked among are these
OWNED_THINGS_RE = re.compile(r"(?:'s|’s)?\s+(?:projects?|items?|programmes?|programs?|lines?|funds?|tables?)\b", re.I)
EN_MOST_RE = re.compile(r"\b(?:the\s+)?(?P<word>largest|biggest|highest|most|greatest|smallest|lowest|least|fewest)\b", re.I)
EN_ORDER_RE = re.compile(
    r"\b(?:(?:sorted|ordered|ranked|listed)\s+)?(?:from\s+)?(?P<word>highest\s+to\s+lowest|largest\s+to\s+smallest|biggest\s+to\s+smallest"
    r"|most\s+to\s+least|descending|lowest\s+to\s+highest|smallest\s+to\s+largest|least\s+to\s+most|ascending)(?:\s+order)?\b", re.I)
EN_TOP_RE = re.compile(r"\b(?P<end>top|bottom)\s+(?P<n>[1-9]\d?|two|three|four|five|six|seven|eight|nine|ten)\b", re.I)
EN_LIST_WORDS_RE = re.compile(r"\b(?:list|rank|ranking|ranked|sort|sorted|tabulate|compare|show)\b", re.I)
EN_NUMERALS = {w: i for i, w in enumerate("one two three four five six seven eight nine ten".split(), start=1)}
SMALL_WORDS = frozenset("少 低 小 smallest lowest least fewest".split())
ASCENDING_RE = re.compile(r"从低到高|由低到高|从小到大|由小到大|从少到多|由少到多|升序|^(?:lowest|smallest|least)\b|ascending", re.I)


@dataclass(frozen=True)
class RankAsk:
    """What a question over many organisations asks, apart from the figure."""

    order: str  # "desc" | "asc"
    top: int  # rows asked for: 1 for "which … the largest", N for "top N", 0 for every one
    kind: tuple[str, ...]  # the office words the organisations' names hold ("网格", "中心"); () for all
    rest: str  # the question without the ranking words: a question about the figure
    ordered: bool  # an order was asked for (a superlative, 从高到低, top N); else a list

    @property
    def kind_name(self) -> str:
        return "".join(self.kind)


def _which_en(question: str) -> re.Match[str] | None:
    """ "which department", "which organisation's accounts" (a kind asked among); not "which of
    the Finance Bureau's projects", where the possessive names the owner of what is asked among."""
    found = EN_WHICH_RE.search(question)
    if found is None:
        return None
    after = question[found.end():]
    if WHICH_OF_RE.match(found.group(0)) and after.startswith(("'s", "’s")):
        return None
    if OWNED_THINGS_RE.match(after) or OF_OWNER_RE.match(after):
        return None  # "which Finance Bureau project": one organisation's projects asked among
    return found


def read_ranking(question: str) -> RankAsk | None:
    """The ranking a question asks for, or None when it asks about one organisation's figure
    (or sets two named ones against each other, which qa.query reads as a comparison)."""
    q = question
    each = ZH_EACH_RE.search(q) or next((m for m in EN_EACH_RE.finditer(q) if _plural(m.group("kind")) == bool(m.group("many"))), None)
    which = ZH_WHICH_RE.search(q) or _which_en(q)
    most = ZH_MOST_RE.search(q) or EN_MOST_RE.search(q)
    order = ZH_ORDER_RE.search(q) or EN_ORDER_RE.search(q)
    top = ZH_TOP_RE.search(q) or EN_TOP_RE.search(q)
    listed = ZH_LIST_WORDS_RE.search(q) or EN_LIST_WORDS_RE.search(q)
    if which is None and (most or order or top):
        which = ZH_WHO_RE.search(q) or EN_WHO_RE.search(q)
    found = each or (which if (most or order or top) else None)
    if found is None:
        return None
    named = _widest_kind(q, found)
    read = org_kind(named.group("kind"))
    if read is None:
        return None
    kind, leftover = read
    count = 0
    descending = True
    if top is not None:
        n = top.group("n").lower()
        count = int(n) if n.isdigit() else ZH_NUMERALS.get(n) or EN_NUMERALS.get(n, 0)
        descending = (top.groupdict().get("end") or "top").lower() != "bottom"
    if most is not None and (each is None or not listed):
        count = count or 1
        descending = most.group("word").lower() not in SMALL_WORDS
    if order is not None:
        descending = not ASCENDING_RE.search(order.group("word"))
    cut = [(named, leftover)] + [(m, "") for m in (each, which, most if count else None, order, top, listed)
                                  if m is not None and m is not found]
    rest = q
    for match, keep in sorted(cut, key=lambda mk: -mk[0].start()):
        if any(m.start() <= match.start() and match.end() <= m.end() and m.end() - m.start() > match.end() - match.start()
               for m, _ in cut):
            continue  # inside another cut span
        rest = rest[:match.start()] + f" {keep} " + rest[match.end():]
    rest = re.sub(r"(?<![A-Za-z])(?:的是|是|of|for|had|has|have|did|does|got)\s*(?=[？?。.!！]?\s*$)", " ", rest)
    rest = " ".join(rest.split())
    return RankAsk(order="desc" if descending else "asc", top=count, kind=kind, rest=rest,
                   ordered=bool(count or order))


@dataclass(frozen=True)
class _Span:
    """A found phrase, read like the re.Match it stands for."""

    begin: int
    finish: int
    kind_text: str

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish

    def group(self, _name: str) -> str:
        return self.kind_text


# kind ends a longer kind may end in ("各区法院": not 区 but 区法院); the one-character ends that
# begin common words (办 of 办公费, 部 of 部分, 区 and 县) are left out
LONG_KIND_ENDS = tuple(e for e in ZH_KIND_ENDS if len(e) >= 2) + ("院", "局", "委", "厅", "所", "站", "镇", "乡")
# (never across 的 or a budget word: "各单位预算的机关运行经费" is of 单位)
_LONGER_KIND_RE = re.compile("(?:(?!的|和|与|及|预算|决算|经费|支出|收入|资金)[\u4e00-\u9fff]){0,6}(?:" + "|".join(LONG_KIND_ENDS) + ")")


def _widest_kind(question: str, found: re.Match[str]) -> re.Match[str] | _Span:
    """The kind a Chinese match names, as wide as the office words after it reach."""
    if found.group("kind").isascii():
        return found
    start = found.start("kind")
    wider = _LONGER_KIND_RE.match(question, start)
    if wider is None or wider.end() <= found.end("kind"):
        return found
    return _Span(found.start(), wider.end(), question[start:wider.end()])


WHO_WORDS = frozenset({"哪家", "哪一家", "谁", "谁家", "whose", "who"})


def org_kind(phrase: str) -> tuple[tuple[str, ...], str] | None:
    """The office words of an organisation kind named in a question (("网格", "中心") of "网格中心"
    or "grid centers"; () for a kind every organisation is of) and the words before them that are
    no office words (a place: "普陀" of "普陀区部门", "Putuo" of "Putuo departments"), which stay in
    the question; None when the words name no organisation."""
    phrase = phrase.strip()
    if phrase.lower() in WHO_WORDS:
        return (), ""
    if phrase.isascii():
        words = [_singular(w) for w in phrase.lower().replace("-", "").split()]
        phrases = sorted(((p.replace("-", "").split(), z) for p, z in EN_OFFICE), key=lambda pz: -len(pz[0]))
        tail: list[str] = []
        end = len(words)
        while end > 0:  # office phrases read from the end: what is left before them is kept
            for parts, chinese in phrases:
                if len(parts) <= end and words[end - len(parts):end] == parts:
                    tail.insert(0, chinese)
                    end -= len(parts)
                    break
            else:
                if words[end - 1] in EN_GENERIC_KINDS:
                    end -= 1
                    continue
                break
        if end == len(words):
            return None
        return kind_pieces("".join(tail)), " ".join(phrase.split()[:end])
    # "普陀区部门", "区法院": what comes up to the last place word is a place (kept in the
    # question), the rest is the kind
    cut = max((phrase.rfind(w) + len(w) for w in PLACE_WORDS if w in phrase), default=0)
    place = phrase[:cut]
    return kind_pieces(phrase[cut:]), "" if set(place) <= PLACE_WORDS else place


def office_tail(chinese: str) -> tuple[str, ...]:
    """The office words a kind ends in, read from its end ("普陀区网格中心" -> ("区", "网格", "中心"))."""
    words: list[str] = []
    end = len(chinese)
    by_length = sorted({*OFFICE_WORDS, *ZH_KIND_ENDS}, key=len, reverse=True)
    while end > 0:
        word = next((w for w in by_length if chinese.endswith(w, 0, end)), "")
        if not word:
            break
        words.insert(0, word)
        end -= len(word)
    return tuple(words)


def kind_pieces(kind: str) -> tuple[str, ...]:
    """A kind as the pieces an organisation's name must hold: its office words and the words
    between them ("网格中心" -> ("网格", "中心"), "法院" -> ("法", "院"), "财政局" -> ("财政", "局")),
    without the place words (区, 市 …) and the kinds every organisation is of; () when nothing
    specific is left."""
    pieces: list[str] = []
    end = len(kind)
    while end > 0:
        words = office_tail(kind[:end])
        if words:
            pieces[:0] = words
            end -= len("".join(words))
            continue
        start = end - 1
        while start > 0 and not office_tail(kind[:start]):
            start -= 1
        pieces.insert(0, kind[start:end])
        end = start
    return tuple(p for p in pieces if p not in GENERIC_KINDS | PLACE_WORDS)


def _plural(phrase: str) -> bool:
    word = phrase.split()[-1].lower()
    return word.endswith("s") or word == "bureaux"


def _singular(word: str) -> str:
    if word == "bureaux":
        return "bureau"
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def of_kind(kind: tuple[str, ...], name: str) -> bool:
    """An organisation's name holds every office word of the kind (网格 and 中心 in
    武汉市硚口区社会管理网格化服务中心); every name is of the kind ()."""
    return all(word in name for word in kind)


# ------------------------------------------------------------------ the answer

@dataclass(frozen=True)
class RankRow:
    """One organisation's line of a ranking: its figure as its own question would answer it."""

    org: str
    year: int | None
    kind: str
    status: str  # "answered" | "ambiguous" | "not_found" | "no_report" | "other_unit"
    value: str | None = None
    unit: str = ""
    canonical: Decimal | None = None  # the figure in a common unit (万元 for money) to sort by
    canonical_unit: str = ""
    label: str = ""  # what the figure is, as its answer names it
    citation: dict[str, Any] | None = None
    candidates: tuple[dict[str, Any], ...] = ()  # the figures tied for an ambiguous row
    note: str = ""  # why a row has no figure, in the question's language

    def as_dict(self, rank: int | None) -> dict[str, Any]:
        return {"rank": rank, "org": self.org, "year": self.year, "kind": self.kind, "status": self.status,
                "value": self.value, "unit": self.unit,
                "canonical": None if self.canonical is None else format_value(self.canonical),
                "canonical_unit": self.canonical_unit, "label": self.label, "citation": self.citation,
                "candidates": [{**c, "canonical": None if c.get("canonical") is None else format_value(c["canonical"])}
                               for c in self.candidates],
                "note": self.note}


def ranked(rows: list[RankRow], order: str) -> tuple[list[RankRow], list[RankRow]]:
    """(the rows with a figure, sorted as asked; the others). Figures are set against each other
    only in one common unit: rows in a unit the most rows do not share are set apart."""
    answered = [r for r in rows if r.status == "answered" and r.canonical is not None]
    units = Counter(r.canonical_unit for r in answered)
    common = max(units, key=lambda u: (units[u], u == "万元")) if units else ""
    apart = [replace(r, status="other_unit") for r in answered if r.canonical_unit != common]
    kept = [r for r in answered if r.canonical_unit == common]
    kept.sort(key=lambda r: (-(r.canonical or 0) if order == "desc" else (r.canonical or 0), r.org))
    rest = [r for r in rows if r not in answered] + apart
    return kept, rest


def undecided(kept: list[RankRow], rest: list[RankRow], ask: RankAsk) -> list[RankRow]:
    """The rows without a figure that could still rank among the top asked for: one whose
    figure was not found, or one tied between figures of which one would (a superlative is
    only stated when nothing unread could beat it)."""
    if not ask.top or not kept:
        return []
    cut = kept[min(ask.top, len(kept)) - 1].canonical or Decimal(0)
    out = []
    for row in rest:
        if row.status == "not_found":
            out.append(row)
        elif row.status == "ambiguous":
            values = [c.get("canonical") for c in row.candidates if c.get("canonical") is not None]
            if not values or any((v > cut) if ask.order == "desc" else (v < cut) for v in values):
                out.append(row)
    return out


STATUS_WORDS = {
    "zh": {"ambiguous": "不唯一", "not_found": "未找到", "no_report": "无该年报告", "other_unit": "单位不同"},
    "en": {"ambiguous": "ambiguous", "not_found": "not found", "no_report": "no report of that year",
           "other_unit": "in another unit"},
}


def ranking_text(ask: RankAsk, kept: list[RankRow], rest: list[RankRow], what: str, year: int | None,
                 kind: str, zh: bool, open_rows: list[RankRow] | None = None) -> str:
    """The answer sentence: the top (or the list) with each figure as printed, then the
    organisations without a figure, by why. `open_rows`: rows that could still beat the top
    asked for, which is then not stated."""
    lang = "zh" if zh else "en"
    setting = (f"{year or ''}年{kind}" if zh else f"{year or ''} {EN_KINDS.get(kind, kind)}").strip()
    sep = "、" if zh else ", "
    head = _head(ask, kept, open_rows or [], setting, what, zh)
    words = dict(STATUS_WORDS[lang], no_report=f"无{setting}报告" if zh else f"no {setting} report")
    by_status: dict[str, list[str]] = {}
    for r in rest:
        note = (f"（{r.note}）" if zh else f" ({r.note})") if r.note else ""
        by_status.setdefault(r.status, []).append(r.org + note)
    tails = [f"{words[s]}{'：' if zh else ': '}{sep.join(orgs)}{'。' if zh else '.'}" for s, orgs in by_status.items()]
    if ask.top and rest and kept and not open_rows:
        tails.append(f"（排名只在找到数字的 {len(kept)} 个单位中。）" if zh
                     else f"(Ranked among the {len(kept)} organisations whose figure was found.)")
    return " ".join(filter(None, [head, *tails]))


def _head(ask: RankAsk, kept: list[RankRow], open_rows: list[RankRow], setting: str, what: str, zh: bool) -> str:
    """The top asked for (or why it cannot be told, or who ties for it), then the whole ranking."""
    high = ask.order == "desc"
    top_word = ("最高" if high else "最低") if zh else ("highest" if high else "lowest")
    sep, end = ("、", "。") if zh else (", ", ".")
    parts = [f"{i}. {r.org} {figure(r)}" for i, r in enumerate(kept, start=1)]
    listing = ("；" if zh else "; ").join(parts)
    ranking = (f"排名：{listing}。" if zh else f"Ranking: {listing}.") if parts else ""
    tied = [r for r in kept[1:] if ask.top == 1 and r.canonical == kept[0].canonical]
    if open_rows:
        names = sep.join(r.org for r in open_rows)
        found = (f"已找到的：{listing}。" if zh else f"Found: {listing}.") if parts else ""
        return (f"无法确定{setting}{what}{top_word}的单位：{names} 的数字未找到或不唯一。" if zh
                else f"Cannot tell which is {top_word} for {setting} {what}: no single figure for {names}.") + " " + found
    if tied:
        orgs = sep.join(r.org for r in [kept[0], *tied])
        return (f"{setting}{what}{top_word}的有 {len(tied) + 1} 个单位并列：{orgs}，均为 {figure(kept[0])}。" if zh
                else f"{setting} {what}: {len(tied) + 1} organisations tie for {top_word}, {orgs}, each {figure(kept[0])}.") \
            + (" " + ranking if len(kept) > len(tied) + 1 else "")
    if ask.top and kept:
        shown = kept[:ask.top]
        first = (f"{setting}{what}{top_word}的是{shown[0].org}：{figure(shown[0])}{end}" if zh
                 else f"{setting} {what}: {top_word} is {shown[0].org}, {figure(shown[0])}{end}") if ask.top == 1 else (
            f"{setting}{what}{top_word}的{len(shown)}个单位：{'；'.join(parts[:len(shown)])}{end}" if zh
            else f"{setting} {what}, {len(shown)} {top_word}: {'; '.join(parts[:len(shown)])}{end}")
        return first + (" " + ranking if len(kept) > len(shown) else "")
    order = ("从高到低" if high else "从低到高") if zh else ("highest" if high else "lowest") + " first"
    return (f"{setting}各单位{what}（{order}）：{listing or '无'}。" if zh
            else f"{setting} {what} by organisation ({order}): {listing or 'none'}.")


EN_KINDS = {"预算": "budget", "决算": "final accounts", "绩效自评": "performance self-evaluation"}


def figure(row: RankRow) -> str:
    """A row's figure as printed, with its conversion where the common unit is another
    ("156211123 元（15621.1123 万元）"): exact, never rounded."""
    printed = f"{row.value}{_gap(row.unit)}{row.unit}"
    if row.canonical is None or row.canonical_unit in ("", "count", row.unit):
        return printed
    return f"{printed}（{format_value(row.canonical)} {row.canonical_unit}）"


def _gap(unit: str) -> str:
    return "" if unit in ("%", "％", "") else " "
