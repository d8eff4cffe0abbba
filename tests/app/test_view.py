"""qa.view: answers, table grids and quotes -> the markdown and HTML the chat shows."""

from __future__ import annotations

import re

import pytest

from index.models import TableBlock
from qa import view

# A few rows of 000_31904a6d4c850464.txt lines 276-283 (表 6, tsv shape, three side-by-side
# code/name/amount groups), as the tsv loader grids them.
TABLE_6 = TableBlock(
    title="2020 年度一般公共预算财政拨款基本支出决算表（表 6）",
    unit="万元",
    rows=(
        ("人员经费", "", "", "公用经费", "", "", "", "", ""),
        (
            "科目 编码",
            "科目名称",
            "决算数",
            "科目 编码",
            "科目名称",
            "决算数",
            "科目编 码",
            "科目名称",
            "决算数",
        ),
        (
            "301",
            "工资福利支出",
            "222.59",
            "302",
            "商品和服务支出",
            "15.31",
            "307",
            "债务利息及费用支出",
            "",
        ),
        ("30101", "基本工资", "40.06", "30201", "办公费", "1.25", "30701", "国内债务付息", ""),
        ("30106", "伙食补助费", "", "30204", "手续费", "", "31002", "办公设备购置", "0.25"),
        ("30107", "绩效工资", "93.44", "30205", "水费", "0.12", "31003", "专用设备购置", ""),
        ("人员经费合计", "", "222.59", "公用经费合计", "", "", "", "", "15.56"),
    ),
    line_numbers=(276, 277, 278, 279, 282, 283, 306),
)
GRID_6 = {
    "title": TABLE_6.title,
    "unit": TABLE_6.unit,
    "rows": TABLE_6.rows,
    "line_numbers": TABLE_6.line_numbers,
}

# The Answerer's citation for "硚口区2020年绩效工资是多少？" (eval case P12).
CITE_93_44 = {
    "report": "000_31904a6d4c850464.txt",
    "locator": "2020 年度一般公共预算财政拨款基本支出决算表（表 6）, row “30107 绩效工资”, "
    "column “人员经费 / 决算数”, line 283",
    "quote": "30107  绩效工资  93.44  30205  水费  0.12  31003  专用设备购置",
    "table": "2020 年度一般公共预算财政拨款基本支出决算表（表 6）",
    "section": "",
    "row": "30107 绩效工资",
    "column": "人员经费 / 决算数",
    "raw": "93.44",
    "unit": "万元",
    "source": "table",
}

# The Answerer's citation for "how many 12345 工单 did Yuelu handle in 2021?" (eval case P01).
CITE_84395 = {
    "report": "004_abd4107061c8b5b5.txt",
    "locator": "2021年度部门整体支出绩效自评表, line 141",
    "quote": "全区全年共签收12345热线工单84395件，群众总体满意度99.13%，居全市第二。",
    "table": "",
    "section": "2021年度部门整体支出绩效自评表",
    "row": "全区全年共签收12345热线工单",
    "column": "",
    "raw": "84395",
    "unit": "件",
    "source": "text",
}


def hit_cells(html_text: str) -> list[str]:
    """Text of the highlighted table cells (what a reader sees marked)."""
    return re.findall(r'<td class="dqa-hit"[^>]*><mark[^>]*>(.*?)</mark></td>', html_text)


def marked(html_text: str) -> list[str]:
    return re.findall(r"<mark[^>]*>(.*?)</mark>", html_text)


# ------------------------------------------------------------------ locating the cited cell


def test_table_citation_highlights_the_cited_cell() -> None:
    page = view.render_source(CITE_93_44, GRID_6)
    assert hit_cells(page) == ["93.44"]
    assert "000_31904a6d4c850464.txt" in page
    assert "2020 年度一般公共预算财政拨款基本支出决算表（表 6）" in page
    assert "（单位：万元）" in page
    # the highlighted row is the one printed on line 283
    assert re.search(r'<tr class="dqa-hit-row"[^>]*><td class="dqa-line"[^>]*>283</td>', page)


