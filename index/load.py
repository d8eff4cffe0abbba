"""file -> Report: pick the loader by extension, read metadata from the content."""

from __future__ import annotations

from pathlib import Path

from index.decode import check_size, read_text
from index.docx import load_docx
from index.formats import HTML_SUFFIXES, SHEET_SUFFIXES, SUPPORTED_SUFFIXES
from index.html import load_html
from index.meta import read_meta
from index.models import Block, Report, ReportFormatError, sha256_bytes
from index.pdf import load_pdf
from index.sheets import load_sheets
from index.textblocks import parse_text_blocks


def load_report(path: Path, max_bytes: int) -> Report:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReportFormatError(
            f"{path.name}: unsupported file type '{suffix or '(none)'}'; add "
            f"{', '.join(SUPPORTED_SUFFIXES[:-1])} or {SUPPORTED_SUFFIXES[-1]}"
        )
    check_size(path, max_bytes)
    data = path.read_bytes()
    pages: int | None = None
    blocks: list[Block]
    if suffix == ".pdf":
        blocks, text, pages = load_pdf(path, max_bytes)
    elif suffix == ".docx":
        blocks, text = load_docx(path, max_bytes)
    elif suffix in HTML_SUFFIXES:
        blocks, text = load_html(path, max_bytes)
    elif suffix in SHEET_SUFFIXES:
        blocks, text = load_sheets(path, max_bytes)
    else:
        text = read_text(path, max_bytes)
        blocks = parse_text_blocks(text)
    if not any(b for b in blocks):
        raise ReportFormatError(f"{path.name}: no text found in the file")
    meta = read_meta(text, path.name)
    return Report(name=path.name, sha256=sha256_bytes(data), meta=meta, blocks=tuple(blocks), text=text, pages=pages)
