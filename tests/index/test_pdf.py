"""file -> blocks (PDF): the real Putuo 2024 决算 PDF and tiny PDFs written by hand here."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from index.models import ReportFormatError, TableBlock, TextBlock
from index.pdf import load_pdf

SAMPLE = Path("/work/shared/real-reports/中共上海市普陀区委社会工作部 2024 年度部门决算.pdf")
MAX_BYTES = 100 * 1024 * 1024

needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason="real sample PDF not on this machine")


# --- a minimal PDF writer: enough objects for pdfminer, ASCII text in the base-14 fonts -------


def write_pdf(
    path: Path, pages: list[str], encrypt: bool = False, size: tuple[int, int] = (612, 792)
) -> Path:
    """Write a PDF whose pages have the given content streams (F1 Helvetica, F2 Times-Roman)."""
    objects: list[bytes] = []
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(
        b"<< /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
        b" /F2 << /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >> >>"
    )
    for pid, content in zip(page_ids, pages, strict=True):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size[0]} {size[1]}]"
            f" /Resources << /Font 3 0 R >> /Contents {pid + 1} 0 R >>".encode()
        )
        stream = content.encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    trailer_extra = b""
    if encrypt:
        # A standard security handler whose /U does not match the empty user password: readers
        # must ask for a password, which is all this test needs (no content is encrypted).
        objects.append(
            b"<< /Filter /Standard /V 1 /R 2 /P -44"
            b" /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> >>"
        )
        trailer_extra = f" /Encrypt {len(objects)} 0 R /ID [<{'ab' * 16}> <{'ab' * 16}>]".encode()
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += (
        b"trailer\n<< /Size %d /Root 1 0 R" % (len(objects) + 1)
        + trailer_extra
        + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref_at
    )
    path.write_bytes(bytes(out))
    return path


def text_at(font: str, size: int, x: float, y: float, text: str) -> str:
    return f"BT /{font} {size} Tf {x} {y} Td ({text}) Tj ET\n"


# --- the real sample ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> tuple[list, str, int]:
    return load_pdf(SAMPLE, MAX_BYTES)


def tables_of(blocks: list) -> list[TableBlock]:
    return [b for b in blocks if isinstance(b, TableBlock)]


def table_titled(blocks: list, title: str) -> TableBlock:
    matches = [t for t in tables_of(blocks) if t.title == title]
    assert len(matches) == 1, [t.title for t in tables_of(blocks)]
    return matches[0]


@needs_sample
def test_sample_page_count_and_the_nine_tables(sample: tuple[list, str, int]) -> None:
    blocks, _, pages = sample
    assert pages == 24
    # The institutions list on page 4 has no title line (the sentence above it ends in "："),
    # so it takes its section heading; the nine standard tables follow, two of them merged
    # over a page break.
    assert [
        (t.title, t.page, len(t.rows), sorted(set(t.line_numbers))) for t in tables_of(blocks)
    ] == [
        ("二、部门决算单位构成", 4, 3, [4]),
        ("收入支出决算总表", 5, 32, [5]),
        ("收入决算表", 6, 20, [6, 7]),
        ("支出决算表", 8, 20, [8, 9]),
        ("财政拨款收入支出决算总表", 10, 34, [10, 11]),
        ("一般公共预算财政拨款支出决算表", 12, 20, [12]),
        ("一般公共预算财政拨款基本支出决算表", 13, 40, [13]),
        ("财政拨款“三公”经费支出决算表", 14, 5, [14]),
        ("政府性基金预算财政拨款收入支出决算表", 15, 6, [15]),
        ("国有资本经营预算财政拨款收入支出决算表", 16, 6, [16]),
    ]
    assert {t.unit for t in tables_of(blocks)[1:]} == {"万元"}
    assert {t.shape for t in tables_of(blocks)} == {"pdf"}


@needs_sample
def test_sample_summary_table_rows(sample: tuple[list, str, int]) -> None:
    table = table_titled(sample[0], "收入支出决算总表")
    # Merged header cells ("收入" spans two columns) come out as "" after the first.
    assert table.rows[0] == ("收入", "", "支出", "")
    assert table.rows[1] == ("项目", "决算数", "项目", "决算数")
    assert ("本年收入合计", "307.82", "本年支出合计", "307.82") in table.rows
    assert table.rows[-1] == ("总计", "307.82", "总计", "307.82")
    # Wrapped cell text joins without a space between CJK characters.
    assert ("七、附属单位上缴收入", "", "七、文化旅游体育与传媒支出", "") in table.rows


@needs_sample
def test_sample_expenditure_table_merged_over_page_break(sample: tuple[list, str, int]) -> None:
    table = table_titled(sample[0], "支出决算表")
    assert table.unit == "万元"
    assert table.page == 8
    assert table.rows[0] == (
        "项目",
        "",
        "本年支出合计",
        "基本支出",
        "项目支出",
        "上缴上级支出",
        "经营支出",
        "对附属单位补助支出",
    )
    assert table.rows[1] == ("功能分类科目编码", "科目名称", "", "", "", "", "", "")
    by_code = {
        row[0]: (row, page) for row, page in zip(table.rows, table.line_numbers, strict=True)
    }
    assert by_code["2013999"] == (
        ("2013999", "其他社会工作事务支出", "202.24", "", "202.24", "", "", ""),
        8,
    )
    assert by_code["2210201"] == (("2210201", "住房公积金", "17.70", "17.70", "", "", "", ""), 9)
    # A label wrapped inside its cell ("机关事业单位基本养老保\n险缴费支出").
    assert by_code["2080505"][0][1] == "机关事业单位基本养老保险缴费支出"
    assert len(table.line_numbers) == len(table.rows)


@needs_sample
def test_sample_income_table_keeps_wrapped_header(sample: tuple[list, str, int]) -> None:
    table = table_titled(sample[0], "收入决算表")
    assert table.rows[0][7] == "附属单位上缴收入"
    assert table.rows[-1] == ("2210203", "购房补贴", "11.72", "11.72", "", "", "", "", "")
    assert table.line_numbers[-1] == 7


@needs_sample
def test_sample_prose_keeps_figures_in_their_sentences(sample: tuple[list, str, int]) -> None:
    blocks, text, _ = sample
    prose = [b for b in blocks if isinstance(b, TextBlock)]
    spending = [b for b in prose if b.text.startswith("本年支出合计")]
    assert spending == [
        TextBlock(
            text="本年支出合计 307.82 万元，其中：基本支出 105.58 万元，占34.30%；"
            "项目支出 202.24 万元，占 65.70%。",
            section="三、支出决算情况说明",
            page=17,
            line=11,
        )
    ]
    # A paragraph that runs on over a page break (17 -> 18) is one block, split number intact.
    budget = next(
        b for b in prose if b.text.startswith("一般公共预算财政拨款支出 307.82 万元，占本年")
    )
    assert "占本年支出合计的100.00%。与 2023 年度相比" in budget.text
    assert budget.page == 17
    # "占 9.\n55%" wraps inside a number; the join must not insert a space.
    assert any("住房保障支出（类）29.42 万元，占 9.55%。" in b.text for b in prose)
    assert "基本支出 105.58 万元" in text


@needs_sample
def test_sample_sections_and_table_notes(sample: tuple[list, str, int]) -> None:
    prose = [b for b in sample[0] if isinstance(b, TextBlock)]
    cover = prose[0]
    assert cover == TextBlock(
        text="中共上海市普陀区委社会工作部 2024 年度部门决算", section="", page=1, line=1
    )
    note = next(b for b in prose if b.text == "注：本表反映部门本年度各项支出情况。")
    assert (note.section, note.page) == ("支出决算表", 9)
    heading = next(b for b in prose if b.text == "（二）政府采购支出情况")
    assert heading.section == "（二）政府采购支出情况"
    # Table text is not repeated as prose, and title/unit lines were used by their tables.
    assert not any(b.text in ("单位：万元", "收入支出决算总表") for b in prose)
    assert not any("2210201" in b.text for b in prose)


@needs_sample
def test_sample_text_holds_every_block(sample: tuple[list, str, int]) -> None:
    blocks, text, pages = sample
    assert text.count("\f") == pages - 1
    for block in blocks:
        if isinstance(block, TextBlock):
            assert block.text in text
        else:
            assert "\t".join(block.rows[-1]) in text


@needs_sample
def test_sample_speed() -> None:
    start = time.perf_counter()
    _, _, pages = load_pdf(SAMPLE, MAX_BYTES)
    per_second = pages / (time.perf_counter() - start)
    assert per_second >= 5, f"{per_second:.1f} pages/s"


# --- synthetic PDFs -----------------------------------------------------------------------------


def test_figures_drawn_as_separate_objects_stay_in_their_sentence(tmp_path: Path) -> None:
    # The figures are separate text objects in a bigger, different font on the same baseline,
    # and drawn last: ordering by stream or clustering by top edge would move them out of the
    # sentence ("Budget was thousand, spent … 2993.92 2940.05").
    content = (
        text_at("F1", 12, 72, 700, "Budget was")
        + text_at("F1", 12, 204, 700, "thousand, spent")
        + text_at("F1", 12, 72, 684, "thousand in total.")
        + text_at("F2", 18, 140, 700, "2993.92")
        + text_at("F2", 18, 295, 700, "2940.05")
    )
    blocks, text, pages = load_pdf(write_pdf(tmp_path / "figures.pdf", [content]), MAX_BYTES)
    assert pages == 1
    assert blocks == [
        TextBlock(
            text="Budget was 2993.92 thousand, spent 2940.05 thousand in total.",
            section="",
            page=1,
            line=1,
        )
    ]
    assert text == "Budget was 2993.92 thousand, spent 2940.05 thousand in total."


def ruled_table(left: float, top: float, widths: list[float], rows: list[tuple[str, ...]]) -> str:
    """Content stream for a fully ruled grid (18pt rows) with Helvetica text in each cell."""
    height = 18
    right = left + sum(widths)
    bottom = top - height * len(rows)
    ops = ["0.5 w"]
    for i in range(len(rows) + 1):
        y = top - i * height
        ops.append(f"{left} {y} m {right} {y} l S")
    x = left
    for width in [0.0, *widths]:
        x += width
        ops.append(f"{x} {top} m {x} {bottom} l S")
    for r, row in enumerate(rows):
        x = left
        for width, cell in zip(widths, row, strict=True):
            if cell:
                ops.append(text_at("F1", 10, x + 3, top - (r + 1) * height + 5, cell).strip())
            x += width
    return "\n".join(ops) + "\n"


def test_table_continued_with_repeated_header_is_one_block(tmp_path: Path) -> None:
    header = ("Code", "Name", "Amount")
    page_one = text_at("F1", 14, 250, 215, "Spending table") + ruled_table(
        72, 200, [80, 200, 100], [header, ("201", "General", "264.87"), ("208", "Social", "10.82")]
    )
    page_two = ruled_table(72, 760, [80, 200, 100], [header, ("221", "Housing", "29.42")])
    page_two += text_at("F1", 10, 72, 600, "Note: figures are final;")
    path = write_pdf(tmp_path / "continued.pdf", [page_one, page_two])
    blocks, _, _ = load_pdf(path, MAX_BYTES)
    assert blocks == [
        TableBlock(
            title="Spending table",
            rows=(
                header,
                ("201", "General", "264.87"),
                ("208", "Social", "10.82"),
                ("221", "Housing", "29.42"),
            ),
            shape="pdf",
            page=1,
            line_numbers=(1, 1, 1, 2),
        ),
        TextBlock(text="Note: figures are final;", section="", page=2, line=1),
    ]


def test_table_on_next_page_with_other_columns_is_a_new_table(tmp_path: Path) -> None:
    page_one = text_at("F1", 14, 250, 215, "Spending table") + ruled_table(
        72, 200, [80, 200, 100], [("Code", "Name", "Amount"), ("201", "General", "264.87")]
    )
    page_two = ruled_table(72, 760, [150, 150], [("Vehicles", "0"), ("Staff", "12")])
    blocks, _, _ = load_pdf(write_pdf(tmp_path / "two.pdf", [page_one, page_two]), MAX_BYTES)
    assert [(b.title, b.page, b.rows) for b in tables_of(blocks)] == [
        ("Spending table", 1, (("Code", "Name", "Amount"), ("201", "General", "264.87"))),
        ("", 2, (("Vehicles", "0"), ("Staff", "12"))),
    ]


def test_page_numbers_are_dropped(tmp_path: Path) -> None:
    content = text_at("F1", 12, 72, 700, "Some text;") + text_at("F1", 10, 300, 30, "- 3 -")
    blocks, _, _ = load_pdf(write_pdf(tmp_path / "numbered.pdf", [content]), MAX_BYTES)
    assert blocks == [TextBlock(text="Some text;", section="", page=1, line=1)]


def test_no_text_layer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DQA_OCR", "off")  # with OCR on, tests/index/test_ocr.py reads such pages
    scanned = write_pdf(tmp_path / "scan.pdf", ["0 0 0 RG 100 100 300 400 re S\n"] * 2)
    with pytest.raises(ReportFormatError) as error:
        load_pdf(scanned, MAX_BYTES)
    assert str(error.value) == "scan.pdf: no text layer on any of 2 pages; OCR it first"


def test_random_bytes_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "noise.pdf"
    path.write_bytes(os.urandom(2048).replace(b"%PDF-", b"xxxxx"))
    with pytest.raises(ReportFormatError, match=r"^noise\.pdf: not a PDF \(random bytes\?\)"):
        load_pdf(path, MAX_BYTES)


@needs_sample
def test_truncated_pdf(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) * 3 // 10])
    with pytest.raises(ReportFormatError, match=r"^cut\.pdf: truncated or damaged PDF"):
        load_pdf(path, MAX_BYTES)


def test_damaged_pdf_with_header_only(tmp_path: Path) -> None:
    path = tmp_path / "header.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"garbage " * 100)
    with pytest.raises(ReportFormatError, match=r"^header\.pdf: truncated or damaged PDF"):
        load_pdf(path, MAX_BYTES)


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "locked.pdf", [text_at("F1", 12, 72, 700, "secret")], encrypt=True)
    with pytest.raises(ReportFormatError, match=r"^locked\.pdf: encrypted PDF"):
        load_pdf(path, MAX_BYTES)


def test_file_over_max_bytes(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "big.pdf", [text_at("F1", 12, 72, 700, "text")])
    size = path.stat().st_size
    with pytest.raises(ReportFormatError) as error:
        load_pdf(path, 100)
    assert str(error.value) == (
        f"big.pdf: file is {size} bytes, over the limit of 100 bytes; "
        "raise DQA_MAX_BYTES or split the report"
    )


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReportFormatError, match=r"^gone\.pdf: file not found"):
        load_pdf(tmp_path / "gone.pdf", MAX_BYTES)


def test_caption_rows_inside_the_ruling_between_blank_rows_are_title_and_unit() -> None:
    from index.pdf import _title_rows

    rows = [
        ("", "", "", ""),
        ("2024年预算单位财政拨款收支预算总表", "", "", ""),
        ("", "", "", ""),
        ("编制单位：上海市普陀区社会福利院", "", "", "单位：元"),
        ("", "", "", ""),
        ("项目", "预算数", "项目", "合计"),
        ("一、一般公共预算资金", "9,501,164", "一、一般公共服务支出", ""),
    ]
    title, unit, rest = _title_rows(rows)
    assert (title, unit, rest[0]) == ("2024年预算单位财政拨款收支预算总表", "元", ("项目", "预算数", "项目", "合计"))
    # a table whose first rows are its header keeps them
    assert _title_rows(rows[5:]) == ("", "", rows[5:])


WELFARE = Path("/work/shared/real-reports/上海市普陀区社会福利院2024年单位预算.pdf")


@pytest.mark.skipif(not WELFARE.exists(), reason="real sample PDF not on this machine")
def test_a_table_captioned_inside_its_ruling_is_titled_and_headed_by_its_own_rows() -> None:
    blocks, _, _ = load_pdf(WELFARE, MAX_BYTES)
    [table] = [b for b in tables_of(blocks) if b.title == "2024年预算单位财政拨款收支预算总表"]
    assert table.unit == "元"
    assert table.rows[0][:2] == ("财政拨款收入", "")  # the header's first row, no caption before it
    assert not any("编制单位" in cell for row in table.rows for cell in row)


WANLI_2025 = Path("/work/shared/real-reports/上海市普陀区人民政府万里街道办事处25年预算.pdf")


@pytest.mark.skipif(not WANLI_2025.exists(), reason="real sample PDF not on this machine")
def test_a_page_holding_only_the_total_row_continues_its_table() -> None:
    # p. 18 prints only "合计 189,767,551 101,341,746 88,425,805" of the 支出预算总表 (pp. 14-17),
    # its label cells merged into one: four cells against the table's seven
    blocks, _, _ = load_pdf(WANLI_2025, MAX_BYTES)
    [table] = [b for b in tables_of(blocks) if b.title == "2025年部门支出预算总表"]
    assert table.rows[-1] == ("合计", "", "", "", "189,767,551", "101,341,746", "88,425,805")
    assert table.line_numbers[-1] == 18
    assert not [b for b in tables_of(blocks) if any(r[:1] == ("合计",) and len(r) == 4 for r in b.rows)]
