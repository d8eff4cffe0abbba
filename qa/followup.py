"""(previous question, chat message) -> the question to ask: a follow-up ("那2023年呢？", "and the
Finance Bureau?", "那基本支出呢", "和2024年比呢") completed from the previous question.

The chat is the only caller; `/answer` and the CLI never rewrite (a script's questions stand
alone). What the follow-up names is read with `parse_query`, as any question is: a year replaces
the previous question's year, an organisation its organisation words, a metric its metric.

Conservative by construction: a message that names an organisation and a metric is a full
question and is asked as it is; a message without a follow-up cue (那 / 那么 / 呢 / and / what
about …) is one only when it names nothing but a year; and a rewrite is kept only when parsing
it gives back the years and organisations it was built to name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.orgs import OrgLinker, name_in_question
from qa.query import (
    DATE_YEAR_RE,
    ORG_TAIL,
    Query,
    ReportInfo,
    detect_lang,
    grams_of,
    parse_query,
)

MAX_FOLLOWUP_CHARS = 40  # "和芦淞区2024年的公用经费比呢" is 16; a longer message is a question of its own
FULL_CHECK_CHARS = 500  # longer input is refused by the Answerer (MAX_QUESTION_CHARS): never parsed here

# Words a follow-up starts with; English ones whole words only ("Andong" is no "and").
ZH_START_RE = re.compile(r"^(?:那么|那|还有|另外|换成|换作|改成|改为|如果是|要是|再看看|再看|再问)\s*")
EN_START_RE = re.compile(
    r"^(?:and\s+(?:what|how)\s+about|and\s+for|and\s+in|and|what\s+about|how\s+about|what\s+of|same\s+for"
    r"|same\s+question\s+for|now|also|then)\b[\s,]*",
    re.I,
)
# "…呢", "…的呢？": the particle a Chinese follow-up ends with
ZH_END_RE = re.compile(r"(?:的)?呢\s*$")
# "和2024年比呢", "跟芦淞区相比", "compared with 2024?", "vs Lusong": set the new against the old
ZH_COMPARE_RE = re.compile(r"^(?:和|与|跟|同)\s*(?P<what>.+?)\s*(?:相比较|相比|比较|对比|比)(?:一下|如何|怎么样|怎样)?\s*$")
EN_COMPARE_RE = re.compile(r"^(?:compared?\s+(?:with|to)|vs\.?|versus|against)\s+(?P<what>.+)$", re.I)
TRAILING_MARKS_RE = re.compile(r"[\s，。？！?!、：:；;,.…]+$")
LEADING_MARKS_RE = re.compile(r"^[\s，。？！?!、：:；;,.…]+")
EN_FILLER_RE = re.compile(r"^(?:the|for|in|of)\s+|\s+(?:then|instead|too|as well)$", re.I)
ASCII_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
POSSESSIVE_RE = re.compile(r"['’]s$")


@dataclass(frozen=True)
class Rewrite:
    """What the chat asks for a message: `question` (the message itself unless `rewritten`),
    what the follow-up changed ("year", "org", "metric", "compare") and why, for the log. The
    chat keeps `question` as the previous question when `full`, else the one it had."""

    question: str
    rewritten: bool
    changed: tuple[str, ...] = ()
    reason: str = ""
    full: bool = False  # `question` names an organisation and a metric: the next follow-up's base


@dataclass(frozen=True)
class _Named:
    """What a message names, read by parse_query."""

    query: Query
    org: bool
    years: tuple[int, ...]
    metric: bool


def names_of(question: str, catalog: list[ReportInfo], linker: OrgLinker | None) -> _Named:
    query = parse_query(question, catalog, linker)
    org = bool(query.unknown_place) or (query.org_named and 0 < len(query.reports) < len(catalog))
    metric = bool(grams_of(query.metric)) or bool(query.codes) or bool(query.searched.get("unplaced"))
    return _Named(query, org, report_years(question), metric)


def is_full_question(question: str, catalog: list[ReportInfo], linker: OrgLinker | None = None) -> bool:
    """Whether a question names an organisation and a metric: one a later follow-up can build on."""
    named = names_of(question, catalog, linker)
    return named.org and named.metric


def report_years(text: str) -> tuple[int, ...]:
    """The years a question names as written (2021, 21年, FY21), less those of dates
    ("截至2023年8月底" is when a figure was counted, not which report)."""
    dates = [m.span() for m in DATE_YEAR_RE.finditer(text)]
    out = [int(f"20{next(g for g in m.groups() if g)}") for m in _year_pattern(r"[0-3]\d").finditer(text)
           if not any(a <= m.start() < b for a, b in dates)]
    return tuple(dict.fromkeys(out))


def _year_pattern(yy: str) -> re.Pattern[str]:
    """A year in the ways questions write it: 2021, 21年, FY21, '21."""
    return re.compile(
        rf"(?<![\d.])20(?P<yy>{yy})(?!\d)|(?<![\d.])(?P<yy2>{yy})(?=\s*年)|(?<=FY)(?P<yy3>{yy})\b|(?<=['’])(?P<yy4>{yy})\b",
        re.I,
    )


