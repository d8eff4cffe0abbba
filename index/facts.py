"""TextBlock -> facts: quantities stated in sentences (number + unit + what it counts)."""

from __future__ import annotations

import re
from decimal import Decimal

from index.models import Fact, TextBlock
from index.numbers import MONEY_UNITS, UNITS, normalise_unit, parse_number

# Sentence ends. None of these characters occurs inside a printed number, so splitting on them
# can never cut "1,234.56", "313. 08" or "84395件" apart (an ASCII "." is never a boundary).
SENTENCE_END_RE = re.compile(r"(?<=[。！？!?；;])")
CLAUSE_SEP = "，,；;：:。、"
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
SUBJECT_END_RE = re.compile(r"[（(][类款项][)）]。?$")
# A numbered heading: "1. 一般公共服务支出", "（二）项目支出" (a purpose line such as "在职人员基本医疗保险费。"
# continued from "主要用于：" on the line before is none).
NUMBERED_RE = re.compile(r"\s*(?:[\d一二三四五六七八九十]+\s*[、.．]|[（(][\d一二三四五六七八九十]+[)）])")
# "单价20万元（含）以上的设备69台（套）": an amount that bounds what is counted is part of its name
THRESHOLD_RE = re.compile(r"\s*(?:[（(]含[)）])?\s*及?(?:以上|以下|以内)")
# a count followed by a clause, not by the noun it counts: "1 件因处置及时…撤销", "10 件转为…"
CLAUSE_HEAD_RE = re.compile(r"^(?:因为|因|由于|被|经过|经与|通过|按照|均已|均为|全部|都已|都是|转为|转交|转办给)")
# a verb of the reports' narratives and 了 (开展了, 完成了, 参加了): no part of the noun a count counts
VERB_DONE_RE = re.compile(r"(?:开展|完成|参加|参与|实施|组织|进行|建立|建设|建成|办理|受理|签收|收到|获得|举办|召开|"
                          r"发放|走访|解决|编报|编制|提供|安排|设立|成立|落实|推进)了")
PREDICATE_TAIL_RE = re.compile(r"(?:已完成|已办结|完成|办结|累计|共计|共|其中|达到|达|为|是|有|已)+$")
_UNIT_ALT = "|".join(re.escape(u) for u in UNITS)
# A stated quantity: a number (OCR may put a space after the decimal point) followed by a unit.
# Not preceded by a digit/letter/第 (codes like 88712345 inside words, ordinals), not followed
# by more digits.
QUANTITY_RE = re.compile(
    rf"(?<![\d.A-Za-z第])((?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\s?\d+)?)\s*({_UNIT_ALT})"
)


# A stated nil: "本年度没有财政拨款“三公”经费支出", "2024 年度无“三公”经费财政拨款支出". The
# report prints no digit, but it does state the amount is nothing; the fact keeps the sentence
# as its quote so the answer shows exactly what was printed.
NONE_STATED = "无（未发生）"  # the column of a figure the report states in words it does not have
# "本年度没有政府性基金预算财政拨款收入和支出": a figure the report states it does not have. Not the
# template's instruction "无政府性基金预算财政拨款收入支出的，仍保留该表格式".
NIL_RE = re.compile(r"(?:无|没有)([^，。；,;]{2,24}(?:支出|收入|经费|拨款))(?=[，。；,;）)\s]|$)")


def split_sentences(text: str) -> list[str]:
    """Chinese sentence split that is safe for numbers; keeps the end punctuation."""
    parts = [p.strip() for p in SENTENCE_END_RE.split(text)]
    return [p for p in parts if p]


PAIRED_CHARS = "收支增减升降进出"


# Words that say how a figure relates to its subject (a measure, a change), not what it is of.
RELATION_WORDS_RE = re.compile(
    r"与上年相比|与上年|比上年预算|比上年|较上年|同比|增加|减少|增长|下降|上升|降低|持平|增减"
    r"|此项支出|该项支出|此项经费|该项经费|此项|该项|本项"
    r"|年初预算|全年预算|调整预算|支出决算|预算数|决算数|执行数|预算|决算|完成|安排|当年|本年|上年|20\d{2}\s*年度?|[比较（）()为了是数，,\s]"
)


def relation_only(label: str) -> bool:
    """Whether a label says only how its figure relates to a subject named before it
    ("与上年相比增加", "年初预算为", "增长"): such a figure's subject is the clause before."""
    return bool(label) and not RELATION_WORDS_RE.sub("", label)


def _clause_start(sentence: str, pos: int) -> int:
    """Start of the clause ending at pos; a bracketed aside (市长专线、城市留言板…) is kept whole."""
    k = pos
    depth = 0
    while k > 0:
        ch = sentence[k - 1]
        if ch in "）)":
            depth += 1
        elif ch in "（(":
            depth = max(depth - 1, 0)
        elif depth == 0 and ch in CLAUSE_SEP:
            # "收、支总计": an enumeration comma between single characters does not end the clause
            single = k >= 2 and CJK_RE.match(sentence[k - 2]) and (k < 3 or not CJK_RE.match(sentence[k - 3]))
            # "年度收、支总计": a pair of one-character opposites is one word
            paired = k >= 2 and k < len(sentence) and sentence[k - 2] in PAIRED_CHARS and sentence[k] in PAIRED_CHARS
            # "群众投诉、建议、留言等各类办件": an enumeration closed by 等 names one thing
            listed = "等" in sentence[k:pos]
            if not (ch == "、" and (pos - k < 4 or single or paired or listed)):
                break
        k -= 1
    return k


