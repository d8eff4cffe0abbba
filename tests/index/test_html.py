"""file -> blocks (.html / .htm): small pages written here, and a web-page copy of the shared
社会工作部 PDF (narrative as <p>, tables as <table> with colspan/rowspan) read back to its facts."""

from __future__ import annotations

import html
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from shared_sample import MAX_BYTES, SAMPLE, agreement, extra_share, needs_sample, table_fact_keys

from index.analyse import analyse_file
from index.html import load_html
from index.load import load_report
from index.models import Fact, ReportFormatError, TableBlock, TextBlock

PAGE = """<!DOCTYPE html>
<html><head><meta charset="gb2312"><title>部门决算</title>
<style>p { color: red }</style><script>var x = "收入 99.99 万元";</script></head>
<body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a></div>
<nav><ul><li>机构概况</li></ul></nav>
<div id="content">
<h2>一、收入支出决算总体情况说明</h2>
<p>2024年度收入总计307.82万元。<br>支出总计307.82万元。</p>
<p style="text-align:center">收入决算表</p>
<p>单位：万元</p>
<table border="1">
<tr><th colspan="2">项目</th><th rowspan="2">本年收入合计</th><th rowspan="2">财政拨款收入</th></tr>
<tr><td>科目编码</td><td>科目名称</td></tr>
<tr><td>201</td><td>一般公共服务<br>支出</td><td>264.87</td><td>264.87</td></tr>
<tr><td>20139</td><td>社会工作事务</td><td>264.87</td><td>-</td></tr>
</table>
<p>财政拨款“三公”经费支出决算表</p>
<p><img src="/upload/2024/sgjf.png" alt="三公经费支出决算表"></p>
</div>
<div class="footer">版权所有 上海市普陀区人民政府 电话 52564588</div>
</body></html>
"""


def test_page_blocks(tmp_path: Path) -> None:
    path = tmp_path / "决算.html"
    path.write_bytes(PAGE.encode("gb18030"))
    blocks, text = load_html(path, MAX_BYTES)
    section = "一、收入支出决算总体情况说明"
    assert blocks == [
        TextBlock(text=section, section=section, line=1),
        TextBlock(text="2024年度收入总计307.82万元。", section=section, line=2),
        TextBlock(text="支出总计307.82万元。", section=section, line=3),
        TableBlock(
            title="收入决算表",
            rows=(
                ("项目", "", "本年收入合计", "财政拨款收入"),
                ("科目编码", "科目名称", "", ""),
                ("201", "一般公共服务支出", "264.87", "264.87"),
                ("20139", "社会工作事务", "264.87", "-"),
            ),
            unit="万元",
            section=section,
            shape="html",
        ),
        TextBlock(
            text="[table as image, not read: 财政拨款“三公”经费支出决算表]", section=section, line=6
        ),
    ]
    assert "首页" not in text and "99.99" not in text and "52564588" not in text


def test_page_facts(tmp_path: Path) -> None:
    path = tmp_path / "决算.htm"
    path.write_text(PAGE, encoding="utf-8")
    facts = analyse_file(path, MAX_BYTES).facts
    table = [f for f in facts if f.source == "table"]
    # "项目" spans the two code/name columns only: the figure columns are named by their own cell
    assert table[0] == Fact(
        report="决算.htm", source="table", table="收入决算表", row_label="一般公共服务支出",
        column="本年收入合计", value=Decimal("264.87"), raw="264.87", unit="万元",
        locator="收入决算表, row “201 一般公共服务支出”, column “本年收入合计”",
        quote="201  一般公共服务支出  264.87  264.87", code="201", position=2,
    )  # fmt: skip
    assert table[2].parents == "一般公共服务支出"
    assert [(f.row_label, f.value) for f in facts if f.source == "text"] == [
        ("2024年度收入总计", Decimal("307.82")),
        ("支出总计", Decimal("307.82")),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.html", b"", "empty.html: file is empty (0 bytes)"),
        ("blank.html", b"  \n\t ", "blank.html: file is empty (only whitespace)"),
        ("noise.htm", bytes(range(256)) * 8, "noise.htm:"),
        ("pdf.html", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj", "pdf.html: binary content (a PDF file named .html)"),
        (
            "chrome.html",
            "<html><head><script>var a=1;</script></head><body><nav>首页</nav>"
            "<div class='footer'>版权所有</div></body></html>".encode(),
            "chrome.html: web page with no report text",
        ),
    ],
)
def test_bad_pages_give_one_line(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReportFormatError) as caught:
        load_report(path, MAX_BYTES)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_layout_table_is_read_as_prose(tmp_path: Path) -> None:
    path = tmp_path / "layout.html"
    path.write_text(
        "<table><tr><td><p>一、部门主要职能</p><p>负责社会工作。</p>"
        "<table><tr><td>项目</td><td>金额</td></tr><tr><td>办公费</td><td>3.78</td></tr></table>"
        "</td></tr></table>",
        encoding="utf-8",
    )
    blocks, _ = load_html(path, MAX_BYTES)
    assert [b.text for b in blocks if isinstance(b, TextBlock)] == ["一、部门主要职能", "负责社会工作。"]
    assert [b.rows for b in blocks if isinstance(b, TableBlock)] == [(("项目", "金额"), ("办公费", "3.78"))]


