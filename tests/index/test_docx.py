"""file -> blocks (DOCX): small documents built here with python-docx at test time."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import docx
import pytest

from index.docx import load_docx
from index.models import ReportFormatError, TableBlock, TextBlock

MAX_BYTES = 10 * 1024 * 1024


def build_report(path: Path) -> Path:
    """A heading, a sentence with figures, a unit line and a 3x3 table with merged cells."""
    document = docx.Document()
    document.add_heading("一、部门整体支出绩效情况", level=1)
    document.add_paragraph("全区全年共签收12345热线工单84395件。")
    document.add_paragraph("单位：万元")
    table = document.add_table(rows=3, cols=3)
    header = table.cell(0, 0).merge(table.cell(0, 1))
    header.text = "项目"
    table.cell(0, 2).text = "金额"
    table.cell(1, 0).text = "外包服务"
    table.cell(1, 1).text = "88712345"
    table.cell(1, 2).text = "38.25"
    # A label set on two lines inside one cell, and a cell merged down over the next row.
    table.cell(2, 0).paragraphs[0].text = "热线"
    table.cell(2, 0).add_paragraph("工单")
    tall = table.cell(1, 2).merge(table.cell(2, 2))
    assert tall.text.startswith("38.25")
    tall.paragraphs[0].text = "38.25"
    for extra in tall.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)  # noqa: SLF001 - merge appends the other cell's empty paragraph
    table.cell(2, 1).text = "84395件"
    document.add_paragraph("注：本表金额为决算数。")
    document.add_heading("二、存在的问题", level=2)
    document.add_paragraph("个别项目执行进度偏慢。")
    document.save(str(path))
    return path


def test_blocks_in_reading_order(tmp_path: Path) -> None:
    blocks, text = load_docx(build_report(tmp_path / "report.docx"), MAX_BYTES)
    assert blocks == [
        TextBlock(text="一、部门整体支出绩效情况", section="一、部门整体支出绩效情况", line=1),
        TextBlock(
            text="全区全年共签收12345热线工单84395件。", section="一、部门整体支出绩效情况", line=2
        ),
        TableBlock(
            title="一、部门整体支出绩效情况",
            rows=(
                ("项目", "", "金额"),
                ("外包服务", "88712345", "38.25"),
                ("热线工单", "84395件", ""),
            ),
            unit="万元",
            section="一、部门整体支出绩效情况",
            shape="docx",
        ),
        TextBlock(text="注：本表金额为决算数。", section="一、部门整体支出绩效情况", line=4),
        TextBlock(text="二、存在的问题", section="二、存在的问题", line=5),
        TextBlock(text="个别项目执行进度偏慢。", section="二、存在的问题", line=6),
    ]
    assert text.splitlines() == [
        "一、部门整体支出绩效情况",
        "全区全年共签收12345热线工单84395件。",
        "单位：万元",
        "项目\t\t金额",
        "外包服务\t88712345\t38.25",
        "热线工单\t84395件\t",
        "注：本表金额为决算数。",
        "二、存在的问题",
        "个别项目执行进度偏慢。",
    ]


def test_table_title_paragraph_and_unit_row(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("概况")
    document.add_paragraph("表1 部门收支总表")
    table = document.add_table(rows=3, cols=2)
    unit_row = table.cell(0, 0).merge(table.cell(0, 1))
    unit_row.text = "单位：元"
    table.cell(1, 0).text = "项  目"
    table.cell(1, 1).text = "金额"
    table.cell(2, 0).text = "合    计"
    table.cell(2, 1).text = "136400.00"
    path = tmp_path / "titled.docx"
    document.save(str(path))
    blocks, _ = load_docx(path, MAX_BYTES)
    assert blocks == [
        TextBlock(text="概况", section="", line=1),
        TableBlock(
            title="表1 部门收支总表",
            # The unit-only first row becomes `unit`; spaces that spread CJK labels go.
            rows=(("项目", "金额"), ("合计", "136400.00")),
            unit="元",
            section="",
            shape="docx",
        ),
    ]


def test_heading_by_style_without_numbering(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("绩效自评结论", level=2)
    document.add_paragraph("自评得分95分。")
    path = tmp_path / "styled.docx"
    document.save(str(path))
    blocks, _ = load_docx(path, MAX_BYTES)
    assert [b.section for b in blocks] == ["绩效自评结论", "绩效自评结论"]


def test_random_bytes_named_docx(tmp_path: Path) -> None:
    path = tmp_path / "noise.docx"
    path.write_bytes(b"\x01\x02" + os.urandom(1000))
    with pytest.raises(ReportFormatError, match=r"^noise\.docx: not a DOCX \(not a zip archive"):
        load_docx(path, MAX_BYTES)


def test_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    path = tmp_path / "sheet.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ReportFormatError, match=r"^sheet\.docx: not a Word document"):
        load_docx(path, MAX_BYTES)


def test_truncated_docx(tmp_path: Path) -> None:
    data = build_report(tmp_path / "whole.docx").read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ReportFormatError, match=r"^cut\.docx: damaged DOCX"):
        load_docx(path, MAX_BYTES)


def test_broken_document_xml(tmp_path: Path) -> None:
    source = build_report(tmp_path / "whole.docx")
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as copy:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "word/document.xml":
                data = data[: len(data) // 2]
            copy.writestr(info, data)
    with pytest.raises(ReportFormatError, match=r"^broken\.docx: damaged DOCX \(XMLSyntaxError"):
        load_docx(path, MAX_BYTES)


def test_old_binary_doc(tmp_path: Path) -> None:
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ReportFormatError, match=r"^old\.docx: old binary Word format"):
        load_docx(path, MAX_BYTES)


def test_docx_over_max_bytes(tmp_path: Path) -> None:
    path = build_report(tmp_path / "big.docx")
    with pytest.raises(
        ReportFormatError, match=r"^big\.docx: file is \d+ bytes, over the limit of 1000"
    ):
        load_docx(path, 1000)


def test_empty_docx_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.docx"
    path.write_bytes(b"")
    with pytest.raises(ReportFormatError, match=r"^empty\.docx: file is empty"):
        load_docx(path, MAX_BYTES)
