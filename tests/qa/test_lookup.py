"""Ranking rules of qa.lookup that need no store."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from index.models import Fact
from qa.lookup import Scored, drop_unasked_parts, group_by_value, leaf_column, prints_year


def _cell(row: str, column: str, raw: str, score: float, position: int) -> Scored:
    fact = Fact(report="r.pdf", source="table", table="2024年部门收入预算总表", row_label=row, column=column,
                value=Decimal(raw), raw=raw, unit="元", locator="p. 14", quote="", position=position)
    return Scored(fact=fact, score=score, canonical=Decimal(raw) / 10000, canonical_unit="万元")


ROW = [
    _cell("购房补贴", "收入预算 / 合计", "3201700", 1.06, 1),
    _cell("购房补贴", "收入预算 / 财政拨款收入", "3201700", 0.99, 2),
    _cell("购房补贴", "收入预算 / 事业收入", "0", 1.01, 3),
    _cell("购房补贴", "收入预算 / 其他收入", "0", 1.01, 4),
]


def test_leaf_column() -> None:
    assert leaf_column("一般公共预算基本支出 / 人员经费") == "人员经费"
    assert leaf_column("合计") == "合计"


def test_unasked_parts_do_not_rival_the_row_total() -> None:
    groups = group_by_value(ROW)
    assert [g.value for g in groups] == [Decimal("320.17"), Decimal(0)]
    kept = drop_unasked_parts(groups, "购房补贴预算", margin=0.06)
    assert [g.value for g in kept] == [Decimal("320.17")]


def test_a_part_the_question_names_stays() -> None:
    kept = drop_unasked_parts(group_by_value(ROW), "购房补贴事业收入", margin=0.06)
    assert [g.value for g in kept] == [Decimal("320.17"), Decimal(0)]


def test_parts_of_another_row_stay() -> None:
    other = [ROW[0], _cell("住房公积金", "收入预算 / 事业收入", "0", 1.05, 9)]
    kept = drop_unasked_parts(group_by_value(other), "补贴", margin=0.06)
    assert len(kept) == 2


def test_a_change_is_labelled_by_the_clause_before() -> None:
    from qa.lookup import own_label

    change = Fact(report="r.pdf", source="text", table="（三）住房保障支出（类）", row_label="与上年相比增加", column="",
                  value=Decimal("531.81"), raw="531.81", unit="万元", locator="p. 9",
                  quote="提租补贴（项）1549.82万元，与上年相比增加531.81万元", parents="提租补贴（项）")
    assert own_label(change) == "提租补贴（项） 与上年相比增加"
    level = replace(change, row_label="提租补贴（项）", parents="住房改革支出（类）")
    assert own_label(level) == "提租补贴（项）"
    # "全区累计906项网格重点服务事项已完成846项": what is done is the items counted before it
    done = replace(change, row_label="已完成", parents="全区累计 网格重点服务事项", raw="846", unit="项",
                   quote="全区累计906项网格重点服务事项已完成846项")
    assert own_label(done) == "全区累计 网格重点服务事项 已完成"


def test_a_unitless_cell_printing_the_same_figure_is_no_rival() -> None:
    with_unit = _cell("30302 退休费", "金额", "1395.28", 1.09, 1)
    bare = replace(with_unit, fact=replace(with_unit.fact, unit="", table="第二部分", position=2),
                   canonical=Decimal("1395.28"), canonical_unit="")
    groups = group_by_value([with_unit, bare])
    assert len(groups) == 1 and len(groups[0].members) == 2


def test_a_figure_and_its_rounding_are_one_figure() -> None:
    table = _cell("机关事业单位基本养老保险缴费支出", "合计", "1763159.52", 1.06, 1)
    text_fact = Fact(report="r.pdf", source="text", table="六", row_label="…缴费支出”科目", column="",
                     value=Decimal("176.32"), raw="176.32", unit="万元", locator="p. 9", quote="…科目176.32万元", position=5)
    text = Scored(fact=text_fact, score=0.93, canonical=Decimal("176.32"), canonical_unit="万元")
    assert len(group_by_value([table, text])) == 1
    # 397.18 rounds to 397.2, not 397.1: a printed inconsistency stays two figures
    a = replace(text, fact=replace(text_fact, value=Decimal("397.18"), raw="397.18"), canonical=Decimal("397.18"))
    b = replace(text, fact=replace(text_fact, value=Decimal("397.1"), raw="397.1", position=6), canonical=Decimal("397.1"))
    assert len(group_by_value([a, b])) == 2


def _ranked(question: str, facts: list[Fact], scores: bool = False,  # type: ignore[type-arg]
            coded: dict[str, frozenset[str]] | None = None) -> list:
    from qa.lookup import GramWeights, lookup_facts, make_views
    from qa.query import parse_query, report_info

    catalog = [report_info({"name": "r.pdf", "org": "上海市财政局", "district": "", "year": 2024, "kind": "预算"})]
    query = parse_query(question, catalog)
    views = make_views(facts, {}, {"r.pdf": "预算"})
    # a store's labels: budget words are everywhere, item names are rare
    common = ["支出预算表", "收入预算表", "基本支出预算表", "项目支出预算表", "财政拨款支出预算表", "预算支出合计"] * 5
    weights = GramWeights([f"{f.row_label} {f.column} {f.table}" for f in facts] + common)
    scored = lookup_facts(query, " ".join([*query.terms, query.metric]), views, weights, {"r.pdf": 2024}, coded)
    return [s.score if scores else s.fact.raw for s in scored]


def _row(label: str, raw: str, position: int, table: str = "基本支出预算表", column: str = "金额") -> Fact:
    return Fact(report="r.pdf", source="table", table=table, row_label=label, column=column,
                value=Decimal(raw), raw=raw, unit="万元", locator="p. 3", quote="", position=position)


def test_a_row_number_split_by_the_layout_is_no_part_of_the_name() -> None:
    # "30 20 电费" is 电费; 邮电费 only contains it
    facts = [_row("邮电费", "9.03", 1), _row("30 20 电费", "13.55", 2)]
    assert _ranked("市财政局2024年电费", facts)[0] == "13.55"
    assert _ranked("Shanghai Finance Bureau 2024 electricity", facts)[0] == "13.55"


def test_an_ordinal_the_row_does_not_print_sinks_it() -> None:
    facts = [_row("第十三届人代会二次会议经费 会议费", "1035.00", 1), _row("全国人代会代表团工作经费 会议费", "113.63", 2)]
    question = "Shanghai Finance Bureau 2024 budget for the second session of the 13th congress meeting fees"
    assert _ranked(question, facts)[0] == "1035.00"
    # alone, a row of another session is no answer at all
    assert _ranked(question, facts[1:], scores=True)[0] < 0.5


def test_a_table_named_may_head_a_column() -> None:
    # one page printing two tables side by side: the 机关运行经费 table is a column group
    facts = [_row("30211 差旅费", "230.00", 1, table="一般公共预算基本支出预算表"),
             _row("30211 差旅费", "1293.36", 2, table="第二部分", column="机关运行经费支出")]
    assert _ranked("市财政局2024年机关运行经费支出预算表里差旅费", facts)[0] == "1293.36"
    assert _ranked("市财政局2024年基本支出预算表里差旅费", facts)[0] == "230.00"


def test_a_sentences_parts_do_not_rival_its_whole_even_ranked_above_it() -> None:
    quote = "2023年本部门政府采购预算830.00万元，其中：政府采购货物预算10.00万元、政府采购工程预算550.00万元、政府采购服务预算270.00万元。"

    def said(label: str, raw: str, score: float, position: int) -> Scored:
        fact = Fact(report="r.pdf", source="text", table="三、政府采购情况", row_label=label, column="",
                    value=Decimal(raw), raw=raw, unit="万元", locator="p. 29", quote=quote, position=position)
        return Scored(fact=fact, score=score, canonical=Decimal(raw), canonical_unit="万元")

    ranked = [said("政府采购服务预算", "270.00", 0.755, 3), said("政府采购工程预算", "550.00", 0.745, 2),
              said("政府采购货物预算", "10.00", 0.744, 1), said("2023年本部门政府采购预算", "830.00", 0.726, 0)]
    kept = drop_unasked_parts(group_by_value(ranked), "合计 政府采购 预算", margin=0.06)
    assert [g.value for g in kept] == [Decimal("830.00")]
    # a question that names a part keeps it
    kept = drop_unasked_parts(group_by_value(ranked), "政府采购 预算 工程", margin=0.06)
    assert Decimal("550.00") in [g.value for g in kept]


def test_a_part_the_question_names_beats_its_sentences_whole() -> None:
    quote = "2024年度政府采购金额（以合同签订为准）为2319.21万元，其中：货物采购金额122.43万元、工程采购金额1387.72万元。"

    def said(label: str, raw: str, score: float) -> Scored:
        fact = Fact(report="r.pdf", source="text", table="（二）政府采购支出情况", row_label=label, column="",
                    value=Decimal(raw), raw=raw, unit="万元", locator="p. 20", quote=quote, position=0)
        return Scored(fact=fact, score=score, canonical=Decimal(raw), canonical_unit="万元")

    ranked = [said("2024年度政府采购金额（以合同签订为准）为", "2319.21", 0.58), said("工程采购金额", "1387.72", 0.57)]
    kept = drop_unasked_parts(group_by_value(ranked), "工程采购 合同签订", margin=0.06)
    assert [g.value for g in kept] == [Decimal("1387.72")]


def test_a_rounding_ranked_below_many_figures_still_joins_its_figure() -> None:
    exact = _cell("收入总计", "预算数", "171915169", 0.9, 0)
    crowd = [_cell(f"行{i}", "预算数", str(1000 + i), 0.8 - i / 1000, i + 1) for i in range(40)]
    text_fact = Fact(report="r.pdf", source="text", table="说明", row_label="收入预算", column="",
                     value=Decimal("17192"), raw="17,192", unit="万元", locator="p. 6", quote="收入预算17,192万元", position=99)
    late = Scored(fact=text_fact, score=0.4, canonical=Decimal("17192"), canonical_unit="万元")
    groups = group_by_value([exact, *crowd, late])
    assert any(m.fact.source == "text" for m in groups[0].members)


def test_a_year_a_figure_is_set_against_is_not_its_year() -> None:
    assert not prints_year("支出预算9,101.68万元，比2024年预算减少2,389.52万元", 2024)
    assert not prints_year("与2019年度相比，收、支总计各增加191.10万元", 2019)
    assert prints_year("截至2024年12月31日，共有车辆2辆", 2024)
    assert prints_year("2024年预算1662.44万元，比2023年增加", 2024)


def test_a_paragraphs_date_holds_for_the_figures_after_it() -> None:
    from qa.lookup import make_views

    def sentence(quote: str, position: int) -> Fact:
        return Fact(report="r.pdf", source="text", table="五、国有资产占有情况", row_label="x", column="",
                    value=Decimal(1), raw="1", unit="万元", locator="p. 9", quote=quote, position=position)

    views = make_views([sentence("截止2022年12月31日，本部门流动资产448.82万元。", 1),
                        sentence("固定资产3149.52万元，其中：在建工程1项12277.73万元。", 2),
                        sentence("2023年部门预算安排购置车辆1辆。", 3),
                        sentence("其中：一般公务用车1辆。", 4)], {})
    hay = {v.fact.position: v.hay for v in views}
    assert prints_year(hay[2], 2022)  # the date before it in its section
    assert not prints_year(hay[3], 2022) and not prints_year(hay[4], 2022)  # a year of its own ends it


def test_a_sentence_figure_takes_its_subjects_measure() -> None:
    from qa.lookup import fact_measure

    fact = Fact(report="r", source="text", table="（二）专项支出", row_label="网格热线专项经费", column="",
                value=Decimal(57), raw="57", unit="万元", locator="", quote="", parents="2021年年初项目支出预算数为")
    assert fact_measure(fact, "") == "budget"
    assert fact_measure(replace(fact, row_label="网格热线专项经费实际支出"), "") == "actual"  # its own word first
    assert fact_measure(replace(fact, row_label="2023年当年预算执行数为"), "预算") == "actual"  # what was spent of a budget


def test_a_zero_part_after_its_whole_is_a_part_not_the_whole() -> None:
    from qa.lookup import _part_of, _total_of

    quote = "2020年度政府采购支出总额157.45万元，其中：政府采购货物支出157.45万元、政府采购工程支出0万元。"
    part = Fact(report="r", source="text", table="", row_label="政府采购工程支出", column="", value=Decimal(0),
                raw="0", unit="万元", locator="", quote=quote)
    whole = replace(part, row_label="2020年度政府采购支出总额", value=Decimal("157.45"), raw="157.45")
    assert _total_of(part) is None and _part_of(part, set()) is not None  # the 0 in 2020 is no figure
    assert _total_of(whole) is not None


def test_the_questions_last_word_picks_among_the_figures_of_one_sentence() -> None:
    quote = "2024年共收到回访不满意工单12516件，截至目前，已调查10091件。"
    received = Fact(report="r.pdf", source="text", table="工作情况", row_label="2024年共收到回访不满意工单", column="",
                    value=Decimal(12516), raw="12516", unit="件", locator="line 9", quote=quote, position=1)
    checked = replace(received, row_label="已调查", value=Decimal(10091), raw="10091", position=2,
                      parents="2024年共收到回访不满意工单")
    assert _ranked("上海市财政局24年回访不满意工单已经调查了多少件？", [received, checked])[0] == "10091"
    assert _ranked("上海市财政局24年一共收到多少回访不满意工单？", [received, checked])[0] == "12516"


def test_a_negated_question_is_never_answered_by_the_figure_it_negates() -> None:
    quote = "全区累计906项网格重点服务事项已完成846项。"
    done = Fact(report="r.pdf", source="text", table="工作情况", row_label="已完成", column="", value=Decimal(846),
                raw="846", unit="项", locator="line 3", quote=quote, parents="全区累计 网格重点服务事项", position=2)
    assert _ranked("上海市财政局24年重点服务事项还有几项没完成？", [done]) == []
    assert _ranked("上海市财政局24年重点服务事项完成了几项？", [done]) == ["846"]
    # 不含 says what a figure leaves out: no negation of the item
    assert _ranked("上海市财政局24年重点服务事项（不含新增）完成了几项？", [done]) == ["846"]


def test_other_x_is_not_x() -> None:
    facts = [_row("办公设备购置费 办公设备购置", "59.00", 1, table="政府采购支出预算表", column="总计"),
             _row("其他办公设备 分散自行组织", "12.00", 2, table="政府采购支出预算表", column="总计")]
    assert _ranked("上海市财政局24年政府采购预算其他办公设备购置多少？", facts)[0] == "12.00"


def test_a_row_that_adds_a_character_is_another_item() -> None:
    # 电费 asked; the table prints 邮电费 (postage and telecoms) only: no electricity figure
    postage = [_row("302 07 邮电费", "5.00", 1)]
    scores = _ranked("上海市财政局24年电费预算多少？", postage, scores=True)
    assert not scores or scores[0] < 0.5
    assert _ranked("上海市财政局24年邮电费预算多少？", postage) == ["5.00"]


def test_a_code_alone_names_its_row() -> None:
    # "2101101安排了多少": the code is the whole name the question gives (no 20xx year read in it)
    coded = [replace(_row("行政单位医疗", "78.22", 1), code="2101101"), replace(_row("事业单位医疗", "3.10", 2), code="2101102")]
    assert _ranked("上海市财政局2024年预算2101101安排了多少？", coded)[0] == "78.22"
    assert _ranked("上海市财政局2024年预算里2010507安排了多少？", coded) == []


def test_a_negation_is_matched_by_the_same_word_negated() -> None:
    failed = Fact(report="r.pdf", source="text", table="绩效", row_label="绩效评级为“不合格”的项目", column="",
                  value=Decimal(0), raw="0", unit="个", locator="p. 20", quote="绩效评级为“不合格”的项目0个。")
    assert _ranked("上海市财政局24年未完成的项目有几个？", [failed]) == []  # 不合格 is no 未完成
    assert _ranked("上海市财政局24年不合格的项目有几个？", [failed]) == ["0"]


def test_a_numbered_row_is_its_name() -> None:
    assert _ranked("上海市财政局24年差旅费预算多少？", [_row("一、差旅费", "12.00", 1)]) == ["12.00"]


def test_a_three_digit_number_alone_names_no_row() -> None:
    # "208人" reads as a 3-digit 科目 code; it must not let a row in that shares no word
    row = replace(_row("社会保障和就业支出", "754.75", 1), code="208")
    assert _ranked("上海市财政局2024年共有208人，是多少？", [row]) == []


def test_a_metric_of_generic_words_joined_by_de_is_named_by_them_all() -> None:
    from qa.lookup import specific_text_grams

    # "收入总计的预算数": only generic words, so they are the name; the 的 between them is not
    named = specific_text_grams("收入总计的预算数")
    assert {"收入", "总计", "预算"} <= named and "的" not in named
    assert {"政府", "府采", "采购"} <= specific_text_grams("政府采购的预算")


# coded rows of a store, with their codes (公务员医疗补助缴费 is an 经济分类 item, not a child)
MEDICAL = {"行政事业单位医疗": frozenset({"21011"}), "行政单位医疗": frozenset({"2101101"}),
           "事业单位医疗": frozenset({"2101102"}), "公务员医疗补助": frozenset({"2101103"}),
           "公务员医疗补助缴费": frozenset({"30111"})}


def _coded(label: str, code: str, raw: str, position: int) -> Fact:
    return replace(_row(label, raw, position, table="一般公共预算支出功能分类预算表", column="合计"), code=code)


def test_an_item_named_only_inside_a_longer_coded_name_is_not_found() -> None:
    """事业单位医疗 (2101102) is an item of its own; a report printing only 行政事业单位医疗 (its
    款, 21011) and 行政单位医疗 (its sibling) has no figure for it."""
    facts = [_coded("行政事业单位医疗", "21011", "78.22", 1), _coded("行政单位医疗", "2101101", "78.22", 2)]
    with_names = _ranked("2024年事业单位医疗预算", facts, scores=True, coded=MEDICAL)
    without = _ranked("2024年事业单位医疗预算", facts, scores=True)
    assert max(with_names) < 0.5 <= max(without)
    # the 款 itself, asked by its name, is found as before
    assert _ranked("2024年行政事业单位医疗预算", facts, coded=MEDICAL)[0] == "78.22"


def test_a_coded_item_is_found_beside_its_parent_and_sibling() -> None:
    facts = [_coded("行政事业单位医疗", "21011", "84.42", 1), _coded("行政单位医疗", "2101101", "78.22", 2),
             _coded("事业单位医疗", "2101102", "6.20", 3)]
    assert _ranked("2024年事业单位医疗预算", facts, coded=MEDICAL)[0] == "6.20"


def test_another_coded_item_sharing_a_word_is_no_answer() -> None:
    """维修（护）费 (30213) asked of a table printing only 公务用车运行维护费 (30231): the rows share
    维护费's pair 护费 and nothing else; another item, not found. The item's own row is found."""
    names = {"维修护费": frozenset({"30213"}), "公务用车运行维护费": frozenset({"30231"})}
    other = [replace(_row("公务用车运行维护费", "215600", 1), code="30231")]
    assert max(_ranked("2024年维修（护）费预算", other, scores=True, coded=names)) < 0.5
    assert max(_ranked("2024年维修（护）费预算", other, scores=True)) >= 0.5  # (without the store's names)
    own = [*other, replace(_row("维修（护）费", "8000", 2), code="30213")]
    assert _ranked("2024年维修（护）费预算", own, coded=names)[0] == "8000"
    # the item's own code printed under another spelling is the item
    spelt = [replace(_row("维修费", "8000", 2), code="30213")]
    assert max(_ranked("2024年维修（护）费预算", spelt, scores=True, coded={**names, "维修费": frozenset({"30213"})})) >= 0.5


def test_a_longer_name_whose_words_the_question_says_elsewhere_is_named() -> None:
    # an English question's rendering puts the words in another order: 福利费 … 离退休人员事业单位
    facts = [replace(_row("事业单位离退休人员福利费", "11.66", 1), code="30211")]
    names = {"福利费": frozenset({"30229"}), "事业单位离退休人员福利费": frozenset({"3022901"})}
    assert (_ranked("2024年预算 福利费 离退休人员事业单位", facts, scores=True, coded=names)
            == _ranked("2024年预算 福利费 离退休人员事业单位", facts, scores=True))


def test_a_header_repeating_the_table_title_asks_no_column() -> None:
    """"住房公积金 in the basic expenditure table": 一般公共预算基本支出 heads every column of
    the 基本支出 table; the row's 合计 is meant, not its 公用经费 cell printing 0."""
    table = "2024年部门一般公共预算基本支出部门预算经济分类预算表"
    facts = [_row("30113 住房公积金", "3503499", 1, table=table, column="一般公共预算基本支出 / 合计"),
             _row("30113 住房公积金", "0", 2, table=table, column="一般公共预算基本支出 / 公用经费")]
    ranked = _ranked("2024年一般公共预算基本支出住房公积金", facts, scores=True)
    assert ranked[0] > ranked[1] + 0.06


