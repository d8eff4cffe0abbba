"""file -> blocks (.html / .htm): prose and <table> grids of a published web page, via lxml.

Scripts, styles and the page's chrome (navigation, header, footer, sidebars, forms) are dropped;
where the page marks its content (<main>, <article>) only that is read. A <br> ends a line, as
does every block element, and each line is one paragraph (the CMS pages these reports come from
separate paragraphs with <br> as often as with <p>). Tables become grids the way the DOCX reader
makes them: a cell spanning rows or columns (rowspan, colspan) holds its text in its top-left
grid cell and "" in the others, so `index.tables` spreads a merged header over its columns.
Titles and 单位 lines above a table are found by the same rule the DOCX reader uses. A table
published only as a picture is noted in the text ("table as image, not read") rather than lost.
A one-column table, or one holding other tables, is page layout: its content is read as prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import lxml.etree
import lxml.html

from index.decode import drop_cjk_spaces, is_heading, join_wrapped, read_text
from index.docx import _build, _Para, _Table  # noqa: PLC2701 - one home for the title/unit rule
from index.models import Block, ReportFormatError, TableBlock, TextBlock

IMAGE_TABLE_NOTE = "table as image, not read"
_DROP_TAGS = (
    "script", "style", "noscript", "template", "svg", "nav", "aside", "form", "iframe", "button",
    "select", "textarea", "object", "embed", "head",
)  # fmt: skip
# The page's own header and footer are chrome; an article's <header> holds its title.
_PAGE_PARTS = ("header", "footer")
# class/id words of page chrome on government CMS pages (导航, 面包屑, 分享, 页脚 …)
_CHROME = re.compile(
    r"(?:^|[\s_-])(nav|navbar|menu|breadcrumb|crumbs?|footer|sidebar|share|toolbar|topbar|banner|"
    r"skip)(?:$|[\s_-])",
    re.IGNORECASE,
)
_BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote section article main pre table caption "
    "tr center address figure figcaption hr".split()
)
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SPACES = re.compile(r"[ \t\r\n\u00a0\u2002\u2003\u3000]+")
_MAX_SPAN = 200
_MAX_TITLE_CHARS = 60


class _Image:
    """A picture that stands where a table would: its alt/title text, or the file name."""

    def __init__(self, label: str) -> None:
        self.label = label


def load_html(path: Path, max_bytes: int) -> tuple[list[Block], str]:
    """Read a web page report: blocks in reading order and the full plain text (one line per
    paragraph, one tab-separated line per table row)."""
    markup = read_text(path, max_bytes)
    # lxml refuses a str that still declares its byte encoding; the text is already decoded.
    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)
    markup = re.sub(r"(?i)<meta[^>]+charset[^>]*>", "", markup)
    try:
        document = lxml.html.document_fromstring(markup)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ReportFormatError(
            f"{path.name}: not a readable web page ({exc}); save the page as .html again"
        ) from None
    root = _content_root(document)
    items = list(_items(root))
    blocks, text = _blocks(items)
    if not any(isinstance(b, TableBlock) for b in blocks) and not any(
        isinstance(b, TextBlock) and b.text.strip() for b in blocks
    ):
        raise ReportFormatError(
            f"{path.name}: web page with no report text (nothing left after dropping scripts, "
            "styles and navigation); save the page with its content or add the PDF"
        )
    return blocks, text


def _content_root(document: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    for element in list(document.iter(*_DROP_TAGS)):
        _drop(element)
    for element in list(document.iter(*_PAGE_PARTS)):
        if not any(a.tag in ("article", "main") for a in element.iterancestors()):
            _drop(element)
    for element in list(document.iter()):
        if not isinstance(element.tag, str):
            _drop(element)  # comments and processing instructions
            continue
        marks = f"{element.get('class', '')} {element.get('id', '')} {element.get('role', '')}"
        if element.tag not in ("html", "body") and (
            _CHROME.search(marks) or "navigation" in marks
        ):
            _drop(element)
    for tag in ("main", "article"):
        found = [e for e in document.iter(tag) if _SPACES.sub("", e.text_content())]
        if len(found) == 1:
            return found[0]
    body = document.find("body")
    return body if body is not None else document


def _drop(element: lxml.html.HtmlElement) -> None:
    """Remove an element but keep the text that follows it (its tail belongs to the parent)."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    parent.remove(element)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


# ---------------------------------------------------------------------------------------------
# elements -> lines, tables and pictures in reading order