@pytest.mark.parametrize(
    ("row", "column", "raw", "expected"),
    [
        # code cell, then the nearest figure right of the name: (5, 2), not 水费's 0.12
        ("30107 绩效工资", "人员经费 / 决算数", "93.44", (5, 2)),
        # the same row's third group: 31002 办公设备购置 0.25
        ("31002 办公设备购置", "决算数", "0.25", (4, 8)),
        # label without a code, figure far right in the 公用经费 group
        ("公用经费合计", "公用经费", "15.56", (6, 8)),
        # 222.59 is printed twice; the code 301 picks row 2, the label 人员经费合计 row 6
        ("301 工资福利支出", "人员经费 / 决算数", "222.59", (2, 2)),
        ("人员经费合计", "人员经费", "222.59", (6, 2)),
        # neither code nor label, figure printed twice and no header tells them apart
        ("", "", "222.59", None),
        # not printed at all
        ("30107 绩效工资", "决算数", "93.45", None),
    ],
)
def test_locate_cell(row: str, column: str, raw: str, expected: tuple[int, int] | None) -> None:
    assert view.locate_cell(TABLE_6.rows, row, column, raw) == expected


def test_locate_cell_code_and_name_in_one_cell() -> None:
    # 001_4adb7e06924f3751.txt 表 3.支出预算总表, lines 272-278: 203.85 is printed on three rows
    rows = (
        ("科目编码", "科目名称", "合计", "基本支出", "项目支出"),
        ("201 一般公共服务支出", "522.97", "319.12", "203.85"),
        ("20103 政府办公厅（室）及相关机构事务", "522.97", "319.12", "203.85"),
        ("2010399 其他政府办公厅（室）及相关机构事务支出", "203.85", "0.00", "203.85"),
    )
    assert view.locate_cell(rows, "20103 政府办公厅（室）及相关机构事务", "项目支出", "203.85") == (
        2,
        3,
    )
    # 2010399 also starts with 20103 but is a longer code
    assert view.locate_cell(
        rows, "2010399 其他政府办公厅（室）及相关机构事务支出", "合计", "203.85"
    ) == (3, 1)


def test_locate_cell_merged_header_and_unit_suffix() -> None:
    # 000_31904a6d4c850464.txt 表 7 lines 316-320: "预算数" spans six columns, no row label
    rows = (
        ("预算数", "", "", "", "", "", "决算数", "", "", "", "", ""),
        (
            "合计",
            "因公出国（境）费",
            "公务用车购置及运行费",
            "",
            "",
            "公务接待费",
            "合计",
            "",
            "",
            "",
            "",
            "公务接待费",
        ),
        ("1.15", "0.00", "0.00", "0.00", "0.00", "1.15", "", "", "", "", "", ""),
    )
    assert view.locate_cell(rows, "", "预算数 / 公务接待费", "1.15") == (2, 5)
    assert view.locate_cell(rows, "", "预算数 / 合计", "1.15") == (2, 0)
    # 000_31904a6d4c850464.txt line 470: the figure carries its unit in the cell
    perf = (("基本支出总额", "", "238.15 万元", "", "项目支出总额", "", "287.58 万元", ""),)
    assert view.locate_cell(perf, "项目支出总额", "", "287.58") == (0, 6)


def test_table_from_another_table_with_the_same_title_falls_back_to_the_quote() -> None:
    cite = {**CITE_93_44, "locator": "…（表 6）, row “30107 绩效工资”, line 900"}
    page = view.render_source(cite, GRID_6)
    assert hit_cells(page) == []
    assert marked(page) == ["93.44"]
    assert "line 900 lies outside" in page


def test_unlocatable_cell_shows_the_quote_with_a_note() -> None:
    cite = {**CITE_93_44, "raw": "93.45", "quote": "30107  绩效工资  93.45"}
    page = view.render_source(cite, GRID_6)
    assert hit_cells(page) == []
    assert marked(page) == ["93.45"]
    assert "could not be located" in page


