"""eval/baseline.py: the naive llama-index RAG, its number picker on tiny inline chunks."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.baseline import NaiveRag, Pick, longest_overlap, pick_number

REPO = Path(__file__).resolve().parents[2]

# Two sentences of the Qiaokou 2020 report (000_31904a6d4c850464.txt, 第三部分 一).
QIAOKOU_TOTALS = (
    "2020 年度收、支总计 525.73 万元。与 2019 年度相比，收、支总计各增加 191.10 万元，增长 57.11%。"
)


def test_longest_overlap_finds_the_longest_stretch_and_all_its_places() -> None:
    keyword, starts = longest_overlap(
        "硚口区网格化服务中心2020年度收、支总计是多少？", QIAOKOU_TOTALS
    )
    # "2020 年度" has a space in the report, so the longest shared stretch starts at 年度
    assert (keyword, starts) == ("年度收、支总计", [5])
    assert longest_overlap("收、支总计", QIAOKOU_TOTALS) == ("收、支总计", [7, 35])


def test_longest_overlap_without_a_shared_stretch() -> None:
    assert longest_overlap("What was the total?", QIAOKOU_TOTALS) == ("", [])


def test_pick_number_takes_the_nearest_number_after_the_keyword() -> None:
    # 收、支总计 occurs twice (at 7 and 35): " 525.73" starts 1 char after the first, "各增加 191.10"
    # 5 after the second; the year "2020 年" is never an answer.
    pick = pick_number("收、支总计是多少？", QIAOKOU_TOTALS)
    assert pick == Pick(
        raw="525.73", value="525.73", unit="万元", start=13, end=19, keyword="收、支总计"
    )


def test_pick_number_reads_the_unit_after_the_number() -> None:
    pick = pick_number("增长百分比", QIAOKOU_TOTALS)
    assert pick is not None and (pick.keyword, pick.value, pick.unit) == ("增长", "57.11", "%")


def test_pick_number_falls_back_to_the_number_before_then_the_first() -> None:
    assert pick_number("绩效工资", "93.44 绩效工资") == Pick("93.44", "93.44", "", 0, 5, "绩效工资")
    assert pick_number("how much?", "住房公积金 20.04 万元") == Pick(
        "20.04", "20.04", "万元", 6, 11, ""
    )


def test_pick_number_keeps_ocr_spaced_figures_whole() -> None:
    pick = pick_number("收、支总计", "2020年度收、支总计313. 08万元")
    assert pick is not None and (pick.raw, pick.value, pick.unit) == ("313. 08", "313.08", "万元")


def test_pick_number_without_numbers() -> None:
    assert pick_number("收支总计", "本部门没有政府性基金预算财政拨款收入。") is None


@pytest.fixture
def keyword_rag(keyword_embedder) -> NaiveRag:  # type: ignore[no-untyped-def]
    from index.embed import LlamaIndexEmbedding

    texts = {
        "yuelu.txt": "全区全年共签收12345热线工单84395件，群众总体满意度99.13%。",
        "qiaokou.txt": "2210201 住房公积金 20.04 万元；2010350 事业运行 180.03 万元。",
    }
    return NaiveRag(texts, LlamaIndexEmbedding(keyword_embedder), top_k=2)


def test_naive_rag_retrieves_by_embedding_and_answers_from_the_top_chunk(
    keyword_rag: NaiveRag,
) -> None:
    # keyword one-hot vectors: "公积金" only occurs in qiaokou.txt, so it ranks first
    assert [report for report, _ in keyword_rag.retrieve("住房公积金是多少")] == [
        "qiaokou.txt",
        "yuelu.txt",
    ]
    answer = keyword_rag.ask("住房公积金是多少")
    assert (answer["status"], answer["value"], answer["unit"]) == ("answered", "20.04", "万元")
    assert answer["citations"][0]["report"] == "qiaokou.txt"
    assert "住房公积金 20.04" in answer["citations"][0]["quote"]


def test_naive_rag_never_says_not_found_while_a_number_is_retrieved(keyword_rag: NaiveRag) -> None:
    # a question about nothing in the corpus still gets a number: the baseline's failure mode
    answer = keyword_rag.ask("12345热线的公务用车保有量是多少辆？")
    assert answer["status"] == "answered" and answer["value"] == "84395"


def test_naive_rag_checks_its_configuration(keyword_embedder) -> None:  # type: ignore[no-untyped-def]
    from index.embed import LlamaIndexEmbedding

    with pytest.raises(ValueError, match="top_k must be > 0"):
        NaiveRag({"a.txt": "1"}, LlamaIndexEmbedding(keyword_embedder), top_k=0)
    with pytest.raises(ValueError, match="at least one report"):
        NaiveRag({}, LlamaIndexEmbedding(keyword_embedder))


@pytest.mark.slow
def test_naive_rag_over_the_corpus_with_the_real_embedder() -> None:
    """The default baseline (wordllama, SentenceSplitter defaults) over the five seeds."""
    from index.embed import LlamaIndexEmbedding, load_embedder

    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted((REPO / "corpus").glob("*.txt"))}
    rag = NaiveRag(texts, LlamaIndexEmbedding(load_embedder("wordllama")))
    assert len(rag.nodes) > len(texts)
    answer = rag.ask("岳麓区常调队2021年累计调查疑难工单多少件？")
    assert answer["status"] == "answered"
    assert isinstance(answer["value"], str) and answer["citations"]


def test_fair_peer_threshold_is_chosen_on_the_cases_given() -> None:
    from eval.baseline import FairPeer
    from eval.cases import Case

    def case(cid: str, answer: str) -> Case:
        return Case(id=cid, question=cid, answer=answer, unit="万元", doc="d.txt", evidence="", kind="table", lang="zh")

    answers = {
        # picked with a long overlap and right; with a short overlap and wrong; an absent one
        "a": ({"status": "answered", "value": "5", "unit": "万元", "citations": []}, 8),
        "b": ({"status": "answered", "value": "9", "unit": "万元", "citations": []}, 2),
        "c": ({"status": "answered", "value": "1", "unit": "万元", "citations": []}, 3),
    }
    peer = FairPeer(answerer=None)
    peer.pick = lambda q: answers[q]  # type: ignore[method-assign]
    cases = [case("a", "5"), case("b", "7"), case("c", "NOT_IN_DOC")]
    # abstaining below 4 characters keeps a, turns the wrong b and c into not_found (c correct)
    assert peer.choose_threshold(cases) == 4
    assert peer.ask("b")["status"] == "not_found" and peer.ask("a")["value"] == "5"


def test_fair_peer_uses_our_retrieval_and_filters(answerer) -> None:  # noqa: ANN001
    from eval.baseline import FairPeer

    peer = FairPeer(answerer)
    answer, overlap = peer.pick("how many 12345 工单 did Yuelu handle in 2021?")
    assert answer["status"] == "answered" and overlap >= 2
    assert answer["citations"][0]["report"] == "004_abd4107061c8b5b5.txt"  # the organisation filter
