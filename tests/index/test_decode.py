"""file -> text (.txt/.md): decoding, normalising, and refusing what is not a text report."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from index.decode import (
    check_size,
    drop_cjk_spaces,
    find_unit,
    is_heading,
    join_wrapped,
    read_text,
    sniff_kind,
)
from index.models import ReportFormatError

MAX_BYTES = 1024 * 1024
# A few lines of the Qiaokou 2020 决算 (seed 000) as the loaders see them: a heading, a tab
# row with an empty cell, a blank line.
REPORT = "# 一、收入支出决算总表\n项目\t行次\t金额\n本年收入合计\t\t354.93\n\n住房公积金\t2210201\t20.04\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("gb18030", b""),
        ("gbk", b""),
    ],
)
def test_decodes_supported_encodings(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    path = write(tmp_path, "report.txt", prefix + REPORT.encode(encoding))
    assert read_text(path, MAX_BYTES) == REPORT


def test_utf16_without_bom(tmp_path: Path) -> None:
    text = "Budget 2024\t354.93\n预算\n" * 20
    path = write(tmp_path, "report.txt", text.encode("utf-16-le"))
    assert read_text(path, MAX_BYTES) == text


def test_normalises_line_endings_and_nbsp_only(tmp_path: Path) -> None:
    raw = "合\u3000\u3000计\t354.93\r\n\r\n年初\u00a0结转\r其他\n"
    path = write(tmp_path, "report.md", raw.encode("utf-8"))
    # CRLF/CR -> LF and NBSP -> space; U+3000, tabs and the blank line stay as printed.
    assert read_text(path, MAX_BYTES) == "合\u3000\u3000计\t354.93\n\n年初 结转\n其他\n"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(
        ReportFormatError, match=r"^nowhere\.txt: file not found \(.*\); check the path$"
    ):
        read_text(tmp_path / "nowhere.txt", MAX_BYTES)


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(ReportFormatError, match=r"^folder\.txt: not a regular file"):
        read_text(tmp_path / "folder.txt", MAX_BYTES)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty.txt: file is empty (0 bytes); add a report with content"),
        (
            b" \n\t\r\n\xe3\x80\x80\n",
            "empty.txt: file is empty (only whitespace); add a report with text",
        ),
    ],
)
def test_empty_file(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(ReportFormatError) as error:
        read_text(write(tmp_path, "empty.txt", data), MAX_BYTES)
    assert str(error.value) == message


def test_file_over_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", b"x" * 2048)
    with pytest.raises(ReportFormatError) as error:
        read_text(path, 1000)
    assert str(error.value) == (
        "big.txt: file is 2048 bytes, over the limit of 1000 bytes; "
        "raise DQA_MAX_BYTES or split the report"
    )


def test_random_bytes(tmp_path: Path) -> None:
    data = random.Random(7).randbytes(4096)
    with pytest.raises(ReportFormatError, match=r"^noise\.txt: binary content \(NUL bytes\)"):
        read_text(write(tmp_path, "noise.txt", data), MAX_BYTES)


def test_random_bytes_without_nul(tmp_path: Path) -> None:
    data = bytes(b for b in random.Random(8).randbytes(4096) if b)
    with pytest.raises(ReportFormatError, match=r"^noise\.txt: binary content \(control"):
        read_text(write(tmp_path, "noise.txt", data), MAX_BYTES)


def test_text_in_unsupported_encoding(tmp_path: Path) -> None:
    # Latin-1 "é" followed by a space is neither UTF-8 nor GB18030.
    path = write(tmp_path, "latin.txt", "Dépenses totales: 354.93 café\n".encode("latin-1"))
    with pytest.raises(ReportFormatError) as error:
        read_text(path, MAX_BYTES)
    assert str(error.value) == (
        "latin.txt: text is not UTF-8, UTF-16 or GB18030/GBK (undecodable bytes); re-save it as UTF-8"
    )


def test_pdf_named_txt(tmp_path: Path) -> None:
    path = write(tmp_path, "report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    with pytest.raises(
        ReportFormatError, match=r"^report\.txt: binary content \(a PDF file named \.txt\)"
    ):
        read_text(path, MAX_BYTES)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.4\n", "pdf"),
        (b"\x00\x01junk%PDF-1.4\n", "pdf"),
        (b"PK\x03\x04rest", "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "ole"),
        ("预算 %PDF-1.4 mentioned in text".encode(), "text"),
        (b"\xff\xfeB\x00", "text"),
        (b"ab\x00cd", "binary"),
    ],
)
def test_sniff_kind(tmp_path: Path, data: bytes, kind: str) -> None:
    assert sniff_kind(write(tmp_path, "file.bin", data)) == kind


def test_check_size_returns_size(tmp_path: Path) -> None:
    assert check_size(write(tmp_path, "a.txt", b"abc"), 3) == 3


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("附属单位", "上缴收入", "附属单位上缴收入"),
        ("机关事业单位基本养老保险缴费", "支出", "机关事业单位基本养老保险缴费支出"),
        ("占 9.", "55%", "占 9.55%"),
        ("支出总计307.82", "万元", "支出总计307.82万元"),
        ("Total", "income", "Total income"),
        ("spent 2940.05", "thousand", "spent 2940.05 thousand"),
        ("", "上缴收入", "上缴收入"),
    ],
)
def test_join_wrapped(first: str, second: str, joined: str) -> None:
    assert join_wrapped(first, second) == joined


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("一、主要职能", True),
        ("十一、其他重要事项的情况说明", True),
        ("（二）政府采购支出情况", True),
        ("第三部分 中共上海市普陀区委社会工作部 2024 年度部门决算情况说明", True),
        ("一、财政拨款收入：指单位本年度从本级财政部门取得的财政", False),
        ("1、一般公共服务支出（类）社会工作事务（款）行政运行（项）。", False),
        ("本年收入合计 307.82 万元", False),
    ],
)
def test_is_heading(line: str, heading: bool) -> None:
    assert is_heading(line) is heading


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("单位：万元", "万元"),
        ("金额单位:元", "元"),
        ("部门：社会工作部    单位： 万元", "万元"),
        ("单位名称", ""),
    ],
)
def test_find_unit(text: str, unit: str) -> None:
    assert find_unit(text) == unit


def test_drop_cjk_spaces() -> None:
    assert drop_cjk_spaces("合    计") == "合计"
    assert drop_cjk_spaces("合计 307.82 万元") == "合计 307.82 万元"
    assert drop_cjk_spaces("Total income") == "Total income"
