"""Table shapes from the seeds -> blocks -> facts. Every snippet is copied from a real report."""

from __future__ import annotations

from decimal import Decimal

from index.models import Fact, TableBlock
from index.tables import check_table, extract_table_facts, header_paths, split_code
from index.textblocks import decode_columns, parse_text_blocks


def _tables(text: str) -> list[TableBlock]:
    return [b for b in parse_text_blocks(text) if isinstance(b, TableBlock)]


def _by_label(facts: list[Fact]) -> dict[tuple[str, str], str]:
    return {(f"{f.code} {f.row_label}".strip(), f.column): f.raw for f in facts}


# 000 表3: tab-separated rows, three header rows (项目 / 功能分类科目编码 / 类 款 项 栏次).
TSV_EXPENDITURE = (
    "# 2020 年度支出决算表（表 3）\n\n单位：万元\n\n"
    "项目\t\t\t科目名称\t本年支出合计\t基本支出\t项目支出\t上缴上级支出\n"
    "功能分类科目编码\t\t\t\t\t\t\t\n"
    "类\t款\t项\t栏次\t1\t2\t3\t4\n"
    "\t\t\t合计\t525.73\t238.15\t287.58\t\n"
    "221\t\t\t住房保障支出\t24.21\t24.21\t\t\n"
    "22102\t\t\t住房改革支出\t24.21\t24.21\t\t\n"
    "2210201\t\t\t住房公积金\t20.04\t20.04\t\t\n"
    "2210202\t\t\t提租补贴\t4.17\t4.17\t\t\n"
)


def test_tsv_rows_get_code_name_parents_and_column() -> None:
    [table] = _tables(TSV_EXPENDITURE)
    assert table.title == "2020 年度支出决算表（表 3）"
    assert table.unit == "万元"
    facts = extract_table_facts(table, "000.txt")
    assert facts[0] == Fact(
        report="000.txt", source="table", table="2020 年度支出决算表（表 3）", row_label="合计",
        column="本年支出合计", value=Decimal("525.73"), raw="525.73", unit="万元",
        locator="2020 年度支出决算表（表 3）, row “合计”, column “本年支出合计”, line 8",
        quote="合计  525.73  238.15  287.58", code="", parents="", position=0,
    )
    fund = [f for f in facts if f.code == "2210201"]
    assert [(f.row_label, f.column, f.raw, f.parents) for f in fund] == [
        ("住房公积金", "本年支出合计", "20.04", "住房保障支出 / 住房改革支出"),
        ("住房公积金", "基本支出", "20.04", "住房保障支出 / 住房改革支出"),
    ]


def test_tsv_codes_are_labels_not_figures() -> None:
    [table] = _tables(TSV_EXPENDITURE)
    values = {f.raw for f in extract_table_facts(table, "000.txt")}
    assert "2210201" not in values and "221" not in values


def test_identity_checks_hold_on_a_consistent_table() -> None:
    [table] = _tables(TSV_EXPENDITURE)
    checks = check_table(extract_table_facts(table, "000.txt"))
    by_rule = {c.rule: c.holds for c in checks}
    # 22102 = 2210201 + 2210202: 20.04 + 4.17 = 24.21
    assert by_rule["22102 = sum of its 2 sub-items (本年支出合计)"] is True
    assert by_rule["221 = sum of its 1 sub-items (基本支出)"] is True
    # this excerpt keeps only one 类 row, so 合计 (525.73) is not the sum of 类 rows (24.21)
    assert by_rule["合计 = sum of 类 rows (本年支出合计)"] is False


def test_identity_check_failure_is_data() -> None:
    broken = TSV_EXPENDITURE.replace("2210202\t\t\t提租补贴\t4.17\t4.17", "2210202\t\t\t提租补贴\t4.71\t4.71")
    [table] = _tables(broken)
    failed = [c for c in check_table(extract_table_facts(table, "x.txt")) if not c.holds]
    # 20.04 + 4.71 = 24.75 != 24.21
    assert [(c.rule, c.detail) for c in failed][:1] == [("22102 = sum of its 2 sub-items (本年支出合计)", "24.21 vs 24.75")]


