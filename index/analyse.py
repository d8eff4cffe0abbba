"""file -> Report -> (facts, checks, chunks): everything the stores need from one report.

This is the single entry point the storage layer calls; it never touches a store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from index.models import Chunk, Fact, Report, TableCheck


@dataclass(frozen=True)
class Analysis:
    report: Report
    facts: tuple[Fact, ...]
    checks: tuple[TableCheck, ...]
    chunks: tuple[Chunk, ...]

    @property
    def tables(self) -> int:
        return len({f.table for f in self.facts if f.source == "table"})

    @property
    def tables_passed(self) -> int:
        failed = {c.table for c in self.checks if not c.holds}
        checked = {c.table for c in self.checks}
        return len(checked - failed)


def analyse_file(path: Path, max_bytes: int) -> Analysis:
    """Load and parse one report. Raises ReportFormatError (one-line message) if unreadable."""
    raise NotImplementedError  # filled in by the parsing work (index/load.py, tables.py, facts.py)
