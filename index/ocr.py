"""PDF pages without a text layer -> text boxes and table grids, by OCR (rapidocr-onnxruntime).

Each page is rendered with pypdfium2 at 2x (about 144 dpi: table figures of a 10.5pt font come
out ~28 px high, where PP-OCRv4's recogniser reads digits reliably) and read by RapidOCR, whose
wheel ships the PP-OCRv4 detection and recognition models and the angle classifier, so nothing
is downloaded. Tables are rebuilt from the page's geometry:

- ruled tables (every table of the disclosure templates): the ruling lines are found in the
  image once the text boxes are blanked out, a grid is laid on their positions, and grid cells
  with no ruling between them are one merged cell, as pdfplumber's find_tables sees a text PDF;
- tables without rulings: rows by baseline, columns by the x-extent the boxes of the table's
  rows share (a header cell and the figures under it overlap).

`index.pdf` turns the result into the same blocks as a text page, so the tables take the same
`tables -> facts` path and are checked by the same identities. Coordinates here are PDF points
from the page's top-left corner, like pdfplumber's.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SCALE = 2.0
# A ruling is a run of ink at least this long (px at SCALE) once the text is blanked out;
# shorter runs are the remains of glyphs the text boxes did not cover.
_MIN_RULING_PX = 16
# Positions of rulings within this many points are one ruling (a 1pt line renders 2-3 px).
_SAME_LINE_PT = 2.5
# A border between two grid cells exists when a ruling covers this share of the cell's side.
_BORDER_COVER = 0.5
# Unruled tables: a gap this many character heights wide between two boxes on a line separates
# columns; a table is at least this many consecutive lines with two or more columns.
_COLUMN_GAP = 1.5
_MIN_TABLE_LINES = 3

Progress = Callable[[str], None]
# (pages done, pages to OCR, page number): who is adding the file wants to know, page by page
PageWatcher = Callable[[int, int, int], None]
_WATCHER: ContextVar[PageWatcher | None] = ContextVar("dqa_ocr_watcher", default=None)


@contextmanager
def watching_pages(watcher: PageWatcher | None) -> Iterator[None]:
    """Within the block, each page OCR'd (in this thread or task) is also told to `watcher`:
    the app's upload shows "OCR: scan.pdf p. 3 (3 of 24)" as the build goes, beside stderr's
    line. The readers between `index.build` and here need not carry it."""
    token = _WATCHER.set(watcher)
    try:
        yield
    finally:
        _WATCHER.reset(token)


@dataclass(frozen=True)
class OcrBox:
    """One recognised line of text: its box in points and the recogniser's confidence."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class OcrTable:
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom
    rows: tuple[tuple[str | None, ...], ...]  # None where a merged cell covers the grid cell
    confidence: tuple[tuple[float, ...], ...]  # per cell: the lowest of its boxes, 1.0 if empty
    boxes: frozenset[int]  # indexes of the page's boxes the table took


@dataclass(frozen=True)
class OcrPage:
    number: int  # 1-based
    width: float
    height: float
    boxes: tuple[OcrBox, ...]
    tables: tuple[OcrTable, ...]
    seconds: float


def ocr_enabled() -> bool:
    """DQA_OCR=off (or 0/no/false) turns OCR off: pages without text are refused as before."""
    return os.environ.get("DQA_OCR", "").strip().lower() not in ("off", "0", "no", "false")


def stderr_progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


_ENGINE: Any = None
_ENGINE_LOCK = threading.Lock()