# 000 表1: income and expenditure side by side, 行次 columns to skip.
TSV_SIDE_BY_SIDE = (
    "### 2020 年度收入支出决算总表（表 1）\n\n单位：万元\n\n"
    "收入\t\t\t支出\t\t\n"
    "项目\t行次\t金额\t项目\t行次\t金额\n"
    "栏次\t\t1\t栏次\t\t2\n"
    "一、一般公共预算财政拨款收入\t1\t525.73\t一、一般公共服务支出\t31\t463.61\n"
    "八、其他收入\t8\t\t八、社会保障和就业支出\t38\t13.09\n"
    "<b>本年收入合计</b>\t27\t525.73\t<b>本年支出合计</b>\t57\t525.73\n"
)


def test_side_by_side_rows_label_each_half() -> None:
    [table] = _tables(TSV_SIDE_BY_SIDE)
    got = _by_label(extract_table_facts(table, "000.txt"))
    assert got == {
        ("一、一般公共预算财政拨款收入", "收入 / 金额"): "525.73",
        ("一、一般公共服务支出", "支出 / 金额"): "463.61",
        ("八、社会保障和就业支出", "支出 / 金额"): "13.09",  # not "八、其他收入 八、社会保障…"
        ("本年收入合计", "收入 / 金额"): "525.73",
        ("本年支出合计", "支出 / 金额"): "525.73",
    }
    # issue 8: 本年收入合计 need not equal 本年支出合计 (结转和结余 sit between them); the
    # excerpt prints no 总计 rows, so no balance identity applies to it
    assert [c.rule for c in check_table(extract_table_facts(table, "000.txt"))] == []


def test_balance_is_between_the_grand_totals_not_the_current_year() -> None:
    # 规划资源局 2024 表1: 本年收入合计 9746.50 vs 本年支出合计 9759.38 is normal
    text = TSV_SIDE_BY_SIDE.replace("525.73\t<b>本年支出合计</b>\t57\t525.73", "9746.50\t<b>本年支出合计</b>\t57\t9759.38") + (
        "年初结转和结余\t29\t123.40\t年末结转和结余\t59\t110.52\n"
        "<b>总计</b>\t30\t9869.90\t<b>总计</b>\t60\t9869.90\n"
    )
    [table] = _tables(text)
    checks = check_table(extract_table_facts(table, "x.txt"))
    assert [(c.rule, c.holds, c.detail) for c in checks] == [("收入总计 = 支出总计", True, "9869.90 vs 9869.90")]


def test_merged_header_spreads_right_only_under_an_empty_parent() -> None:
    # 000 表7 (三公): 预算数 spans six columns; 公务用车购置及运行费 spans three.
    header = [
        ("预算数", "", "", "", "", ""),
        ("合计", "因公出国（境）费", "公务用车购置及运行费", "", "", "公务接待费"),
        ("", "", "小计", "公务用车购置费", "公务用车运行费", ""),
    ]
    assert header_paths(header, 6) == [
        "预算数 / 合计",
        "预算数 / 因公出国（境）费",
        "预算数 / 公务用车购置及运行费 / 小计",
        "预算数 / 公务用车购置及运行费 / 公务用车购置费",
        "预算数 / 公务用车购置及运行费 / 公务用车运行费",
        "预算数 / 公务接待费",
    ]


