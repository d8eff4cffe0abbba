"""Proper names an English question writes in pinyin ("Juzizhou", "Shenzhen Runxun"), read
back into the Chinese a report prints them in (橘子洲, 深圳市润迅).

The organisation linker knows the pinyin of organisation names only; a question also names
subdistricts, companies, platforms and projects the reports mention in their sentences and
rows. Each report's words are indexed by their pinyin on first use (runs of Chinese characters,
every 2–6-character stretch), and a capitalised word the vocabulary could not place is put in
Chinese where the question's candidate reports print exactly one spelling of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from index.models import Fact
from qa.orgs import pinyin_words

CJK_RUN_RE = re.compile(r"[\u4e00-\u9fa5]{2,}")
# "Juzizhou", "Shenzhen Runxun": capitalised words side by side, a name of two or more syllables
CAPITALISED_RUN_RE = re.compile(r"\b[A-Z][a-z]{2,}(?:\s+[A-Z][a-z]{2,})*\b")
MIN_KEY = 6  # letters: shorter pinyin ("wan", "xin") spells too many words to say which
MAX_CHARS = 6  # characters of a stretch indexed (梅溪湖, 深圳市润迅)


def pinyin_index(facts: Iterable[Fact]) -> dict[str, set[str]]:
    """pinyin (letters only) -> the stretches of a report's rows and sentences spelled so."""
    index: dict[str, set[str]] = {}
    runs = {run for f in facts for text in (f.row_label, f.quote, f.column) for run in CJK_RUN_RE.findall(text)}
    for run in runs:
        syllables = pinyin_words(run)
        if len(syllables) != len(run):
            continue
        for size in range(2, min(MAX_CHARS, len(run)) + 1):
            for i in range(len(run) - size + 1):
                key = "".join(syllables[i : i + size])
                if len(key) >= MIN_KEY:
                    index.setdefault(key, set()).add(run[i : i + size])
    return index


def name_phrases(question: str, unplaced: Iterable[str]) -> list[str]:
    """The capitalised phrases of a question made of words the vocabulary could not place,
    longest first: "Shenzhen Runxun" before "Shenzhen" and "Runxun"."""
    left = {w for w in unplaced if w[:1].isupper()}
    phrases: list[str] = []
    for match in CAPITALISED_RUN_RE.finditer(question):
        words = match.group(0).split()
        for size in range(len(words), 0, -1):
            for i in range(len(words) - size + 1):
                part = words[i : i + size]
                if all(w in left for w in part):
                    phrases.append(" ".join(part))
    return sorted(dict.fromkeys(phrases), key=lambda p: (-len(p), p))


def spell_in_chinese(question: str, unplaced: Iterable[str], indexes: list[dict[str, set[str]]]) -> str:
    """The question with each pinyin name the reports print one way put in that Chinese; the
    question unchanged when none is."""
    text = question
    for phrase in name_phrases(question, unplaced):
        at = re.compile(rf"\b{re.escape(phrase)}\b")
        if not at.search(text):
            continue  # part of a longer phrase already put in Chinese, or of a longer word
        key = re.sub(r"[^a-z]", "", phrase.lower())
        if len(key) < MIN_KEY:
            continue
        spellings = set().union(*(index.get(key, set()) for index in indexes))
        if len(spellings) == 1:
            text = at.sub(spellings.pop(), text)
    return text