def test_an_item_of_another_classification_holding_the_name_is_no_parent() -> None:
    # 公务员医疗补助 (2101103) asked; the report prints 30111 公务员医疗补助缴费 (经济分类): the same money
    facts = [_coded("公务员医疗补助缴费", "30111", "3.10", 1)]
    assert (_ranked("2024年公务员医疗补助预算", facts, scores=True, coded=MEDICAL)
            == _ranked("2024年公务员医疗补助预算", facts, scores=True))


def test_a_sentence_naming_the_item_only_inside_its_parent_is_another_item() -> None:
    sentence = Fact(report="r.pdf", source="text", table="（三）", row_label="支出决算为", column="",
                    value=Decimal("60.99"), raw="60.99", unit="万元", locator="p. 9",
                    quote="卫生健康支出（类）行政事业单位医疗（款）行政单位医疗（项）支出决算为60.99万元",
                    parents="卫生健康支出（类）行政事业单位医疗（款）行政单位医疗（项）", position=1)
    with_names = _ranked("2024年事业单位医疗预算", [sentence], scores=True, coded=MEDICAL)
    without = _ranked("2024年事业单位医疗预算", [sentence], scores=True)
    assert with_names[0] <= without[0] - 0.5 + 1e-9
    # said inside a longer core ("财政拨款事业单位医疗") the item is still found
    facts = [_coded("行政事业单位医疗", "21011", "78.22", 1)]
    assert max(_ranked("2024年财政拨款事业单位医疗预算", facts, scores=True, coded=MEDICAL)) < 0.5