def test_truncated_codes_and_split_row_numbers_003() -> None:
    # 003 表6: economic codes truncated to "30", amounts truncated ("396.8").
    text = (
        "2024 年度一般公共预算财政拨款基本支出决算明细表\n\n单位：万元\n\n"
        "人员经费\t\t\t公用经费\t\t\n"
        "经济分 类科目 编码\t科目名称\t决算 数\t经 济 分 类 科\t科目名称\t决算数\n"
        "301\t工资福利支出\t396.8\t30\t商品和服务\t100.93\n"
        "30101\t基本工资\t70.86\t30\t办公费\t49.30\n"
    )
    [table] = _tables(text)
    got = _by_label(extract_table_facts(table, "003.txt"))
    assert got == {
        ("301 工资福利支出", "人员经费 / 决算数"): "396.8",
        ("商品和服务", "公用经费 / 决算数"): "100.93",
        ("30101 基本工资", "人员经费 / 决算数"): "70.86",
        ("办公费", "公用经费 / 决算数"): "49.30",
    }


def test_ocr_spacing_inside_a_cell_number() -> None:
    text = "公开 03 表\n\n单位：万元\n\n项目\t\t\t本年支出 合计\t基本支出\n\t\t合计\t868. 11\t500. 44\n"
    [table] = _tables(text)
    facts = extract_table_facts(table, "003.txt")
    assert [(f.value, f.raw) for f in facts] == [(Decimal("868.11"), "868. 11"), (Decimal("500.44"), "500. 44")]


# 001: PDF text, cells separated by spaces, labels wrapped over lines above their figures.
SPACED = """表 3.支出预算总表

支出总表

部门/单位： 单位：万元

科目编码 科目名称 合计 基本支出 项目支出 事业单位经营支出 上缴上级支出 对附属单位补助支出

合计 659.00 455.15 203.85

2010350 事业运行 319.12 319.12 0.00

表 10.项目支出表

项目支出表

部门/单位： 单位：万元

项目编码 项目名称 项目单位 合计

本年拨款 财政拨款结转结余

203.85 203.85 0.00 0.00 0.00

42010424118T0
00000101

劳务派遣人员

工作经费

硚口区社会管理

网格化服务中心

本级

190.21 190.21 0.00 0.00 0.00
"""


def test_spaced_rows_align_left_under_a_one_line_header() -> None:
    first, second = _tables(SPACED)
    assert first.title == "表 3.支出预算总表" and first.unit == "万元" and first.shape == "spaced"
    got = _by_label(extract_table_facts(first, "001.txt"))
    assert got == {
        ("合计", "合计"): "659.00",
        ("合计", "基本支出"): "455.15",
        ("合计", "项目支出"): "203.85",
        ("2010350 事业运行", "合计"): "319.12",
        ("2010350 事业运行", "基本支出"): "319.12",
        ("2010350 事业运行", "项目支出"): "0.00",
    }


def test_spaced_wrapped_label_is_joined_and_unsure_columns_stay_empty() -> None:
    _, projects = _tables(SPACED)
    facts = [f for f in extract_table_facts(projects, "001.txt") if f.row_label]
    assert facts[0].row_label == "42010424118T0 00000101 劳务派遣人员工作经费硚口区社会管理网格化服务中心本级"
    assert facts[0].raw == "190.21"
    # a two-line header: which column each figure sits under is not certain, so none is claimed
    assert {f.column for f in facts} == {""}


# 004: a DOCX table flattened to one cell per line; wrapped cells and blank lines inside.
CELLS = (
    " 2021年度部门整体支出绩效自评表\n\t人员编制\n\t6人\n\n\t整体资金\n\n（万元）\n\t项   目\n\t全年预算数\n"
    "\t全年执行数\n\t执行率\n\t分值\n\t得分\n\n\t\n\t资金\n\n来源\n\t合计\n\t423.38\n\t416.69\n\t98%\n\t10\n\t9\n\n"
    "\t\n\t\n\t（2）其他资金\n\t\n\t\n\t\n\t－\n\t－\n\n\t\n\t\n\t（2）项目支出\n\t180\n\t149.19\n\t83%\n\t－\n\t－\n"
)


