"""Organisation linking: names never seen, written as users shorten them (qa/orgs.py)."""

from __future__ import annotations

import pytest

from qa.orgs import (
    OrgLinker,
    foreign_qualifier,
    name_in_question,
    unknown_places,
    unmatched_english,
    unmatched_name,
)

NAMES = {
    "gh.pdf": "上海市普陀区规划和自然资源局",
    "fb-district.pdf": "上海市普陀区财政局",
    "fb-city.pdf": "上海市财政局",
    "office.pdf": "上海市普陀区人民政府办公室",
    "wanli.pdf": "上海市普陀区人民政府万里街道办事处",
    "welfare.pdf": "上海市普陀区社会福利院",
    "social.pdf": "中共上海市普陀区委社会工作部",
    "js.pdf": "江苏省人大常委会办公厅",
    "qk.txt": "武汉市硚口区社会管理网格化服务中心",
    "ls.txt": "株洲市芦淞区网格化管理服务中心",
}


@pytest.fixture(scope="module")
def linker() -> OrgLinker:
    return OrgLinker(NAMES)


@pytest.mark.parametrize(
    ("question", "reports"),
    [
        ("规划资源局2024年住房公积金是多少？", {"gh.pdf"}),
        ("区府办25年津贴补贴预算多少？", {"office.pdf"}),
        ("区政府办公室2025年工会经费", {"office.pdf"}),
        ("2025年万里街道办公费预算是多少？", {"wanli.pdf"}),
        ("省人大办公厅2018年水费", {"js.pdf"}),
        ("社工部2024年办公费和福利费加起来多少", {"social.pdf"}),  # 福利 of 福利费 is no 福利院
        ("普陀区财政局25年行政运行", {"fb-district.pdf"}),
        ("上海市财政局2025年水费", {"fb-city.pdf"}),
        ("财政局2025年水费", {"fb-district.pdf", "fb-city.pdf"}),  # either bureau: both kept
        ("20年硚口网格中心项目支出", {"qk.txt"}),
        ("What is Wanli Subdistrict's 2024 budget?", {"wanli.pdf"}),
        ("Putuo District Finance Bureau 2025 budget", {"fb-district.pdf"}),
        ("Shanghai Municipal Finance Bureau 2025", {"fb-city.pdf"}),
        ("Jiangsu Provincial People's Congress Standing Committee General Office 2019", {"js.pdf"}),
        # a character typed as another that sounds the same (化 for 划)
        ("规化资源局24年项目绩效自评平均多少分？", {"gh.pdf"}),
        ("万里接道2025年办公费预算是多少？", {"wanli.pdf"}),
    ],
)
def test_a_shortened_or_english_name_names_its_organisation(linker, question, reports) -> None:
    kept, _ = linker.candidates(question)
    assert {m.report for m in kept} == reports


def test_only_a_character_that_sounds_the_same_stands_in() -> None:
    from qa.orgs import same_sound

    assert same_sound("化", "划") and same_sound("接", "街") and not same_sound("化", "规")
    # a sound-alike alone, with no character of the name around it, names nobody; nor one the
    # name does not go on after (社会服务: 服 sounds like 福 of 社会福利院, 务 is not in it)
    assert OrgLinker(NAMES).candidates("2024年话费是多少？")[0] == []
    kept, _ = OrgLinker(NAMES).candidates("2024年普陀区社会服务方面的办公费预算是多少？")
    assert "welfare.pdf" not in {m.report for m in kept}


def test_office_words_alone_name_nobody(linker) -> None:
    assert linker.candidates("2024年政府采购预算是多少？")[0] == []
    assert linker.candidates("办公室的水费是多少")[0] == []


def test_the_name_is_cut_off_where_the_metric_starts(linker) -> None:
    question = "2025年万里街道办公费预算是多少？"
    (match,) = [m for m in linker.match(question) if m.report == "wanli.pdf"]
    assert name_in_question(question, match) == ["万里街道"]
    question = "区府办2025年津贴补贴"
    best = linker.match(question)[0]
    assert best.report == "office.pdf" and name_in_question(question, best) == ["区府办"]


@pytest.mark.parametrize(
    ("question", "places"),
    [
        ("青山区网格化服务中心2024年收支总计是多少？", ["青山区"]),
        ("城乡社区支出是多少？", []),
        ("2020年硚口区网格化中心和芦淞区网格化中心", []),
        ("万里街道城市管理支出", []),
    ],
)
def test_a_place_is_a_place_only_at_a_word_boundary(question, places) -> None:
    assert unknown_places(question, NAMES.values()) == places


