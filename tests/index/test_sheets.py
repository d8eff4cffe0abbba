"""file -> blocks (.xlsx / .xls / .csv): workbooks written here with openpyxl, one of them a copy
of the shared 社会工作部 PDF's nine tables, read back to the same table facts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from shared_sample import (
    MAX_BYTES,
    SAMPLE,
    agreement,
    extra_share,
    failed_errors,
    needs_sample,
    table_fact_keys,
    write_word_zip,
)

from index.analyse import analyse_file
from index.load import load_report
from index.models import Fact, ReportFormatError, TableBlock, TextBlock
from index.numbers import parse_cell
from index.sheets import load_sheets, printed_cell, sheet_to_blocks


@pytest.mark.parametrize(
    ("value", "number_format", "printed"),
    [
        (307.82, "General", "307.82"),
        (3680, "#,##0.00", "3,680.00"),
        (3680.0, "0.00", "3680.00"),
        (2013901, "General", "2013901"),  # a 科目编码 typed as a number stays a code
        ("2013901", "@", "2013901"),
        (0.0555, "0.00%", "5.55%"),
        (0.125, "0.00", "0.13"),  # Excel rounds half away from zero, not to even
        (-12.5, '#,##0.00;[Red]"-"#,##0.00', "-12.50"),
        (1234.5, '¥#,##0.00_);(¥#,##0.00)', "1,234.50"),
        (None, "0.00", ""),
        ("附属单位\n上缴收入", "General", "附属单位上缴收入"),
        ("合    计", "General", "合计"),
    ],
)
def test_printed_cell(value: object, number_format: str, printed: str) -> None:
    assert printed_cell(value, number_format) == printed


def test_sheet_with_title_unit_and_merged_header(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "表1"
    ws.append(["收入支出决算总表"])
    ws.merge_cells("A1:D1")
    ws.append(["编制单位：中共上海市普陀区委社会工作部", None, None, "单位：万元"])
    ws.append(["收入", None, "支出", None])
    ws.merge_cells("A3:B3")
    ws.merge_cells("C3:D3")
    ws.append(["项目", "决算数", "项目", "决算数"])
    ws.append(["一、一般公共预算财政拨款收入", 307.82, "一、一般公共服务支出", 264.87])
    ws.append(["总计", 3680, "总计", 3680])
    for cell in ws[6]:
        cell.number_format = "#,##0.00"
    ws.append([])
    ws.append(["注：本表反映部门本年度的总收支和年末结转结余情况。"])
    path = tmp_path / "决算.xlsx"
    book.save(path)

    blocks, text = load_sheets(path, MAX_BYTES)

    assert blocks == [
        TableBlock(
            title="收入支出决算总表",
            rows=(
                ("收入", "", "支出", ""),
                ("项目", "决算数", "项目", "决算数"),
                ("一、一般公共预算财政拨款收入", "307.82", "一、一般公共服务支出", "264.87"),
                ("总计", "3,680.00", "总计", "3,680.00"),
            ),
            unit="万元",
            shape="sheet",
            line_numbers=(3, 4, 5, 6),
        ),
        TextBlock(text="注：本表反映部门本年度的总收支和年末结转结余情况。", line=8),
    ]
    assert text.splitlines()[0] == "收入支出决算总表"
    facts = analyse_file(path, MAX_BYTES).facts
    assert facts[2] == Fact(
        report="决算.xlsx", source="table", table="收入支出决算总表", row_label="总计",
        column="收入 / 决算数", value=Decimal("3680.00"), raw="3,680.00", unit="万元",
        locator="收入支出决算总表, row “总计”, column “收入 / 决算数”, line 6",
        quote="总计  3,680.00  总计  3,680.00", position=2,
    )  # fmt: skip


def test_two_tables_on_one_sheet_and_the_sheet_name_as_title() -> None:
    rows = [
        ("单位：元", ""),
        ("项目", "金额"),
        ("办公费", "3.78"),
        ("", ""),
        ("表二 政府采购支出表", ""),
        ("项目", "金额"),
        ("货物", "12.00"),
    ]
    blocks = sheet_to_blocks("三公经费", rows)
    assert [(b.title, b.unit, b.rows) for b in blocks if isinstance(b, TableBlock)] == [
        ("三公经费", "元", (("项目", "金额"), ("办公费", "3.78"))),
        ("表二 政府采购支出表", "", (("项目", "金额"), ("货物", "12.00"))),
    ]


def test_csv(tmp_path: Path) -> None:
    path = tmp_path / "支出.csv"
    path.write_text(
        "一般公共预算财政拨款支出决算表\n单位：万元\n科目编码,科目名称,合计\n201,一般公共服务支出,\"3,680.00\"\n",
        encoding="gb18030",
    )
    facts = analyse_file(path, MAX_BYTES).facts
    assert [(f.code, f.row_label, f.column, f.value, f.raw, f.unit) for f in facts] == [
        ("201", "一般公共服务支出", "合计", Decimal("3680.00"), "3,680.00", "万元")
    ]


def _broken_xlsx(path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["a"])
    book.save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _empty_book(path: Path) -> None:
    openpyxl.Workbook().save(path)


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("empty.xlsx", lambda p: p.write_bytes(b""), "empty.xlsx: file is empty (0 bytes)"),
        ("noise.xlsx", lambda p: p.write_bytes(bytes(range(256)) * 8), "noise.xlsx: not a spreadsheet"),
        ("cut.xlsx", _broken_xlsx, "cut.xlsx: damaged workbook (bad zip archive"),
        ("word.xlsx", write_word_zip, "word.xlsx: not an Excel workbook (zip without xl/workbook.xml) (a Word document?)"),
        ("blank.xlsx", _empty_book, "blank.xlsx: no cells with text in any of 1 sheets"),
        ("old.xls", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "old.xls: damaged or unsupported .xls"),
        ("noise.xls", lambda p: p.write_bytes(bytes(range(256)) * 8), "noise.xls: not a spreadsheet"),
        ("binary.csv", lambda p: p.write_bytes(bytes(range(256)) * 8), "binary.csv:"),
    ],
)
def test_bad_workbooks_give_one_line(tmp_path: Path, name: str, make, message: str) -> None:  # noqa: ANN001
    path = tmp_path / name
    make(path)
    with pytest.raises(ReportFormatError) as caught:
        load_report(path, MAX_BYTES)
    text = str(caught.value)
    assert text.startswith(message)
    assert "\n" not in text


# ---------------------------------------------------------------------------------------------
# the shared PDF's tables as a workbook


def pdf_tables() -> list[TableBlock]:
    return [b for b in analyse_file(SAMPLE, MAX_BYTES).report.blocks if isinstance(b, TableBlock)]


def workbook_from_tables(tables: list[TableBlock], path: Path) -> Path:
    """One sheet per table: title row, 单位 row, the grid. Figures as numbers with the format
    that prints them as the PDF does; codes as numbers in General; a header cell followed by
    empty cells merged over them."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for number, table in enumerate(tables, start=1):
        ws = book.create_sheet(f"Sheet{number}")
        width = max(len(r) for r in table.rows)
        ws.append([table.title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.append([None] * (width - 1) + [f"单位：{table.unit}"])
        header = True
        for r, row in enumerate(table.rows, start=3):
            cells: list[object] = []
            formats: list[str] = []
            for cell in row:
                amount = parse_cell(cell)
                if cell.isdigit() and not cell.startswith("0"):
                    cells.append(int(cell))
                    formats.append("General")
                elif amount is not None and not amount.unit and cell == amount.raw:
                    decimals = len(cell.split(".")[1]) if "." in cell else 0
                    pattern = ("#,##0" if "," in cell else "0") + ("." + "0" * decimals if decimals else "")
                    cells.append(float(amount.value))
                    formats.append(pattern)
                else:
                    cells.append(cell or None)
                    formats.append("General")
            ws.append(cells)
            for c, pattern in enumerate(formats, start=1):
                ws.cell(row=r, column=c).number_format = pattern
            header = header and not any(isinstance(v, float) for v in cells)
            if header:
                _merge_runs(ws, r, row)
    book.save(path)
    return path


def _merge_runs(ws, r: int, row: tuple[str, ...]) -> None:  # noqa: ANN001 - an openpyxl sheet
    c = 0
    while c < len(row):
        end = c
        while row[c] and end + 1 < len(row) and not row[end + 1]:
            end += 1
        if end > c:
            ws.merge_cells(start_row=r, start_column=c + 1, end_row=r, end_column=end + 1)
        c = end + 1


@needs_sample
def test_workbook_copy_of_the_pdf_gives_its_table_facts(tmp_path: Path) -> None:
    pdf = analyse_file(SAMPLE, MAX_BYTES)
    tables = [b for b in pdf.report.blocks if isinstance(b, TableBlock)]
    path = workbook_from_tables(tables, tmp_path / "社会工作部2024决算.xlsx")
    sheet = analyse_file(path, MAX_BYTES)

    reference, ours = table_fact_keys(pdf.facts), table_fact_keys(sheet.facts)
    # measured: 205 of 205 table facts (100%)
    assert sum(reference.values()) >= 200
    assert agreement(ours, reference) >= 0.95
    assert extra_share(ours, reference) <= 0.05
    assert failed_errors(sheet) <= failed_errors(pdf)


@needs_sample
def test_the_workbook_read_without_number_formats(tmp_path: Path) -> None:
    """.xls is read by calamine, which gives values without formats: a figure takes the decimals
    of its column (0 -> "0.00" beside 307.82), so the facts are the same."""
    from index.analyse import analyse_report
    from index.models import Report, ReportMeta
    from index.sheets import _read_calamine

    pdf = analyse_file(SAMPLE, MAX_BYTES)
    path = workbook_from_tables(pdf_tables(), tmp_path / "copy.xlsx")
    blocks = [b for sheet in _read_calamine(path) for b in sheet_to_blocks(sheet.name, sheet.rows)]
    report = Report(name="copy.xls", sha256="0" * 64, meta=ReportMeta("", "", None, ""), blocks=tuple(blocks))
    ours = table_fact_keys(analyse_report(report).facts)
    assert agreement(ours, table_fact_keys(pdf.facts)) >= 0.95  # measured: 205 of 205


def test_an_html_table_saved_as_xls(tmp_path: Path) -> None:
    path = tmp_path / "导出.xls"
    path.write_text(
        "<html><body><p>单位：万元</p><table><tr><td>项目</td><td>金额</td></tr>"
        "<tr><td>办公费</td><td>3.78</td></tr></table></body></html>",
        encoding="utf-8",
    )
    facts = analyse_file(path, MAX_BYTES).facts
    assert [(f.row_label, f.column, f.raw, f.unit) for f in facts] == [("办公费", "金额", "3.78", "万元")]


def test_a_real_xls_workbook(tmp_path: Path) -> None:
    """A BIFF .xls as older finance systems export it (written here with xlwt): title and 单位
    rows, a header merged over two columns, codes as text, figures as numbers with a
    two-decimal format. calamine reads values without formats, so 3680.0 takes its column's
    decimals (3680.00) and an integral code stays a code."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("表5")
    money = xlwt.easyxf(num_format_str="#,##0.00")
    ws.write_merge(0, 0, 0, 3, "一般公共预算财政拨款支出决算表")
    ws.write(1, 3, "单位：万元")
    ws.write(2, 0, "科目编码")
    ws.write(2, 1, "科目名称")
    ws.write_merge(2, 2, 2, 3, "本年支出")
    ws.write(3, 2, "基本支出")
    ws.write(3, 3, "项目支出")
    for r, (code, name, basic, project) in enumerate(
        [("2013901", "行政运行", 51.32, 12.35), ("2210201", "住房公积金", 17.7, 0.0), ("2013999", "其他社会工作事务支出", 0.0, 3680.0),
         ("2101101", "行政单位医疗", 0.1 + 0.2, 0.0)],  # a cached sum's binary noise: 0.30000000000000004
        start=4,
    ):
        ws.write(r, 0, code)
        ws.write(r, 1, name)
        ws.write(r, 2, basic, money)
        ws.write(r, 3, project, money)
    path = tmp_path / "决算表.xls"
    book.save(str(path))
    assert path.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE2 (BIFF) file, not a zip

    facts = analyse_file(path, MAX_BYTES).facts
    got = {(f.code, f.row_label, f.column): (f.raw, f.unit) for f in facts if f.source == "table"}
    assert got[("2210201", "住房公积金", "本年支出 / 基本支出")] == ("17.70", "万元")
    assert got[("2013999", "其他社会工作事务支出", "本年支出 / 项目支出")] == ("3680.00", "万元")
    assert got[("2013901", "行政运行", "本年支出 / 基本支出")] == ("51.32", "万元")
    assert got[("2210201", "住房公积金", "本年支出 / 项目支出")] == ("0.00", "万元")
    assert got[("2101101", "行政单位医疗", "本年支出 / 基本支出")] == ("0.30", "万元")  # not 0.3000 nor the noise
