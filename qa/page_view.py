"""The cited page of a PDF report, rendered, with the cited figure's box marked.

A citation names its page ("p. 21") and its figure as printed ("2,336.91"). The page is rendered
with pypdfium2 (installed with pdfplumber) and the figure found on it by pdfium's own text search;
where the page prints the figure more than once, the occurrence on the line of the figure's row
label (a table) or right after the words before it (a sentence) is the one marked — and when
that does not decide, every occurrence is marked and the caption says so, never one at random.
Pages carrying a /Rotate are shown the way a reader sees them (the Jiangsu tables).
"""

from __future__ import annotations

import base64
import html
import io
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger(__name__)

RENDER_SCALE = 1.3  # pixels per PDF point: an A4 page 774 × 1095, figures legible
MARK_PAD = 2.0  # points around a figure's box
MARK_OUTLINE = (232, 89, 12, 255)
MARK_FILL = (255, 224, 102, 110)
CACHED_PAGES = 32
BAND_POINTS = 200.0  # points of the page shown above and below a marked figure
ANCHOR_CHARS = 6  # characters of the words before a figure that place it on the page
SAME_LINE = 4.0  # points: an occurrence this near the anchor's line is on it
PAGE_RE = re.compile(r"\bp\. ?([0-9]+)\b")

Box = tuple[float, float, float, float]  # left, bottom, right, top in PDF points


@dataclass(frozen=True)
class RenderedPage:
    png: bytes
    page: int
    marks: int  # occurrences of the figure marked (0: the figure was not found on the page)
    width: int
    height: int
    top: int = 0  # the band's first pixel row on the whole rendered page (0: the whole page)


def cited_page(locator: str) -> int | None:
    """The page a citation's locator names ("…, p. 21" -> 21), else None."""
    found = PAGE_RE.findall(locator or "")
    return int(found[-1]) if found else None


def _occurrences(textpage: object, text: str) -> list[Box]:
    if not text:
        return []
    searcher = textpage.search(text, match_case=False, match_whole_word=False)  # type: ignore[attr-defined]
    boxes: list[Box] = []
    numeric = text[0].isdigit() and text[-1].isdigit()
    total = textpage.count_chars() if numeric else 0  # type: ignore[attr-defined]
    while (hit := searcher.get_next()) is not None:
        start, count = hit
        if numeric and (_in_number(textpage, start - 1, total) or _in_number(textpage, start + count, total)):
            continue  # 6.19 inside 16.19 or 6.195 is another figure
        chars = [textpage.get_charbox(i) for i in range(start, start + count)]  # type: ignore[attr-defined]
        boxes.append((min(c[0] for c in chars), min(c[1] for c in chars),
                      max(c[2] for c in chars), max(c[3] for c in chars)))
    return boxes


def _in_number(textpage: object, index: int, total: int) -> bool:
    """Whether the character at `index` continues a number (a digit, or . , before a digit)."""
    if not 0 <= index < total:
        return False
    char = textpage.get_text_range(index, 1)  # type: ignore[attr-defined]
    return char.isdigit() or char in ".," and index + 1 < total and textpage.get_text_range(index + 1, 1).isdigit()  # type: ignore[attr-defined]


def figure_boxes(textpage: object, raw: str, anchor: str = "",
                 shown: Callable[[Box], Box] = lambda box: (box[0], -box[3], box[2], -box[1])) -> list[Box]:
    """Where the page prints the figure `raw`, as `shown` places boxes on the page a reader
    sees (x0, y0, x1, y1, y downwards): the occurrence on the anchor's line (the nearest after
    the anchor), else every occurrence."""
    boxes = [shown(b) for b in _occurrences(textpage, raw) or _occurrences(textpage, raw.replace(",", ""))]
    anchors = [shown(b) for b in _occurrences(textpage, anchor[-ANCHOR_CHARS:])] if anchor and len(boxes) > 1 else []
    if not anchors:
        return boxes

    def distance(box: Box) -> tuple[float, float]:
        """(how far off the nearest anchor's line, how far after that anchor: before it is far)"""
        mid = (box[1] + box[3]) / 2
        best = min(anchors, key=lambda a: (abs((a[1] + a[3]) / 2 - mid), abs(box[0] - a[2])))
        after = box[0] - best[2]
        return abs((best[1] + best[3]) / 2 - mid), after if after >= -SAME_LINE else float("inf")

    ranked = sorted(boxes, key=distance)
    first = distance(ranked[0])
    if first[0] > SAME_LINE:
        return boxes
    return [b for b in ranked if distance(b) == first]