def _tidy_label(text: str) -> str:
    text = text.strip(" \t“”\"'：:，,、；;")
    text = re.sub(r"^[（(][^）)]{0,12}[）)]", "", text)  # the tail of an aside: "（村）合理调整划分为"
    text = re.sub(r"^(其中|包括|主要是|分别为|合计)[：:]?", "", text)
    return text.strip()


def extract_sentence_facts(block: TextBlock, report: str, start: int = 0, carried: str = "") -> list[Fact]:
    """`carried`: the subject the block before ended on, when this block continues its section
    (a heading "9、卫生健康支出（类）…行政单位医疗（项）。" at the foot of a page names the figures
    at the head of the next)."""
    facts: list[Fact] = []
    previous_label = carried  # carried across sentences: "收支总预算 659.00万元。比 2023年预算增加 178.10 万元"
    for index, sentence in enumerate(split_sentences(block.text)):
        previous_end = 0
        if not QUANTITY_RE.search(sentence) and (
            (len(sentence) <= 40 and index == 0 and NUMBERED_RE.match(sentence)) or SUBJECT_END_RE.search(sentence)
        ):
            # a figure-less heading sentence names what follows: "1. 一般公共服务支出(类)。年初预算为…",
            # however long its 类/款/项 path ("3、社会保障和就业支出（类）…缴费支出（项）。")
            previous_label = _tidy_label(NUMBERED_RE.sub("", sentence, count=1).rstrip("。；;"))
        for match in QUANTITY_RE.finditer(sentence):
            raw = match.group(1)
            value = parse_number(raw)
            if value is None:
                continue
            unit = normalise_unit(match.group(2))
            if unit == "%" and value > 1000:
                continue
            if unit in MONEY_UNITS and THRESHOLD_RE.match(sentence, match.end()):
                rest = re.split(r"[，,；;。]", sentence[match.end():], maxsplit=1)[0]
                if QUANTITY_RE.search(rest):
                    continue  # a bound in the name of what the clause counts, not a figure
            lo = max(_clause_start(sentence, match.start()), previous_end)
            label = _tidy_label(sentence[lo : match.start()])
            if len(CJK_RE.findall(label)) <= 2 and lo > 0:
                # "…采集了我区房屋、人口等基础信息，共91499户": "共" alone says nothing; the
                # clause before names it, unless that clause holds a figure of its own
                wider = sentence[max(_clause_start(sentence, max(lo - 1, 0)), previous_end) : lo]
                if not QUANTITY_RE.search(wider) and lo > previous_end:
                    label = _tidy_label(wider + sentence[lo : match.start()])
            if not label and facts and facts[-1].quote == sentence and facts[-1].row_label and lo == previous_end:
                # "在建工程1项12277.73万元": a figure right after another, nothing between, is
                # more of the same subject (its count, then its amount)
                label = facts[-1].row_label
            # what a count counts may follow it: "288 个单元网格", "1274个网格"
            after = ""
            if unit not in MONEY_UNITS and unit != "%":
                tail = re.split(r"[，,；;：:。、（()）]|\d", sentence[match.end() :], maxsplit=1)[0]
                # "906项网格重点服务事项已完成846项": the noun ends where the next figure's
                # predicate (已完成, 共, 累计 …) begins
                # "3个预算单位开展了2025年…编报工作": a verb with 了 after the noun ends it
                tail = VERB_DONE_RE.split(tail, maxsplit=1)[0]
                noun = "" if CLAUSE_HEAD_RE.match(tail.strip()) else PREDICATE_TAIL_RE.sub("", tail)
                after = noun.strip()[:12]
                previous_end = match.end() + len(noun)  # the counted noun is not the next label
            previous_end = max(previous_end, match.end())
            if unit == "%" and previous_label and (not label or label.startswith("占")):
                label = previous_label + label  # "支出（类）264.87 万元，占 86.05%": a share of what
            locator = ", ".join(x for x in (block.section, _where(block)) if x)
            facts.append(
                Fact(
                    report=report, source="text", table=block.section, row_label=label, column=after,
                    value=value, raw=raw, unit=unit, locator=locator,
                    quote=sentence, parents=previous_label, position=start + len(facts),
                )
            )
            if label and not relation_only(label):
                # a change or measure keeps the subject for the figures after it ("增加1178.82万元，
                # 增长55.54%" are both of the 住房保障支出 before them)
                previous_label = f"{label} {after}".strip()
        if not QUANTITY_RE.search(sentence):
            for match in NIL_RE.finditer(sentence):
                where = _where(block)
                facts.append(
                    Fact(
                        report=report, source="text", table=block.section,
                        row_label=match.group(1).strip("“”\" "), column=NONE_STATED, value=Decimal(0),
                        raw="0", unit="万元", locator=", ".join(x for x in (block.section, where) if x),
                        quote=sentence, position=start + len(facts),
                    )
                )
    return facts


def _where(block: TextBlock) -> str:
    where = f"p. {block.page}" if block.page else (f"line {block.line}" if block.line else "")
    if block.confidence is not None:
        where = f"{where}, OCR {block.confidence:.2f}".lstrip(", ")  # read from a scanned page
    return where


def trailing_subject(block: TextBlock) -> str:
    """The subject heading a text block ends on with no figure after it ('' if none)."""
    for sentence in reversed(split_sentences(block.text)):
        if QUANTITY_RE.search(sentence):
            return ""
        if SUBJECT_END_RE.search(sentence):
            return _tidy_label(NUMBERED_RE.sub("", sentence, count=1).rstrip("。；;"))
    return ""