def replace_year(text: str, old: int, new: int) -> str:
    """Every `old` year the text names (not inside a date) written as `new`, in the same form."""
    dates = [m.span() for m in DATE_YEAR_RE.finditer(text)]

    def swap(m: re.Match[str]) -> str:
        if any(a <= m.start() < b for a, b in dates):
            return m.group(0)
        return str(new) if m.group(0).startswith("20") and len(m.group(0)) == 4 else f"{new % 100:02d}"

    return _year_pattern(f"{old % 100:02d}").sub(swap, text)


def strip_cues(message: str) -> tuple[str, bool, bool]:
    """'那2022年呢？' -> ('2022年', cue, compare): the message less its follow-up words."""
    text = TRAILING_MARKS_RE.sub("", LEADING_MARKS_RE.sub("", message.strip()))
    cue = False
    for regex in (ZH_START_RE, EN_START_RE):
        stripped = regex.sub("", text, count=1)
        if stripped != text:
            text, cue = stripped, True
    stripped = ZH_END_RE.sub("", text)
    if stripped != text:
        text, cue = stripped, True
    text = TRAILING_MARKS_RE.sub("", text)
    compare = False
    for regex in (ZH_COMPARE_RE, EN_COMPARE_RE):
        found = regex.match(text)
        if found:
            text, compare = found.group("what"), True
            break
    return text.strip(), cue, compare