def _on_page(box: Box, rotation: int, width: float, height: float) -> Box:
    """A box in PDF points (unrotated page of `width` × `height`, origin bottom left) -> (x0, y0,
    x1, y1) in points on the page as shown, which pdfium draws turned by its /Rotate (clockwise)."""
    left, bottom, right, top = box
    if rotation == 90:
        x0, y0, x1, y1 = bottom, left, top, right
    elif rotation == 180:
        x0, y0, x1, y1 = width - right, bottom, width - left, top
    elif rotation == 270:
        x0, y0, x1, y1 = height - top, width - right, height - bottom, width - left
    else:
        x0, y0, x1, y1 = left, height - top, right, height - bottom
    return x0, y0, x1, y1


def render_page(path: Path, page: int, raw: str, anchor: str = "", scale: float = RENDER_SCALE) -> RenderedPage:
    """Page `page` (1-based) of the PDF at `path` as PNG bytes, the figure marked. Raises
    ValueError for a page the file does not have, OSError for a file that cannot be read."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    document = pdfium.PdfDocument(str(path))
    try:
        if not 1 <= page <= len(document):
            raise ValueError(f"{path.name} has {len(document)} pages, not a page {page}")
        pdf_page = document[page - 1]
        textpage = pdf_page.get_textpage()
        left, bottom, right, top = pdf_page.get_mediabox()
        rotation = pdf_page.get_rotation() % 360

        def shown(box: Box) -> Box:
            return _on_page((box[0] - left, box[1] - bottom, box[2] - left, box[3] - bottom),
                            rotation, right - left, top - bottom)

        boxes = figure_boxes(textpage, raw, anchor, shown)
        image = pdf_page.render(scale=scale).to_pil().convert("RGBA")
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        for x0, y0, x1, y1 in boxes:
            draw.rectangle(((x0 - MARK_PAD) * scale, (y0 - MARK_PAD) * scale, (x1 + MARK_PAD) * scale,
                            (y1 + MARK_PAD) * scale), fill=MARK_FILL, outline=MARK_OUTLINE, width=3)
        marked = Image.alpha_composite(image, overlay).convert("RGB")
        top = 0
        if boxes:
            # the band of the page around the figure, so that it is in view at once (the link
            # opens the whole page)
            top = max(0, int((min(b[1] for b in boxes) - BAND_POINTS) * scale))
            bottom = min(marked.height, int((max(b[3] for b in boxes) + BAND_POINTS) * scale))
            marked = marked.crop((0, top, marked.width, bottom))
        out = io.BytesIO()
        marked.save(out, format="PNG", optimize=True)
        return RenderedPage(out.getvalue(), page, len(boxes), marked.width, marked.height, top)
    finally:
        document.close()


class PageCache:
    """Rendered pages by (file, its size and time, page, figure, anchor); bounded, thread-safe."""

    def __init__(self, size: int = CACHED_PAGES) -> None:
        self._pages: OrderedDict[tuple[object, ...], RenderedPage] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, path: Path, page: int, raw: str, anchor: str = "") -> RenderedPage:
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns, page, raw, anchor)
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        rendered = render_page(path, page, raw, anchor)
        with self._lock:
            self._pages[key] = rendered
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)
        return rendered


def figure_anchor(citation: dict[str, object]) -> str:
    """The words that place a cited figure on its page: a table cell's row label, a sentence's
    words right before the figure."""
    raw = str(citation.get("raw") or "")
    if citation.get("source") == "table":
        row = str(citation.get("row") or "")
        return row.split()[-1] if row.split() else ""
    quote_text = str(citation.get("quote") or "")
    at = quote_text.find(raw) if raw else -1
    before = re.sub(r"\s+", "", quote_text[:at]) if at > 0 else ""
    return before[-ANCHOR_CHARS:]


def page_html(rendered: RenderedPage, file_name: str, link: str = "") -> str:
    """The rendered page as an inline image, with its caption and a link to the original file
    opened at that page."""
    data = base64.b64encode(rendered.png).decode("ascii")
    if rendered.marks == 1:
        note = "the cited figure is marked (the part of the page around it)"
    elif rendered.marks > 1:
        note = f"the figure is printed {rendered.marks} times here; all are marked (the part of the page around them)"
    else:
        note = "the figure was not found in the page's text layer; the page is shown unmarked"
    opener = (f' · <a href="{html.escape(link)}#page={rendered.page}" target="_blank" rel="noopener" '
              f'class="dqa-open-original">open the original at p. {rendered.page}</a>') if link else ""
    return (
        f'<figure class="dqa-page" style="margin:0 0 8px 0">'
        f'<figcaption style="font-size:12px;margin-bottom:4px">{html.escape(file_name)}, p. {rendered.page}: '
        f"{html.escape(note)}{opener}</figcaption>"
        f'<img alt="page {rendered.page} of {html.escape(file_name)}" src="data:image/png;base64,{data}" '
        f'style="max-width:100%;border:1px solid #ccc" width="{rendered.width}" height="{rendered.height}"></figure>'
    )


def file_link(path: Path) -> str:
    """The URL the Gradio app serves a kept report file at (launch(allowed_paths=…) lets it)."""
    return "/gradio_api/file=" + quote(str(path.resolve()))
