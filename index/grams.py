"""The character bigrams a label is matched by, and their document frequency over a store.

A fact label, a question's metric and a table title are compared as sets of bigrams of their
Chinese runs (plus whole numbers and Latin words). How rare a bigram is among the store's labels
says how much it tells facts apart; the store keeps that count up to date with every add and
remove (index.stores), so an Answerer over thousands of reports reads it instead of scanning
every label.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

CJK_RUN_RE = re.compile(r"[\u4e00-\u9fff]+")
ASCII_TOKEN_RE = re.compile(r"\d{3,}|[a-z]{2,}")
NOISE_CHARS = re.compile(r"[（）()“”\"'、，,。：:；;\s〝〞\-—]+")


def grams(text: str, words: bool = False) -> set[str]:
    """Character bigrams of each CJK run (single characters for one-character runs) plus ASCII
    numbers/words, so '2010350' and '12345' stay whole. `words`: spaces part runs (a question's
    metric, whose spaces stand where words were taken out); in printed labels they do not
    ("年初 预算" is one word spaced by the PDF)."""
    if words:
        return set().union(*(grams(part) for part in text.split())) if text.split() else set()
    text = NOISE_CHARS.sub("", text.lower())
    out: set[str] = set()
    for run in CJK_RUN_RE.findall(text):
        if len(run) == 1:
            out.add(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    out.update(ASCII_TOKEN_RE.findall(text))
    return out


def label_text(row_label: str, column: str, table: str) -> str:
    """What a fact is named by, for the frequency count."""
    return f"{row_label} {column} {table}"


def label_frequencies(texts: Iterable[str]) -> tuple[Counter[str], int]:
    """(in how many of `texts` each bigram occurs, how many texts)."""
    df: Counter[str] = Counter()
    n = 0
    for text in texts:
        df.update(grams(text))
        n += 1
    return df, n
