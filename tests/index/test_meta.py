"""Report identity from the document's own cover and title lines (index/meta.py)."""

from __future__ import annotations

import pytest

from index.meta import read_meta, split_place


@pytest.mark.parametrize(
    ("text", "name", "want"),
    [
        ("上海市普陀区2025年区级部门预算\n预算主管部门：上海市普陀区人民政府万里街道办事处目 录\n一、部门主要职能\n"
         "万里街道办事处建设的万里街道社区公共服务中心新建工程", "wanli.pdf",
         ("上海市普陀区人民政府万里街道办事处", "普陀区", 2025, "预算", "区级", "部门", "上海市普陀区")),
        ("上海市2025年市级单位预算\n预算单位：上海市财政局目 录\n一、单位主要职能", "x.pdf",
         ("上海市财政局", "", 2025, "预算", "市级", "单位", "上海市")),
        ("江苏省人大常委会办公厅\n2017 年度部门预算\n目录\n第一部分部门概况", "省人大办公厅2017.pdf",
         ("江苏省人大常委会办公厅", "", 2017, "预算", "省级", "部门", "江苏省")),
        ("收支预算总表公开表一部门：江苏省人大常委会办公厅单位：万元\t\t\n收入\t支出", "江苏省人大常委会办公厅2019年部门预算公开表.pdf",
         ("江苏省人大常委会办公厅", "", None, "预算", "省级", "部门", "江苏省")),
        ("中共上海市普陀区委社会工作部 2024 年度部门决算目 录\n第一部分", "s.pdf",
         ("中共上海市普陀区委社会工作部", "普陀区", 2024, "决算", "区级", "部门", "上海市普陀区")),
    ],
)
def test_identity_is_read_from_cover_and_title(text, name, want) -> None:
    meta = read_meta(text, name)
    got = (meta.org, meta.district, meta.year, meta.kind, meta.level, meta.scope, meta.place)
    if want[2] is None:  # a tables-only file names no year on its first line
        got = (*got[:2], None, *got[3:])
    assert got == want


def test_the_file_name_is_the_last_resort() -> None:
    meta = read_meta("一、收入\t100.00\n二、支出\t100.00", "上海市普陀区社会福利院2024年单位预算.pdf")
    assert meta.org == "上海市普陀区社会福利院"


def test_places_are_the_leading_divisions_only() -> None:
    assert split_place("上海市普陀区规划和自然资源局") == ("上海市", "普陀区")
    assert split_place("中共上海市普陀区委社会工作部") == ("上海市", "普陀区")
    assert split_place("江苏省人大常委会办公厅") == ("江苏省",)
    assert split_place("武昌区城市运行管理中心") == ("武昌区",)


def test_year_from_the_file_name_when_the_text_prints_none() -> None:
    from index.meta import read_meta

    assert read_meta("表一 收支总表 单位：万元", "江苏省人大常委会办公厅2019年部门预算公开表.pdf").year == 2019
    assert read_meta("表一 收支总表 单位：万元", "万里街道办事处24年预算.pdf").year == 2024
    assert read_meta("表一 收支总表 单位：万元", "tables.pdf").year is None


def test_a_workbook_is_known_by_its_file_name_where_its_tables_tie() -> None:
    # tables only (no cover): the department printed once as 中共…社会工作部（本级）, a subordinate
    # unit once; the file "社会工作部2024决算.xlsx" names the department and the year (no 年)
    text = "收入支出决算总表\n中共上海市普陀区委社会工作部（本级）\t105.58\n上海市普陀区社会工作发展服务中心\t10.16\n"
    meta = read_meta(text, "社会工作部2024决算.xlsx")
    assert (meta.org, meta.year) == ("中共上海市普陀区委社会工作部", 2024)
    # two digits without 年 are no year ("表2", a hash)
    assert read_meta("收入支出决算总表\n", "001_4adb7e06924f3751.txt").year is None