def test_a_column_path_stringing_numbered_headings_together_names_no_column() -> None:
    from qa.lookup import readable_column

    misread = "业支出 / 九、医疗卫生与计划生育支出 / 十、节能环保支出 / 十一、城乡社区支出"
    assert readable_column(misread) == ""
    assert readable_column("一、一般公共服务支出 / 合计") == "一、一般公共服务支出 / 合计"
    # the row 当年支出小计 under that header is no figure of 医疗卫生与计划生育支出
    facts = [_row("当年支出小计", "13649.07", 1, table="支出预算表", column=misread)]
    assert _ranked("2024年医疗卫生与计划生育支出预算", facts) == []


def test_a_part_printing_the_wholes_figure_is_read_where_it_stands() -> None:
    from qa.lookup import _part_of, _total_of

    quote = "本部门2024年度政府采购金额为21.07万元，其中：货物采购金额21.07万元、工程采购金额0万元。"
    whole = Fact(report="r.pdf", source="text", table="s", row_label="本部门2024年度政府采购金额为", column="",
                 value=Decimal("21.07"), raw="21.07", unit="万元", locator="p. 1", quote=quote, position=1)
    part = replace(whole, row_label="货物采购金额", position=2)
    assert _total_of(whole) is not None and _part_of(whole, set()) is None
    assert _total_of(part) is None and _part_of(part, set()) is not None


