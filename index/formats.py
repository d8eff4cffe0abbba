"""The file types a report may come in, by suffix: the one list the loaders, the build, the CLI
and the app's upload control read."""

from __future__ import annotations

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, ".pdf", ".docx", *HTML_SUFFIXES, *SHEET_SUFFIXES)
