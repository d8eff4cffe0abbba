"""The cited PDF page, rendered with the figure's box marked (qa.page_view), on the shared real
PDFs: the box is where pdfplumber reads the figure, on upright and on rotated pages."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from qa.page_view import PageCache, cited_page, figure_anchor, page_html, render_page

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real-reports"
FINANCE = REAL / "上海市普陀区财政局2024年度部门决算.pdf"
JIANGSU_TABLES = REAL / "江苏省人大常委会办公厅2019年部门预算公开表.pdf"
pytestmark = pytest.mark.skipif(not FINANCE.exists(), reason="../shared/real-reports is not here")


def _marked_pixels(png: bytes) -> list[tuple[int, int]]:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    pixels = image.load()
    return [(x, y) for y in range(0, height, 2) for x in range(0, width, 2)
            if pixels[x, y][0] > 200 and 60 < pixels[x, y][1] < 120 and pixels[x, y][2] < 60]  # the outline


def test_the_cited_figure_is_marked_where_the_page_prints_it() -> None:
    import pdfplumber

    # p. 21: 本年支出合计2940.05万元，其中：基本支出2336.91万元
    page = render_page(FINANCE, 21, "2336.91", "基本支出")
    assert page.marks == 1 and page.page == 21
    marked = _marked_pixels(page.png)
    assert marked
    with pdfplumber.open(FINANCE) as pdf:
        chars = [c for c in pdf.pages[20].chars]
    text = "".join(c["text"] for c in chars)
    at = text.index("2336.91")
    x0, top = chars[at]["x0"], chars[at]["top"]
    x1, bottom = chars[at + 6]["x1"], chars[at + 6]["bottom"]
    scale = page.width / float(pdfplumber.open(FINANCE).pages[20].width)
    xs, ys = [x for x, _ in marked], [y + page.top for _, y in marked]  # on the whole page
    assert page.top > 0 and page.height < 774  # the band around the figure, not the whole page
    # the outline holds the middle of the figure's characters and is about as wide (pdfium's
    # glyph boxes are tighter than pdfplumber's font boxes by a point or two)
    assert min(xs) <= (x0 + x1) / 2 * scale <= max(xs)
    assert min(ys) <= (top + bottom) / 2 * scale <= max(ys)
    assert abs((max(xs) - min(xs)) - (x1 - x0) * scale) < 16
    assert max(ys) - min(ys) < 30


def test_of_a_figure_printed_several_times_the_one_on_the_row_asked_is_marked() -> None:
    # 公开表二 (rotated 90°): 18,330.37 is printed for 收入总计, 小计 and 公共财政拨款(补助)资金
    one = render_page(JIANGSU_TABLES, 2, "18,330.37", "公共财政拨款(补助)资金")
    assert one.marks == 1
    every = render_page(JIANGSU_TABLES, 2, "18,330.37", "")
    assert every.marks == 3  # nothing to tell them apart: all marked, none picked
    assert one.width == every.width and abs(one.width - 1191 * 1.3) < 1.5  # shown as read: landscape
    rows = sorted({y + one.top for _, y in _marked_pixels(one.png)})
    all_rows = sorted({y + every.top for _, y in _marked_pixels(every.png)})
    assert rows[0] > all_rows[0]  # the third printing, not the first (收入总计)


def test_a_figure_inside_a_longer_number_is_not_the_figure() -> None:
    # p. 8: "一般行政管理事务 16.19 10.00 6.19": the cited 6.19 is the last cell, not the end of 16.19
    every = render_page(FINANCE, 8, "6.19", "")
    assert every.marks == 1
    sixteen = render_page(FINANCE, 8, "16.19", "")
    six_x = min(x for x, _ in _marked_pixels(every.png))
    assert six_x > max(x for x, _ in _marked_pixels(sixteen.png))  # to the right of 16.19


def test_a_page_the_file_does_not_have_is_refused() -> None:
    with pytest.raises(ValueError, match="not a page 999"):
        render_page(FINANCE, 999, "1", "")


def test_locators_and_anchors() -> None:
    assert cited_page("三、支出决算情况说明, p. 21") == 21
    assert cited_page("表6, row “30107 绩效工资”, line 358") is None
    table = {"source": "table", "row": "30102 津贴补贴", "raw": "1,238.58"}
    text = {"source": "text", "raw": "2336.91", "quote": "本年支出合计2940.05万元，其中：基本支出2336.91万元"}
    assert figure_anchor(table) == "津贴补贴"
    assert figure_anchor(text) == "中：基本支出"  # the six characters before it


def test_the_page_html_escapes_names_and_links_to_the_page(tmp_path: Path) -> None:
    cache = PageCache(size=1)
    page = cache.get(FINANCE, 21, "2336.91", "基本支出")
    assert cache.get(FINANCE, 21, "2336.91", "基本支出") is page  # cached
    html = page_html(page, "<b>x</b>.pdf", "/gradio_api/file=/a%20b.pdf")
    assert "&lt;b&gt;x&lt;/b&gt;.pdf" in html and "<b>" not in html
    assert 'href="/gradio_api/file=/a%20b.pdf#page=21"' in html
    assert "the cited figure is marked" in html and html.count("data:image/png;base64,") == 1