def _items(root: lxml.html.HtmlElement) -> Iterator[_Para | _Table | _Image]:
    number = 0
    line: list[str] = []
    heading = False

    def flush() -> Iterator[_Para]:
        nonlocal number, line, heading
        text = _tidy("".join(line))
        was_heading = heading
        line, heading = [], False
        if text:
            number += 1
            yield _Para(text=text, heading=was_heading or is_heading(text), number=number)

    def walk(element: lxml.html.HtmlElement) -> Iterator[_Para | _Table | _Image]:
        nonlocal heading
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "br":
            yield from flush()
            return
        if tag == "img":
            label = _image_label(element)
            if label:
                yield from flush()
                yield _Image(label)
            return
        if tag == "table" and not _is_layout(element):
            yield from flush()
            caption = element.find("caption")
            if caption is not None:
                text = _tidy(_cell_text(caption))
                if text:
                    yield _Para(text=text, heading=False, number=0)
            rows = _table_rows(element)
            if rows:
                yield _Table(rows)
            elif _pictures_in(element):
                yield _Image(_pictures_in(element)[0])
            return
        block = tag in _BLOCK_TAGS
        if block:
            yield from flush()
        if tag in _HEADING_TAGS:
            heading = True
        if element.text:
            line.append(element.text)
        for child in element:
            yield from walk(child)
            if child.tail:
                line.append(child.tail)
        if block:
            if tag in _HEADING_TAGS:
                heading = True
            yield from flush()

    yield from walk(root)
    yield from flush()


def _tidy(text: str) -> str:
    return drop_cjk_spaces(_SPACES.sub(" ", text)).strip()


def _image_label(img: lxml.html.HtmlElement) -> str:
    """The name of a picture that holds a table (its alt or title names a 表), else ''."""
    label = _tidy(img.get("alt") or img.get("title") or "")
    return label if "表" in label else ""


def _pictures_in(element: lxml.html.HtmlElement) -> list[str]:
    labels = []
    for img in element.iter("img"):
        src = img.get("src") or ""
        labels.append(_tidy(img.get("alt") or img.get("title") or "") or src.rsplit("/", 1)[-1] or "image")
    return labels


def _is_layout(table: lxml.html.HtmlElement) -> bool:
    """A table used to lay out the page: one column, or holding other tables."""
    if table.xpath(".//table"):
        return True
    rows = _own_rows(table)
    return bool(rows) and all(len(_own_cells(tr)) <= 1 for tr in rows)


def _own_rows(table: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")


def _own_cells(tr: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return tr.xpath("./td|./th")


def _span(cell: lxml.html.HtmlElement, name: str) -> int:
    match = re.match(r"\s*(\d+)", cell.get(name) or "")
    return max(1, min(int(match.group(1)), _MAX_SPAN)) if match else 1


def _table_rows(table: lxml.html.HtmlElement) -> tuple[tuple[str, ...], ...]:
    """The table as a grid; a spanning cell's text in its top-left grid cell, "" elsewhere."""
    grid: dict[tuple[int, int], str] = {}
    height = 0
    for r, tr in enumerate(_own_rows(table)):
        c = 0
        for cell in _own_cells(tr):
            while (r, c) in grid:
                c += 1
            rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid.setdefault((r + dr, c + dc), "")
            grid[(r, c)] = _cell_text(cell)
            c += colspan
        height = r + 1
    if not grid:
        return ()
    width = max(c for _, c in grid) + 1
    rows = [tuple(grid.get((r, c), "") for c in range(width)) for r in range(height)]
    return tuple(row for row in rows if any(row))


def _cell_text(cell: lxml.html.HtmlElement) -> str:
    """A cell's lines (split by <br> and block elements) joined like a wrapped PDF cell."""
    pieces: list[str] = []
    current: list[str] = []

    def walk_inside(element: lxml.html.HtmlElement) -> None:
        if element.text:
            current.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                current.append(child.tail)

    def walk(element: lxml.html.HtmlElement) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "br" or tag in _BLOCK_TAGS:
            pieces.append("".join(current))
            current.clear()
        if tag != "br":
            walk_inside(element)
        if tag in _BLOCK_TAGS:
            pieces.append("".join(current))
            current.clear()

    walk_inside(cell)
    pieces.append("".join(current))
    text = ""
    for piece in pieces:
        text = join_wrapped(text, _tidy(piece))
    return _tidy(text)


# ---------------------------------------------------------------------------------------------
# items -> blocks


def _blocks(items: list[_Para | _Table | _Image]) -> tuple[list[Block], str]:
    """The DOCX reader's layout rules over the page's items; a picture of a table is noted
    where it stands, under the title printed above it."""
    flow: list[_Para | _Table] = []
    number = 0
    for item in items:
        if isinstance(item, _Image):
            title = item.label
            previous = flow[-1] if flow else None
            if isinstance(previous, _Para) and "表" in previous.text and len(previous.text) <= _MAX_TITLE_CHARS:
                title = previous.text  # the picture's title line becomes part of the note
                flow.pop()
                number -= 1
            number += 1
            flow.append(_Para(text=f"[{IMAGE_TABLE_NOTE}: {title}]", heading=False, number=number))
            continue
        if isinstance(item, _Para):
            number += 1
            item = _Para(text=item.text, heading=item.heading, number=number)
        flow.append(item)
    blocks, text = _build(flow)
    return [replace(b, shape="html") if isinstance(b, TableBlock) else b for b in blocks], text