def test_a_sentence_stands_under_the_code_its_level_names_say() -> None:
    """A narrative printing "一般公共服务支出（类）财政事务（款）行政运行（项）。年初预算为 …" and no code is
    2010601's by the names the tables give 2010601 and 20106; a path whose 款 holds the name
    inside a longer one (行政事业单位医疗) is not 2101102 事业单位医疗's."""
    from qa.lookup import _code_paths, _code_said

    names = {"行政运行": frozenset({"2010601", "2010101"}), "财政事务": frozenset({"20106"}),
             "人大事务": frozenset({"20101"}), "事业单位医疗": frozenset({"2101102"}),
             "行政事业单位医疗": frozenset({"21011"}), "行政单位医疗": frozenset({"2101101"})}
    paths = _code_paths({"2010601", "2101102", "2120201"}, names)
    assert set(paths) == {"2010601", "2101102"}  # 2120201: no name in the tables, nothing to tell it by

    def sentence(parents: str) -> Fact:
        return Fact(report="r.pdf", source="text", table="（三）", row_label="年初预算为", column="",
                    value=Decimal("1560.05"), raw="1560.05", unit="万元", locator="p. 22",
                    quote="年初预算为 1560.05 万元", parents=parents, position=1)

    assert _code_said(sentence("一般公共服务支出（类）财政事务（款）行政运行（项）"), paths) == "2010601"
    assert _code_said(sentence("一般公共服务支出（类）人大事务（款）行政运行（项）"), paths) == ""
    assert _code_said(sentence("卫生健康支出（类）行政事业单位医疗（款）行政单位医疗（项）"), paths) == ""
    # numbered levels ("1.财政事务（款）") are named by their names
    assert _code_said(sentence("一般公共服务支出（类）1.财政事务（款）行政运行（项）"), paths) == "2010601"
    # a sentence naming something else is not under the path of the clause before it
    reason = Fact(report="r.pdf", source="text", table="（三）", row_label="主要原因是上年度列入此项的预留机动经费",
                  column="", value=Decimal("128.43"), raw="128.43", unit="万元", locator="p. 22", quote="",
                  parents="一般公共服务支出（类）财政事务（款）行政运行（项）", position=2)
    assert _code_said(reason, paths) == ""


