"""End to end on the real corpus store: answers, ambiguity, refusals, computations.

Each expected value was read off the report by hand (file and line in the comment).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from index.models import Fact

pytestmark = pytest.mark.slow


def _ask(answerer, question: str) -> dict:  # noqa: ANN001
    result = answerer.ask(question)
    assert result["question"] == question
    assert result["elapsed_ms"] >= 0
    return result


def test_mixed_question_with_citation(answerer) -> None:  # noqa: ANN001
    # 004 line 141: 全区全年共签收12345热线工单84395件
    r = _ask(answerer, "how many 12345 工单 did Yuelu handle in 2021?")
    assert (r["status"], r["value"]) == ("answered", "84395")
    assert r["citations"][0]["report"] == "004_abd4107061c8b5b5.txt"
    assert "84395" in r["citations"][0]["quote"]
    assert r["answer"].startswith("长沙市岳麓区网格化综合服务中心2021年")  # Chinese for a mixed question


def test_english_question_answers_in_english(answerer) -> None:  # noqa: ANN001
    # 000 表6: 30107 绩效工资 93.44
    r = _ask(answerer, "What is the performance pay of Qiaokou grid center in 2020?")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "93.44", "万元")
    # an English sentence; the names, label and unit as the report prints them
    assert r["answer"] == "In the 2020 final accounts of 武汉市硚口区社会管理网格化服务中心, 绩效工资（人员经费 / 决算数） is 93.44 万元."
    assert r["citations"][0]["row"] == "30107 绩效工资"


def test_table_cell_in_yuan_is_shown_as_printed(answerer) -> None:  # noqa: ANN001
    # 001 表10: 劳务派遣人员工作经费 190.21 (万元); its application table prints 1902100.00 元
    r = _ask(answerer, "2024年硚口区网格化中心劳务派遣人员工作经费项目预算是多少万元？")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "190.21", "万元")
    assert "1902100.00 元" in r["answer"]



def test_a_figure_of_a_yuan_table_is_also_given_in_wan_yuan(answerer) -> None:  # noqa: ANN001
    # 上海市普陀区社会福利院2024年单位预算 p. 14 (a table in 元): 302 09 物业管理费 1,206,000
    r = _ask(answerer, "福利院24年物业管理费预算多少")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "1206000", "元")
    assert r["answer"].endswith("为 1206000 元。（合 120.6 万元）")
    r = _ask(answerer, "What is the 2024 property management fee budget of the Putuo welfare home?")
    assert (r["status"], r["value"]) == ("answered", "1206000")
    assert r["answer"].endswith(" is 1206000 元 (= 120.6 万元).")


def test_an_english_sentence_says_the_other_printing_in_english(answerer) -> None:  # noqa: ANN001
    # 004 prints the 2021 12345 hotline count as 84395 个 (line 110) and 84395 件 (line 141)
    r = _ask(answerer, "What was Yuelu's 12345 hotline work order count in 2021?")
    assert (r["status"], r["value"]) == ("answered", "84395")
    assert r["answer"].startswith("In the 2021 performance self-evaluation of 长沙市岳麓区网格化综合服务中心, ")
    assert r["answer"].endswith(" is 84395 个 (also printed as 84395 件).")


def test_two_measures_of_one_name_are_ambiguous(answerer) -> None:  # noqa: ANN001
    # CORPUS.md: 住房公积金 is 20.04 by 功能分类 (2210201) and 21.23 by 经济分类 (30113)
    r = _ask(answerer, "硚口区2020年住房公积金是多少？")
    assert r["status"] == "ambiguous" and r["value"] is None
    assert {c["value"] for c in r["candidates"]} == {"20.04", "21.23"}


def test_printed_inconsistency_is_surfaced(answerer) -> None:  # noqa: ANN001
    # 003 表6 prints 人员经费合计 397.1, its text 397.18
    r = _ask(answerer, "武昌区城运中心2024年人员经费是多少？")
    assert r["status"] == "ambiguous"
    assert {c["value"] for c in r["candidates"]} == {"397.1", "397.18"}


@pytest.mark.parametrize(
    "question",
    [
        "芦淞区网格化管理服务中心2020年12345热线工单数量是多少？",  # Lusong prints no 12345 figure
        "青山区网格化服务中心2024年收支总计是多少？",  # no such report
        "硚口区2022年基本支出是多少？",  # no 2022 report for Qiaokou
        "硚口区2024年部门决算基本支出是多少？",  # 2024 is a 预算: a 决算 question is not answered from it
        "岳麓区网格化综合服务中心2021年公务用车保有量是多少辆？",  # no vehicle count for Yuelu
        # 004: 906 items, 846 done; the rest is printed nowhere, and 846 is its opposite
        "岳麓2021年重点服务事项还有多少项没完成？",
        "How many of Yuelu's 2021 key grid service items were not completed?",
        "How much did Qingshan grid centre spend in 2024?",  # no report of Qingshan
    ],
)
def test_refusals_give_no_figure(answerer, question: str) -> None:  # noqa: ANN001
    r = _ask(answerer, question)
    assert r["status"] == "not_found"
    assert r["value"] is None and r["citations"] == []


def test_sum_shows_operands_and_sources(answerer) -> None:  # noqa: ANN001
    # 000 表6: 人员经费合计 222.59 + 公用经费合计 15.56 = 238.15
    r = _ask(answerer, "硚口区网格化中心2020年人员经费与公用经费之和是多少万元？")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "238.15", "万元")
    assert r["computation"]["expression"] == "222.59 万元 + 15.56 万元 = 238.15 万元"
    assert len(r["citations"]) == 2


def test_difference_shares_the_subject(answerer) -> None:  # noqa: ANN001
    # 004: (2)项目支出 全年预算数 180, 全年执行数 149.19 -> 30.81
    r = _ask(answerer, "岳麓区2021年项目支出预算数与执行数相差多少？")
    assert (r["status"], r["value"]) == ("answered", "30.81")


@pytest.mark.parametrize(
    "question",
    ["硚口区网格化中心2020年人员经费占基本支出的比重是多少？",
     "What share of the Qiaokou grid center's 2020 basic expenditure went to personnel?"],
)
def test_share_is_computed_from_its_part_and_whole(answerer, question: str) -> None:  # noqa: ANN001
    # 000 表6: 人员经费合计 222.59 of 基本支出 238.15 -> 93.466…%, shown to two decimals
    r = _ask(answerer, question)
    assert (r["status"], r["value"], r["unit"]) == ("answered", "93.47", "%")
    assert r["computation"]["expression"] == "222.59 万元 ÷ 238.15 万元 × 100% = 93.47%"
    assert len(r["citations"]) == 2


def test_a_part_larger_than_its_whole_is_no_share(answerer) -> None:  # noqa: ANN001
    r = _ask(answerer, "硚口区网格化中心2020年基本支出占人员经费的比例")
    assert (r["status"], r["value"]) == ("not_found", None)


@pytest.mark.parametrize(
    "question",
    ["硚口区网格化中心2020年基本支出扣除人员经费后还剩多少？",
     "Qiaokou grid center 2020 basic expenditure excluding personnel costs?"],
)
def test_a_whole_less_one_part(answerer, question: str) -> None:  # noqa: ANN001
    # 000: 基本支出 238.15 − 人员经费 222.59 = 15.56 (the 公用经费 the report prints beside them)
    r = _ask(answerer, question)
    assert (r["status"], r["value"]) == ("answered", "15.56")
    assert r["computation"]["expression"] == "238.15 万元 − 222.59 万元 = 15.56 万元"


def test_excluding_more_than_the_whole_is_refused(answerer) -> None:  # noqa: ANN001
    r = _ask(answerer, "硚口区网格化中心2020年人员经费除去基本支出还剩多少")
    assert (r["status"], r["value"]) == ("not_found", None)


@pytest.mark.parametrize(
    ("question", "value"),
    [
        # 004 self-evaluation: 资金来源 合计 全年预算数 423.38, 全年执行数 416.69
        ("岳麓网格中心21年预算没花完的钱有多少万？", "6.69"),
        ("How far under budget was Yuelu's grid centre in 2021?", "6.69"),
        # 004: （1）基本支出 243.38 budgeted, 267.51 spent
        ("岳麓网格中心21年基本支出比预算多花了多少？", "24.13"),
        # 000 决算: 一般公共预算财政拨款支出 年初预算 477.06, 支出决算 525.73
        ("硚口网格中心20年比年初预算多花了多少？", "48.67"),
    ],
)
def test_budget_against_actual_in_the_reports_own_words(answerer, question: str, value: str) -> None:  # noqa: ANN001
    r = _ask(answerer, question)
    assert (r["status"], r["value"]) == ("answered", value)
    assert len(r["computation"]["operands"]) == 2


def test_a_budget_report_has_no_actual_to_set_against(answerer) -> None:  # noqa: ANN001
    r = _ask(answerer, "硚口网格中心24年比年初预算多花了多少？")  # 001 is a 预算
    assert (r["status"], r["value"]) == ("not_found", None)


def test_a_score_is_what_was_given_not_what_could_be(answerer) -> None:  # noqa: ANN001
    # 004 自评表 总分: 分值 100 (the most it could score), 得分 99 (what it scored)
    assert _ask(answerer, "岳麓网格中心2021年自评总分多少")["value"] == "99"
    assert _ask(answerer, "岳麓网格中心2021年自评表总分的分值是多少")["value"] == "100"
    # a self-evaluation's points answer no count: 工单量 is 84395 件, never a score of 10
    r = _ask(answerer, "21年岳麓12345热线的工单量有多少？")
    assert r["value"] != "10" and r["unit"] != "分"


def test_a_figure_labelled_with_the_reports_own_year_is_not_the_year_before(answerer) -> None:  # noqa: ANN001
    # 002 (2020 决算): "2020年度财政拨款收、支总计313.08万元，与上年相比，增加124.49万元" — 2019's
    # total is the level less its printed change, never the 2020 figure its paragraph also dates
    r = _ask(answerer, "Lusong grid centre's total income and expenditure in 2019?")
    assert (r["status"], r["value"]) == ("answered", "188.59")
    assert len(r["citations"]) >= 1 and "313.08" in r["answer"] and "124.49" in r["answer"]


def test_compare_two_organisations(answerer) -> None:  # noqa: ANN001
    # 000: 收、支总计 525.73; 002: 313. 08
    r = _ask(answerer, "Which was larger in 2020, the total expenditure of the Qiaokou grid center or of the Lusong grid center?")
    assert (r["status"], r["value"]) == ("answered", "525.73")
    assert {row["value"] for row in r["comparison"]} == {"525.73", "313.08"}


def test_pdf_code_lookup(answerer) -> None:  # noqa: ANN001
    # PDF p.12: 2210201 住房公积金 17.70
    r = _ask(answerer, "社会工作部2024年一般公共预算财政拨款支出决算表里，“住房公积金”（2210201）决算数是多少？")
    assert (r["status"], r["value"]) == ("answered", "17.70")
    assert r["citations"][0]["report"].endswith(".pdf") and "p. 12" in r["citations"][0]["locator"]


def test_empty_question_is_an_error_not_an_absent_figure(answerer) -> None:  # noqa: ANN001
    r = answerer.ask("   ")
    assert (r["status"], r["value"]) == ("error", None) and "empty question" in r["error"]


def test_a_question_naming_no_organisation_is_ambiguous_not_absent(answerer) -> None:  # noqa: ANN001
    # the 2020 seeds of the Lusong and Qiaokou grid centres both print a 基本支出: the open
    # question is which organisation, so the answer lists them and shows no figure of either
    r = answerer.ask("2020年基本支出是多少？")
    assert (r["status"], r["value"], r["candidates"]) == ("ambiguous", None, [])
    assert r["organisations"] == ["株洲市芦淞区网格化管理服务中心", "武汉市硚口区社会管理网格化服务中心"]
    assert r["answer"].startswith("请指明单位")


def test_not_found_says_when_the_year_asked_has_no_report(answerer) -> None:  # noqa: ANN001
    # the store holds the Qiaokou centre's 2020 and 2024 reports, none of 2019
    r = answerer.ask("硚口网格中心2019年基本支出是多少？")
    assert r["status"] == "not_found" and r["answer"].startswith("未找到：库中没有该单位2019年的报告")
    r = answerer.ask("What was the Qiaokou grid centre's 2019 basic expenditure?")
    assert r["status"] == "not_found" and "has no 2019 report" in r["answer"]
    # a year the store has is no such case
    r = answerer.ask("硚口网格中心2020年有没有政府性基金预算收入？")
    assert "库中没有该单位" not in r["answer"]


def test_a_question_past_its_time_budget_is_an_error(answerer, monkeypatch) -> None:  # noqa: ANN001
    question = "岳麓区2021年共签收12345热线工单多少件？"
    monkeypatch.setenv("DQA_TIME_BUDGET", "0")
    r = answerer.ask(question)
    assert (r["status"], r["value"]) == ("error", None) and "time budget" in r["error"]
    monkeypatch.setenv("DQA_TIME_BUDGET", "10")
    assert (answerer.ask(question)["status"], answerer.ask(question)["value"]) == ("answered", "84395")
    monkeypatch.setenv("DQA_TIME_BUDGET", "ten")  # no number: the default, not an error per question
    assert answerer.ask(question)["value"] == "84395"


@pytest.mark.parametrize("question", [
    "江苏省人大常委会办公厅2019年因公出国（境）费、公务用车购置及运行费和公务接待费加起来是多少？",
    "Adding up overseas travel, official vehicles and official reception, what is the Jiangsu People's Congress "
    "Standing Committee general office's 2019 'three public' budget?",
])
def test_a_list_of_three_items_is_added_whole(answerer, question: str) -> None:  # noqa: ANN001
    # the 2019 公开表九 prints 因公出国（境）费 199.25, 公务用车 183.60, 公务接待费 384.75 (小计
    # 767.60); before, two of the three were added (584.00 or 568.35)
    r = answerer.ask(question)
    assert (r["status"], r["value"], r["unit"]) == ("answered", "767.60", "万元")
    assert len(r["citations"]) == 3 and "199.25" in r["computation"]["expression"] and "384.75" in r["computation"]["expression"]


def test_a_figure_narrowed_by_words_not_asked_is_not_the_one_asked(answerer) -> None:  # noqa: ANN001
    # Wanli 2024 p. 32 prints 本部门政府采购预算1662.44万元 and 本部门面向中小企业预留政府采购项目
    # 预算金额664.98万元: the second narrows the first with words the question does not say
    r = answerer.ask("What was Wanli Subdistrict's total government procurement budget for 2024?")
    assert (r["status"], r["value"]) == ("answered", "1662.44")
    # asked with those words, the narrower figure is the one
    r = answerer.ask("2024年万里街道面向中小企业预留政府采购项目预算金额是多少？")
    assert (r["status"], r["value"]) == ("answered", "664.98")


def test_a_cell_outside_a_totals_column_group_is_not_taken_from_it(answerer) -> None:  # noqa: ANN001
    # 2019 公开表九: “三公”经费 / 小计 767.60 does not hold 培训费 363.38 (a column of its own)
    r = answerer.ask("江苏省人大常委会办公厅2019年“三公”经费小计，不含培训费是多少？")
    assert (r["status"], r["value"]) == ("answered", "767.60") and "无需扣除" in r["answer"]
    assert {c["raw"] for c in r["citations"]} >= {"767.60", "363.38"}


def test_a_budget_asked_of_final_accounts_printing_only_the_actual_is_not_found(answerer) -> None:  # noqa: ANN001
    # the 社会工作部 2024 决算 prints 公务接待费 only as a 决算数 (0.00, in its 基本支出 table)
    assert answerer.ask("社会工作部2024年公务接待费预算是多少？")["status"] == "not_found"
    r = answerer.ask("社会工作部2024年公务接待费决算是多少？")
    assert (r["status"], r["value"]) == ("answered", "0.00")


def test_a_budget_set_against_last_years_execution_pairs_the_sentence_printing_both(answerer) -> None:  # noqa: ANN001
    # 福利院 2024 p. 6: "…社会福利事业单位（项）”2023年当年预算执行数为711.34万元，2024年预算安排
    # 738.66万元"; the tables print the item's 2024 budget of all funds apart (958.48 万元 in 元)
    r = answerer.ask("福利院社会福利事业单位支出，24年预算和23年执行数哪个高？")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "738.66", "万元")
    assert {row["value"] for row in r["comparison"]} == {"738.66", "711.34"}
    # the execution figure alone: an actual, though its words hold 预算
    r = answerer.ask("福利院社会福利事业单位支出2023年执行数是多少？")
    assert (r["status"], r["value"]) == ("answered", "711.34")


def test_a_list_sum_never_adds_a_whole_to_its_parts(answerer) -> None:  # noqa: ANN001
    # the comma after a setting lists nothing: two items, not the 三公 小计 with them (1351.60)
    r = answerer.ask("In the 'three public' budget, overseas travel and official reception added up for the "
                     "Jiangsu People's Congress Standing Committee General Office 2019?")
    assert (r["status"], r["value"]) == ("answered", "584.00")
    # 基本支出 = 人员经费 + 公用经费: adding all three counts them twice
    assert answerer.ask("硚口区网格化中心2020年基本支出、人员经费和公用经费加起来是多少？")["status"] == "not_found"
    # a change asked of a listed total is no sum
    r = answerer.ask("江苏省人大常委会办公厅2019年因公出国（境）费、公务用车购置及运行费和公务接待费合计比上年增加多少？")
    assert r["value"] not in ("767.60", "568.35")


def test_a_pairing_in_one_sentence_needs_the_sentence_about_the_item(answerer) -> None:  # noqa: ANN001
    # the sentence printing "2023年当年预算执行数为70.70万元" is about 机关事业单位基本养老保险缴费
    # 支出, not 基本支出: neither it nor a table cell beside it answers
    r = answerer.ask("福利院基本支出，24年预算和23年执行数哪个高？")
    assert r["value"] not in ("767579", "76.76", "70.70")
    assert answerer.ask("福利院基本支出2023年执行数是多少？")["status"] == "not_found"


def test_who_spent_more_compares_what_each_spent_in_all(answerer) -> None:  # noqa: ANN001
    # 2020 决算: 硚口 本年支出合计 525.73 万元, 芦淞 313.08 万元 (before: the metric was "和")
    r = answerer.ask("硚口和芦淞20年谁花得多？")
    assert (r["status"], r["value"]) == ("answered", "525.73")
    assert {row["value"] for row in r["comparison"]} == {"525.73", "313.08"}


def test_two_items_added_are_read_from_one_tables_column(answerer) -> None:  # noqa: ANN001
    # 硚口 2024 表6 基本支出表: 印刷费 5.27, 培训费 1.23 (培训费 alone is ambiguous: a project
    # table prints another 培训费 of 32267 元); the second is read where the first is printed
    r = answerer.ask("硚口网格中心24年印刷费和培训费加起来多少")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "6.50", "万元")
    assert answerer.ask("硚口网格中心2024年培训费是多少")["status"] == "ambiguous"


@pytest.mark.parametrize(("question", "value"), [
    # a change asked with a word the year-before rule does not list is still the change
    ("What was the decline in the Qiaokou grid centre's 2024 机关运行经费 from last year?", "2.32"),
    ("How much did the Qiaokou grid centre's 2024 机关运行经费 shrink from last year?", "2.32"),
    # the other operand's column is no help to an operand it does not name (项目培训费)
    ("硚口网格中心24年印刷费和项目培训费加起来多少", None),
    # "give the larger figure" picks the larger, whatever the variance words
    ("Was Qiaokou's 2020 spending within its budget? Give the larger figure.", "525.73"),
    # last year's spending is never a budget worked back from a printed change
    ("How much did Wanli spend on 三公经费 last year, per its 2025 budget?", None),
])
def test_the_second_review_findings_stay_fixed(answerer, question: str, value: str | None) -> None:  # noqa: ANN001
    assert answerer.ask(question)["value"] == value


def test_organisations_compared_without_a_year_are_compared_in_one_year(answerer) -> None:  # noqa: ANN001
    # 硚口 has 2020 and 2024 reports, 岳麓 only 2021: no year to compare them in
    r = answerer.ask("硚口和岳麓谁花得多？")
    assert r["status"] == "not_found" and "同一年" in r["answer"]
    # 硚口 and 芦淞 both have 2020: that year's figures
    r = answerer.ask("硚口和芦淞谁花得多？")
    assert (r["status"], r["value"]) == ("answered", "525.73")
    assert {row["year"] for row in r["comparison"]} == {2020}


def test_retrieval_finds_the_passage(answerer) -> None:  # noqa: ANN001
    hits = answerer.retrieve("岳麓区 12345热线工单 满意度", 5)
    assert any("84395" in h["text"] and h["report"] == "004_abd4107061c8b5b5.txt" for h in hits)


def test_a_figure_the_report_says_it_does_not_have(answerer) -> None:  # noqa: ANN001
    # 社会工作部 PDF p. 15 "说明：…本年度没有政府性基金预算财政拨款收入和支出，故本表无数据。" and
    # p. 20 "…2024 年度无政府性基金预算财政拨款收入和支出。"
    r = _ask(answerer, "社会工作部2024年政府性基金预算财政拨款支出是多少？")
    assert (r["status"], r["value"]) == ("answered", "0")
    quote = r["none_stated"]["quote"]
    assert "政府性基金预算财政拨款收入和支出" in quote and ("没有" in quote or "无" in quote)
    assert "报告称无" in r["answer"]
    # the template's instruction ("无…的，仍保留该表格式") is no statement of the report's own
    assert all("仍保留该表格式" not in c["quote"] for c in r["citations"])


def test_parts_of_a_row_do_not_rival_its_total(answerer) -> None:  # noqa: ANN001
    # 社会工作部 PDF 支出决算表: 行政运行 row, 本年支出合计 51.32 = 基本支出 51.32 + 项目支出 0.00
    r = _ask(answerer, "社会工作部2024年行政运行支出决算是多少万元？")
    assert (r["status"], r["value"]) == ("answered", "51.32")


def test_two_items_of_one_report_compared(answerer) -> None:  # noqa: ANN001
    # 000 表6 (2020 决算, 公用经费/决算数): 30201 办公费 1.25, 30202 印刷费 1.58
    r = _ask(answerer, "硚口区网格化中心2020年办公费和印刷费哪个多？")
    assert (r["status"], r["value"]) == ("answered", "1.58")
    assert {c["row"] for c in r["citations"]} == {"30201 办公费", "30202 印刷费"}
    r = _ask(answerer, "硚口区网格化中心2020年办公费和印刷费哪个少？")
    assert r["value"] == "1.25"


def test_a_change_is_answered_with_a_printed_change_or_not_at_all(answerer) -> None:  # noqa: ANN001
    # 001: "2024年部门收支总预算 659.00万元。比 2023年预算增加 178.10 万元"
    r = _ask(answerer, "By how much did the Qiaokou grid centre's total 2024 budget increase compared with its 2023 budget?")
    assert (r["status"], r["value"]) == ("answered", "178.10")
    # a change nobody printed: never a level in its place
    r = _ask(answerer, "硚口区网格化中心2024年印刷费比上年增加了多少？")
    assert r["status"] != "answered" or "增" in r["citations"][0]["quote"]


def test_an_item_the_vocabulary_cannot_place_is_not_answered_by_its_category(answerer) -> None:  # noqa: ANN001
    # 000 prints 基本支出 238.15; "on zorbing trampolines" names a part of it that no word places
    placed = _ask(answerer, "Qiaokou grid center 2020 basic expenditure?")
    assert (placed["status"], placed["value"]) == ("answered", "238.15")
    r = _ask(answerer, "Qiaokou grid center 2020 basic expenditure on zorbing trampolines?")
    assert r["status"] == "not_found" and r["value"] is None
    assert "zorbing" in r["answer"]
    # a word before a name it places only qualifies it: still answered
    assert _ask(answerer, "Qiaokou grid center 2020 spending on official basic expenditure?")["value"] == "238.15"


def test_two_figures_not_told_apart_get_no_single_figure(answerer) -> None:  # noqa: ANN001
    r = _ask(answerer, "硚口区网格化中心2020年二、三季度公用经费加起来多少万元？")
    assert r["status"] == "not_found" and r["value"] is None


def test_an_earlier_years_figure_from_the_next_reports_level_and_change(answerer) -> None:  # noqa: ANN001
    # 000 (2020): "2020 年度收、支总计 525.73 万元。与 2019 年度相比，收、支总计各增加 191.10 万元"
    r = _ask(answerer, "硚口区网格化中心2019年收支总计是多少？")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "334.63", "万元")
    assert r["computation"]["expression"] == "525.73 万元 − 191.10 万元 = 334.63 万元"
    assert len(r["citations"]) == 2
    # the change itself is never the level asked for, and no report two years on is read back
    assert _ask(answerer, "硚口区网格化中心2018年收支总计是多少？")["status"] == "not_found"
    # a budget's change gives no actual
    assert _ask(answerer, "硚口区网格化中心2023年决算收支总计是多少？")["value"] is None


def test_budget_against_actual_from_the_sentence_that_prints_both(answerer) -> None:  # noqa: ANN001
    # 000: "2020 年度一般公共预算财政拨款支出年初预算为 477.06 万元，支出决算为 525.73 万元"
    r = _ask(answerer, "硚口区网格化中心2020年一般公共预算财政拨款支出决算比年初预算多多少？")
    assert (r["status"], r["value"]) == ("answered", "48.67")


def test_answer_labels_read_as_a_person_writes_them(answerer) -> None:  # noqa: ANN001
    # 003 表6 prints the row as "30 20 电费" (a split code); the answer says 电费 and its column
    r = _ask(answerer, "How much did the Wuchang city operation center pay for electricity in 2024?")
    assert r["value"] == "13.55"
    assert "电费（公用经费 / 决算数）" in r["answer"] and "30 20" not in r["answer"]


def test_many_weak_rivals_are_a_miss_with_the_rivals_shown(answerer) -> None:  # noqa: ANN001
    # 000 prints no 国有资产总额; only 总额 of other things (基本支出总额, 项目支出总额 …) match it
    r = _ask(answerer, "硚口网格中心2020年底国有资产总额有多少万？")
    assert (r["status"], r["value"]) == ("not_found", None)
    assert len(r["nearest"]) >= 3


def test_an_item_is_named_by_its_figure_not_by_its_setting() -> None:
    from qa.answerer import _names_item

    salary = Fact(report="r", source="table", table="基本支出表", row_label="基本工资", column="合计",
                  value=Decimal("80.57"), raw="80.57", unit="万元", locator="", quote="")
    basic = replace(salary, row_label="基本支出", raw="455.15", value=Decimal("455.15"))
    assert _names_item(salary, "基本工资")
    assert not _names_item(basic, "绩效工资")  # the setting (基本支出) is no answer for the item


def test_a_compare_with_a_setting_answers_both_items(answerer) -> None:  # noqa: ANN001
    answer = answerer.ask("Qiaokou grid centre 2024 basic expenditure budget: basic salary or performance pay, "
                          "which is larger?")
    assert (answer["status"], answer["value"]) == ("answered", "80.57")
    assert [c["value"] for c in answer["comparison"]] == ["80.57", "56.51"]


def test_a_figure_in_a_failed_check_is_answered_with_the_check(answerer) -> None:  # noqa: ANN001
    # 003 公开05表 prints 事业运行 372.78; its text says 支出决算为 367.67 (CORPUS.md)
    answer = answerer.ask("武昌区城运中心2024年事业运行支出决算是多少？")
    assert answer["status"] == "answered"
    [check] = [c for c in answer["checks"] if c["rule"] == "text_item_matches_table"]
    assert {f["value"] for f in check["figures"]} == {"367.67", "372.78"}
    assert "367.67" in answer["answer"] and "372.78" in answer["answer"]
    # a figure no check fails carries none
    assert "checks" not in answerer.ask("岳麓区网格化综合服务中心2021年共签收12345热线工单多少件？")


def test_an_actual_asked_of_a_budget_report_is_never_its_budget(answerer) -> None:  # noqa: ANN001
    # 001 is Qiaokou's 2024 budget: it prints 基本支出 as budgeted, no outturn
    answer = answerer.ask("硚口网格中心2024年基本支出的执行数是多少？")
    assert (answer["status"], answer["value"]) == ("not_found", None)
    assert answerer.ask("硚口网格中心2024年基本支出预算是多少？")["status"] == "answered"


def test_an_item_is_named_by_half_of_its_words_at_least() -> None:
    from qa.answerer import _names_item

    second_phase = Fact(report="r", source="text", table="", row_label="网格化工作第二阶段经费项目支出", column="",
                        value=Decimal("90.04"), raw="90.04", unit="万元", locator="", quote="")
    assert not _names_item(second_phase, "联动项目支出")  # only 项目 shared
    assert _names_item(replace(second_phase, row_label="网格化服务管理联动专项经费项目支出"), "联动项目支出")


def test_an_answer_sentence_reads_as_written(answerer) -> None:  # noqa: ANN001
    answer = answerer.ask("岳麓区网格化综合服务中心2021年12345热线群众满意度是多少？")
    assert answer["value"] == "99.13" and "99.13%" in answer["answer"]
    assert "达为" not in answer["answer"] and "为为" not in answer["answer"]


def test_a_narrower_item_is_not_its_shorter_name(answerer) -> None:  # noqa: ANN001
    # 电费 is printed; 邮电费 (a standard item of other reports) is not: no figure for it
    assert _ask(answerer, "硚口网格中心2024年电费预算多少？")["value"] == "3.17"
    result = _ask(answerer, "硚口网格中心2024年预算中邮电费安排了多少？")
    assert result["status"] != "answered" and result.get("value") is None


def test_english_words_unplaced_are_no_whole_budget(answerer) -> None:  # noqa: ANN001
    assert _ask(answerer, "How much in new assets does the Qiaokou grid centre plan to add in its 2024 budget?")["value"] == "2.30"


def test_the_item_ruled_out_is_not_answered(answerer) -> None:  # noqa: ANN001
    result = _ask(answerer, "硚口网格中心2024年“区社会管理网格化服务中心工作经费”项目（不是劳务派遣那个）预算多少万元？")
    assert result.get("value") != "190.21"


def test_a_whole_is_no_answer_for_a_part_it_never_prints() -> None:
    from qa.answerer import _total_for_a_part
    from qa.query import parse_query

    whole = Fact(report="r.txt", source="text", table="工作情况", row_label="2021年共收到回访不满意工单", column="",
                 value=Decimal(12516), raw="12516", unit="件", locator="line 9",
                 quote="2021年共收到回访不满意工单12516件，截至目前，已调查10091件。")
    query = parse_query("教育培训类的回访不满意工单有多少件", [])
    assert _total_for_a_part(query, "教育培训类 回访不满意工单", whole)
    assert not _total_for_a_part(query, "回访不满意工单", whole)  # the whole named: it is the answer
    asked = parse_query("回访不满意工单一共多少件", [])
    assert not _total_for_a_part(asked, "教育培训类 回访不满意工单", whole)  # a total asked for
    part = replace(whole, row_label="其中教育培训类", quote="其中教育培训类775件")
    assert not _total_for_a_part(query, "教育培训类 回访不满意工单", part)  # a part is no whole


def test_two_figures_set_against_each_other_come_from_one_place(answerer) -> None:  # noqa: ANN001
    # 003 line 446: 住房公积金(项) 年初预算为37.16万元,支出决算为37.66万元; the economic table's
    # 30113 住房公积金 prints 47.62 (another measure), which must not be set against 37.16
    r = _ask(answerer, "武昌城运中心2024年住房公积金决算比年初预算多了多少万？")
    assert (r["status"], r["value"]) == ("answered", "0.50")
    assert r["citations"][0]["quote"] == r["citations"][1]["quote"]


def test_a_place_written_in_pinyin_is_read_as_the_report_prints_it(answerer) -> None:  # noqa: ANN001
    # 004 line 366: 其中望月湖（2965个）、桔子洲（2087个）…: "Juzizhou" is 桔子洲, in no vocabulary
    r = _ask(answerer, "In 2021 how many residents' problems were collected in Juzizhou according to Yuelu's report?")
    assert (r["status"], r["value"]) == ("answered", "2087")


@pytest.mark.parametrize(
    ("question", "value"),
    [
        # 002 line 117: 2020年度一般公共预算财政拨款支出年初预算数为451.04万元 … 完成年初预算的69.4%;
        # each 类 after it prints its own (62.1%, 78.5%, 6.8%): asked of no part, the whole's
        ("芦淞网格中心2020年年初预算完成了百分之多少？", "69.4"),
        # 000 lines 409/411: the whole 110.20%, 一般公共服务支出(类) 111.28%: close, but of two subjects
        ("硚口区网格化服务中心2020年一般公共预算财政拨款支出完成年初预算的百分之多少？", "110.20"),
    ],
)
def test_a_rate_asked_of_no_part_is_the_wholes(answerer, question: str, value: str) -> None:  # noqa: ANN001
    r = _ask(answerer, question)
    assert (r["status"], r["value"]) == ("answered", value)


def test_a_share_the_report_prints_is_found_by_its_part(answerer) -> None:  # noqa: ANN001
    # 社会工作部 2024 决算 p. 18: 卫生健康支出（类）2.71 万元，占 0.88%
    r = _ask(answerer, "What share of the Putuo Social Work Department's 2024 general public budget appropriation "
                       "spending went to health?")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "0.88", "%")


def test_a_percentage_change_asked_is_the_printed_one(answerer) -> None:  # noqa: ANN001
    # 万里街道 2023 预算 p. 7: 2022年当年预算执行数为4.17万元，2023年预算安排14.62万元，比2022年预算执行数增加250.60%
    r = _ask(answerer, "By what percentage did Wanli Subdistrict's 2023 budget for market supervision general "
                       "administration exceed the 2022 execution figure?")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "250.60", "%")


def test_a_multiple_shows_its_division(answerer) -> None:  # noqa: ANN001
    # 社会工作部 2024 决算: 人员经费 95.36 万元, 公用经费 10.23 万元 -> 9.32
    r = _ask(answerer, "社工部2024年人员经费是公用经费的几倍？")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "9.32", "倍")
    assert r["computation"]["expression"] == "95.36 万元 ÷ 10.23 万元 = 9.32"


def test_a_years_quarters_are_added_up_each_cited(answerer) -> None:  # noqa: ANN001
    # 万里街道 2023 预算 p. 30: 第一季度用款计划25.88万元，第二季度180.74，第三季度186.60，第四季度16.78
    r = _ask(answerer, "万里街道社区公共服务中心新建工程23年四个季度用款计划合计")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "410.00", "万元")
    assert r["computation"]["expression"] == "25.88 + 180.74 + 186.60 + 16.78 = 410.00 万元"
    assert len(r["citations"]) == 4


@pytest.mark.parametrize("question", [
    "社工部2024年行政事业单位医疗是多少",
    "How much was administrative and public institution medical in the 2024 final accounts of the social work department?",
])
def test_a_parent_named_whole_is_not_its_child_whose_name_it_contains(answerer, question: str) -> None:  # noqa: ANN001
    # 21011 行政事业单位医疗 2.71, not 2101102 事业单位医疗 0.49 nor 2101101 行政单位医疗 2.22
    result = answerer.ask(question)
    assert (result["status"], result["value"]) == ("answered", "2.71")


def test_the_final_accounts_named_ask_for_the_final_figure_not_the_budget_beside_it(answerer) -> None:  # noqa: ANN001
    # "general public budget" names the fund, no measure; 477.06 is the 年初预算 printed beside it
    result = answerer.ask("How much was general public budget fiscal appropriation in the 2020 final accounts "
                          "of the Qiaokou grid centre?")
    assert (result["status"], result["value"]) == ("answered", "525.73")


def test_a_share_of_a_whole_going_to_an_unplaced_part_is_not_the_wholes_own_share(answerer) -> None:  # noqa: ANN001
    result = answerer.ask("What share of the social work department's 2024 general public budget appropriation "
                          "spending went to marine affairs?")
    assert result["status"] == "not_found" and result["value"] is None
    placed = answerer.ask("What share of the social work department's 2024 general public budget appropriation "
                          "spending went to health?")
    assert placed["value"] == "0.88"


@pytest.mark.parametrize("question", ["武昌城运中心2024年串联全区多少个网格？", "武昌城运中心2024年全区网格是多少个"])
def test_the_count_whose_noun_is_said_among_its_sentences_counts(answerer, question: str) -> None:  # noqa: ANN001
    # "串联全区14条街道、143个社区、568个小区（片区）、1274个网格、85个区直部门…": one name, six nouns;
    # 全区 is the whole district, no place the store lacks
    result = answerer.ask(question)
    assert (result["status"], result["value"], result["unit"]) == ("answered", "1274", "个")
    assert "串联全区网格为 1274 个" in result["answer"]


def test_a_narrative_figure_its_table_contradicts_is_answered_with_the_table_and_both_cited(answerer) -> None:  # noqa: ANN001
    # the 2024 财政局 决算 prints "财政拨款收入支出总计0.3万元"; its 总表 prints 2,961.68
    result = answerer.ask("普陀财政局24年决算里，财政拨款收入支出总计到底是多少？")
    assert (result["status"], result["value"]) == ("answered", "2961.68")
    assert [c["raw"] for c in result["citations"][:2]] == ["2,961.68", "0.3"]
    assert result["checks"][0]["rule"] == "text_total_matches_table" and "0.3" in result["answer"]
    # asked what the narrative says, the narrative's own figure, its check shown
    narrative = answerer.ask("Planning bureau 2024 narrative: what 人员经费 figure does it give?")
    assert narrative["value"] == "4896.98" and narrative["checks"]


def test_a_figure_the_question_hands_over_in_an_aside_is_not_the_answer(answerer) -> None:  # noqa: ANN001
    # 2024 report: 机关运行经费 27.38 万元, 比上年减少 2.32 万元 -> 2023: 29.70, never the 2.32 given
    result = answerer.ask("硚口网格中心23年的机关运行经费是多少（24年预算说比上年少了2.32万）？")
    assert (result["status"], result["value"]) == ("answered", "29.70")


@pytest.mark.parametrize(("question", "value"), [
    ("万里街道24年预算打算买几辆车？", "1"),  # 购置车辆, not the 共有车辆 7
    ("万里街道24年有多少辆车", "7"),
    ("福利院现在有几辆车？", "2"),
])
def test_vehicles_bought_and_held_as_users_ask(answerer, question: str, value: str) -> None:  # noqa: ANN001
    assert answerer.ask(question)["value"] == value


def test_equipment_held_is_not_the_equipment_the_year_buys(answerer) -> None:  # noqa: ANN001
    # 上海市财政局 2025: "单价100万元（含）以上设备（不含车辆）1台（套）" held; "安排购置…0台（套）" to buy
    assert answerer.ask("市财政局单价100万以上的设备有几台？")["value"] == "1"
    assert answerer.ask("市财政局25年预算买几台100万以上的设备")["value"] == "0"


@pytest.mark.parametrize(("question", "value"), [
    # a difference keeps its arithmetic though an operand fails a check (367.67 − 363.82)
    ("武昌区城运中心2024年事业运行支出决算比年初预算多多少？", "3.85"),
    # a format aside's % still says a percentage is asked
    ("硚口区2020年一般公共服务支出完成年初预算多少（%，保留两位小数）？", "111.28"),
    ("硚口区2020年基本支出占本年支出多少（%，保留两位小数）？", "45.30"),
    # an aside naming a year is no figure handed over
    ("硚口区网格化中心基本支出是多少（我说的是2024年的）", "455.15"),
])
def test_asides_and_checks_leave_what_is_asked_alone(answerer, question: str, value: str) -> None:  # noqa: ANN001
    assert answerer.ask(question)["value"] == value


def test_a_number_the_question_states_is_never_the_answer(answerer) -> None:  # noqa: ANN001
    # 硚口 2020 self-evaluation: 聘用人员 target 51, actual 46; the 51 the user gives is not asked
    result = answerer.ask("Qiaokou grid service centre 2020 绩效自评: 聘用人员人数 target was 51 — how many were actually hired?")
    assert result["value"] != "51" and "51" not in [c.get("value") for c in result.get("candidates") or []]


def test_the_store_list_names_a_report_without_district_or_organisation_by_its_file() -> None:
    from types import SimpleNamespace

    from qa.answerer import Answerer
    from qa.query import report_info

    catalog = [report_info({"name": "004.txt", "org": "长沙市岳麓区网格化综合服务中心", "district": "岳麓区", "year": 2021}),
               report_info({"name": "scan_01.pdf", "org": "", "district": "", "year": None})]
    listed = Answerer._org_list(SimpleNamespace(catalog=catalog))  # type: ignore[arg-type]
    assert listed == "scan_01.pdf、岳麓区"


def test_the_larger_of_an_items_actual_and_budget(answerer) -> None:  # noqa: ANN001
    # 000 line 415: 卫生健康支出(类) 年初预算为 21.82 万元，支出决算为 24.82 万元
    r = _ask(answerer, "Qiaokou grid service centre 2020: did health spending exceed its beginning-of-year budget? "
                       "give the larger figure")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "24.82", "万元")
    assert len(r["citations"]) == 2


def test_an_item_the_report_does_not_print_is_not_found_with_its_nearest(answerer) -> None:  # noqa: ANN001
    # 财政局 2024 决算 prints 2101101 行政单位医疗 (60.99) and its 款 21011, no 2101102 事业单位医疗:
    # two weak rivals (养老 rows) are no answer, and are given as nearest
    r = _ask(answerer, "普陀区财政局2024年事业单位医疗决算是多少？")
    assert r["status"] == "not_found"
    assert r["value"] is None and "60.99" not in r["answer"]
    assert r["nearest"]


def test_a_question_over_the_length_limit_is_refused_with_the_limit(answerer, monkeypatch) -> None:  # noqa: ANN001
    assert answerer.ask("预" * 500)["status"] != "error"  # at the limit: asked
    r = answerer.ask("预" * 501)
    assert (r["status"], r["value"]) == ("error", None)
    assert "501 characters is over the 500-character limit (DQA_MAX_QUESTION)" in r["error"]
    monkeypatch.setenv("DQA_MAX_QUESTION", "20")
    r = answerer.ask("how many 12345 工单 did Yuelu handle in 2021?")
    assert r["status"] == "error" and "over the 20-character limit" in r["error"]


def test_one_row_of_two_project_forms_is_the_form_the_question_names_unqualified(answerer) -> None:  # noqa: ANN001
    # Qiaokou 2024 表 12: 项目总预算 of "…服务中心工作经费" (136400.00) and of "…服务中心劳务派遣人员
    # 工作经费" (1902100.00); 工作经费 asked without 劳务派遣人员 is the first form's
    r = answerer.ask("硚口网格中心2024年工作经费项目申报表里项目总预算多少元")
    assert (r["status"], r["value"]) == ("answered", "136400.00")
    r = answerer.ask("硚口网格中心2024年劳务派遣人员工作经费项目总预算多少元")
    assert (r["status"], r["value"]) == ("answered", "1902100.00")
    # naming neither project: two projects, two figures — never one of them
    r = answerer.ask("硚口区网格化中心2024年项目总预算是多少？")
    assert (r["status"], r["value"]) == ("ambiguous", None)
    assert {c["value"] for c in r["candidates"]} >= {"136400.00", "1902100.00"}


def test_the_figure_of_all_kinds_is_meant_over_one_kind_and_points_are_no_count(answerer) -> None:  # noqa: ANN001
    # Qiaokou 2020: "…等各类办件 152949 件" beside "营商环境类办件共办理 29 件" and a self-evaluation
    # row "各类办件按时办结率" whose 得分 20 is points, not a number of 办件
    r = answerer.ask("How many 办件 did the Qiaokou grid service center handle in 2020?")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "152949", "件")
    r = answerer.ask("硚口网格中心2020年营商环境类办件共办理多少件")
    assert (r["status"], r["value"]) == ("answered", "29")


def test_a_count_of_the_noun_asked_over_other_counts_of_its_sentence(answerer) -> None:  # noqa: ANN001
    # Wuchang 2024: "…维护手持终端1822部…" beside the other counts of its paragraph
    r = answerer.ask("How many handheld terminals did the Wuchang city operations center maintain in 2024?")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "1822", "部")


def test_a_change_no_report_prints_is_the_difference_of_each_years_level(answerer) -> None:  # noqa: ANN001
    # Jiangsu 电费: the 2019 tables print 100.00, the 2018 report 350.00, and no change of it
    r = answerer.ask("江苏省人大常委会办公厅2019年公开表里的电费比2018年少了多少？")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "250", "万元")
    assert {c["report"] for c in r["citations"]} == {"江苏省人大常委会办公厅2019年部门预算公开表.pdf", "省人大办公厅2018预算公开.pdf"}
    # against last year's execution (a Shanghai budget's own comparison): no other report's budget is that
    r = answerer.ask("By how much did Wanli Subdistrict's 2024 budget for public-welfare job subsidies (公益性岗位补贴) exceed the 2023 actual?")
    assert r["value"] in (None, "31.64")


# ------------------------------------------------------------------ rankings across reports


def test_a_superlative_over_organisations_names_the_top_and_ranks_the_rest(answerer) -> None:  # noqa: ANN001
    # 2024 决算 项目支出: 规划资源局 p. 20 4381.74 > 财政局 p. 21 603.14 > 武昌 003 line 385 367.67
    # > 社会工作部 p. 17 202.24 (each "其中：基本支出…；项目支出…")
    r = _ask(answerer, "2024年决算里哪个单位的项目支出最多？")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "4381.74", "万元")
    assert r["answer"].startswith("2024年决算项目支出最高的是上海市普陀区规划和自然资源局：4381.74 万元。")
    rows = r["ranking"]["rows"]
    assert [(row["rank"], row["org"], row["value"]) for row in rows] == [
        (1, "上海市普陀区规划和自然资源局", "4381.74"),
        (2, "上海市普陀区财政局", "603.14"),
        (3, "武汉市武昌区城市运行管理中心", "367.67"),
        (4, "中共上海市普陀区委社会工作部", "202.24"),
    ]
    assert all(row["kind"] == "决算" and row["year"] == 2024 for row in rows)
    assert [c["report"] for c in r["citations"]] == [row["citation"]["report"] for row in rows]


def test_a_top_an_unread_figure_could_beat_is_not_stated(answerer) -> None:  # noqa: ANN001
    # 2024 决算 基本支出: 财政局 2336.91 is the largest found, but 规划资源局 prints two figures
    # (5377.64 and 5364.75), both larger: no organisation is named the top
    r = _ask(answerer, "2024年决算里哪个单位的基本支出最多？")
    assert (r["status"], r["value"]) == ("ambiguous", None)
    assert r["answer"].startswith("无法确定2024年决算基本支出最高的单位：上海市普陀区规划和自然资源局")
    assert [row["org"] for row in r["ranking"]["rows"] if row["status"] == "answered"][0] == "上海市普陀区财政局"


def test_a_list_over_a_kind_of_organisation_keeps_only_that_kind(answerer) -> None:  # noqa: ANN001
    # 000 line 381 基本支出 238.15 万元; 002 line 257 基本支出 93.72 万元
    r = _ask(answerer, "Compare 基本支出 of all grid centers in 2020")
    assert r["status"] == "answered" and r["value"] is None  # a list: no one figure
    assert [(row["org"], row["value"]) for row in r["ranking"]["rows"]] == [
        ("武汉市硚口区社会管理网格化服务中心", "238.15"),
        ("株洲市芦淞区网格化管理服务中心", "93.72"),
    ]
    assert r["ranking"]["of"] == "网格中心"


def test_a_ranking_over_a_kind_the_store_holds_none_of_is_not_found(answerer) -> None:  # noqa: ANN001
    r = _ask(answerer, "2024年决算里，各区法院哪家的基本支出最多？")
    assert (r["status"], r["value"]) == ("not_found", None)
    assert "法院" in r["answer"]


def test_a_tie_of_unread_figures_below_the_top_lets_it_stand(answerer) -> None:  # noqa: ANN001
    # 2024 决算 三公: 财政局, 社会工作部 and 武昌 print none (0); 规划资源局's figures tie
    r = _ask(answerer, "Which organisation's 2024 final accounts show the largest actual 'three public' (三公) spending?")
    assert (r["status"], r["value"]) == ("ambiguous", None)
    assert "上海市普陀区规划和自然资源局" in r["answer"]
    assert {row["status"] for row in r["ranking"]["rows"]} == {"answered", "ambiguous"}


def test_a_ranking_in_yuan_tables_shows_the_conversion(answerer) -> None:  # noqa: ANN001
    # 2025 budgets, 公务接待费 (“三公” tables): figures printed in 元 by the Putuo reports
    r = _ask(answerer, "普陀区各部门2025年支出预算从高到低")
    assert r["status"] == "answered" and r["ranking"]["kind"] == "预算"
    values = [row["canonical"] for row in r["ranking"]["rows"] if row["status"] == "answered"]
    assert values == sorted(values, key=lambda v: -Decimal(v)) and len(values) >= 2
    yuan = [row for row in r["ranking"]["rows"] if row["unit"] == "元"]
    assert all(f"{row['value']} 元（{row['canonical']} 万元）" in r["answer"] for row in yuan)


def test_a_column_total_reads_as_the_columns_total(answerer) -> None:  # noqa: ANN001
    # 上海市财政局25年预算.pdf p. 11, 支出预算总表 合计 row, 项目支出 column: 44,273,130
    r = _ask(answerer, "上海市财政局2025年项目支出预算是多少？")
    assert (r["status"], r["value"], r["unit"]) == ("answered", "44273130", "元")
    assert r["answer"] == "上海市财政局2025年项目支出合计（支出预算）为 44273130 元。（合 4427.313 万元）"


def test_parts_of_one_organisation_are_no_ranking(answerer) -> None:  # noqa: ANN001
    r = _ask(answerer, "岳麓21年回访不满意工单里，各街道（镇）一共有多少件？")
    assert "ranking" not in r


def test_totals_tied_for_a_part_the_vocabulary_cannot_place_are_not_found(answerer) -> None:  # noqa: ANN001
    # 规划资源局 2024 决算 prints no land-transfer income; 本年收入合计 9746.50 and 总计 9859.38 tie
    # for 收入, the words naming the part ("land-transfer", "land sale") unplaced
    r = _ask(answerer, "How much land-transfer (land sale) revenue does the Putuo planning and natural "
                       "resources bureau report in its 2024 final accounts?")
    assert (r["status"], r["value"]) == ("not_found", None)


def test_budget_income_is_found_in_either_word_order(answerer) -> None:  # noqa: ANN001
    # Shanghai prints 收入预算 (区府办 2025 p. 6: 收入预算9,101.68万元，其中：财政拨款收入9,101.68万元，
    # 比2024年预算减少2,389.52万元); Wuhan prints 部门预算收入 (001 line 1779: 部门预算收入 659.00 万元)
    r = _ask(answerer, "区府办2025年预算收入是多少？")
    assert (r["status"], r["value"]) == ("answered", "9101.68")
    r = _ask(answerer, "区府办24年预算收入大概是多少万？")  # the 2025 report's level and change
    assert (r["status"], r["value"]) == ("answered", "11491.20")
    assert r["computation"]["expression"] == "9101.68 万元 + 2389.52 万元 = 11491.20 万元"
    r = _ask(answerer, "硚口网格中心2024年预算收入是多少？")  # as printed there: never swapped
    assert (r["status"], r["value"]) == ("answered", "659.00")
    assert r["citations"][0]["quote"].startswith("部门预算收入 659.00 万元")


def test_a_ranking_row_takes_its_tables_side_as_the_single_answer_does(answerer) -> None:  # noqa: ANN001
    # 003: the text says 事业运行 367.67 万元, 公开 05 表 prints 372.78 (text_item_matches_table, an
    # error): asked alone, the table's figure is answered; a ranking row must give the same
    alone = _ask(answerer, "2024年武昌区城市运行管理中心事业运行（项）支出决算是多少")
    assert alone["value"] == "372.78"
    r = _ask(answerer, "2024年决算哪个单位的事业运行（项）支出最多")
    row = next(row for row in r["ranking"]["rows"] if row["org"] == "武汉市武昌区城市运行管理中心")
    assert (row["value"], row["citation"]["row"]) == ("372.78", "2010350 事业运行")
    assert r["answer"].startswith("2024年决算")  # the ranking's own sentence, not one row's


def test_a_statement_of_none_answers_only_what_it_names(answerer) -> None:  # noqa: ANN001
    # 001 line 1951: "2024 年本部门无纳入预算管理的非税收入" is no answer to 收入预算 (it shares only
    # 入预 across 纳入|预算 with it); it answered 0 before
    r = _ask(answerer, "硚口网格中心2024年收入预算是多少？")
    assert r["value"] != "0" and "非税收入" not in r["answer"]
    r = _ask(answerer, "硚口网格中心2024年非税收入是多少？")  # what it names: the report's own words
    assert (r["status"], r["value"]) == ("answered", "0")
    assert r["none_stated"]["quote"] == "2024 年本部门无纳入预算管理的非税收入。"


@pytest.mark.parametrize(
    ("question", "value"),
    [
        # 000 line 72: 武汉市硚口区社会管理网格化服务中心在职实有人数 12 人
        ("硚口网格中心20年实际在职有几个人？", "12"),
        ("硚口网格中心20年实有几个人", "12"),
        # 江苏省人大办公厅2017年度预算公开.pdf: 实际在编在职人员 274 名 — the same words, another template's order
        ("江苏省人大常委会办公厅2017年实际在职几个人？", "274"),
    ],
)
def test_staff_actually_in_post_as_users_ask(answerer, question: str, value: str) -> None:  # noqa: ANN001
    r = _ask(answerer, question)
    assert (r["status"], r["value"]) == ("answered", value)


def test_a_whole_budgets_change_in_the_wuhan_words(answerer) -> None:  # noqa: ANN001
    # 001 line 1773: "2024年部门收支总预算 659.00万元。比 2023年预算增加 178.10 万元"
    r = _ask(answerer, "硚口24年预算比23年多了多少")
    assert (r["status"], r["value"]) == ("answered", "178.10")


def test_two_projects_named_in_english_are_not_the_sentences_total(answerer) -> None:  # noqa: ANN001
    # 002: the two projects' 支出 are printed apart; "项目支出" of the paragraph is their whole
    r = _ask(answerer, "How much did the Lusong grid center's second-phase grid work project and its grid "
                       "service linkage project cost together in 2020?")
    assert (r["status"], r["value"]) == ("answered", "156.38")
    assert r["computation"]["expression"].startswith("90.04 万元 + 66.34 万元")