def test_one_cell_per_line_rebuilds_rows_under_their_header() -> None:
    tables = _tables(CELLS)
    money = [t for t in tables if t.unit == "万元"]
    assert len(money) == 1
    assert decode_columns(money[0]) is not None
    got = _by_label(extract_table_facts(money[0], "004.txt"))
    assert got[("资金来源 合计", "全年预算数")] == "423.38"
    assert got[("资金来源 合计", "全年执行数")] == "416.69"
    assert got[("资金来源 合计", "执行率")] == "98"  # raw figure; the % is its unit
    assert got[("（2）项目支出", "全年执行数")] == "149.19"
    # the dashed row has no figures and must not lend its label to the next row
    assert not any(label == "（2）其他资金" for label, _ in got)


# A self-evaluation form flattened one cell per line: targets and results printed in words sit
# in the 年度指标值 / 实际完成值 columns, the scores in 分值 / 得分; a row ends on a blank line,
# and a cell may hold a blank line of its own (定点结对…).
SCORED = (
    "\t2021年，区网格化中心树立导向。\n\n\t绩\n效\n指\n标\n\t一级指标\n\t二级指标\n\t三级指标\n"
    "\t年度\n指标值\n\t实际\n完成值\n\t分值\n\t得分\n\t偏差原因分析及改进措施\n\n"
    "\t\n\t产出指标\n\t数量指标\n\t全年共收集解决民情问题数\n\t全面梳理三级网格数量\n\t全年共收集解决民情问题12088个\n"
    "\t10\n\t10\n\t\n\n"
    "\t\n\t\n\t质量指标\n\t定点结对一帮一，网格服务更精准。\n\n\n\t一是帮扶后进网格\n\t一是帮扶后进网格\n"
    "\t15\n\t14\n\t\n\n"
    "\t总分\n\t100\n\t99\n\t\n"
)


def test_one_cell_per_line_scores_sit_under_their_own_header_cells() -> None:
    facts = [f for t in _tables(SCORED) for f in extract_table_facts(t, "004.txt")]
    got = _by_label(facts)
    assert got[("全年共收集解决民情问题数", "分值")] == "10"
    assert got[("定点结对一帮一，网格服务更精准。", "得分")] == "14"
    # no score is read as the target or the result printed in words before it
    assert not any(column in {"年度指标值", "实际完成值"} for _, column in got)
    # the 总分 row, merged across the label columns, keeps the grid's score columns
    assert got[("总分", "分值")] == "100" and got[("总分", "得分")] == "99"


def test_split_code() -> None:
    assert split_code("2010350 事业运行") == ("2010350", "事业运行")
    assert split_code("30113住房公积金") == ("30113", "住房公积金")
    assert split_code("12345市民服务热线") == ("", "12345市民服务热线")


def test_a_project_form_under_a_table_title_is_titled_with_its_project() -> None:
    """The Qiaokou 2024 seed's 表 12 holds two project forms, each opening with "项目名称 X": the
    first took only the table title, so its 项目总预算 and 2023年 figures said nothing of which
    project they were of."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "corpus" / "001_4adb7e06924f3751.txt").read_text("utf-8")
    title_of = {cell: b.title for b in parse_text_blocks(text) if isinstance(b, TableBlock)
                for row in b.rows[1:] for cell in row if cell in ("391050.00", "1935900.00")}
    assert title_of["391050.00"] == "表 12.部门项目支出绩效目标表 项目名称 区社会管理网格化服务中心工作经费"
    assert title_of["1935900.00"] == "项目名称 区社会管理网格化服务中心劳务派遣人员工作经费"


def test_a_header_row_of_column_words_names_no_project() -> None:
    from index.textblocks import NAMED_FORM_RE

    assert NAMED_FORM_RE.match("项目名称 区社会管理网格化服务中心工作经费")
    assert not NAMED_FORM_RE.match("项目名称 金额 项目名称 金额")
    assert not NAMED_FORM_RE.match("项目名称 预算数")