def test_a_column_headed_by_a_part_of_what_is_asked_is_the_part() -> None:
    # 财务收支预算总表: 支出总计 under 基本支出 / 人员经费 and 基本支出 / 公用经费; 支出预算总表: 合计 under 基本支出
    facts = [_row("支出总计", "10246.43", 1, table="财务收支预算总表", column="本年支出 / 预算数 / 基本支出 / 人员经费"),
             _row("支出总计", "2517.78", 2, table="财务收支预算总表", column="本年支出 / 预算数 / 基本支出 / 公用经费"),
             _row("合计", "12764.20", 3, table="支出预算总表", column="支出预算 / 基本支出")]
    assert _ranked("市财政局2024年基本支出", facts)[0] == "12764.20"
    # the part asked by name is still the part
    assert _ranked("市财政局2024年基本支出里的人员经费", facts)[0] == "10246.43"


def test_a_row_sharing_a_word_of_the_column_asked_is_not_the_row_asked() -> None:
    from qa.answerer import AMBIGUITY_MARGIN

    # 基本支出经济分类表: its header repeats the table's title; 基本工资 shares only 基本 with 基本支出
    table = "一般公共预算基本支出部门预算经济分类预算表"
    facts = [_row("基本工资", "1315.00", 1, table=table, column="一般公共预算基本支出 / 合计"),
             _row("机关事业单位基本养老保险缴费", "800.00", 2, table=table, column="一般公共预算基本支出 / 合计"),
             _row("合计", "12764.20", 3, table="支出预算总表", column="支出预算 / 基本支出")]
    total, wage, pension = _ranked("市财政局2024年基本支出", facts, scores=True)
    assert _ranked("市财政局2024年基本支出", facts)[0] == "12764.20"
    assert total - max(wage, pension) > AMBIGUITY_MARGIN  # not a tie: the rows do not rival it
    assert _ranked("市财政局2024年基本工资", facts)[0] == "1315.00"  # the row named by its whole name
