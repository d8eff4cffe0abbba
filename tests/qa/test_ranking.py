"""Reading a question over many organisations (qa.ranking): the kind, the order, the top asked
for, and the question left about the figure; the rows sorted and the top stated only when
nothing unread could beat it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qa.ranking import (
    RankAsk,
    RankRow,
    figure,
    kind_pieces,
    of_kind,
    org_kind,
    ranked,
    ranking_text,
    read_ranking,
    undecided,
)


@pytest.mark.parametrize(
    ("question", "order", "top", "kind", "kept_words"),
    [
        ("列出各单位2024年“三公”经费", "desc", 0, (), ["2024年", "三公"]),
        ("which department had the largest 基本支出 in 2024?", "desc", 1, (), ["基本支出", "2024"]),
        ("普陀区各部门2025年收入预算从高到低", "desc", 0, (), ["普陀区", "收入预算"]),
        ("Compare 基本支出 of all grid centers in 2020", "desc", 0, ("网格", "中心"), ["基本支出", "2020"]),
        ("哪个街道2024年预算最多", "desc", 1, ("街道",), ["2024年预算"]),
        ("哪个单位2024年的三公经费最少？", "asc", 1, (), ["三公经费"]),
        ("所有普陀区部门2024年基本支出排名前三", "desc", 3, (), ["普陀", "基本支出"]),
        ("Rank all Putuo departments by 2025 income budget, highest to lowest", "desc", 0, (), ["Putuo", "income budget"]),
        ("Which of the grid centres had the lowest 2021 基本支出?", "asc", 1, ("网格", "中心"), ["2021", "基本支出"]),
        ("2024年决算里，各区法院哪家的基本支出最多？", "desc", 1, ("法", "院"), ["2024年决算", "基本支出"]),
        ("In the 2024 final accounts, whose 办公费 was the highest?", "desc", 1, (), ["办公费", "2024 final accounts"]),
        ("Among the Putuo towns in the 2025 budgets, which one planned the most 三公经费?", "desc", 1, ("镇",), ["Putuo", "三公经费"]),
        ("2025年预算各单位里，哪家车辆最多？", "desc", 1, (), ["2025年预算", "车辆"]),
    ],
)
def test_a_ranking_is_read_apart_from_the_figure(question, order, top, kind, kept_words) -> None:  # type: ignore[no-untyped-def]
    ask = read_ranking(question)
    assert ask is not None
    assert (ask.order, ask.top, ask.kind) == (order, top, kind)
    for word in kept_words:
        assert word in ask.rest, (word, ask.rest)
    for word in ("各", "所有", "最", "从高到低", "排名", "which", "whose", "highest", "largest", "lowest", "哪"):
        assert word not in ask.rest, (word, ask.rest)


@pytest.mark.parametrize(
    "question",
    [
        "硚口区2020年绩效工资是多少？",
        "2020年硚口区网格化服务中心共受理各类办件多少件？",  # 各类: kinds, not organisations
        "岳麓区和芦淞区哪个区的基本支出更多？",  # two named: a comparison
        "How much did all the Finance Bureau's departments spend?",  # all + a singular name
        "Which of the Finance Bureau's projects got the largest budget in 2025?",  # an owner
        "Which one of the Finance Bureau's projects got the largest budget in 2025?",
        "Which Finance Bureau project got the largest budget in 2025?",  # its projects asked among
        "How much was spent by the Finance Bureau in 2024?",
        "硚口区2024年各项支出是多少",
    ],
)
def test_questions_about_one_organisation_are_no_ranking(question: str) -> None:
    assert read_ranking(question) is None


def test_a_list_over_every_organisation_has_no_top() -> None:
    ask = read_ranking("2024年各部门人员经费分别是多少")
    assert ask is not None and (ask.top, ask.ordered, ask.kind) == (0, False, ())
    assert "人员经费" in ask.rest and "部门" not in ask.rest


@pytest.mark.parametrize(
    ("phrase", "kind", "place"),
    [
        ("网格中心", ("网格", "中心"), ""),
        ("法院", ("法", "院"), ""),
        ("财政局", ("财政", "局"), ""),
        ("普陀区部门", (), "普陀区"),
        ("区法院", ("法", "院"), ""),
        ("单位", (), ""),
        ("grid centers", ("网格", "中心"), ""),
        ("courts", ("法", "院"), ""),
        ("Putuo departments", (), "Putuo"),
        ("finance bureaus", ("财政", "局"), ""),
    ],
)
def test_an_organisation_kind_is_the_pieces_names_must_hold(phrase: str, kind: tuple[str, ...], place: str) -> None:
    assert org_kind(phrase) == (kind, place)


def test_a_kind_is_held_in_any_order_of_its_pieces() -> None:
    assert kind_pieces("网格化管理中心") == ("网格化", "中心")  # 管理, 服务 are in most names
    assert of_kind(("网格", "中心"), "武汉市硚口区社会管理网格化服务中心")
    assert of_kind(("网格化", "管理", "中心"), "武汉市硚口区社会管理网格化服务中心")  # 管理 before 网格化
    assert not of_kind(("网格", "中心"), "武汉市武昌区城市运行管理中心")
    assert not of_kind(("法", "院"), "上海市普陀区社会福利院")
    assert of_kind((), "anything")
    assert org_kind("hospitals") == (("医", "院"), "")


def _row(org: str, value: str | None, unit: str = "万元", status: str = "answered", **extra: object) -> RankRow:
    canonical = None if value is None else Decimal(value) / (Decimal(10000) if unit == "元" else 1)
    return RankRow(org, 2024, "决算", status, value=value, unit=unit if value else "", canonical=canonical,
                   canonical_unit="万元" if value else "", **extra)  # type: ignore[arg-type]


def test_rows_are_sorted_in_one_unit_and_rows_without_a_figure_kept() -> None:
    rows = [_row("A", "12.5"), _row("B", "1500000", "元"), _row("C", None, status="not_found"), _row("D", "3.2")]
    kept, rest = ranked(rows, "desc")
    assert [r.org for r in kept] == ["B", "A", "D"]  # 150 万元 > 12.5 > 3.2
    assert [r.org for r in rest] == ["C"]
    kept, _ = ranked(rows, "asc")
    assert [r.org for r in kept] == ["D", "A", "B"]
    assert figure(kept[2]) == "1500000 元（150 万元）"  # as printed, with its exact conversion


def test_rows_in_another_kind_of_unit_are_set_apart() -> None:
    count = RankRow("E", 2024, "决算", "answered", value="8", unit="辆", canonical=Decimal(8), canonical_unit="count")
    kept, rest = ranked([_row("A", "12.5"), _row("B", "3"), count], "desc")
    assert [r.org for r in kept] == ["A", "B"]
    assert [(r.org, r.status) for r in rest] == [("E", "other_unit")]


def test_the_top_is_not_stated_while_an_unread_figure_could_beat_it() -> None:
    ask = RankAsk(order="desc", top=1, kind=(), rest="", ordered=True)
    kept = [_row("A", "20"), _row("B", "10")]
    missing = _row("C", None, status="not_found")
    low_tie = RankRow("D", 2024, "决算", "ambiguous", candidates=({"value": "5", "canonical": Decimal(5)},
                                                                    {"value": "6", "canonical": Decimal(6)}))
    high_tie = RankRow("E", 2024, "决算", "ambiguous", candidates=({"value": "5", "canonical": Decimal(5)},
                                                                     {"value": "25", "canonical": Decimal(25)}))
    assert undecided(kept, [missing], ask) == [missing]
    assert undecided(kept, [low_tie], ask) == []  # both of its figures are below the top
    assert undecided(kept, [high_tie], ask) == [high_tie]
    text = ranking_text(ask, kept, [high_tie], "基本支出", 2024, "决算", True, [high_tie])
    assert text.startswith("无法确定2024年决算基本支出最高的单位：E")
    stated = ranking_text(ask, kept, [low_tie], "基本支出", 2024, "决算", True, [])
    assert stated.startswith("2024年决算基本支出最高的是A：20 万元。")
    assert "1. A 20 万元；2. B 10 万元" in stated and "不唯一：D" in stated


def test_a_tie_for_the_top_names_every_organisation_tied() -> None:
    ask = RankAsk(order="desc", top=1, kind=(), rest="", ordered=True)
    kept, _ = ranked([_row("A", "0"), _row("B", "0"), _row("C", "0")], "desc")
    text = ranking_text(ask, kept, [], "三公经费", 2024, "决算", True)
    assert text.startswith("2024年决算三公经费最高的有 3 个单位并列：A、B、C，均为 0 万元。")
    english = ranking_text(ask, kept, [], "三公经费", 2024, "决算", False)
    assert english.startswith("2024 final accounts 三公经费: 3 organisations tie for highest")


def test_a_possessive_after_a_kind_asked_among_is_still_a_ranking() -> None:
    ask = read_ranking("Which organisation's 2024 final accounts show the largest 三公 spending?")
    assert ask is not None and ask.kind == () and ask.order == "desc" and ask.top == 1


def test_which_one_of_a_kind_ranks_that_kind() -> None:
    ask = read_ranking("Which one of the grid centres had the largest 基本支出 in 2020?")
    assert ask is not None and ask.kind == ("网格", "中心") and ask.top == 1