def test_long_table_shows_a_window_around_the_hit() -> None:
    rows = [("项目", "金额")] + [(f"行{i}", f"{i}.00") for i in range(100)]
    page = view.render_grid(rows, (61, 1))
    assert hit_cells(page) == ["60.00"]
    assert "行0" not in page and "行51" not in page and "行52" in page and "行68" in page
    # rows 53-69 are shown (61 ± 8): grid rows 1-52 (行0-行51) and 70-100 (行69-行99) are not
    assert "… 52 rows …" in page and "… 31 rows …" in page


# ------------------------------------------------------------------ quotes


def test_text_citation_highlights_the_figure_after_its_label() -> None:
    page = view.render_source(CITE_84395)
    assert marked(page) == ["84395"]  # not the 12345 of the hotline's name
    assert "004_abd4107061c8b5b5.txt" in page
    assert "2021年度部门整体支出绩效自评表" in page


@pytest.mark.parametrize(
    ("text", "raw", "after", "expected"),
    [
        ("本年支出合计313. 08万元，其中：基本支出93. 72万元", "313. 08", "", "313. 08"),
        ("本年支出合计313. 08万元", "313.08", "", "313. 08"),  # raw without the OCR space
        ("合计 1,234.56 元", "1234.56", "", "1,234.56"),
        ("累计 193.44，其中 93.44", "93.44", "", "93.44"),  # not inside 193.44
        ("热线12345工单84395件", "12345", "", "12345"),
        ("全年 12 个，增长 12.5%", "12", "", "12"),  # not the 12 of 12.5
    ],
)
def test_find_figure(text: str, raw: str, after: str, expected: str) -> None:
    span = view.find_figure(text, raw, after)
    assert span is not None and text[span[0] : span[1]] == expected


def test_find_figure_missing() -> None:
    assert view.find_figure("全年 12.5 万元", "12", "") is None


# ------------------------------------------------------------------ escaping: report text is text

SCRIPT = "<script>alert(1)</script>"
CHECKBOX = '<input type="checkbox">'


def test_grid_cells_are_escaped() -> None:
    rows = (
        ("项目", "金额"),
        (f"{SCRIPT}绩效工资 {CHECKBOX}", "93.44"),
        ("<b>合计</b>", "<b>93.44</b>"),
    )
    page = view.render_grid(rows, (1, 1), title=f"表 6 {SCRIPT}", unit="<i>万元</i>")
    assert (
        "<script" not in page and "<input" not in page and "<b>" not in page and "<i>" not in page
    )
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;绩效工资 &lt;input type=&quot;checkbox&quot;&gt;"
        in page
    )
    assert "&lt;b&gt;合计&lt;/b&gt;" in page
    assert "表 6 &lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_quote_and_citation_fields_are_escaped() -> None:
    cite = {
        **CITE_84395,
        "report": f"{SCRIPT}.txt",
        "locator": f"{CHECKBOX}, line 1",
        "quote": f"{SCRIPT}共签收12345热线工单84395件 {CHECKBOX}",
        "section": "<b>一</b>",
    }
    page = view.render_source(cite)
    assert "<script" not in page and "<input" not in page and "<b>一" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;共签收12345热线工单" in page
    assert "&lt;input type=&quot;checkbox&quot;&gt;" in page
    assert marked(page) == ["84395"]


def test_table_source_escapes_the_stored_grid() -> None:
    grid = {"title": "表", "unit": "万元", "rows": (("30107", f"绩效工资{SCRIPT}", "93.44"),)}
    cite = {**CITE_93_44, "row": "30107 绩效工资", "locator": "表, line 1"}
    page = view.render_source(cite, grid)
    assert hit_cells(page) == ["93.44"]
    assert "<script" not in page and "绩效工资&lt;script&gt;" in page


