"""blocks -> chunks: table chunks that never split a row and repeat title, unit and header;
text chunks cut at Chinese sentence ends, never inside a number."""

from __future__ import annotations

from index.facts import split_sentences
from index.models import Block, Chunk, ReportMeta, TableBlock, TextBlock
from index.numbers import parse_cell

TABLE_CHUNK_CHARS = 900
TEXT_CHUNK_CHARS = 500


def _row_text(row: tuple[str, ...]) -> str:
    return " | ".join(c for c in row if c.strip())


def _header_rows(block: TableBlock) -> list[tuple[str, ...]]:
    head = []
    for row in block.rows:
        if any(parse_cell(c) for c in row) and not all(c.strip().isdigit() or not c.strip() for c in row):
            break
        head.append(row)
        if len(head) >= 4:
            break
    return head


def table_chunks(block: TableBlock) -> list[str]:
    header = _header_rows(block)
    unit = f"（单位：{block.unit}）" if block.unit else ""
    preamble = "\n".join([f"{block.title}{unit}", *(_row_text(r) for r in header if _row_text(r))])
    out: list[str] = []
    current: list[str] = []
    size = len(preamble)
    for row in block.rows[len(header):]:
        text = _row_text(row)
        if not text:
            continue
        if current and size + len(text) > TABLE_CHUNK_CHARS:
            out.append("\n".join([preamble, *current]))
            current, size = [], len(preamble)
        current.append(text)
        size += len(text) + 1
    if current or not out:
        out.append("\n".join([preamble, *current]))
    return out


def text_chunks(blocks: list[TextBlock]) -> list[tuple[str, TextBlock]]:
    """Consecutive prose of one section, packed to about TEXT_CHUNK_CHARS at sentence ends."""
    out: list[tuple[str, TextBlock]] = []
    current = ""
    first: TextBlock | None = None
    for block in blocks:
        if first is not None and block.section != first.section and current:
            out.append((current, first))
            current, first = "", None
        for sentence in split_sentences(block.text) or [block.text]:
            if current and len(current) + len(sentence) > TEXT_CHUNK_CHARS:
                out.append((current, first or block))
                current, first = "", None
            if first is None:
                first = block
                if block.section and not current:
                    current = f"{block.section}\n" if block.section != block.text else ""
            current += sentence
        current += "\n"
    if current.strip() and first is not None:
        out.append((current, first))
    return out


def make_chunks(report: str, meta: ReportMeta, blocks: tuple[Block, ...]) -> list[Chunk]:
    chunks: list[Chunk] = []
    base: tuple[tuple[str, str | int], ...] = (
        ("org", meta.org), ("district", meta.district), ("year", meta.year or 0), ("doc_kind", meta.kind),
    )
    prose: list[TextBlock] = []

    def flush_prose() -> None:
        for text, first in text_chunks(prose):
            chunks.append(
                Chunk(report=report, kind="text", text=text.strip(), position=len(chunks),
                      section=first.section, page=first.page, meta=base)
            )
        prose.clear()

    for block in blocks:
        if isinstance(block, TextBlock):
            prose.append(block)
            continue
        flush_prose()
        for text in table_chunks(block):
            chunks.append(
                Chunk(report=report, kind="table", text=text, position=len(chunks), table=block.title,
                      section=block.section, page=block.page, meta=base)
            )
    flush_prose()
    return chunks