def _engine() -> Any:
    """One RapidOCR engine per process (loading its three models takes about a second)."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            from rapidocr_onnxruntime import RapidOCR

            _ENGINE = RapidOCR()
        return _ENGINE


def ocr_pdf_pages(
    path: Path, numbers: Sequence[int], progress: Progress | None = stderr_progress
) -> list[OcrPage]:
    """OCR the given pages (1-based) of a PDF; one progress line per page."""
    import pypdfium2

    pages = []
    document = pypdfium2.PdfDocument(str(path))
    try:
        for done, number in enumerate(numbers, start=1):
            start = time.perf_counter()
            page = document[number - 1]
            try:
                image = page.render(scale=SCALE).to_pil().convert("RGB")
            finally:
                page.close()
            pixels = np.asarray(image)
            result = read_image(pixels, number)
            pages.append(result)
            watcher = _WATCHER.get()
            if watcher is not None:
                watcher(done, len(numbers), number)
            if progress is not None:
                progress(
                    f"{path.name}: OCR page {number} ({done} of {len(numbers)} without a text layer): "
                    f"{len(result.boxes)} lines, {len(result.tables)} tables, "
                    f"{time.perf_counter() - start:.1f} s"
                )
    finally:
        document.close()
    return pages


def read_image(pixels: np.ndarray, number: int = 1, scale: float = SCALE) -> OcrPage:
    """One page image (H x W x 3, uint8) -> boxes and tables in points."""
    start = time.perf_counter()
    result, _ = _engine()(pixels)
    boxes = []
    for quad, text, score in result or ():
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        text = str(text).strip()
        if not text:
            continue
        boxes.append(
            OcrBox(text, min(xs) / scale, min(ys) / scale, max(xs) / scale, max(ys) / scale, float(score))
        )
    boxes.sort(key=lambda b: (b.top, b.x0))
    gray = pixels.mean(axis=2) if pixels.ndim == 3 else pixels
    horizontal, vertical = find_rulings(gray, boxes, scale)
    tables = ruled_tables(boxes, horizontal, vertical)
    taken = set().union(*(t.boxes for t in tables)) if tables else set()
    rest = [i for i in range(len(boxes)) if i not in taken]
    tables += unruled_tables(boxes, rest)
    height, width = gray.shape[:2]
    return OcrPage(
        number=number, width=width / scale, height=height / scale, boxes=tuple(boxes),
        tables=tuple(sorted(tables, key=lambda t: t.bbox[1])), seconds=time.perf_counter() - start,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# rulings


@dataclass(frozen=True)
class Segment:
    """A ruling in points: horizontal (y fixed, a..b along x) or vertical (x fixed, a..b along y)."""

    at: float
    a: float
    b: float


def find_rulings(
    gray: np.ndarray, boxes: Sequence[OcrBox], scale: float = SCALE
) -> tuple[list[Segment], list[Segment]]:
    """Horizontal and vertical ruling segments: long straight runs of dark pixels, found after
    the text boxes are blanked so that glyph strokes cannot pass for lines."""
    import cv2

    ink = (gray < 160).astype(np.uint8)
    for box in boxes:
        # shrink by 2 px: a box that touches a ruling must not erase it
        x0, x1 = int(box.x0 * scale) + 2, int(box.x1 * scale) - 2
        y0, y1 = int(box.top * scale) + 2, int(box.bottom * scale) - 2
        if x1 > x0 and y1 > y0:
            ink[y0:y1, x0:x1] = 0
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (_MIN_RULING_PX, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, _MIN_RULING_PX)))
    return _segments(horizontal, True, scale), _segments(vertical, False, scale)


def _segments(mask: np.ndarray, horizontal: bool, scale: float) -> list[Segment]:
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for k in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[k])
        if horizontal and w >= _MIN_RULING_PX and h <= 8:
            out.append(Segment((y + h / 2) / scale, x / scale, (x + w) / scale))
        elif not horizontal and h >= _MIN_RULING_PX and w <= 8:
            out.append(Segment((x + w / 2) / scale, y / scale, (y + h) / scale))
    return out


def _cluster(values: Sequence[float], tolerance: float = _SAME_LINE_PT) -> list[float]:
    out: list[list[float]] = []
    for value in sorted(values):
        if out and value - out[-1][-1] <= tolerance:
            out[-1].append(value)
        else:
            out.append([value])
    return [sum(group) / len(group) for group in out]


def _cover(segments: Sequence[Segment], at: float, a: float, b: float) -> float:
    """Share of the span a..b at position `at` that the segments cover."""
    spans = sorted((max(s.a, a), min(s.b, b)) for s in segments if abs(s.at - at) <= _SAME_LINE_PT)
    covered, reach = 0.0, a
    for lo, hi in spans:
        lo = max(lo, reach)
        if hi > lo:
            covered += hi - lo
            reach = hi
    return covered / (b - a) if b > a else 0.0


def ruled_tables(
    boxes: Sequence[OcrBox], horizontal: list[Segment], vertical: list[Segment]
) -> list[OcrTable]:
    tables = []
    for h_group, v_group in _table_regions(horizontal, vertical):
        table = _grid_table(boxes, h_group, v_group)
        if table is not None:
            tables.append(table)
    return tables


def _root(parent: list[int], i: int) -> int:
    """Union-find: the root of i's set, halving the path on the way."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _table_regions(
    horizontal: list[Segment], vertical: list[Segment]
) -> list[tuple[list[Segment], list[Segment]]]:
    """Rulings that touch each other, grouped: one group per table on the page."""
    items: list[tuple[str, Segment]] = [("h", s) for s in horizontal] + [("v", s) for s in vertical]
    parent = list(range(len(items)))

    def find(i: int) -> int:
        return _root(parent, i)

    slack = 2 * _SAME_LINE_PT
    for i, (kind_i, s) in enumerate(items):
        if kind_i != "h":
            continue
        for j, (kind_j, t) in enumerate(items):
            if kind_j != "v":
                continue
            # a horizontal at y from a to b touches a vertical at x from a' to b'
            if s.a - slack <= t.at <= s.b + slack and t.a - slack <= s.at <= t.b + slack:
                parent[find(i)] = find(j)
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for i, (kind, segment) in enumerate(items):
        group = groups.setdefault(find(i), ([], []))
        (group[0] if kind == "h" else group[1]).append(segment)
    return [g for g in groups.values() if len(_cluster([s.at for s in g[0]])) >= 2 and len(_cluster([s.at for s in g[1]])) >= 2]


