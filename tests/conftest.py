"""Shared test fixtures: a keyword one-hot fake embedder and small hand-made analyses.

Tests get the helpers through fixtures (not `from conftest import`), so several conftest.py
files in the tree cannot shadow each other.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from index.analyse import Analysis
from index.models import (
    Chunk,
    Fact,
    Report,
    ReportFormatError,
    ReportMeta,
    TableBlock,
    TableCheck,
    TextBlock,
    sha256_bytes,
)


class KeywordEmbedder:
    """Fake embedder: dimension i is 1 when keyword i occurs in the text, so order is exact.

    The last dimension is a constant so that a text with no keyword is not a zero vector.
    """

    name = "keywords"

    def __init__(self, keywords: tuple[str, ...] = ("12345", "公积金", "事业运行", "网格")):
        self.keywords = keywords
        self.dim = len(keywords) + 1

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for j, word in enumerate(self.keywords):
                rows[i, j] = float(word in text)
            rows[i, -1] = 0.1
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def make_analysis(
    name: str,
    texts: list[str],
    *,
    org: str = "长沙市岳麓区网格化综合服务中心",
    year: int | None = 2021,
    kind: str = "绩效自评",
    facts: tuple[Fact, ...] = (),
    sha256: str = "",
) -> Analysis:
    """An Analysis with one text chunk per entry of `texts` and one small table."""
    table = TableBlock(
        title="收入支出决算总表",
        rows=(("项目", "决算数"), ("住房公积金", "20.04")),
        unit="万元",
        line_numbers=(148, 149),
    )
    blocks = (*(TextBlock(t, section="一、部门概况") for t in texts), table)
    report = Report(
        name=name,
        sha256=sha256 or "0" * 64,
        meta=ReportMeta(org=org, district="", year=year, kind=kind),
        blocks=blocks,
        text="\n".join(texts),
    )
    chunks = tuple(
        Chunk(report=name, kind="text", text=t, position=i, section="一、部门概况")
        for i, t in enumerate(texts)
    )
    checks = (TableCheck("收入支出决算总表", "合计 = 各项之和", True, "20.04 = 20.04"),)
    return Analysis(report=report, facts=facts, checks=checks, chunks=chunks)


def table_fact(report: str, position: int, raw: str, value: str, row: str = "住房公积金") -> Fact:
    return Fact(
        report=report,
        source="table",
        table="收入支出决算总表",
        row_label=row,
        column="决算数",
        value=Decimal(value),
        raw=raw,
        unit="万元",
        locator=f"收入支出决算总表, {row}, 决算数",
        quote=f"{row} {raw}",
        code="2210201",
        parents="住房保障支出 / 住房改革支出",
        position=position,
    )


def fake_analyse(path: Path, max_bytes: int) -> Analysis:
    """Stands in for index.analyse.analyse_file: one chunk per line, one fact per decimal.

    An empty file is a ReportFormatError, a file starting with BOOM a parser bug.
    """
    data = path.read_bytes()
    text = data.decode("utf-8")
    if not text.strip():
        raise ReportFormatError(f"{path.name}: the file is empty")
    if text.startswith("BOOM"):
        raise RuntimeError("parser bug")
    numbers = re.findall(r"[0-9]+\.[0-9]+", text)
    facts = tuple(table_fact(path.name, i, raw, raw) for i, raw in enumerate(numbers))
    return make_analysis(path.name, text.splitlines(), facts=facts, sha256=sha256_bytes(data))


@pytest.fixture
def fake_pipeline(monkeypatch: pytest.MonkeyPatch) -> KeywordEmbedder:
    """Patch the parser and the embedder loader; the store must use embed_model="keywords"."""
    import index.analyse
    import index.embed

    embedder = KeywordEmbedder()
    monkeypatch.setattr(index.analyse, "analyse_file", fake_analyse)
    monkeypatch.setattr(index.embed, "load_embedder", lambda name="": embedder)
    return embedder


@pytest.fixture
def keyword_embedder() -> KeywordEmbedder:
    return KeywordEmbedder()


@pytest.fixture(name="make_analysis")
def make_analysis_fixture() -> object:
    return make_analysis


@pytest.fixture(name="table_fact")
def table_fact_fixture() -> object:
    return table_fact


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five seed reports plus the shared PDF, built once per test session (real models)."""
    from index.build import add_files, build_corpus
    from index.config import Settings

    store = tmp_path_factory.mktemp("corpus") / "store"
    settings = Settings(store=store)
    build_corpus(REPO / "corpus", settings)
    pdfs = sorted((SHARED / "real-reports").glob("*.pdf"))
    if pdfs:
        add_files(pdfs, settings)
    return store


@pytest.fixture(scope="session")
def answerer(corpus_store: Path):  # noqa: ANN201 - qa.answerer.Answerer
    from qa.answerer import Answerer

    return Answerer(corpus_store)