def test_chat_markdown_is_escaped() -> None:
    answer = {
        "question": SCRIPT,
        "status": "answered",
        "answer": f"{SCRIPT} {CHECKBOX} 为 93.44 万元",
        "value": "93.44",
        "unit": "万元",
        "citations": [{**CITE_93_44, "report": f"{SCRIPT}.txt"}],
    }
    text = view.answer_markdown(answer)
    assert "<script" not in text and "<input" not in text
    assert "&lt;script&gt;alert\\(1\\)" not in text  # parentheses are not markdown-special here
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_comparison_chart_and_table_are_escaped() -> None:
    rows = [
        {
            "label": SCRIPT,
            "value": "1",
            "unit": "万元",
            "canonical": "1",
            "canonical_unit": "万元",
            "status": "answered",
            "org": CHECKBOX,
            "year": 2020,
            "metric": "m",
            "report": "r.txt",
        }
    ]
    for text in (view.comparison_chart(rows), view.comparison_markdown(rows)):
        assert "<script" not in text and "<input" not in text


# ------------------------------------------------------------------ chat message and comparisons

COMPARISON = [
    {
        "label": "2020",
        "value": "238.15",
        "unit": "万元",
        "report": "000_31904a6d4c850464.txt",
        "canonical": "238.15",
        "canonical_unit": "万元",
        "status": "answered",
        "org": "武汉市硚口区社会管理网格化服务中心",
        "year": 2020,
        "metric": "合计·基本支出",
    },
    {
        "label": "2024",
        "value": "455.15",
        "unit": "万元",
        "report": "001_4adb7e06924f3751.txt",
        "canonical": "455.15",
        "canonical_unit": "万元",
        "status": "answered",
        "org": "武汉市硚口区社会管理网格化服务中心",
        "year": 2024,
        "metric": "合计·基本支出",
    },
]


def test_answer_markdown_shows_figure_sentence_and_citations() -> None:
    answer = {
        "question": "硚口区2020年绩效工资是多少？",
        "status": "answered",
        "answer": "武汉市硚口区社会管理网格化服务中心2020年绩效工资为 93.44 万元。",
        "value": "93.44",
        "unit": "万元",
        "citations": [CITE_93_44],
    }
    assert view.answer_markdown(answer) == (
        "**93.44 万元**\n\n"
        "武汉市硚口区社会管理网格化服务中心2020年绩效工资为 93.44 万元。\n\n"
        "Sources:\n\n"
        "1\\. 000\\_31904a6d4c850464.txt — 2020 年度一般公共预算财政拨款基本支出决算表（表 6）, "
        "row “30107 绩效工资”, column “人员经费 / 决算数”, line 283"
    )


def test_comparison_markdown_table() -> None:
    assert view.comparison_markdown(COMPARISON).splitlines() == [
        "| | organisation | year | metric | value | report |",
        "|---|---|---|---|---:|---|",
        "| 2020 | 武汉市硚口区社会管理网格化服务中心 | 2020 | 合计·基本支出 | 238.15 万元 | 000\\_31904a6d4c850464.txt |",
        "| 2024 | 武汉市硚口区社会管理网格化服务中心 | 2024 | 合计·基本支出 | 455.15 万元 | 001\\_4adb7e06924f3751.txt |",
    ]


def test_comparison_chart_bar_widths() -> None:
    chart = view.comparison_chart(COMPARISON)
    # 238.15 / 455.15 = 52.3 %; the larger side fills the bar
    assert re.findall(r"width:([0-9.]+)%", chart) == ["52.3", "100.0"]
    assert "238.15 万元" in chart and "455.15 万元" in chart


def test_not_found_lists_nearest_figures_as_sources() -> None:
    answer = {
        "question": "q",
        "status": "not_found",
        "answer": "未找到。",
        "value": None,
        "unit": "",
        "citations": [],
        "nearest": [{**CITE_84395, "value": "84395", "score": 0.4}],
    }
    assert view.source_citations(answer) == answer["nearest"]
    assert "Nearest figures (not an answer):" in view.answer_markdown(answer)
    assert view.citation_label(0, CITE_84395) == (
        "[1] 004_abd4107061c8b5b5.txt — 2021年度部门整体支出绩效自评表, line 141 — 84395 件"
    )


