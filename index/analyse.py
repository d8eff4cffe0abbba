"""file -> Report -> (facts, checks, chunks): everything the stores need from one report.

This is the single entry point the storage layer calls; it never touches a store.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from index.chunks import make_chunks
from index.facts import extract_sentence_facts, relation_only, trailing_subject
from index.load import load_report
from index.models import Chunk, Fact, Report, TableBlock, TableCheck, TextBlock
from index.tables import extract_table_facts

log = logging.getLogger(__name__)
REFERS_BACK = ("此项", "该项", "本项", "上述")  # words that open a paragraph about the subject before it


@dataclass(frozen=True)
class Analysis:
    report: Report
    facts: tuple[Fact, ...]
    checks: tuple[TableCheck, ...]
    chunks: tuple[Chunk, ...]
    # identity fields set by hand (`index add --org …`), kept with the report for its re-adds
    overrides: tuple[tuple[str, str], ...] = ()

    @property
    def tables(self) -> int:
        return len({f.table for f in self.facts if f.source == "table"})

    @property
    def tables_passed(self) -> int:
        failed = {c.table for c in self.checks if not c.holds}
        checked = {c.table for c in self.checks if c.table}
        return len(checked - failed)


# `index add` flags -> ReportMeta fields
IDENTITY_FIELDS = ("org", "year", "kind", "scope", "level", "joined")


def analyse_file(path: Path, max_bytes: int) -> Analysis:
    """Load and parse one report. Raises ReportFormatError (one-line message) if unreadable."""
    return analyse_report(load_report(path, max_bytes))


def apply_identity(analysis: Analysis, overrides: Mapping[str, str]) -> Analysis:
    """The analysis with identity fields set by hand (org, year, kind, scope, level, joined)
    over what the document says; chunks are made again, so their headers carry them too."""
    kept = tuple(sorted((k, str(v)) for k, v in overrides.items() if k in IDENTITY_FIELDS and v))
    if not kept:
        return analysis
    values: dict[str, object] = dict(kept)
    if "year" in values:
        values["year"] = int(str(values["year"]))
    if "org" in values:
        from index.meta import district_of, level_of, split_place

        places = split_place(str(values["org"]))
        values.setdefault("place", "".join(places))
        values.setdefault("district", district_of(places))
        values.setdefault("level", level_of(places))
    report = analysis.report
    report = replace(report, meta=replace(report.meta, **values))  # type: ignore[arg-type]
    chunks = make_chunks(report.name, report.meta, report.blocks)
    return replace(analysis, report=report, chunks=tuple(chunks), overrides=kept)


def analyse_report(report: Report) -> Analysis:
    facts: list[Fact] = []
    previous: TextBlock | None = None  # the text block before, for a heading it ends on
    last_subject = ""  # the last figure's subject of the text before, for a paragraph opening on 此项
    for block in report.blocks:
        if isinstance(block, TableBlock):
            previous = None
            try:
                table_facts = extract_table_facts(block, report.name, len(facts))
            except Exception:  # noqa: BLE001 - one malformed table is logged and skipped
                log.warning("%s: skipped malformed table %r", report.name, block.title, exc_info=True)
                continue
            facts.extend(table_facts)
        else:
            same_section = previous is not None and previous.section == block.section
            carried = trailing_subject(previous) if same_section else ""
            if not carried and same_section and block.text.lstrip().startswith(REFERS_BACK):
                # "此项支出比上年减少2.32万元" opening a paragraph: 此项 is the subject the paragraph
                # before ended on ("…机关运行经费27.38万元。主要包括：…")
                carried = last_subject
            block_facts = extract_sentence_facts(block, report.name, len(facts), carried)
            facts.extend(block_facts)
            last_subject = next((f.row_label for f in reversed(block_facts)
                                 if f.row_label and not relation_only(f.row_label)), last_subject)
            previous = block
    chunks = make_chunks(report.name, report.meta, report.blocks)
    analysis = Analysis(report=report, facts=tuple(facts), checks=(), chunks=tuple(chunks))
    return replace(analysis, checks=tuple(table_checks(analysis)))


def table_checks(analysis: Analysis) -> list[TableCheck]:
    """The catalogue's outcomes (index.checks) as stored check rows, one per table an outcome
    read; outcomes that read no table (text, document) under table ''."""
    from index.checks import Material, run_checks

    checks: list[TableCheck] = []
    for outcome in run_checks(Material.of_analysis(analysis)):
        finding = outcome.finding
        detail = f"{finding.severity}: {finding.message}" if finding else "holds"
        for table in outcome.tables or ("",):
            checks.append(TableCheck(table=table, rule=outcome.rule, holds=outcome.holds, detail=detail))
    return checks