def test_a_date_before_a_place_is_no_part_of_it() -> None:
    from qa.orgs import unknown_places

    # "截至2023年底硚口区…": 底 ends the date, the place is 硚口区
    assert unknown_places("截至2023年底硚口区网格化服务中心占有使用国有资产多少万元？", ["武汉市硚口区社会管理网格化服务中心", "硚口区"]) == []
    assert unknown_places("青山区网格化服务中心2024年收支总计是多少？", ["硚口区"]) == ["青山区"]


def test_budget_words_name_no_organisation() -> None:
    names = {"w.txt": "武汉市武昌区城市运行管理中心", "b.pdf": "上海市普陀区人民政府办公室"}
    plain = OrgLinker(names)
    masked = OrgLinker(names, ["机关运行经费", "社会福利"])
    question = "区府办2025年机关运行经费安排了多少？"
    # without the budget words, 运行 of 机关运行经费 counts for 城市运行管理中心
    assert any(m.report == "w.txt" for m in plain.match(question))
    assert [m.report for m in masked.match(question)] == ["b.pdf"]
    # a word inside a name is never masked: 社会福利 names 社会福利院
    assert OrgLinker({"f.pdf": "上海市普陀区社会福利院"}, ["社会福利"]).terms == []


def test_a_city_named_without_its_district_is_the_citys_office() -> None:
    linker = OrgLinker({"city.pdf": "上海市财政局", "district.pdf": "上海市普陀区财政局"})
    for question in ("Shanghai Finance Bureau 2025 rent", "上海财政局25年租赁费"):
        kept, _ = linker.candidates(question)
        assert [m.report for m in kept] == ["city.pdf"], question
    kept, _ = linker.candidates("普陀财政局25年租赁费")
    assert [m.report for m in kept] == ["district.pdf"]



KNOWN = "\n".join(NAMES.values())  # the store's names, one per line


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("浦东财政局2024年基本支出", "浦东财政局"),  # another district's bureau, matched by 财政局 alone
        ("Pudong Finance Bureau 2024 basic expenditure", "Pudong"),
        # words before a name that are no part of it
        ("请问财政局2024年基本支出", ""),
        ("2024年普陀财政局基本支出", ""),
        ("截至24年8月底万里街道一共有几辆车", ""),
        ("“其他社会工作事务支出”2024年决算数", ""),  # 社会工作 is the item's, no name given
        ("2020年硚口区网格化中心和芦淞区网格化中心的公用经费", ""),  # both names the store's
        ("What was the Finance Bureau's 2024 basic expenditure?", ""),
        # where the figure is read stands before the name: no name of its own
        ("2024年预算中财政局的电费", ""),
        ("2024年决算里财政局的基本支出", ""),
        ("2024年决算中浦东财政局的电费", "浦东财政局"),
    ],
)
def test_a_word_before_the_name_that_no_name_holds_names_another_office(
        linker: OrgLinker, question: str, word: str) -> None:
    text = linker.name_text(question)
    best = linker.candidates(question)[0][0]
    assert foreign_qualifier(text, best, KNOWN) == word


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("青山网格中心24年收支总计多少", "青山网格中心"),
        ("网格中心24年收支总计多少", ""),  # office words only: not another office's name
        ("2024年数据中心建设项目预算", ""),  # a project's name runs on past the office word
    ],
)
def test_a_name_that_matches_no_report(question: str, name: str) -> None:
    assert unmatched_name(question, KNOWN) == name


def test_a_name_sharing_only_single_characters_with_the_store_matches_none() -> None:
    # 长 is in 长沙市, but no name holds 长寿 or 寿路
    known = KNOWN + "\n长沙市岳麓区网格化综合服务中心"
    assert unmatched_name("长寿路街道2023年机关运行经费", known) == "长寿路街道"
    assert unmatched_name("岳麓网格中心2021年收支总计", known) == ""