# ---------------------------------------------------------------------------------------------
# the shared PDF as a web page


def page_from_blocks(blocks: tuple[object, ...], title: str) -> str:
    """The PDF's blocks as a CMS page: headings as <h3>, paragraphs as <p> (two of them joined
    by <br>), each table's title and unit line as <p> above a <table>, header cells that the
    PDF prints merged (a cell followed by empty ones, or over empty ones) as colspan/rowspan."""
    out = [f"<html><head><title>{html.escape(title)}</title><script>track();</script></head><body>",
           '<div class="breadcrumb">首页 &gt; 财政预决算</div><div class="article">']  # fmt: skip
    for block in blocks:
        if isinstance(block, TextBlock):
            tag = "h3" if block.text == block.section else "p"
            out.append(f"<{tag}>{html.escape(block.text)}</{tag}>")
            continue
        assert isinstance(block, TableBlock)
        if block.title != block.section:
            out.append(f"<p>{html.escape(block.title)}</p>")
        if block.unit:
            out.append(f'<p align="right">单位：{block.unit}</p>')
        out.append(_table(block.rows))
    out.append('</div><div class="footer">主办：上海市普陀区人民政府</div></body></html>')
    return "\n".join(out)


def _table(rows: tuple[tuple[str, ...], ...]) -> str:
    width = max(len(r) for r in rows)
    grid = [list(r) + [""] * (width - len(r)) for r in rows]
    header = 0
    while header < len(grid) and not any(c.replace(".", "").replace(",", "").isdigit() and "." in c for c in grid[header]):
        header += 1
    covered: set[tuple[int, int]] = set()
    lines = ["<table border='1'>"]
    for r, row in enumerate(grid):
        cells = []
        for c, cell in enumerate(row):
            if (r, c) in covered:
                continue
            span = ""
            if r < header and cell:
                cols = 1
                while c + cols < width and not row[c + cols] and (r, c + cols) not in covered:
                    cols += 1
                rowspan = 1
                while r + rowspan < header and all(not grid[r + rowspan][k] for k in range(c, c + cols)):
                    rowspan += 1
                for dr in range(rowspan):
                    for dc in range(cols):
                        covered.add((r + dr, c + dc))
                span = (f' colspan="{cols}"' if cols > 1 else "") + (f' rowspan="{rowspan}"' if rowspan > 1 else "")
            cells.append(f"<td{span}>{html.escape(cell)}</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</table>")
    return "\n".join(lines)


@needs_sample
def test_web_page_copy_of_the_pdf_gives_its_facts(tmp_path: Path) -> None:
    pdf = analyse_file(SAMPLE, MAX_BYTES)
    path = tmp_path / "社会工作部2024决算.html"
    path.write_text(page_from_blocks(pdf.report.blocks, pdf.report.meta.org), encoding="utf-8")
    page = analyse_file(path, MAX_BYTES)

    reference, ours = table_fact_keys(pdf.facts), table_fact_keys(page.facts)
    # measured: 205 of 205 table facts (100%), 95 of 95 sentence facts
    assert agreement(ours, reference) >= 0.95
    assert extra_share(ours, reference) <= 0.05
    assert (page.report.meta.org, page.report.meta.year, page.report.meta.kind) == (
        pdf.report.meta.org, pdf.report.meta.year, pdf.report.meta.kind,
    )  # fmt: skip
    text_reference = Counter((f.row_label, f.value) for f in pdf.facts if f.source == "text")
    text_ours = Counter((f.row_label, f.value) for f in page.facts if f.source == "text")
    assert sum((text_ours & text_reference).values()) >= 0.95 * sum(text_reference.values())