def _merge(spans: Sequence[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Overlapping spans, and spans with only spaces between them, as one."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and (start <= out[-1][1] or not text[out[-1][1]:start].strip()):
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def org_spans(question: str, query: Query, catalog: list[ReportInfo], linker: OrgLinker | None) -> list[tuple[int, int]]:
    """Where the question names the organisations of its reports: their Chinese aliases with the
    office words after them (硚口区网格化中心), and runs of English name words (Qiaokou, Putuo
    District Finance Bureau) that name one of those reports."""
    reports = set(query.reports)
    infos = [i for i in catalog if i.name in reports]
    spans: list[tuple[int, int]] = []
    for info in infos:
        for alias in info.aliases:
            if alias.isascii() or len(alias) < 2:
                continue
            spans += [m.span() for m in re.finditer(re.escape(alias) + f"(?:{ORG_TAIL})?", question)]
    if linker is not None and not ASCII_WORD_RE.search(question):
        # the linker's spans are on the question as it reads it, the same text when all Chinese
        matches, _ = linker.candidates(question)
        for match in matches:
            if match.report in reports:
                for piece in name_in_question(question, match):
                    spans += [m.span() for m in re.finditer(re.escape(piece), question)]
    if linker is not None:
        words = list(ASCII_WORD_RE.finditer(question))
        texts = [w.group(0) for w in words]
        i = 0
        while i < len(words):
            size = linker.name_words(texts, i)
            if not size:
                i += 1
                continue
            start, end = words[i].start(), words[i + size - 1].end()
            possessive = POSSESSIVE_RE.search(question[start:end])  # "Qiaokou's": the name is Qiaokou
            end -= len(possessive.group(0)) if possessive else 0
            spans.append((start, end))
            i += size
    merged = _merge(spans, question)
    # a run of office words alone ("office" of "office expenses") names none of the reports
    return [(a, b) for a, b in merged if _names_report(question[a:b], reports, catalog, linker)]


def _names_report(text: str, reports: set[str], catalog: list[ReportInfo], linker: OrgLinker | None) -> bool:
    lowered = text.lower()
    for info in catalog:
        if info.name in reports and any(a.lower() in lowered for a in info.aliases if a.isascii() and len(a) >= 3):
            return True
    matches = linker.match(text) if linker is not None else []
    return any(m.report in reports and m.named for m in matches) or bool(grams_of(text))


def _pinyin_title(text: str) -> str:
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # pragma: no cover - pypinyin is a dependency
        return ""
    return "".join(lazy_pinyin(text)).title()


class _Context:
    """One rewrite: the catalog, the previous question and the message, parsed once."""

    def __init__(self, previous: str, message: str, catalog: list[ReportInfo], linker: OrgLinker | None) -> None:
        self.previous, self.message = previous, message
        self.catalog, self.linker = catalog, linker
        self.info = {i.name: i for i in catalog}
        self.rest, self.cue, self.compare = strip_cues(message)
        self.new = names_of(self.rest, catalog, linker)
        self.old = names_of(previous, catalog, linker)
        self.old_spans = org_spans(previous, self.old.query, catalog, linker) if self.old.org else []

    # -- what the follow-up says, as text to put in a question

    def orgs_of(self, query: Query) -> list[str]:
        return list(dict.fromkeys(self.info[r].org for r in query.reports if r in self.info and self.info[r].org))

    def new_org_words(self) -> str:
        """The follow-up's organisation words as the user wrote them (less its year)."""
        text = self.rest
        for year in self.new.years:
            text = _year_pattern(f"{year % 100:02d}").sub(" ", text)
        text = re.sub(r"\s*年度?\s*", " ", text) if self.new.years else text
        text = text.strip(" 的")
        while EN_FILLER_RE.search(text):
            text = EN_FILLER_RE.sub("", text).strip()
        return " ".join(POSSESSIVE_RE.sub("", text).split())

    def new_org_text(self, lang: str) -> str:
        """What to write for the follow-up's organisation in a `lang` question: the user's words,
        or the one organisation they name in the previous question's district (the Finance
        Bureau after a 普陀区 question is 普陀区财政局), in the question's own script."""
        words = self.new_org_words()
        if self.new.query.unknown_place:
            return words
        orgs = self.orgs_of(self.new.query)
        narrowed = orgs
        if len(orgs) > 1 and self.old.query.orgs:
            narrowed = [o for o in orgs if any(self.info[r].district in self.old.query.orgs
                                               for r in self.new.query.reports if self.info[r].org == o)]
        same_script = (lang == "en") == bool(ASCII_WORD_RE.search(words)) and (lang == "en" or not words.isascii())
        if len(narrowed) == 1 and (narrowed != orgs or not same_script):
            if lang != "en":
                return narrowed[0]
            if narrowed != orgs:
                district = next(self.info[r].district for r in self.new.query.reports if self.info[r].org == narrowed[0])
                return f"{_pinyin_title(district[:-1])} {words}".strip()
        return words

    def old_org_text(self, lang: str) -> str:
        """The previous question's organisation words, as written when in `lang`'s script, else
        its one organisation's full name."""
        if len(self.old_spans) == 1:
            a, b = self.old_spans[0]
            said = self.previous[a:b]
            if (lang == "en") == said.isascii():
                return said
        orgs = self.orgs_of(self.old.query) if self.old.org else []
        if len(orgs) == 1:
            return orgs[0]
        return " ".join(self.previous[a:b] for a, b in self.old_spans)

    def new_metric_text(self) -> tuple[str, str]:
        """(the follow-up's metric, the language of a question built on it): its English words
        when it is English (an English template), else the Chinese metric parse_query read."""
        rest = self.rest
        if self.new.org:
            for a, b in reversed(org_spans(rest, self.new.query, self.catalog, self.linker)):
                rest = rest[:a] + " " + rest[b:]
        for year in self.new.years:
            rest = _year_pattern(f"{year % 100:02d}").sub(" ", rest)
        rest = " ".join(rest.split()).strip(" 的")
        while EN_FILLER_RE.search(rest):
            rest = EN_FILLER_RE.sub("", rest).strip()
        if detect_lang(rest) == "en" and self.old.query.lang == "en":
            return rest, "en"
        return self.new.query.metric, "zh"

    # -- checks

    def check(self, question: str, years: Sequence[int], orgs: Sequence[str] | None, metric: str | None) -> bool:
        """Parsing the rewrite gives back what it was built to name."""
        got = names_of(question, self.catalog, self.linker)
        if set(got.years) != set(years):
            return False
        if orgs is not None:
            # a year the organisation has no report for leaves no report: the answer says so
            if not (got.org or got.query.org_named):
                return False
            named = self.orgs_of(got.query)
            if not got.query.unknown_place and not set(named) <= set(orgs):
                return False
        if metric is not None and got.query.metric.replace(" ", "") != metric.replace(" ", ""):
            return False
        return True


def _zh_question(org: str, years: Sequence[int], kind: str, metric: str) -> str:
    year = f"{years[0]}年" if years else ""
    return f"{org}{year}{kind}{metric}是多少？"


def _en_question(org: str, years: Sequence[int], metric: str) -> str:
    whose = f"{org}'s " if org else "the "
    return f"What was {whose}{metric}" + (f" in {years[0]}" if years else "") + "?"


def rewrite_followup(
    previous: str | None,
    message: str,
    catalog: list[ReportInfo],
    linker: OrgLinker | None = None,
) -> Rewrite:
    """The question to ask for `message` in a chat whose last full question was `previous`.

    "那2022年呢？" after "岳麓区网格化综合服务中心2021年共签收12345热线工单多少件？" is that
    question with 2021 replaced by 2022. A full question, a message with nothing to carry over,
    or a follow-up whose rewrite does not parse back as built is asked as it is.
    """
    message = (message or "").strip()
    if not message or len(message) > FULL_CHECK_CHARS:
        return Rewrite(message, False, reason="empty or too long to be a question about one figure")
    if not previous or len(message) > MAX_FOLLOWUP_CHARS:
        full = is_full_question(message, catalog, linker)
        return Rewrite(message, False, reason="no previous question" if not previous else "too long for a follow-up", full=full)
    ctx = _Context(previous, message, catalog, linker)
    new, old = ctx.new, ctx.old

    def as_is(reason: str) -> Rewrite:
        return Rewrite(message, False, reason=reason, full=new.org and new.metric)

    if new.org and new.metric:
        return as_is("a full question: names an organisation and a metric")
    if len(new.years) > 1:
        return as_is("names several years")
    if not (new.org or new.years or new.metric):
        return as_is("names no organisation, year or metric")
    if not (ctx.cue or ctx.compare) and (new.org or new.metric):
        return as_is("no follow-up cue (那, 呢, and, what about …)")
    if not (old.org and old.metric):
        return as_is("the previous question names no organisation and metric")
    if new.years and len(old.years) > 1:
        return as_is("the previous question names several years")
    built, changed = (_compare(ctx) if ctx.compare else _carry_over(ctx))
    if built:
        return Rewrite(built, True, changed, "the previous question with what the follow-up names", full=True)
    return as_is(changed[0] if changed else "no rewrite parses back as built")


def _carry_over(ctx: _Context) -> tuple[str, tuple[str, ...]]:
    """(the previous question with the follow-up's year, organisation or metric, what changed);
    ('', (why not,)) when no rewrite parses back as built."""
    new, old = ctx.new, ctx.old
    changed = tuple(name for name, on in (("year", bool(new.years)), ("org", new.org), ("metric", new.metric)) if on)
    years = list(new.years or old.years)
    orgs = ctx.orgs_of(new.query) if new.org else ctx.orgs_of(old.query)
    if new.org and set(orgs) <= set(ctx.orgs_of(old.query)) and not new.years and not new.query.unknown_place:
        return "", ("names the previous question's own organisation",)
    candidates: list[tuple[str, str | None]] = []
    if not new.metric:
        # the metric as the user asked it (多少件, 合计, a computation): only the year or the
        # organisation is put in its place, and parsing it must give the same metric back
        candidates.append((_substitute(ctx), old.query.metric))
    elif old.query.op == "compare":
        candidates.append((_swap_metric(ctx), None))
    metric, lang = ctx.new_metric_text() if new.metric else (old.query.metric, "zh")
    org = ctx.new_org_text(lang) if new.org else ctx.old_org_text(lang)
    kind = old.query.kind if old.query.kind and not new.query.kind and lang == "zh" else ""
    candidates.append((_en_question(org, years, metric) if lang == "en" else _zh_question(org, years, kind, metric), None))
    for built, same_metric in candidates:
        if built and ctx.check(built, years, orgs, same_metric):
            if old.query.op == "compare" and names_of(built, ctx.catalog, ctx.linker).query.op != "compare":
                continue  # a comparison's follow-up compares again
            return built, changed
    return "", (f"the rewrite {candidates[-1][0]!r} does not parse back as built",)


def _substitute(ctx: _Context) -> str:
    """The previous question with the follow-up's year and organisation put in its place."""
    text = ctx.previous
    lang = "en" if ctx.old.query.lang == "en" else "zh"
    if ctx.new.org:
        if len(ctx.old_spans) != 1:
            return ""
        a, b = ctx.old_spans[0]
        org = ctx.new_org_text(lang)
        if lang == "en" or org.isascii():
            text = f"{text[:a].rstrip()} {org} {text[b:].lstrip()}".strip()
            text = re.sub(r"\s+(?=['’]s\b|[?,.!？，。])", "", text)
        else:
            text = text[:a] + org + text[b:]
    if ctx.new.years:
        (year,) = ctx.new.years
        if ctx.old.years:
            text = replace_year(text, ctx.old.years[0], year)
        elif lang == "en":
            text = TRAILING_MARKS_RE.sub("", text) + f" in {year}?"
        else:
            spans = org_spans(text, parse_query(text, ctx.catalog, ctx.linker), ctx.catalog, ctx.linker)
            at = spans[0][1] if len(spans) == 1 else 0
            text = f"{text[:at]}{year}年{text[at:]}"
    return text


def _swap_metric(ctx: _Context) -> str:
    """A comparison with the follow-up's metric in place of the one compared, when the previous
    question prints that metric as one run ("…和芦淞区2020年公用经费合计哪个多？")."""
    printed = [w for w in ctx.old.query.metric.split() if len(grams_of(w)) >= 2 and w in ctx.previous]
    if len(printed) != 1 or ctx.previous.count(printed[0]) != 1 or not grams_of(ctx.new.query.metric):
        return ""
    return ctx.previous.replace(printed[0], ctx.new.query.metric)


def _compare(ctx: _Context) -> tuple[str, tuple[str, ...]]:
    """'和2024年比呢' / 'vs Lusong': the previous question's figure set against the same figure
    for the year or organisation the follow-up names."""
    new, old = ctx.new, ctx.old
    if new.metric or new.org == bool(new.years):
        return "", ("a comparison follow-up names one year or one organisation",)
    if len(old.years) > 1 or old.query.op != "value":
        return "", ("the previous question is no single figure to compare",)
    lang = "en" if old.query.lang == "en" else "zh"
    if new.years:
        if not old.years or old.years[0] == new.years[0]:
            return "", ("the previous question names no other year to compare with",)
        years = [old.years[0], new.years[0]]
        orgs = ctx.orgs_of(old.query)
        if lang == "en":
            built = _year_pattern(f"{years[0] % 100:02d}").sub(lambda m: f"{m.group(0)} vs {years[1]}", ctx.previous, count=1)
        else:
            built = f"{ctx.old_org_text('zh')}{years[0]}年与{years[1]}年相比，{old.query.metric}哪个多？"
    else:
        years = list(old.years)
        orgs = [*ctx.orgs_of(old.query), *ctx.orgs_of(new.query)]
        if set(ctx.orgs_of(new.query)) <= set(ctx.orgs_of(old.query)):
            return "", ("compares the previous question's organisation with itself",)
        if lang == "en" and len(ctx.old_spans) == 1:
            _, b = ctx.old_spans[0]
            built = f"{ctx.previous[:b]} vs {ctx.new_org_text('en')}{ctx.previous[b:]}"
        else:
            year = f"{years[0]}年" if years else ""
            built = f"{ctx.old_org_text('zh')}和{ctx.new_org_text('zh')}{year}{old.query.metric}哪个多？"
    got = names_of(built, ctx.catalog, ctx.linker)
    if got.query.op == "compare" and ctx.check(built, years, orgs, None):
        return built, ("compare", "year" if new.years else "org")
    return "", (f"the comparison {built!r} does not parse back as built",)


def asked_note(message: str, asked: str) -> str:
    """The line the chat shows above an answer when it asked something other than the message
    typed: '（按：岳麓区…2022年…）', or '(read as: …)' for an English message; '' otherwise."""
    if not asked or asked == (message or "").strip():
        return ""
    return f"（按：{asked}）" if grams_of(message) else f"(read as: {asked})"