def _grid_table(boxes: Sequence[OcrBox], horizontal: list[Segment], vertical: list[Segment]) -> OcrTable | None:
    ys = _cluster([s.at for s in horizontal])
    xs = _cluster([s.at for s in vertical])
    rows, cols = len(ys) - 1, len(xs) - 1
    if rows < 1 or cols < 1:
        return None
    # union-find over grid cells: no ruling between two neighbours makes them one cell
    owner = list(range(rows * cols))

    def find(i: int) -> int:
        return _root(owner, i)

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            owner[max(a, b)] = min(a, b)  # the top-left cell of a merged cell owns it

    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and _cover(vertical, xs[c + 1], ys[r], ys[r + 1]) < _BORDER_COVER:
                union(r * cols + c, r * cols + c + 1)
            if r + 1 < rows and _cover(horizontal, ys[r + 1], xs[c], xs[c + 1]) < _BORDER_COVER:
                union(r * cols + c, (r + 1) * cols + c)
    texts: dict[int, list[OcrBox]] = {}
    taken: set[int] = set()
    for i, box in enumerate(boxes):
        cx, cy = (box.x0 + box.x1) / 2, (box.top + box.bottom) / 2
        if not (xs[0] <= cx <= xs[-1] and ys[0] <= cy <= ys[-1]):
            continue
        r = _slot(ys, cy)
        c = _slot(xs, cx)
        texts.setdefault(find(r * cols + c), []).append(box)
        taken.add(i)
    grid: list[tuple[str | None, ...]] = []
    scores: list[tuple[float, ...]] = []
    for r in range(rows):
        row: list[str | None] = []
        score: list[float] = []
        for c in range(cols):
            cell = r * cols + c
            root = find(cell)
            if root != cell:
                row.append(None)
                score.append(1.0)
                continue
            inside = texts.get(cell, [])
            row.append(_cell_text(inside))
            score.append(min((b.confidence for b in inside), default=1.0))
        grid.append(tuple(row))
        scores.append(tuple(score))
    return OcrTable((xs[0], ys[0], xs[-1], ys[-1]), tuple(grid), tuple(scores), frozenset(taken))