# 003_37777d28b5322ccf.txt line 428 against 公开 05 表 line 243 (issue 8's Wuchang example),
# as `python -m index check 003_37777d28b5322ccf.txt --json` prints it
WUCHANG_FINDING = {
    "rule": "text_item_matches_table",
    "severity": "error",
    "message": "事业运行（项）支出决算: the text says 367.67 万元, 公开 05 表 prints 372.78 万元",
    "figures": [
        {
            "value": "367.67",
            "locator": "（三）一般公共预算财政拨款支出决算具体情况, line 428",
            "quote": "年初预算为 363.82 万元，支出决算为 367.67 万元，完成年初预算的 102.46%",
        },
        {
            "value": "372.78",
            "locator": "公开 05 表, row “2010350 事业运行”, column “本年支出 / 小计”, line 243",
            "quote": "2010350  事业运行  372.78  372.78",
        },
    ],
}
WARNING = {"rule": "required_tables_present", "severity": "warning",
           "message": "tables of the template not found: 财政拨款总表", "figures": []}  # fmt: skip
WUCHANG = {"name": "003_37777d28b5322ccf.txt", "org": "武汉市武昌区城市运行管理中心", "year": 2024,
           "kind": "决算", "scope": "部门", "tables": 10, "tables_passed": 7, "facts": 374}  # fmt: skip


def test_report_rows() -> None:
    report = {
        "name": "000_31904a6d4c850464.txt",
        "org": "武汉市硚口区社会管理网格化服务中心",
        "year": 2020,
        "kind": "决算",
        "scope": "单位",
        "read": "PDF text layer + OCR of p. 14",
        "tables": 9,
        "tables_passed": 6,
        "facts": 352,
    }
    assert view.report_rows([report, WUCHANG], {WUCHANG["name"]: [WUCHANG_FINDING, WARNING]}) == [
        ["000_31904a6d4c850464.txt", "武汉市硚口区社会管理网格化服务中心", 2020, "决算", "单位",
         "PDF text layer + OCR of p. 14", 9, 352, "6 / 9", "none"],
        ["003_37777d28b5322ccf.txt", "武汉市武昌区城市运行管理中心", 2024, "决算", "部门",
         "", 10, 374, "7 / 10", "2 (1 error, 1 warning)"],
    ]  # fmt: skip


def test_findings_html_lists_identity_findings_and_their_figures() -> None:
    clean = {"name": "004_abd4107061c8b5b5.txt", "org": "长沙市岳麓区网格化综合服务中心", "year": 2021,
             "kind": "绩效自评", "scope": "", "tables": 1, "facts": 148}  # fmt: skip
    page = view.findings_html([(WUCHANG, [WUCHANG_FINDING]), (clean, [])])
    wuchang, yuelu = page.split('<details class="dqa-report"')[1:]
    assert 'data-report="003_37777d28b5322ccf.txt" open' in wuchang
    assert "武汉市武昌区城市运行管理中心 · 2024 · 决算 · 部门" in wuchang
    assert "findings: 1 (1 error)" in wuchang
    text = re.sub(r"<[^>]+>", " ", wuchang)
    for part in ("text_item_matches_table", "372.78", "公开 05 表, row “2010350 事业运行”, column “本年支出 / 小计”, line 243",
                 "（三）一般公共预算财政拨款支出决算具体情况, line 428"):  # fmt: skip
        assert part in text
    # the figure is marked in its printed line
    assert '<mark class="dqa-hit" style="' in wuchang and ">367.67</mark>" in wuchang
    assert " open" not in yuelu.split(">")[0]
    assert "长沙市岳麓区网格化综合服务中心 · 2021 · 绩效自评" in yuelu
    assert "Every check that applies holds." in yuelu
    assert view.findings_html([]) == '<p class="dqa-none">No reports in the index yet.</p>'


