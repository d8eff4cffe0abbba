"""SqliteFactStore, ChromaChunkStore and Bm25KeywordIndex on small hand-made reports."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from index.models import Chunk, TableCheck
from index.stores import (
    TOKENIZER_VERSION,
    Bm25KeywordIndex,
    ChromaChunkStore,
    SqliteFactStore,
    StoreError,
    VectorMeta,
    chroma_client,
    collection_name,
    report_version,
    tokenize,
)

YUELU = "004_abd4107061c8b5b5.txt"
QIAOKOU = "000_31904a6d4c850464.txt"
YUELU_TEXTS = [
    "全区全年共签收12345热线工单84395件，群众总体满意度99.13%，居全市第二。",
    "岳麓区网格化综合服务中心负责承担区委群众工作方面的技术性、服务性职能。",
]
QIAOKOU_TEXTS = [
    "2210201\t住房公积金\t\t20.04\t20.04",
    "2010350\t事业运行\t\t180.03\t180.03",
    "2020 年度一般公共预算财政拨款基本支出 238.15 万元，其中，人员经费 222.59 万元。",
]


# -- tokenizer ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        # subject codes and the hotline number are single tokens, words around them split
        ("2010350\t事业运行", ["2010350", "事业", "运行"]),
        ("12345热线工单", ["12345", "热线", "工单"]),
        (
            "岳麓区网格化综合服务中心",
            ["岳麓", "岳麓区", "网格", "网格化", "综合", "服务", "中心", "服务中心"],
        ),
        # OCR space inside a decimal (株洲 2020 决算) and a thousands separator stay one number
        ("支出313. 08万元", ["支出", "313.08", "万元"]),
        ("合计1,234.56元", ["合计", "1234.56", "元"]),
        # full-width digits fold to ASCII; punctuation and the stopword 的 are dropped
        ("２０２１年的满意度99.13％。", ["2021", "年", "满意", "满意度", "99.13"]),
        ("  ，。、  ", []),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


# -- BM25 --------------------------------------------------------------------------------------


def _chunks(name: str, texts: list[str]) -> list[Chunk]:
    return [Chunk(report=name, kind="text", text=t, position=i) for i, t in enumerate(texts)]


@pytest.fixture
def keyword_index() -> Bm25KeywordIndex:
    return Bm25KeywordIndex().build(_chunks(YUELU, YUELU_TEXTS) + _chunks(QIAOKOU, QIAOKOU_TEXTS))


def test_bm25_puts_the_chunk_with_the_words_first(keyword_index: Bm25KeywordIndex) -> None:
    hits = keyword_index.search("住房公积金", k=3)
    assert hits[0][0] == Chunk(report=QIAOKOU, kind="text", text="", position=0).chunk_id
    assert len(hits) == 1  # no other chunk shares a word with the query


def test_bm25_finds_whole_codes_and_hotline_numbers(keyword_index: Bm25KeywordIndex) -> None:
    assert [cid for cid, _ in keyword_index.search("2010350", k=5)] == [
        Chunk(report=QIAOKOU, kind="text", text="", position=1).chunk_id
    ]
    assert [cid for cid, _ in keyword_index.search("12345热线", k=5)] == [
        Chunk(report=YUELU, kind="text", text="", position=0).chunk_id
    ]


def test_bm25_restricts_to_reports(keyword_index: Bm25KeywordIndex) -> None:
    assert keyword_index.search("住房公积金", k=3, reports=[YUELU]) == []
    assert keyword_index.search("住房公积金", k=3, reports=[QIAOKOU])[0][0].endswith(":c0")


def test_bm25_unknown_words_and_bad_k(keyword_index: Bm25KeywordIndex) -> None:
    assert keyword_index.search("完全无关的词语", k=3) == []
    assert Bm25KeywordIndex().build([]).search("住房公积金", k=3) == []
    with pytest.raises(ValueError, match="k must be > 0, got 0"):
        keyword_index.search("住房公积金", k=0)


def test_bm25_save_load_round_trip(keyword_index: Bm25KeywordIndex, tmp_path: Path) -> None:
    keyword_index.generation = 7
    keyword_index.save(tmp_path / "bm25")
    keyword_index.save(tmp_path / "bm25")  # saving over an existing index swaps it
    loaded = Bm25KeywordIndex.load(tmp_path / "bm25")
    assert loaded.generation == 7
    assert loaded.search("住房公积金", k=3) == keyword_index.search("住房公积金", k=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bm25"]


def test_bm25_load_missing_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no keyword index"):
        Bm25KeywordIndex.load(tmp_path / "bm25")


# -- SQLite ------------------------------------------------------------------------------------


def test_facts_round_trip_exact_decimal_and_raw(tmp_path: Path, make_analysis, table_fact) -> None:
    # 株洲 2020: "313. 08万元" is printed with an OCR space; the value is 313.08 exactly.
    fact = table_fact(QIAOKOU, 0, raw="313. 08", value="313.08")
    other = table_fact(QIAOKOU, 1, raw="20.04", value="20.04")
    store = SqliteFactStore(tmp_path / "facts.sqlite")
    store.replace_report(
        make_analysis(QIAOKOU, QIAOKOU_TEXTS, facts=(fact, other)), sha256="a" * 64
    )
    store.close()
    reopened = SqliteFactStore(tmp_path / "facts.sqlite", create=False)
    facts = reopened.facts()
    assert facts == [fact, other]
    assert facts[0].value == Decimal("313.08") and str(facts[0].value) == "313.08"
    assert facts[0].raw == "313. 08"
    assert reopened.facts([YUELU]) == []
    assert reopened.facts([]) == []


def test_report_rows_chunks_tables_and_stats(tmp_path: Path, make_analysis, table_fact) -> None:
    store = SqliteFactStore(tmp_path / "facts.sqlite")
    yuelu = make_analysis(YUELU, YUELU_TEXTS, sha256="b" * 64)
    store.replace_report(yuelu, sha256="c" * 64)
    assert store.report_sha(YUELU) == "c" * 64
    assert store.report_sha(QIAOKOU) is None
    assert store.versions() == {YUELU: report_version(YUELU, "c" * 64)}
    [row] = store.reports()
    assert {k: row[k] for k in ("name", "org", "year", "kind", "tables", "facts", "chunks")} == {
        "name": YUELU,
        "org": "长沙市岳麓区网格化综合服务中心",
        "year": 2021,
        "kind": "绩效自评",
        "tables": 0,  # Analysis.tables counts tables that produced facts; this one has none
        "facts": 0,
        "chunks": 2,
    }
    assert store.report_text(YUELU) == "\n".join(YUELU_TEXTS)
    assert store.chunks() == list(yuelu.chunks)
    assert store.chunks_by_id([yuelu.chunks[1].chunk_id]) == {
        yuelu.chunks[1].chunk_id: yuelu.chunks[1]
    }
    assert store.checks() == [
        (YUELU, TableCheck("收入支出决算总表", "合计 = 各项之和", True, "20.04 = 20.04"))
    ]
    assert store.table_grid(YUELU, "收入支出决算总表") == {
        "report": YUELU,
        "position": 0,
        "title": "收入支出决算总表",
        "unit": "万元",
        "section": "",
        "shape": "tsv",
        "page": None,
        "line_numbers": [148, 149],
        "notes": [],
        "rows": [["项目", "决算数"], ["住房公积金", "20.04"]],
    }
    assert store.table_grid(YUELU, "没有这张表") is None
    stats = store.stats()
    (identity,) = stats.pop("report_identity")
    assert (identity["name"], identity["year"]) == (YUELU, 2021)
    assert stats == {
        "reports": 1,
        "chunks": 2,
        "facts": 0,
        "report_names": [YUELU],
        "tables": 1,
    }


def test_replace_and_delete_report(tmp_path: Path, make_analysis, table_fact) -> None:
    store = SqliteFactStore(tmp_path / "facts.sqlite")
    store.replace_report(
        make_analysis(QIAOKOU, QIAOKOU_TEXTS, facts=(table_fact(QIAOKOU, 0, "20.04", "20.04"),))
    )
    store.replace_report(make_analysis(YUELU, YUELU_TEXTS))
    generation = store.generation()
    new_fact = table_fact(QIAOKOU, 0, "21.23", "21.23")
    store.replace_report(make_analysis(QIAOKOU, QIAOKOU_TEXTS[:1], facts=(new_fact,)))
    assert store.generation() == generation + 1
    assert store.facts([QIAOKOU]) == [new_fact]
    assert [c.text for c in store.chunks([QIAOKOU])] == QIAOKOU_TEXTS[:1]
    assert store.delete_report(QIAOKOU) is True
    assert store.delete_report(QIAOKOU) is False
    assert store.stats()["report_names"] == [YUELU]
    assert store.facts() == []


def test_label_bigram_counts_follow_every_write(tmp_path: Path, make_analysis, table_fact) -> None:
    from index.grams import label_frequencies

    def recount() -> tuple[Counter[str], int]:
        return label_frequencies(f"{f.row_label} {f.column} {f.table}" for f in store.facts())

    store = SqliteFactStore(tmp_path / "facts.sqlite")
    assert store.label_frequencies() == (Counter(), 0)
    store.replace_report(make_analysis(QIAOKOU, QIAOKOU_TEXTS, facts=(table_fact(QIAOKOU, 0, "20.04", "20.04"),)))
    store.replace_report(make_analysis(YUELU, YUELU_TEXTS, facts=(table_fact(YUELU, 0, "1.00", "1.00"),)))
    assert store.label_frequencies() == recount() and store.label_frequencies()[1] == 2
    store.replace_report(make_analysis(QIAOKOU, QIAOKOU_TEXTS[:1], facts=()))  # replaced: its old label goes
    store.delete_report(YUELU)
    assert store.label_frequencies() == (Counter(), 0) == recount()
    # a store written before the counts were kept counts them on its next write
    store.replace_report(make_analysis(YUELU, YUELU_TEXTS, facts=(table_fact(YUELU, 0, "1.00", "1.00"),)))
    with store.transaction() as conn:
        conn.execute("DELETE FROM label_grams")
        conn.execute("DELETE FROM meta WHERE key = 'label_grams'")
    assert store.label_frequencies() is None
    store.replace_report(make_analysis(QIAOKOU, QIAOKOU_TEXTS, facts=(table_fact(QIAOKOU, 0, "20.04", "20.04"),)))
    assert store.label_frequencies() == recount() and store.label_frequencies()[1] == 2


def test_a_failed_transaction_leaves_the_previous_state(tmp_path: Path, make_analysis) -> None:
    store = SqliteFactStore(tmp_path / "facts.sqlite")
    store.replace_report(make_analysis(YUELU, YUELU_TEXTS))
    before = (store.stats(), store.chunks(), store.generation())
    with pytest.raises(RuntimeError, match="killed"), store.transaction() as conn:
        store.replace_report(make_analysis(YUELU, YUELU_TEXTS[:1]), conn=conn)
        store.replace_report(make_analysis(QIAOKOU, QIAOKOU_TEXTS), conn=conn)
        raise RuntimeError("killed")
    assert (store.stats(), store.chunks(), store.generation()) == before


def test_opening_a_missing_store_without_create_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="run `python -m index build` first"):
        SqliteFactStore(tmp_path / "nothing" / "facts.sqlite", create=False)
    assert not (tmp_path / "nothing").exists()


def test_a_file_that_is_not_sqlite_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "facts.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a usable SQLite fact store"):
        SqliteFactStore(path)


# -- Chroma ------------------------------------------------------------------------------------


@pytest.fixture
def chroma(tmp_path: Path):
    client = chroma_client(tmp_path)
    yield client
    client.close()


def _add(store: ChromaChunkStore, embedder, name: str, texts: list[str], sha: str) -> None:
    chunks = _chunks(name, texts)
    store.add(chunks, embedder.embed(texts), VectorMeta(version=report_version(name, sha)))


def test_chroma_add_query_delete_round_trip(chroma, keyword_embedder) -> None:
    store = ChromaChunkStore(chroma, "dqa-test-5-00000000")
    _add(store, keyword_embedder, YUELU, YUELU_TEXTS, "a")
    _add(store, keyword_embedder, QIAOKOU, QIAOKOU_TEXTS, "b")
    assert store.count() == 5
    query = keyword_embedder.embed(["住房公积金"])[0]
    hits = store.query(query, k=2)
    assert hits[0][0] == f"{_chunk_key(QIAOKOU)}:c0"
    assert hits[0][1] == pytest.approx(1.0, abs=1e-5)  # the same one-hot vector: cosine 1
    # both Yuelu chunks are equally far from the query, so compare as a set
    assert {cid for cid, _ in store.query(query, k=5, reports=[YUELU])} == {
        f"{_chunk_key(YUELU)}:c0",
        f"{_chunk_key(YUELU)}:c1",
    }
    store.delete_report(QIAOKOU)
    assert store.count() == 2
    assert {cid for cid, _ in store.query(query, k=5)} == {
        f"{_chunk_key(YUELU)}:c0",
        f"{_chunk_key(YUELU)}:c1",
    }
    with pytest.raises(ValueError, match="k must be > 0"):
        store.query(query, k=0)


def test_chroma_only_returns_committed_versions(chroma, keyword_embedder) -> None:
    committed = {QIAOKOU: report_version(QIAOKOU, "old")}
    store = ChromaChunkStore(chroma, "dqa-test-5-00000001", committed=lambda: committed)
    _add(store, keyword_embedder, QIAOKOU, QIAOKOU_TEXTS, "old")
    # a new version written but never committed (the add was killed before its SQLite commit)
    _add(store, keyword_embedder, QIAOKOU, ["住房公积金 21.23"], "new")
    _add(store, keyword_embedder, QIAOKOU, ["住房公积金 21.23"], "new")  # re-add is an upsert
    assert store.count() == 4
    query = keyword_embedder.embed(["住房公积金"])[0]
    assert store.query(query, k=1)[0][0] == f"{_chunk_key(QIAOKOU)}:c0"
    assert len(store.query(query, k=10)) == 3
    assert store.query(query, k=3, reports=[YUELU]) == []
    assert store.prune(committed.values()) == 1
    assert store.count() == 3


def test_chroma_exact_search_of_named_reports_matches_the_index(chroma, keyword_embedder) -> None:
    committed = {YUELU: report_version(YUELU, "a"), QIAOKOU: report_version(QIAOKOU, "b")}
    ids = {YUELU: [f"{_chunk_key(YUELU)}:c{i}" for i in range(len(YUELU_TEXTS))],
           QIAOKOU: [f"{_chunk_key(QIAOKOU)}:c{i}" for i in range(len(QIAOKOU_TEXTS))]}
    indexed = ChromaChunkStore(chroma, "dqa-test-5-00000003", committed=lambda: committed)
    exact = ChromaChunkStore(chroma, "dqa-test-5-00000003", committed=lambda: committed, chunk_ids=ids.__getitem__)
    _add(indexed, keyword_embedder, YUELU, YUELU_TEXTS, "a")
    _add(indexed, keyword_embedder, QIAOKOU, QIAOKOU_TEXTS, "b")
    _add(indexed, keyword_embedder, QIAOKOU, ["住房公积金 21.23"], "new")  # written, never committed
    query = keyword_embedder.embed(["住房公积金"])[0]
    by_ids = exact.query(query, k=3, reports=[QIAOKOU])
    assert [cid for cid, _ in by_ids] == [cid for cid, _ in indexed.query(query, k=3, reports=[QIAOKOU])]
    assert by_ids[0] == (f"{_chunk_key(QIAOKOU)}:c0", pytest.approx(1.0, abs=1e-5))
    assert exact.query(query, k=3, reports=["not-stored.txt"]) == []
    # over everything: the index's neighbours, the uncommitted version never among them
    assert len(exact.query(query, k=10)) == len(YUELU_TEXTS) + len(QIAOKOU_TEXTS)


def test_chroma_rejects_mismatched_vectors(chroma, keyword_embedder) -> None:
    store = ChromaChunkStore(chroma, "dqa-test-5-00000002")
    with pytest.raises(ValueError, match="2 chunks but 1 vectors"):
        store.add(_chunks(YUELU, YUELU_TEXTS), keyword_embedder.embed(["x"]), VectorMeta("v"))


@pytest.mark.parametrize(
    ("embedder", "dim", "name"),
    [
        ("wordllama", 256, "dqa-wordllama-256-0123abcd"),
        ("BAAI/bge-small-zh-v1.5", 512, "dqa-BAAI-bge-small-zh-v1-5-fb38bc-512-0123abcd"),
    ],
)
def test_collection_name_is_per_embedder_dim_and_store(embedder: str, dim: int, name: str) -> None:
    assert collection_name(embedder, dim, "0123abcd9999") == name


def test_a_bad_chroma_url_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="DQA_CHROMA_URL must look like"):
        chroma_client(tmp_path, "ftp://example")
    with pytest.raises(StoreError, match="cannot reach the Chroma server at http://127.0.0.1:9"):
        chroma_client(tmp_path, "http://127.0.0.1:9")


def _chunk_key(name: str) -> str:
    return Chunk(report=name, kind="text", text="", position=0).chunk_id.rsplit(":", 1)[0]


def test_chunks_keep_their_tokens_and_a_new_tokenizer_re_tokenizes(
    tmp_path: Path, make_analysis
) -> None:
    store = SqliteFactStore(tmp_path / "facts.sqlite")
    analysis = make_analysis(QIAOKOU, QIAOKOU_TEXTS[:2])
    store.replace_report(analysis)
    tokens = [
        ["2210201", "住房", "公积", "积金", "公积金", "20.04", "20.04"],
        ["2010350", "事业", "运行", "180.03", "180.03"],
    ]
    ids = [c.chunk_id for c in analysis.chunks]
    assert store.keyword_rows() == (ids, [QIAOKOU, QIAOKOU], tokens)
    # a store indexed by an older tokenizer: its stored tokens are not trusted
    with store.transaction() as conn:
        conn.execute("UPDATE chunks SET tokens_json = '[\"stale\"]'")
        store.set_meta(conn, "tokenizer", "0")
    assert store.keyword_rows() == (ids, [QIAOKOU, QIAOKOU], tokens)  # re-tokenized in memory
    store.replace_report(make_analysis(YUELU, YUELU_TEXTS[:1]))  # the next write fixes the disk
    assert store.meta()["tokenizer"] == TOKENIZER_VERSION
    with store.transaction() as conn:
        stale = conn.execute("SELECT chunk_id FROM chunks WHERE tokens_json LIKE '%stale%'")
        assert stale.fetchall() == []


def test_a_store_with_another_layout_asks_for_a_rebuild(tmp_path: Path) -> None:
    store = SqliteFactStore(tmp_path / "facts.sqlite")
    with store.transaction() as conn:
        store.set_meta(conn, "schema_version", "1")
    store.close()
    with pytest.raises(StoreError, match="has store layout 1, .* run `python -m index build`"):
        SqliteFactStore(tmp_path / "facts.sqlite", create=False)


def test_the_store_layout_covers_every_model_field() -> None:
    # A field added to Chunk must be stored too (Fact's are mirrored automatically); update
    # _CHUNK_FIELDS, _chunk_row and _chunk_from_row in index/stores.py.
    from dataclasses import fields

    from index.stores import _CHUNK_FIELDS

    assert tuple(f.name for f in fields(Chunk)) == _CHUNK_FIELDS