def _slot(edges: Sequence[float], value: float) -> int:
    for k in range(len(edges) - 1):
        if value < edges[k + 1]:
            return k
    return len(edges) - 2


def _cell_text(boxes: Sequence[OcrBox]) -> str:
    """A cell's boxes as its lines top to bottom (index.pdf joins a wrapped cell's lines)."""
    lines: list[list[OcrBox]] = []
    for box in sorted(boxes, key=lambda b: (b.top + b.bottom) / 2):
        middle = (box.top + box.bottom) / 2
        if lines and abs(middle - _middle(lines[-1])) < 0.5 * box.height:
            lines[-1].append(box)
        else:
            lines.append([box])
    return "\n".join(" ".join(b.text for b in sorted(line, key=lambda b: b.x0)) for line in lines)


def _middle(line: Sequence[OcrBox]) -> float:
    return sum((b.top + b.bottom) / 2 for b in line) / len(line)


# ---------------------------------------------------------------------------------------------
# tables without rulings


def unruled_tables(boxes: Sequence[OcrBox], indexes: Sequence[int]) -> list[OcrTable]:
    """Runs of lines split into two or more columns by wide gaps, as tables: rows by baseline,
    columns where the boxes of the run's lines overlap along x."""
    lines = _lines([(i, boxes[i]) for i in indexes])
    tables: list[OcrTable] = []
    run: list[list[tuple[int, OcrBox]]] = []
    for line in [*lines, []]:
        if line and _columns_in_line(line) >= 2:
            run.append(line)
            continue
        if len(run) >= _MIN_TABLE_LINES:
            tables.append(_table_from_lines(run))
        run = []
    return tables


def _lines(items: Sequence[tuple[int, OcrBox]]) -> list[list[tuple[int, OcrBox]]]:
    out: list[list[tuple[int, OcrBox]]] = []
    for item in sorted(items, key=lambda it: it[1].bottom):
        box = item[1]
        if out and abs(box.bottom - out[-1][0][1].bottom) < 0.5 * box.height:
            out[-1].append(item)
        else:
            out.append([item])
    return [sorted(line, key=lambda it: it[1].x0) for line in out]


def _columns_in_line(line: Sequence[tuple[int, OcrBox]]) -> int:
    columns = 1
    for (_, a), (_, b) in zip(line, line[1:], strict=False):
        if b.x0 - a.x1 > _COLUMN_GAP * max(a.height, b.height):
            columns += 1
    return columns


def _table_from_lines(lines: list[list[tuple[int, OcrBox]]]) -> OcrTable:
    spans: list[list[float]] = []
    for _, box in sorted((it for line in lines for it in line), key=lambda it: it[1].x0):
        if spans and box.x0 <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], box.x1)
        else:
            spans.append([box.x0, box.x1])
    rows: list[tuple[str | None, ...]] = []
    scores: list[tuple[float, ...]] = []
    taken: set[int] = set()
    for line in lines:
        cells: list[list[OcrBox]] = [[] for _ in spans]
        for index, box in line:
            middle = (box.x0 + box.x1) / 2
            k = next((k for k, (lo, hi) in enumerate(spans) if lo <= middle <= hi), len(spans) - 1)
            cells[k].append(box)
            taken.add(index)
        rows.append(tuple(" ".join(b.text for b in cell) for cell in cells))
        scores.append(tuple(min((b.confidence for b in cell), default=1.0) for cell in cells))
    flat = [box for line in lines for _, box in line]
    bbox = (min(b.x0 for b in flat), min(b.top for b in flat), max(b.x1 for b in flat), max(b.bottom for b in flat))
    return OcrTable(bbox, tuple(rows), tuple(scores), frozenset(taken))