def test_findings_and_replace_preview_are_escaped() -> None:
    evil = {"name": "<img src=x onerror=alert(1)>.txt", "org": "<b>局</b>", "year": 2024, "kind": "预算"}
    finding = {"rule": "<r>", "severity": "<s>", "message": "<script>x</script>",
               "figures": [{"value": "<1>", "locator": "<i>l</i>", "quote": "<input> 1"}]}  # fmt: skip
    page = view.findings_html([(evil, [finding])])
    assert "<img" not in page and "<script" not in page and "<input" not in page and "<b>局" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;.txt" in page

    class Change:
        name = "<x>.txt"
        stored = {"org": "<b>old</b>", "facts": 1}
        new = {"org": "<b>new</b>", "facts": 2}

    preview = view.replace_preview_html([Change()])
    assert "<b>old" not in preview and "&lt;b&gt;new&lt;/b&gt;" in preview
    assert preview.count('class="dqa-changed"') == 2  # org and facts differ


RANKING = {
    "order": "desc", "top": 1, "year": 2024, "kind": "决算", "rows": [
        {"rank": 1, "org": "上海市普陀区财政局", "year": 2024, "kind": "决算", "status": "answered",
         "value": "2336.91", "unit": "万元", "canonical": "2336.91", "canonical_unit": "万元", "note": "",
         "citation": {"report": "财政局.pdf", "locator": "p. 21", "quote": "基本支出2336.91万元"}, "candidates": []},
        {"rank": 2, "org": "<b>福利院</b>", "year": 2024, "kind": "决算", "status": "answered",
         "value": "421800", "unit": "元", "canonical": "42.18", "canonical_unit": "万元", "note": "",
         "citation": {"report": "福利院.pdf", "locator": "p. 14", "quote": "合计 421,800"}, "candidates": []},
        {"rank": None, "org": "规划资源局", "year": 2024, "kind": "决算", "status": "ambiguous", "value": None,
         "unit": "", "canonical": None, "canonical_unit": "", "note": "", "citation": None,
         "candidates": [{"value": "5377.64", "unit": "万元"}, {"value": "5364.75", "unit": "万元"}]},
    ],
}


def test_a_ranking_is_a_table_with_every_row_and_its_place() -> None:
    table = view.ranking_markdown(RANKING)
    lines = table.splitlines()
    assert len(lines) == 2 + 3  # header, rule, one line per organisation (the ambiguous one kept)
    assert "2336.91 万元" in lines[2] and "财政局.pdf: p. 21" in lines[2]
    assert "421800 元 (42.18 万元)" in lines[3]  # printed in 元, with its 万元 conversion
    assert "&lt;b&gt;福利院&lt;/b&gt;" in lines[3]  # report text never becomes markup
    assert "5377.64 万元 / 5364.75 万元" in lines[4] and "ambiguous" in lines[4]


def test_a_ranking_csv_opens_in_a_spreadsheet_with_every_row() -> None:
    import csv
    import io

    text = view.ranking_csv(RANKING)
    assert text.startswith("\ufeff")  # so that a spreadsheet reads the Chinese as UTF-8
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == list(view.RANKING_COLUMNS)
    assert rows[1][:7] == ["1", "上海市普陀区财政局", "2024", "决算", "2336.91", "万元", ""]
    assert rows[2][4:7] == ["421800", "元", "42.18 万元"]
    assert rows[3][0] == "" and rows[3][7] == "ambiguous" and rows[3][8:] == ["", "", ""]


def test_a_ranking_chart_draws_a_bar_per_figure_in_one_unit() -> None:
    chart = view.ranking_chart(RANKING)
    assert chart.count('class="dqa-bar"') == 2
    assert "width:100.0%" in chart and "width:1.8%" in chart  # 42.18 / 2336.91
    assert "ambiguous" in chart and "<b>福利院</b>" not in chart
