"""`python -m index add` with spreadsheets, web pages and scans: a bad file of each kind gives one
line on stderr naming the file and the reason, exit 1, and leaves a populated store as it was."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from shared_sample import write_word_zip

from index.__main__ import main


def _workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["一般公共预算财政拨款支出决算表"])
    ws.append(["单位：万元"])
    ws.append(["科目编码", "科目名称", "合计"])
    ws.append([2013901, "行政运行", 51.32])
    ws.append([2013950, "事业运行", 11.31])
    book.save(path)


def _cut_workbook(path: Path) -> None:
    _workbook(path)
    path.write_bytes(path.read_bytes()[:300])


def _blank_scan(path: Path) -> None:
    from PIL import Image

    Image.new("L", (300, 400), 255).save(path, "PDF", resolution=72)


BAD = [
    ("empty.xlsx", lambda p: p.write_bytes(b""), "error: empty.xlsx: file is empty (0 bytes)"),
    ("cut.xlsx", _cut_workbook, "error: cut.xlsx: damaged workbook (bad zip archive"),
    ("word.xlsx", write_word_zip, "error: word.xlsx: not an Excel workbook"),
    ("noise.xls", lambda p: p.write_bytes(bytes(range(256)) * 4), "error: noise.xls: not a spreadsheet"),
    ("noise.csv", lambda p: p.write_bytes(bytes(range(256)) * 4), "error: noise.csv: "),
    ("menu.html", lambda p: p.write_text("<html><nav>首页 政务公开</nav><script>x()</script></html>"),
     "error: menu.html: web page with no report text"),
    ("blank.pdf", _blank_scan, "error: blank.pdf: no text layer on any of 1 pages and OCR read no text"),
]  # fmt: skip


@pytest.fixture
def add(tmp_path: Path, keyword_embedder, monkeypatch: pytest.MonkeyPatch, capsys):  # noqa: ANN001
    """Run `index add FILE --store tmp_path/store` in process with the real parser and the
    keyword embedder; returns (exit code, stdout, stderr)."""
    import index.embed

    monkeypatch.setenv("DQA_EMBED_MODEL", "keywords")
    monkeypatch.delenv("DQA_CHROMA_URL", raising=False)
    monkeypatch.setattr(index.embed, "load_embedder", lambda name="": keyword_embedder)

    def run(path: Path) -> tuple[int, str, str]:
        code = main(["add", str(path), "--store", str(tmp_path / "store")])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _store_files(store: Path) -> dict[str, bytes]:
    return {str(p.relative_to(store)): p.read_bytes() for p in sorted(store.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("name", "make", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_of_each_kind_leaves_the_store_unchanged(add, tmp_path: Path, name, make, message) -> None:  # noqa: ANN001
    good = tmp_path / "支出决算.xlsx"
    _workbook(good)
    code, out, _ = add(good)
    assert code == 0 and out.startswith("added 支出决算.xlsx:")
    before = _store_files(tmp_path / "store")

    bad = tmp_path / name
    make(bad)
    code, out, err = add(bad)

    assert (code, out) == (1, "")
    lines = [line for line in err.splitlines() if ": OCR page " not in line]  # progress lines
    assert len(lines) == 1 and lines[0].startswith(message), err
    assert _store_files(tmp_path / "store") == before