def test_an_english_function_word_before_a_name_names_no_other_office(linker: OrgLinker) -> None:
    for question in ("Per Wanli Subdistrict's 2023 budget, what was rent?", "According to Wanli Subdistrict's 2023 budget"):
        best = linker.candidates(question)[0][0]
        assert foreign_qualifier(linker.name_text(question), best, KNOWN) == ""
    best = linker.candidates("Pudong Finance Bureau 2024 rent")[0][0]
    assert foreign_qualifier(linker.name_text("Pudong Finance Bureau 2024 rent"), best, KNOWN) == "Pudong"


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("How much did Qingshan grid centre spend in 2024?", "Qingshan"),
        ("What was Jiangxia district's 2024 basic expenditure?", "Jiangxia"),
        ("How much did Qiaokou grid centre spend in 2020?", ""),  # the store's own place, in pinyin
        ("What did the grid centre spend in 2020?", ""),  # office words only
        ("Shanghai Municipal Finance Bureau 2025 budget", ""),
        ("Putuo Social Welfare Institute 2024 budget", ""),
    ],
)
def test_an_english_place_that_matches_no_report(linker: OrgLinker, question: str, word: str) -> None:
    assert unmatched_english(linker.name_text(question)) == word


@pytest.mark.parametrize(
    "question",
    ["规划资源局2024年住房公积金是多少？", "区政府办公室2025年工会经费", "20年硚口网格中心项目支出",
     "Putuo District Finance Bureau 2024 basic expenditure", "社工部2024年办公费", "网格化服务中心2020年收支总计"],
)
def test_scoring_only_names_sharing_a_character_changes_no_match(
        linker: OrgLinker, question: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = linker.match(question)
    monkeypatch.setattr(linker, "_maybe_named", lambda text: None)  # every name scored
    assert fast == linker.match(question)


def test_a_determiner_before_a_place_word_is_no_place() -> None:
    from qa.orgs import unknown_places

    assert unknown_places("武昌城运中心串联全区多少个网格", ["武汉市武昌区城市运行管理中心"]) == []
    assert unknown_places("本市财政局2024年预算", ["上海市普陀区财政局"]) == []
    assert unknown_places("青山区网格中心2024年预算", ["上海市普陀区财政局"]) == ["青山区"]


@pytest.mark.parametrize(
    ("question", "report"),
    [
        # the name said by its place comes first; office words later are what is asked
        ("What did the Lusong grid centre actually spend in 2020 on administrative operation under "
         "government office affairs?", "ls.txt"),
        ("岳麓21年回访不满意工单里城市管理类有几件？", "yl.txt"),
    ],
)
def test_a_name_said_first_outweighs_office_words_after_it(question: str, report: str) -> None:
    linker = OrgLinker({**NAMES, "yl.txt": "长沙市岳麓区网格化综合服务中心", "wc.txt": "武汉市武昌区城市运行管理中心"})
    assert [m.report for m in linker.match(question)][0] != report  # office words alone score more
    kept, _ = linker.candidates(question)
    assert [m.report for m in kept] == [report]


def test_office_words_right_after_a_place_are_one_name() -> None:
    # "硚口区人民政府办公室": a name the store lacks, not the Qiaokou grid centre's (the office words
    # follow the place with nothing between them)
    linker = OrgLinker({**NAMES, "wc.txt": "武汉市武昌区城市运行管理中心"})
    kept, _ = linker.candidates("硚口区人民政府办公室2024年公用经费是多少？")
    assert "qk.txt" not in [m.report for m in kept]


def test_office_words_first_still_name_their_office(linker: OrgLinker) -> None:
    # 区府办 (office words only) first, a place later: the office is meant
    kept, _ = linker.candidates("区政府办公室2025年给万里街道的转移支付是多少？")
    assert "office.pdf" in [m.report for m in kept]


@pytest.mark.parametrize("lead", ["根据", "按照", "依据"])
def test_where_the_figure_is_read_is_no_place_and_no_name(lead: str) -> None:
    # "根据武昌区城运中心2024年决算…", "按照区府办2025年预算…": 根据/按照 say where to read, so
    # neither "根据武昌区城运中心" nor "按照区" is an organisation or place the store lacks
    known = list(NAMES.values()) + ["普陀区", "武昌区", "武汉市武昌区城市运行管理中心"]
    assert unknown_places(f"{lead}区府办2025年预算，工会经费是多少？", known) == []
    linker = OrgLinker({**NAMES, "wc.txt": "武汉市武昌区城市运行管理中心"})
    text = f"{lead}武昌区城运中心2024年决算，2023年的收支总计是多少万元？"
    [match] = [m for m in linker.candidates(text)[0] if m.report == "wc.txt"]
    assert foreign_qualifier(text, match, "\n".join(known)) == ""
    assert unknown_places("青山区2024年网格中心的收入是多少？", known) == ["青山区"]  # a place still is one
    assert unknown_places(f"{lead}青山区网格中心2024年决算，收入是多少？", known) == ["青山区"]
