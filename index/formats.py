"""The file types a report may come in, by suffix: the one list the loaders, the build, the CLI
and the app's upload control read."""

from __future__ import annotations

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, ".pdf", ".docx", *HTML_SUFFIXES, *SHEET_SUFFIXES)


def read_as(name: str, pages: int | None = None, ocr_pages: list[int] | tuple[int, ...] = ()) -> str:
    """How a report was read, as the Reports tab says it: "PDF text layer", "PDF text layer +
    OCR of p. 14", "scanned PDF, OCR of all 24 pages", "spreadsheet", "web page", "Word
    document" or "plain text" (by the file's suffix and the pages read by OCR)."""
    suffix = name[name.rfind("."):].lower() if "." in name else ""
    if suffix == ".pdf":
        if not ocr_pages:
            return "PDF text layer"
        if pages and len(ocr_pages) >= pages:
            return f"scanned PDF, OCR of all {pages} pages"
        shown = ", ".join(str(p) for p in ocr_pages[:5]) + (" …" if len(ocr_pages) > 5 else "")
        return f"PDF text layer + OCR of p. {shown}" if len(ocr_pages) == 1 else \
            f"PDF text layer + OCR of {len(ocr_pages)} pages (p. {shown})"
    if suffix in SHEET_SUFFIXES:
        return "spreadsheet"
    if suffix in HTML_SUFFIXES:
        return "web page"
    if suffix == ".docx":
        return "Word document"
    return "plain text"
