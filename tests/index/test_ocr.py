"""PDF pages without a text layer -> blocks by OCR: table geometry on drawn grids, and scanned
copies of the shared 社会工作部 PDF (rendered with pypdfium2, saved as image-only PDFs with
Pillow) read back to the text version's table facts."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pypdfium2
import pytest
from shared_sample import (
    MAX_BYTES,
    SAMPLE,
    agreement,
    extra_share,
    failed_errors,
    needs_sample,
    table_fact_keys,
)

from index.analyse import analyse_file
from index.models import ReportFormatError, TableBlock
from index.ocr import OcrBox, find_rulings, ruled_tables, unruled_tables
from index.pdf import _ocr_text, load_pdf

# --- geometry, on grids drawn here (no OCR engine) ---------------------------------------------


def box(text: str, x0: float, top: float, x1: float, bottom: float, confidence: float = 0.99) -> OcrBox:
    return OcrBox(text, x0, top, x1, bottom, confidence)


def test_ruled_grid_with_a_merged_header_cell() -> None:
    # 3 columns at x = 50, 150, 250, 350 pt and 3 rows at y = 100, 120, 140, 160 pt, drawn at 2x;
    # the header's second and third cells share one cell ("收入" over both figure columns)
    image = np.full((500, 800), 255, dtype=np.uint8)
    for y in (100, 120, 140, 160):
        image[2 * y : 2 * y + 2, 100:702] = 0
    for x in (50, 350):
        image[200:322, 2 * x : 2 * x + 2] = 0
    image[200:322, 300:302] = 0  # x = 150: all rows
    image[240:322, 500:502] = 0  # x = 250: below the header only
    boxes = [
        box("项目", 80, 104, 110, 116),
        box("收入", 230, 104, 270, 116),
        box("事业运行", 60, 124, 120, 136),
        box("11.31", 180, 124, 220, 136),
        box("11.3l", 280, 124, 320, 136, confidence=0.61),
        box("合计", 60, 144, 90, 156),
        box("307.82", 180, 144, 220, 156),
        box("标题在表外", 50, 40, 200, 52),
    ]
    horizontal, vertical = find_rulings(image, boxes)
    (table,) = ruled_tables(boxes, horizontal, vertical)
    assert table.rows == (
        ("项目", "收入", None),
        ("事业运行", "11.31", "11.3l"),
        ("合计", "307.82", ""),
    )
    assert table.confidence[1] == (0.99, 0.99, 0.61)
    assert table.boxes == frozenset(range(7))  # the title above stays prose
    assert [round(v) for v in table.bbox] == [50, 100, 350, 160]


def test_unruled_table_rows_by_baseline_columns_by_overlap() -> None:
    boxes = [
        box("单位：万元", 300, 20, 360, 32),
        box("项目", 40, 40, 70, 52),
        box("决算数", 200, 40, 240, 52),
        box("基本支出", 40, 60, 100, 72),
        box("105.58", 205, 61, 245, 73),
        box("项目支出", 40, 80, 100, 92),
        box("202.24", 203, 80, 243, 92, confidence=0.9),
    ]
    (table,) = unruled_tables(boxes, range(len(boxes)))
    assert table.rows == (("项目", "决算数"), ("基本支出", "105.58"), ("项目支出", "202.24"))
    assert table.confidence[2] == (0.99, 0.9)
    assert 0 not in table.boxes


@pytest.mark.parametrize(
    ("read", "fixed"),
    [("3，680.00", "3,680.00"), ("307。82", "307.82"), ("一、收入，支出", "一、收入，支出"), ("12，3", "12，3")],
)
def test_ocr_punctuation_inside_figures(read: str, fixed: str) -> None:
    assert _ocr_text(read) == fixed


# --- scanned copies of the shared PDF -----------------------------------------------------------


def scanned_copy(source: Path, pages: list[int], path: Path, text_pages: tuple[int, ...] = ()) -> Path:
    """The given pages (1-based) of `source` as a PDF of pictures: each rendered at 2x with
    pypdfium2 and saved by Pillow at 144 dpi (the page keeps its size in points, no text layer),
    except `text_pages`, copied from `source` with their text."""
    document = pypdfium2.PdfDocument(str(source))
    images = [document[n - 1].render(scale=2).to_pil().convert("RGB") for n in pages]
    pictures = path.with_suffix(".pictures.pdf") if text_pages else path
    images[0].save(pictures, "PDF", resolution=144, save_all=True, append_images=images[1:])
    if text_pages:
        scanned = pypdfium2.PdfDocument(str(pictures))
        out = pypdfium2.PdfDocument.new()
        for k, number in enumerate(pages):
            if number in text_pages:
                out.import_pages(document, [number - 1])
            else:
                out.import_pages(scanned, [k])
        out.save(str(path))
    return path


def text_copy(source: Path, pages: list[int], path: Path) -> Path:
    document = pypdfium2.PdfDocument(str(source))
    out = pypdfium2.PdfDocument.new()
    out.import_pages(document, [n - 1 for n in pages])
    out.save(str(path))
    return path


# Pages 5-7 and 12 hold the 收入支出决算总表 (收入 | 支出 side by side), the 收入决算表 (a
# two-level header, continued from page 6 onto 7) and the 一般公共预算财政拨款支出决算表: 84 of
# the report's 205 table facts in four pages. The whole 24-page report OCRs in about 200 s here
# (205 of 205 table facts identical), too long for every run; page 13 alone (215 lines) takes 15-20 s.
TABLE_PAGES = [5, 6, 7, 12]


@needs_sample
@pytest.mark.slow
def test_scanned_copy_gives_the_text_versions_table_facts(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    text = analyse_file(text_copy(SAMPLE, TABLE_PAGES, tmp_path / "text.pdf"), MAX_BYTES)
    started = time.perf_counter()
    scan = analyse_file(scanned_copy(SAMPLE, TABLE_PAGES, tmp_path / "scan.pdf"), MAX_BYTES)
    seconds = time.perf_counter() - started

    reference, ours = table_fact_keys(text.facts), table_fact_keys(scan.facts)
    agreed = agreement(ours, reference)
    # measured here: 84 of 84 (100%), no extra facts; 2-15 s a page on 2 cores shared with others
    assert sum(reference.values()) >= 80
    assert agreed >= 0.95, (reference - ours, ours - reference)
    assert extra_share(ours, reference) <= 0.05
    assert failed_errors(scan) <= failed_errors(text)  # identities pass as they do on the text
    assert {b.shape for b in scan.report.blocks if isinstance(b, TableBlock)} == {"ocr"}
    fact = next(f for f in scan.facts if f.table == "收入决算表" and f.row_label == "行政运行")
    assert re.fullmatch(r"收入决算表, row “2013901 行政运行”, column “本年收入合计”, p\. 2, OCR [01]\.\d\d", fact.locator), fact.locator
    progress = capsys.readouterr().err.splitlines()
    assert len(progress) == len(TABLE_PAGES)
    assert progress[0].startswith("scan.pdf: OCR page 1 (1 of 4 without a text layer): ")
    assert seconds / len(TABLE_PAGES) < 60


@needs_sample
def test_a_text_pdf_with_one_scanned_page_reads_that_page(tmp_path: Path) -> None:
    # the 收入决算表 runs from page 6 onto page 7; page 6 is a picture here, page 7 has text
    pages = [6, 7]
    text = analyse_file(text_copy(SAMPLE, pages, tmp_path / "text.pdf"), MAX_BYTES)
    mixed = analyse_file(scanned_copy(SAMPLE, pages, tmp_path / "mixed.pdf", text_pages=(7,)), MAX_BYTES)
    reference, ours = table_fact_keys(text.facts), table_fact_keys(mixed.facts)
    assert sum((ours & reference).values()) >= 0.95 * sum(reference.values())
    (table,) = [b for b in mixed.report.blocks if isinstance(b, TableBlock)]
    assert (table.title, table.shape, sorted(set(table.line_numbers))) == ("收入决算表", "ocr", [1, 2])
    on_text_page = [f for f in mixed.facts if f.source == "table" and "p. 2" in f.locator]
    assert on_text_page and all(f.locator.endswith("p. 2") for f in on_text_page)
    on_scan = [f for f in mixed.facts if f.source == "table" and "p. 1" in f.locator]
    assert on_scan and all(", p. 1, OCR " in f.locator for f in on_scan)


def test_ocr_off_refuses_a_scan_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DQA_OCR", "off")
    path = _blank_scan(tmp_path / "scan.pdf")
    with pytest.raises(ReportFormatError) as error:
        load_pdf(path, MAX_BYTES)
    assert str(error.value) == "scan.pdf: no text layer on any of 2 pages; OCR it first"


def test_a_scan_with_nothing_to_read(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = _blank_scan(tmp_path / "blank.pdf")
    with pytest.raises(ReportFormatError) as error:
        load_pdf(path, MAX_BYTES)
    assert str(error.value).startswith(
        "blank.pdf: no text layer on any of 2 pages and OCR read no text on them; check the scan"
    )
    assert capsys.readouterr().err.count("blank.pdf: OCR page") == 2


def _blank_scan(path: Path) -> Path:
    from PIL import Image, ImageDraw

    pages = []
    for _ in range(2):
        image = Image.new("L", (400, 560), 255)
        ImageDraw.Draw(image).rectangle((40, 40, 360, 300), outline=0, width=2)  # an empty frame
        pages.append(image)
    pages[0].save(path, "PDF", resolution=72, save_all=True, append_images=pages[1:])
    return path


@needs_sample
def test_adding_a_partly_scanned_pdf_ticks_each_ocr_page_and_says_how_it_was_read(
    tmp_path: Path, store_dir: Path, keyword_embedder, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    import index.embed
    from index.build import add_files
    from index.config import Settings
    from index.stores import SqliteFactStore

    monkeypatch.setattr(index.embed, "load_embedder", lambda name="": keyword_embedder)
    mixed = scanned_copy(SAMPLE, [6, 7], tmp_path / "mixed.pdf", text_pages=(7,))
    text = text_copy(SAMPLE, [6, 7], tmp_path / "text.pdf")
    ticks: list[tuple[str, int, int, str]] = []
    results = add_files([mixed, text], Settings(store=store_dir, embed_model="keywords"),
                        progress=lambda *tick: ticks.append(tick))
    assert [r.status for r in results] == ["added", "added"]
    assert [t for t in ticks if t[0] == "OCR"] == [("OCR", 1, 1, "mixed.pdf p. 1")]
    store = SqliteFactStore(store_dir / "facts.sqlite")
    try:
        read = {r["name"]: r["read"] for r in store.reports(read=True)}
        assert "read" not in store.reports()[0]  # (only asked for: a pass over the facts)
    finally:
        store.close()
    assert read == {"mixed.pdf": "PDF text layer + OCR of p. 1", "text.pdf": "PDF text layer"}


@pytest.mark.parametrize(
    ("name", "pages", "ocr_pages", "expected"),
    [
        ("scan.pdf", 24, list(range(1, 25)), "scanned PDF, OCR of all 24 pages"),
        ("a.pdf", 30, [14], "PDF text layer + OCR of p. 14"),
        ("a.pdf", None, [2], "PDF text layer + OCR of p. 2"),
        ("a.pdf", None, [], "PDF text layer"),
        ("a.pdf", 30, [3, 9], "PDF text layer + OCR of 2 pages (p. 3, 9)"),
        ("a.pdf", 30, [1, 2, 3, 4, 5, 6], "PDF text layer + OCR of 6 pages (p. 1, 2, 3, 4, 5 …)"),
        ("预算.XLSX", None, [], "spreadsheet"),
        ("b.csv", None, [], "spreadsheet"),
        ("page.htm", None, [], "web page"),
        ("c.docx", None, [], "Word document"),
        ("d.md", None, [], "plain text"),
    ],
)
def test_read_as(name: str, pages: int | None, ocr_pages: list[int], expected: str) -> None:
    from index.formats import read_as

    assert read_as(name, pages, ocr_pages) == expected


@needs_sample
def test_a_misread_figure_whose_identities_fail_is_answered_with_the_failed_check(
    tmp_path: Path, store_dir: Path, keyword_embedder, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    """Page 12 (一般公共预算财政拨款支出决算表) scanned, and the recogniser made to misread one cell
    (住房公积金 17.70 as 17.10, as a worn scan would): the figure is still answered as read, with
    the failed identity (22102 住房改革支出 17.70 ≠ its item) and the OCR confidence shown."""
    import index.embed
    import index.ocr
    from index.build import add_files
    from index.config import Settings
    from qa.answerer import Answerer

    engine = index.ocr._engine()

    def misreading(pixels):  # noqa: ANN001, ANN202
        result, elapse = engine(pixels)
        return [[quad, "17.10" if str(text).strip() == "17.70" and i == first else text, score]
                for i, (quad, text, score) in enumerate(result or ())], elapse

    monkeypatch.setattr(index.embed, "load_embedder", lambda name="": keyword_embedder)
    scan = scanned_copy(SAMPLE, [12], tmp_path / "一般公共预算支出决算表.pdf")
    first = next(i for i, (_q, text, _s) in enumerate(engine(np.asarray(
        pypdfium2.PdfDocument(str(scan))[0].render(scale=2).to_pil().convert("RGB")))[0]) if str(text).strip() == "17.70")
    monkeypatch.setattr(index.ocr, "_engine", lambda: misreading)
    [added] = add_files([scan], Settings(store=store_dir, embed_model="keywords"),
                        identity={"org": "中共上海市普陀区委社会工作部", "year": "2024", "kind": "决算"})
    assert added.status == "added", added.summary()
    answerer = Answerer(store_dir)
    try:
        r = answerer.ask("社会工作部2024年住房公积金（2210201）决算数是多少？")
    finally:
        answerer.stores.close()
    assert (r["status"], r["value"]) == ("answered", "17.10")
    assert re.search(r", p\. 1, OCR [01]\.\d\d$", r["citations"][0]["locator"]), r["citations"][0]["locator"]
    # the row's 合计 (misread) no longer equals its 基本支出 column (read right), and 22102 no
    # longer adds up: both shown, each with its cited figures
    rules = {c["rule"]: c for c in r["checks"]}
    row = rules["row_total_equals_columns"]
    assert row["severity"] == "error" and "住房公积金" in row["message"], row
    assert {"17.10", "17.70"} <= {f["value"] for f in row["figures"]}
    assert "parent_equals_children" in rules
    assert "报告自身核对未通过" in r["answer"]
