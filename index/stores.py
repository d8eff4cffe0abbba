"""Facts, chunks and vectors -> the store: SQLite facts, Chroma vectors, a BM25 keyword index.

One store directory (Settings.store, default .store/) holds:

    facts.sqlite   reports, facts, checks, tables, chunks and meta - the source of truth
    chroma/        the embedded Chroma database (unless DQA_CHROMA_URL names a server)
    bm25/          the saved keyword index, a cache rebuilt from the SQLite chunks

SQLite's `reports` table says which version (name + sha256) of each report is committed.
Vectors carry that version in their id and metadata, and `ChromaChunkStore.query` only returns
vectors of committed versions, so vectors written by an add that never committed (killed, or
failed before the SQLite commit) are invisible and are pruned by the next add. The BM25 index
records the SQLite generation it was built from and is rebuilt when it is behind.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import re
import shutil
import sqlite3
import threading
import time
import unicodedata
import uuid
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from index.analyse import Analysis
from index.formats import read_as
from index.grams import label_frequencies, label_text
from index.models import Chunk, Fact, TableBlock, TableCheck, content_id

logger = logging.getLogger(__name__)

FACTS_FILE = "facts.sqlite"
CHROMA_DIR = "chroma"
BM25_DIR = "bm25"
LABEL_GRAMS_VERSION = "1"  # bump when index.grams.grams changes: stores recount on their next write
# Vector search: a question naming a few reports ranks their vectors exactly (read by id, cached
# per report version, at most MATRIX_CACHE_REPORTS of them); over everything, the index's nearest
# neighbours are read with no filter, UNFILTERED_OVERSAMPLE times as many as asked
EXACT_SEARCH_REPORTS = 32
MATRIX_CACHE_REPORTS = 512
UNFILTERED_OVERSAMPLE = 4
SCHEMA_VERSION = "3"
# Bump when `tokenize` changes. Chunks keep the tokens they were indexed with (so rebuilding
# the keyword index after an add costs no jieba time); a store tokenized by another version is
# re-tokenized from the chunk text in memory when loaded, and on disk at its next write.
TOKENIZER_VERSION = "1"


class StoreError(Exception):
    """The store cannot be opened or written. The message says where and what to do (one line)."""


def report_version(name: str, sha256: str) -> str:
    """Id of one version of one report: the same bytes added under two names are two versions."""
    return content_id(f"{name}\n{sha256}")


# --------------------------------------------------------------------------------------------
# SQLite: facts, checks, tables, chunks, reports


_SCHEMA_TEMPLATE = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS label_grams (gram TEXT PRIMARY KEY, df INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reports (
    name TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    version TEXT NOT NULL,
    org TEXT NOT NULL,
    district TEXT NOT NULL,
    year INTEGER,
    kind TEXT NOT NULL,
    level TEXT NOT NULL DEFAULT '',
    scope TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    joined TEXT NOT NULL DEFAULT '',
    overrides TEXT NOT NULL DEFAULT '{}',
    pages INTEGER,
    tables INTEGER NOT NULL,
    tables_passed INTEGER NOT NULL,
    facts INTEGER NOT NULL,
    chunks INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    text TEXT NOT NULL
);
{facts_table}
CREATE INDEX IF NOT EXISTS facts_report ON facts(report);
CREATE INDEX IF NOT EXISTS facts_code ON facts(code);
CREATE INDEX IF NOT EXISTS facts_row_label ON facts(row_label);
CREATE TABLE IF NOT EXISTS checks (
    report TEXT NOT NULL,
    position INTEGER NOT NULL,
    "table" TEXT NOT NULL,
    rule TEXT NOT NULL,
    holds INTEGER NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (report, position)
);
CREATE TABLE IF NOT EXISTS tables (
    report TEXT NOT NULL,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    unit TEXT NOT NULL,
    section TEXT NOT NULL,
    shape TEXT NOT NULL,
    page INTEGER,
    line_numbers_json TEXT NOT NULL,
    notes_json TEXT NOT NULL,
    rows_json TEXT NOT NULL,
    PRIMARY KEY (report, position)
);
CREATE INDEX IF NOT EXISTS tables_title ON tables(report, title);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    report TEXT NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    "table" TEXT NOT NULL,
    section TEXT NOT NULL,
    page INTEGER,
    meta_json TEXT NOT NULL,
    tokens_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_report ON chunks(report);
"""

# The facts table mirrors the Fact dataclass field by field, so a field added to Fact is stored
# without touching this module; the layout fingerprint below then asks old stores to rebuild.
_FACT_FIELDS = tuple(dataclasses.fields(Fact))
_FACT_COLUMNS = "fact_id, " + ", ".join(f'"{f.name}"' for f in _FACT_FIELDS)
_SCHEMA = _SCHEMA_TEMPLATE.replace(
    "{facts_table}",
    "CREATE TABLE IF NOT EXISTS facts (\n    fact_id TEXT PRIMARY KEY,\n"
    + ",\n".join(
        f'    "{f.name}" {"INTEGER" if f.type == "int" else "TEXT"}'
        + ("" if "None" in str(f.type) else " NOT NULL")
        for f in _FACT_FIELDS
    )
    + "\n);",
)
_CHUNK_FIELDS = ("report", "kind", "text", "position", "table", "section", "page", "meta")
# Layout = schema version + the model fields it stores: a store written for other fields
# must be rebuilt, not misread.
STORE_LAYOUT = (
    f"{SCHEMA_VERSION}-"
    + content_id(",".join(f.name for f in _FACT_FIELDS) + "|" + ",".join(_CHUNK_FIELDS))[:8]
)
_CHUNK_COLUMNS = 'chunk_id, report, position, kind, text, "table", section, page, meta_json'
OCR_PAGE_RE = re.compile(r"\bp\. (\d+)\b")
_REPORT_COLUMNS = (
    "name, sha256, version, org, district, year, kind, level, scope, place, joined, overrides, "
    "pages, tables, tables_passed, facts, chunks, added_at"
)
_REPORT_NAMES = tuple(c.strip() for c in _REPORT_COLUMNS.split(","))


class SqliteFactStore:
    """The fact store and the record of which report versions are committed.

    Every write runs in one `BEGIN IMMEDIATE` transaction (WAL journal), so a process killed
    mid-write leaves the previous state. Values are stored as TEXT so that a Decimal comes
    back exactly as it went in (`Decimal("313.08")`, never a float).
    """

    def __init__(self, path: Path | str, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise StoreError(f"no fact store at {self.path}: run `python -m index build` first")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per write.
        self._conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        self._lock = threading.RLock()
        self._versions: tuple[int, dict[str, str]] | None = None
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.executescript(_SCHEMA)
            with self.transaction() as conn:
                if self._meta_value(conn, "store_uid") is None:
                    self.set_meta(conn, "store_uid", uuid.uuid4().hex)
                    self.set_meta(conn, "schema_version", STORE_LAYOUT)
                    self.set_meta(conn, "generation", "0")
                    self.set_meta(conn, "tokenizer", TOKENIZER_VERSION)
                    self.set_meta(conn, "label_grams", LABEL_GRAMS_VERSION)
                    self.set_meta(conn, "label_count", "0")
                schema = self._meta_value(conn, "schema_version")
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"{self.path}: not a usable SQLite fact store ({exc})") from exc
        if schema != STORE_LAYOUT:
            self._conn.close()
            raise StoreError(
                f"{self.path} has store layout {schema}, this version writes {STORE_LAYOUT}: "
                "run `python -m index build` to rebuild it"
            )

    # -- transactions and meta ---------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: commits on success, rolls back on any exception."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @staticmethod
    def _meta_value(conn: sqlite3.Connection, key: str) -> str | None:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @staticmethod
    def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
        conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def meta(self) -> dict[str, str]:
        with self._lock:
            return {str(k): str(v) for k, v in self._conn.execute("SELECT key, value FROM meta")}

    def generation(self) -> int:
        """Bumped by every write; the keyword index records the generation it was built at."""
        return int(self.meta().get("generation", "0"))

    def _bump_generation(self, conn: sqlite3.Connection) -> None:
        current = int(self._meta_value(conn, "generation") or "0")
        self.set_meta(conn, "generation", str(current + 1))

    # -- writes --------------------------------------------------------------------------------

    def replace_report(
        self,
        analysis: Analysis,
        *,
        sha256: str | None = None,
        conn: sqlite3.Connection | None = None,
        tokens: Sequence[list[str]] | None = None,
    ) -> None:
        """Replace everything stored for `analysis.report.name` with this analysis.

        `sha256` is the hash of the file bytes (the idempotency key); it defaults to the
        report's own. Pass `conn` to make this part of a larger transaction, and `tokens`
        (`tokenize` of each chunk) to keep tokenizing out of the transaction.
        """
        if tokens is None:
            tokens = [tokenize(c.text) for c in analysis.chunks]
        if len(tokens) != len(analysis.chunks):
            raise ValueError(f"{len(analysis.chunks)} chunks but {len(tokens)} token lists")
        if conn is None:
            with self.transaction() as own:
                self.replace_report(analysis, sha256=sha256, conn=own, tokens=tokens)
            return
        report = analysis.report
        name = report.name
        sha = sha256 or report.sha256
        self._keep_label_grams(conn)
        self._delete_rows(conn, name)
        self._count_labels(conn, [label_text(f.row_label, f.column, f.table) for f in analysis.facts], +1)
        conn.execute(
            f"INSERT INTO reports({_REPORT_COLUMNS}, text) VALUES ({', '.join('?' * 19)})",
            (
                name,
                sha,
                report_version(name, sha),
                report.meta.org,
                report.meta.district,
                report.meta.year,
                report.meta.kind,
                report.meta.level,
                report.meta.scope,
                report.meta.place,
                report.meta.joined,
                json.dumps(dict(analysis.overrides), ensure_ascii=False, sort_keys=True),
                report.pages,
                analysis.tables,
                analysis.tables_passed,
                len(analysis.facts),
                len(analysis.chunks),
                datetime.now(UTC).isoformat(timespec="seconds"),
                report.text,
            ),
        )
        try:
            conn.executemany(
                f"INSERT INTO facts({_FACT_COLUMNS}) "
                f"VALUES ({', '.join('?' * (len(_FACT_FIELDS) + 1))})",
                [_fact_row(f) for f in analysis.facts],
            )
            conn.executemany(
                f"INSERT INTO chunks({_CHUNK_COLUMNS}, tokens_json) VALUES ({', '.join('?' * 10)})",
                [
                    (*_chunk_row(c), json.dumps(t, ensure_ascii=False))
                    for c, t in zip(analysis.chunks, tokens, strict=True)
                ],
            )
        except sqlite3.IntegrityError as exc:
            # Ids come from report name + position, so a clash means two items share a position.
            raise StoreError(f"{name}: two facts or chunks share a position ({exc})") from exc
        conn.executemany(
            'INSERT INTO checks(report, position, "table", rule, holds, detail) '
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (name, i, c.table, c.rule, int(c.holds), c.detail)
                for i, c in enumerate(analysis.checks)
            ],
        )
        tables = [b for b in report.blocks if isinstance(b, TableBlock)]
        conn.executemany(
            "INSERT INTO tables(report, position, title, unit, section, shape, page, "
            "line_numbers_json, notes_json, rows_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(name, i, *_table_row(t)) for i, t in enumerate(tables)],
        )
        if self._meta_value(conn, "tokenizer") != TOKENIZER_VERSION:
            self._retokenize(conn)
        self._bump_generation(conn)

    def _retokenize(self, conn: sqlite3.Connection) -> None:
        """Bring every chunk's stored tokens to this TOKENIZER_VERSION (once, on first write)."""
        rows = list(conn.execute("SELECT chunk_id, text FROM chunks"))
        conn.executemany(
            "UPDATE chunks SET tokens_json = ? WHERE chunk_id = ?",
            [(json.dumps(tokenize(text), ensure_ascii=False), cid) for cid, text in rows],
        )
        self.set_meta(conn, "tokenizer", TOKENIZER_VERSION)

    def delete_report(self, name: str, *, conn: sqlite3.Connection | None = None) -> bool:
        """Remove one report; returns whether it was there."""
        if conn is None:
            with self.transaction() as own:
                return self.delete_report(name, conn=own)
        self._keep_label_grams(conn)
        existed = self._delete_rows(conn, name)
        if existed:
            self._bump_generation(conn)
        return existed

    def _keep_label_grams(self, conn: sqlite3.Connection) -> None:
        """A store written before the label statistics were kept (or by another gram rule)
        counts them once, from every fact, on its first write."""
        if self._meta_value(conn, "label_grams") == LABEL_GRAMS_VERSION:
            return
        conn.execute("DELETE FROM label_grams")
        self.set_meta(conn, "label_count", "0")
        rows = conn.execute('SELECT row_label, "column", "table" FROM facts').fetchall()
        self._count_labels(conn, [label_text(*r) for r in rows], +1)
        self.set_meta(conn, "label_grams", LABEL_GRAMS_VERSION)

    def _count_labels(self, conn: sqlite3.Connection, texts: Sequence[str], sign: int) -> None:
        """Add (sign +1) or take away (-1) facts' labels from the kept bigram frequencies."""
        if not texts:
            return
        df, n = label_frequencies(texts)
        conn.executemany(
            "INSERT INTO label_grams(gram, df) VALUES (?, ?) ON CONFLICT(gram) DO UPDATE SET df = df + excluded.df",
            [(g, sign * c) for g, c in df.items()],
        )
        if sign < 0:
            conn.execute("DELETE FROM label_grams WHERE df <= 0")
        count = int(self._meta_value(conn, "label_count") or "0") + sign * n
        self.set_meta(conn, "label_count", str(count))

    def label_frequencies(self) -> tuple[Counter[str], int] | None:
        """(bigram -> labels holding it, labels) as kept by every write; None for a store that
        has not kept them yet (its first write will)."""
        with self._lock:
            if self._meta_value(self._conn, "label_grams") != LABEL_GRAMS_VERSION:
                return None
            rows = self._conn.execute("SELECT gram, df FROM label_grams").fetchall()
            n = int(self._meta_value(self._conn, "label_count") or "0")
        return Counter({str(g): int(c) for g, c in rows}), n

    def _delete_rows(self, conn: sqlite3.Connection, name: str) -> bool:
        old = conn.execute('SELECT row_label, "column", "table" FROM facts WHERE report = ?', (name,)).fetchall()
        self._count_labels(conn, [label_text(*r) for r in old], -1)
        existed = conn.execute("DELETE FROM reports WHERE name = ?", (name,)).rowcount > 0
        for table in ("facts", "chunks", "checks", "tables"):
            conn.execute(f"DELETE FROM {table} WHERE report = ?", (name,))
        return existed

    # -- reads ---------------------------------------------------------------------------------

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._conn.execute(sql, tuple(params)))

    def report_sha(self, name: str) -> str | None:
        rows = self._query("SELECT sha256 FROM reports WHERE name = ?", (name,))
        return str(rows[0][0]) if rows else None

    def versions(self) -> dict[str, str]:
        """Committed report name -> version id (what the vector store may return); read again
        only when a write (of this process or another) has moved the generation on."""
        generation = self.generation()
        cached = self._versions
        if cached is not None and cached[0] == generation:
            return cached[1]
        versions = {str(n): str(v) for n, v in self._query("SELECT name, version FROM reports")}
        self._versions = (generation, versions)
        return versions

    def reports(self, *, read: bool = False) -> list[dict[str, Any]]:
        """One dict per report (all columns except the full text), ordered by name; with
        `read`, each also says how it was read (`read`: index.formats.read_as), which costs a
        pass over the facts (the Reports tab and `index stats`, not every caller)."""
        rows = self._query(f"SELECT {_REPORT_COLUMNS} FROM reports ORDER BY name")
        reports = [dict(zip(_REPORT_NAMES, row, strict=True)) for row in rows]
        if read:
            scanned = self.ocr_pages()
            for r in reports:
                r["read"] = read_as(str(r["name"]), r.get("pages"), scanned.get(str(r["name"]), []))
        return reports

    def report_row(self, name: str) -> dict[str, Any] | None:
        """One report's row (as `reports()` gives it), or None."""
        rows = self._query(f"SELECT {_REPORT_COLUMNS} FROM reports WHERE name = ?", (name,))
        return dict(zip(_REPORT_NAMES, rows[0], strict=True)) if rows else None

    def ocr_pages(self) -> dict[str, list[int]]:
        """Per report, the pages read by OCR: those of its OCR'd tables, and those its text
        facts' citations mark as read by OCR ("p. 3, OCR 0.97")."""
        pages: dict[str, set[int]] = {}
        for report, page in self._query("SELECT report, page FROM tables WHERE shape = 'ocr' AND page IS NOT NULL"):
            pages.setdefault(str(report), set()).add(int(page))
        for report, locator in self._query("SELECT DISTINCT report, locator FROM facts WHERE locator LIKE '%, OCR %'"):
            found = OCR_PAGE_RE.search(str(locator))
            if found:
                pages.setdefault(str(report), set()).add(int(found.group(1)))
        return {r: sorted(p) for r, p in pages.items()}

    def joined_labels(self) -> set[str]:
        """Distinct row labels with 和 / 与 in them (社会保障和就业支出): names that read like two."""
        rows = self._query("SELECT DISTINCT row_label FROM facts WHERE row_label LIKE '%和%' OR row_label LIKE '%与%'")
        return {str(r[0]) for r in rows}

    def coded_labels(self) -> dict[str, frozenset[str]]:
        """Names of the rows printed with a 科目 code, each with its codes (事业单位医疗: 2101102,
        行政事业单位医疗: 21011): the items the classification tells apart, in any report."""
        codes: dict[str, set[str]] = {}
        for label, code in self._query("SELECT DISTINCT row_label, code FROM facts WHERE code != ''"):
            codes.setdefault(str(label), set()).add(str(code))
        return {label: frozenset(c) for label, c in codes.items()}

    def report_text(self, name: str) -> str | None:
        rows = self._query("SELECT text FROM reports WHERE name = ?", (name,))
        return str(rows[0][0]) if rows else None

    def label_texts(self) -> Iterator[str]:
        """Every fact's row label, column and table, streamed (for term statistics without
        holding every fact in memory)."""
        last = -1
        while True:
            with self._lock:  # in batches, so other readers are not held up
                rows = self._conn.execute(
                    'SELECT rowid, row_label, "column", "table" FROM facts WHERE rowid > ? '
                    "ORDER BY rowid LIMIT 5000",
                    (last,),
                ).fetchall()
            if not rows:
                return
            for rowid, row_label, column, table in rows:
                last = rowid
                yield f"{row_label} {column} {table}"

    def facts(self, reports: Sequence[str] | None = None) -> list[Fact]:
        where, params = _in_clause("report", reports)
        rows = self._query(
            f"SELECT {_FACT_COLUMNS} FROM facts {where} ORDER BY report, position", params
        )
        return [_fact_from_row(r) for r in rows]

    def chunks(self, reports: Sequence[str] | None = None) -> list[Chunk]:
        where, params = _in_clause("report", reports)
        rows = self._query(
            f"SELECT {_CHUNK_COLUMNS} FROM chunks {where} ORDER BY report, position", params
        )
        return [_chunk_from_row(r) for r in rows]

    def keyword_rows(self) -> tuple[list[str], list[str], list[list[str]]]:
        """(chunk ids, their reports, their tokens) in chunk order, for the keyword index."""
        rows = self._query("SELECT chunk_id, report, tokens_json, text FROM chunks "
                           "ORDER BY report, position")  # fmt: skip
        current = self.meta().get("tokenizer", TOKENIZER_VERSION) == TOKENIZER_VERSION
        tokens = [json.loads(r[2]) if current else tokenize(r[3]) for r in rows]
        return [str(r[0]) for r in rows], [str(r[1]) for r in rows], tokens

    def chunk_ids(self, report: str) -> list[str]:
        """The report's chunk ids in order (the keys of its vectors)."""
        return [str(r[0]) for r in self._query(
            "SELECT chunk_id FROM chunks WHERE report = ? ORDER BY position", (report,))]

    def chunks_by_id(self, chunk_ids: Iterable[str]) -> dict[str, Chunk]:
        ids = list(dict.fromkeys(chunk_ids))
        where, params = _in_clause("chunk_id", ids)
        rows = self._query(f"SELECT {_CHUNK_COLUMNS} FROM chunks {where}", params) if ids else []
        return {str(r[0]): _chunk_from_row(r) for r in rows}

    def checks(self, reports: Sequence[str] | None = None) -> list[tuple[str, TableCheck]]:
        where, params = _in_clause("report", reports)
        rows = self._query(
            f'SELECT report, "table", rule, holds, detail FROM checks {where} '
            "ORDER BY report, position",
            params,
        )
        return [(str(r[0]), TableCheck(r[1], r[2], bool(r[3]), r[4])) for r in rows]

    def tables(self, report: str) -> list[dict[str, Any]]:
        """The report's tables in order, without their grids."""
        rows = self._query(
            "SELECT position, title, unit, section, shape, page FROM tables WHERE report = ? "
            "ORDER BY position",
            (report,),
        )
        keys = ("position", "title", "unit", "section", "shape", "page")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def table_grid(self, report: str, title: str, line: int | None = None) -> dict[str, Any] | None:
        """The table of `report` titled `title` with its grid, for rendering a citation. A report
        may print several tables under one title: `line` (the cited line, or page for a PDF)
        picks the one that holds it; without it, the first."""
        rows = self._query(
            "SELECT position, title, unit, section, shape, page, line_numbers_json, notes_json, "
            "rows_json FROM tables WHERE report = ? AND title = ? ORDER BY position",
            (report, title),
        )
        if not rows:
            return None
        chosen = rows[0]
        if line is not None:
            for row in rows:
                numbers = json.loads(row[6])
                if numbers and min(numbers) <= line <= max(numbers):
                    chosen = row
                    break
        position, title_, unit, section, shape, page, lines, notes, grid = chosen
        return {
            "report": report,
            "position": position,
            "title": title_,
            "unit": unit,
            "section": section,
            "shape": shape,
            "page": page,
            "line_numbers": json.loads(lines),
            "notes": json.loads(notes),
            "rows": json.loads(grid),
        }

    def stats(self) -> dict[str, Any]:
        counts = self._query(
            "SELECT (SELECT COUNT(*) FROM reports), (SELECT COUNT(*) FROM chunks), "
            "(SELECT COUNT(*) FROM facts), (SELECT COUNT(*) FROM tables)"
        )[0]
        identity = [
            {"name": r["name"], "org": r["org"], "year": r["year"], "kind": r["kind"],
             "level": r["level"], "scope": r["scope"], "place": r["place"], "joined": r["joined"],
             "read": r["read"]}
            for r in self.reports(read=True)
        ]
        return {
            "reports": int(counts[0]),
            "chunks": int(counts[1]),
            "facts": int(counts[2]),
            "report_names": [r["name"] for r in identity],
            "tables": int(counts[3]),
            "report_identity": identity,
        }

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _in_clause(column: str, values: Sequence[str] | None) -> tuple[str, list[str]]:
    if values is None:
        return "", []
    values = list(values)
    if not values:
        return "WHERE 0", []
    return f"WHERE {column} IN ({', '.join('?' * len(values))})", values


def _fact_row(f: Fact) -> tuple[Any, ...]:
    # Decimal as TEXT: str(Decimal("313.08")) reads back as exactly Decimal("313.08").
    values = (getattr(f, field.name) for field in _FACT_FIELDS)
    return (f.fact_id, *(str(v) if isinstance(v, Decimal) else v for v in values))


def _fact_from_row(r: Sequence[Any]) -> Fact:
    kwargs: dict[str, Any] = {
        field.name: Decimal(value) if field.type == "Decimal" and value is not None else value
        for field, value in zip(_FACT_FIELDS, r[1:], strict=True)
    }
    return Fact(**kwargs)


def _chunk_row(c: Chunk) -> tuple[Any, ...]:
    meta = json.dumps([[k, v] for k, v in c.meta], ensure_ascii=False)
    return (c.chunk_id, c.report, c.position, c.kind, c.text, c.table, c.section, c.page, meta)


def _chunk_from_row(r: Sequence[Any]) -> Chunk:
    meta = tuple((str(k), v) for k, v in json.loads(r[8]))
    return Chunk(
        report=r[1], kind=r[3], text=r[4], position=int(r[2]), table=r[5], section=r[6],
        page=r[7], meta=meta,
    )  # fmt: skip


def _table_row(t: TableBlock) -> tuple[Any, ...]:
    return (
        t.title, t.unit, t.section, t.shape, t.page,
        json.dumps(list(t.line_numbers)),
        json.dumps(list(t.notes), ensure_ascii=False),
        json.dumps([list(row) for row in t.rows], ensure_ascii=False),
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Chroma: chunk vectors


@dataclass(frozen=True)
class VectorMeta:
    """Report-level metadata copied onto each of its vectors (Chroma takes flat scalars only)."""

    version: str
    org: str = ""
    year: int | None = None
    kind: str = ""  # the report's kind: 预算 | 决算 | 绩效自评 | ''


def collection_name(embedder_name: str, dim: int, store_uid: str, suffix: str = "") -> str:
    """A Chroma collection per (embedder, dim, store): vectors of two models never mix.

    Chroma names allow [A-Za-z0-9._-], 3-512 characters, alphanumeric at both ends; a model
    path is slugged and, when slugging changed it, tagged with a hash of the full name.
    """
    slug = re.sub(r"[^A-Za-z0-9]+", "-", embedder_name).strip("-")[-40:].strip("-") or "model"
    if slug != embedder_name:
        slug = f"{slug}-{content_id(embedder_name)[:6]}"
    parts = ["dqa", slug, str(dim), store_uid[:8]] + ([suffix] if suffix else [])
    return "-".join(parts)


def chroma_client(store: Path, url: str = "") -> Any:
    """An embedded client on `store/chroma`, or an HTTP client when `url` (DQA_CHROMA_URL) is."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if not url:
        path = (Path(store) / CHROMA_DIR).resolve()
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=settings)
    parsed = urlparse(url if "://" in url else f"http://{url}")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValueError(f"DQA_CHROMA_URL must look like http://127.0.0.1:8000, got {url!r}")
    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    try:
        client = chromadb.HttpClient(
            host=parsed.hostname, port=port, ssl=parsed.scheme == "https", settings=settings
        )
        client.heartbeat()
    except Exception as exc:
        raise StoreError(
            f"cannot reach the Chroma server at {url} (DQA_CHROMA_URL): {exc}; start it with "
            "`chroma run --path DIR --port N` or unset DQA_CHROMA_URL to use the embedded store"
        ) from exc
    return client


def vector_id(chunk_id: str, version: str) -> str:
    """A vector's id: its chunk and the report version it belongs to."""
    return f"{chunk_id}@{version}"


def split_vector_id(vid: str) -> tuple[str, str]:
    """(chunk id, report version) of a vector id."""
    chunk, at, version = vid.rpartition("@")
    return (chunk, version) if at else (vid, "")


class ChromaChunkStore:
    """Chunk vectors in one Chroma collection, through llama-index's `ChromaVectorStore`.

    We always pass the vectors ourselves (the collection has no embedding function), so Chroma
    never tries to download its own model. A vector's id is `<chunk_id>@<version>`: a new
    version of a report never overwrites the committed one, and `committed` (report -> version,
    normally `SqliteFactStore.versions`) decides which vectors a query may return.
    """

    def __init__(
        self,
        client: Any,
        collection: str,
        *,
        committed: Callable[[], Mapping[str, str]] | None = None,
        chunk_ids: Callable[[str], list[str]] | None = None,
    ) -> None:
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.client = client
        self.name = collection
        self._chunk_ids = chunk_ids
        # per report version: its chunk ids and unit vectors, read by id on first use
        self._matrices: OrderedDict[str, tuple[list[str], np.ndarray]] = OrderedDict()
        self._matrices_lock = threading.Lock()
        # Cosine space: rows are unit length, and a distance of 1 - cos reads as a similarity.
        self._collection = client.get_or_create_collection(
            collection, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        self._store = ChromaVectorStore(chroma_collection=self._collection)
        self._committed = committed

    @classmethod
    def open(
        cls,
        store: Path,
        collection: str,
        *,
        url: str = "",
        committed: Callable[[], Mapping[str, str]] | None = None,
        chunk_ids: Callable[[str], list[str]] | None = None,
    ) -> ChromaChunkStore:
        return cls(chroma_client(store, url), collection, committed=committed, chunk_ids=chunk_ids)

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray, meta: VectorMeta) -> list[str]:
        """Upsert the vectors of one report version; returns their vector ids."""
        from llama_index.core.schema import BaseNode, TextNode

        if len(chunks) != len(vectors):
            raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
        if not chunks:
            return []
        nodes: list[BaseNode] = [
            TextNode(
                id_=vector_id(chunk.chunk_id, meta.version),
                # No document text: SQLite holds it, and Chroma's full-text index of Chinese
                # documents costs 5x the vector insert itself (measured: 0.29 s vs 0.05 s for
                # 300 chunks). Readers map the returned chunk id to SQLite's chunk.
                text="",
                embedding=[float(x) for x in row],
                metadata=_vector_metadata(chunk, meta),
            )
            for chunk, row in zip(chunks, vectors, strict=True)
        ]
        # Chroma's add ignores ids it already has, so delete those first: a re-add (after an
        # add that died before its commit) is then an upsert. Looking first is the cheap path.
        existing = self._collection.get(ids=[n.node_id for n in nodes], include=[])["ids"]
        if existing:
            self._collection.delete(ids=existing)
        return list(self._store.add(nodes))

    def delete_report(self, report: str) -> None:
        self._collection.delete(where={"report": report})

    def prune(self, keep_versions: Iterable[str]) -> int:
        """Delete vectors whose report version is not in `keep_versions`; returns how many."""
        keep = set(keep_versions)
        got = self._collection.get(include=["metadatas"])
        stale = [
            vid
            for vid, md in zip(got["ids"], got["metadatas"] or [], strict=False)
            if (md or {}).get("version") not in keep
        ]
        for start in range(0, len(stale), 5000):
            self._collection.delete(ids=stale[start : start + 5000])
        return len(stale)

    def count(self) -> int:
        return int(self._collection.count())

    def query(
        self, vector: np.ndarray | Sequence[float], k: int, reports: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """The k nearest chunks as (chunk_id, cosine similarity), best first."""
        from llama_index.core.vector_stores.types import (
            FilterOperator,
            MetadataFilter,
            MetadataFilters,
            VectorStoreQuery,
        )

        if k <= 0:
            raise ValueError(f"k must be > 0, got {k}")
        committed = self._committed() if self._committed is not None else None
        if committed is not None and reports is not None and self._chunk_ids is not None \
                and len(reports) <= EXACT_SEARCH_REPORTS:
            # a few reports (a question that names its organisation): their vectors by id and an
            # exact cosine ranking, instead of a metadata-filtered search of the whole collection
            return self._exact(vector, k, [(r, committed[r]) for r in dict.fromkeys(reports) if r in committed])
        if committed is not None and reports is None:
            # everything committed: the index's own nearest neighbours, stale versions dropped
            hits = self._unfiltered(vector, k, set(committed.values()))
            if hits is not None:
                return hits
        if committed is not None:
            only = None if reports is None else set(reports)
            wanted = [v for r, v in committed.items() if only is None or r in only]
            key, values = "version", wanted
        elif reports is not None:
            key, values = "report", list(reports)
        else:
            key, values = "", []
        if key and not values:
            return []
        filters = (
            MetadataFilters(
                filters=[MetadataFilter(key=key, value=values, operator=FilterOperator.IN)]
            )
            if key
            else None
        )
        query = VectorStoreQuery(
            query_embedding=[float(x) for x in np.asarray(vector, dtype=np.float32).ravel()],
            similarity_top_k=k,
            filters=filters,
        )
        result = self._store.query(query)
        hits: list[tuple[str, float]] = []
        for node_id, similarity in zip(result.ids or [], result.similarities or [], strict=False):
            # ChromaVectorStore reports exp(-distance); with cosine distance = 1 - cos.
            cosine = 1.0 + math.log(similarity) if similarity > 0 else -1.0
            hits.append((split_vector_id(node_id)[0], cosine))
        return hits

    def _matrix(self, report: str, version: str) -> tuple[list[str], np.ndarray]:
        with self._matrices_lock:
            cached = self._matrices.get(version)
            if cached is not None:
                self._matrices.move_to_end(version)
                return cached
        assert self._chunk_ids is not None
        ids = [vector_id(cid, version) for cid in self._chunk_ids(report)]
        got = self._collection.get(ids=ids, include=["embeddings"]) if ids else {"ids": [], "embeddings": []}
        rows = dict(zip(got["ids"], got["embeddings"] if got["embeddings"] is not None else [], strict=False))
        kept = [i for i in ids if i in rows]
        matrix = np.asarray([rows[i] for i in kept], dtype=np.float32).reshape(len(kept), -1)
        if len(matrix):
            matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        entry = ([split_vector_id(i)[0] for i in kept], matrix)
        with self._matrices_lock:
            self._matrices[version] = entry
            while len(self._matrices) > MATRIX_CACHE_REPORTS:
                self._matrices.popitem(last=False)  # bounded: a store of thousands stays small
        return entry

    def _exact(self, vector: np.ndarray | Sequence[float], k: int,
               reports: list[tuple[str, str]]) -> list[tuple[str, float]]:
        query = np.asarray(vector, dtype=np.float32).ravel()
        query = query / max(float(np.linalg.norm(query)), 1e-12)
        scored: list[tuple[str, float]] = []
        for report, version in reports:
            ids, matrix = self._matrix(report, version)
            if len(ids):
                scored += zip(ids, (matrix @ query).tolist(), strict=True)
        scored.sort(key=lambda hit: (-hit[1], hit[0]))
        return scored[:k]

    def _unfiltered(self, vector: np.ndarray | Sequence[float], k: int,
                    versions: set[str]) -> list[tuple[str, float]] | None:
        """The index's top hits with no filter (a filter over thousands of versions costs the
        collection a scan), stale versions dropped; None when too few survive."""
        total = self.count()
        if not total:
            return []
        got = self._collection.query(
            query_embeddings=[[float(x) for x in np.asarray(vector, dtype=np.float32).ravel()]],
            n_results=min(total, k * UNFILTERED_OVERSAMPLE), include=["distances"],
        )
        hits = [(chunk, 1.0 - float(dist))
                for (chunk, version), dist in zip(map(split_vector_id, got["ids"][0]), got["distances"][0], strict=False)
                if version in versions]
        return hits[:k] if len(hits) >= min(k, total) else None

    def drop(self) -> None:
        """Delete the whole collection (a superseded build on a Chroma server)."""
        self.client.delete_collection(self.name)

    def close(self) -> None:
        close = getattr(self.client, "close", None)
        if callable(close):
            close()


def _vector_metadata(chunk: Chunk, meta: VectorMeta) -> dict[str, str | int]:
    return {
        "chunk_id": chunk.chunk_id,
        "report": chunk.report,
        "version": meta.version,
        "org": meta.org,
        "year": meta.year if meta.year is not None else -1,
        "kind": meta.kind,
        "chunk_kind": chunk.kind,
        "table": chunk.table,
        "section": chunk.section,
        "page": chunk.page if chunk.page is not None else -1,
    }


# --------------------------------------------------------------------------------------------
# BM25: Chinese keyword search

# Single characters that carry no meaning for retrieval; longer words are kept, and BM25's idf
# already discounts words every report shares (万元, 支出).
STOPWORDS = frozenset("的了是在和与及或为等其之也而并对从以于由把被将这那有个")

# A number is one token: a subject code (2010350), a hotline (12345), a decimal, a figure with
# thousands separators (1,234.56 -> 1234.56) or with an OCR space after the point (313. 08).
_NUMBER = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\. ?[0-9]+)?")

_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba() -> Any:
    global _jieba_ready
    import jieba

    with _jieba_lock:
        if not _jieba_ready:
            jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" lines on stderr
            jieba.initialize()
            _jieba_ready = True
    return jieba


def _bm25s() -> Any:
    import bm25s

    # bm25s sets its own logger to DEBUG at import, which would print "Building index from
    # tokens" on the CLI's stderr through any root handler; its warnings still get through.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def _is_noise(token: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PSZC" for ch in token)


def tokenize(text: str) -> list[str]:
    """Words for keyword search: jieba's search-mode words plus whole numbers, lower-cased.

    Numbers are cut out before jieba sees the text because jieba splits `1,234.56` and
    `313. 08`; NFKC first folds full-width digits and letters (２０２１ -> 2021).
    """
    jieba = _jieba()
    text = unicodedata.normalize("NFKC", text).lower()
    tokens: list[str] = []
    pos = 0
    for match in _NUMBER.finditer(text):
        tokens.extend(_words(jieba, text[pos : match.start()]))
        tokens.append(match.group().replace(",", "").replace(" ", ""))
        pos = match.end()
    tokens.extend(_words(jieba, text[pos:]))
    return tokens


def _words(jieba: Any, text: str) -> list[str]:
    if not text.strip():
        return []
    return [
        w
        for w in (t.strip() for t in jieba.lcut_for_search(text))
        if w and not _is_noise(w) and w not in STOPWORDS
    ]


class Bm25KeywordIndex:
    """BM25 (bm25s) over our own Chinese tokens; llama-index's BM25 treats a clause as one word."""

    _IDS_FILE = "chunk_ids.json"

    def __init__(self) -> None:
        self._bm25: Any = None
        self.chunk_ids: list[str] = []
        self._reports = np.array([], dtype=object)
        self.generation = -1

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def build(self, chunks: Sequence[Chunk], generation: int = 0) -> Bm25KeywordIndex:
        return self.build_from_tokens(
            [c.chunk_id for c in chunks],
            [c.report for c in chunks],
            [tokenize(c.text) for c in chunks],
            generation,
        )

    def build_from_tokens(
        self,
        chunk_ids: Sequence[str],
        reports: Sequence[str],
        tokens: Sequence[list[str]],
        generation: int = 0,
    ) -> Bm25KeywordIndex:
        """Index already tokenized chunks (the SQLite store keeps each chunk's tokens)."""
        bm25s = _bm25s()

        self.chunk_ids = list(chunk_ids)
        self._reports = np.array(list(reports), dtype=object)
        self.generation = generation
        self._bm25 = None
        if self.chunk_ids:
            self._bm25 = bm25s.BM25(backend="numpy")
            # A chunk with no words still needs one token for bm25s; "" never matches a query.
            self._bm25.index([list(t) or [""] for t in tokens], show_progress=False)
        return self

    def save(self, directory: Path | str) -> None:
        """Write next to `directory`, then swap it in, so a reader never sees half an index."""
        directory = Path(directory)
        tmp = directory.with_name(f".{directory.name}.tmp-{uuid.uuid4().hex[:8]}")
        tmp.mkdir(parents=True)
        try:
            if self._bm25 is not None:
                self._bm25.save(str(tmp), show_progress=False)
            ids = {
                "generation": self.generation,
                "chunk_ids": self.chunk_ids,
                "reports": [str(r) for r in self._reports],
            }
            (tmp / self._IDS_FILE).write_text(json.dumps(ids, ensure_ascii=False), "utf-8")
            old = directory.with_name(f".{directory.name}.old-{uuid.uuid4().hex[:8]}")
            if directory.exists():
                directory.rename(old)
            tmp.rename(directory)  # a kill between the renames leaves no index: it is rebuilt
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path | str) -> Bm25KeywordIndex:
        bm25s = _bm25s()

        directory = Path(directory)
        try:
            ids = json.loads((directory / cls._IDS_FILE).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{directory}: no keyword index ({exc})") from exc
        index = cls()
        index.chunk_ids = list(ids["chunk_ids"])
        index._reports = np.array(ids["reports"], dtype=object)
        index.generation = int(ids["generation"])
        if index.chunk_ids:
            index._bm25 = bm25s.BM25.load(str(directory), show_progress=False)
        return index

    def search(
        self, query: str, k: int, reports: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """The k best chunks for `query` as (chunk_id, bm25 score), best first; 0 scores dropped."""
        if k <= 0:
            raise ValueError(f"k must be > 0, got {k}")
        if self._bm25 is None:
            return []
        token_ids = self._bm25.get_tokens_ids(list(dict.fromkeys(tokenize(query))))
        if not token_ids:
            return []
        mask = None
        if reports is not None:
            mask = np.isin(self._reports, list(reports)).astype(np.float32)
        scores = np.asarray(self._bm25.get_scores_from_ids(token_ids, weight_mask=mask))
        # Stable sort on -score: equal scores keep chunk order, so results are reproducible.
        order = np.argsort(-scores, kind="stable")[:k]
        return [(self.chunk_ids[i], float(scores[i])) for i in order if scores[i] > 0]


# --------------------------------------------------------------------------------------------
# The three together, for readers


@dataclass
class Stores:
    """An opened store directory: what qa/ reads.

    The embedded Chroma keeps its index in memory, so vectors another process adds are not
    seen until the client is reopened, and a `build` swaps in a new directory altogether:
    call `refresh()` before answering (one SQLite read when nothing changed). Not thread-safe
    against concurrent queries; call it where queries are serialised.
    """

    root: Path
    facts: SqliteFactStore
    vectors: ChromaChunkStore
    keywords: Bm25KeywordIndex
    embed_model: str
    embed_dim: int
    chroma_url: str = ""
    generation: int = 0
    inode: int = 0

    def refresh(self) -> bool:
        """Pick up adds and rebuilds made since opening; returns whether anything changed."""
        path = self.root / FACTS_FILE
        try:
            inode = path.stat().st_ino
        except OSError:
            return False  # mid-swap or removed: keep serving what we have
        if inode != self.inode:
            # Close first: Chroma shares one client system per path, and the old one would
            # keep serving the replaced directory's index.
            self.close()
            self.__dict__.update(open_stores(self.root, self.chroma_url).__dict__)
            return True
        generation = self.facts.generation()
        if generation == self.generation:
            return False
        self.vectors.close()
        self.vectors = ChromaChunkStore.open(
            self.root, self.vectors.name, url=self.chroma_url, committed=self.facts.versions
        )
        self.keywords = load_keywords(self.root, self.facts)
        self.generation = generation
        return True

    def close(self) -> None:
        self.vectors.close()
        self.facts.close()


def load_keywords(root: Path, facts: SqliteFactStore) -> Bm25KeywordIndex:
    """The saved keyword index, or one rebuilt in memory from SQLite when it is missing or stale."""
    generation = facts.generation()
    try:
        index = Bm25KeywordIndex.load(Path(root) / BM25_DIR)
        if index.generation == generation:
            return index
        logger.info(
            "keyword index is at generation %s, store at %s: rebuilding",
            index.generation,
            generation,
        )
    except StoreError as exc:
        logger.info("rebuilding keyword index: %s", exc)
    return Bm25KeywordIndex().build_from_tokens(*facts.keyword_rows(), generation=generation)


SWAP_WAIT_S = 2.0  # how long a reader waits for a build's two renames to finish


def build_siblings(root: Path) -> list[Path]:
    """The folders a build keeps beside the store (.NAME.build-… being built, .NAME.old-… being
    swapped out: index.build), in no order."""
    if not root.parent.is_dir():
        return []
    prefix = f".{root.name.lstrip('.')}."
    return [p for p in root.parent.iterdir()
            if p.name.startswith(prefix) and ("build-" in p.name or "old-" in p.name) and p.is_dir()]


def swap_under_way(root: Path) -> bool:
    """The store path is missing and a build's sibling stands beside it: a build is between
    its two renames (index.build), or was cut short there."""
    return not root.exists() and bool(build_siblings(root))


def open_stores(store: Path | str, chroma_url: str = "") -> Stores:
    """Open an existing store for reading (qa/, app.py). Raises StoreError if there is none.

    `chroma_url` is Settings.chroma_url (DQA_CHROMA_URL); it must match what the store was
    built with. Query with `load_embedder(stores.embed_model)`, the model the vectors came from.
    A reader arriving between a build's two renames waits for the second (SWAP_WAIT_S), so it
    never takes the instant for a missing store.
    """
    root = Path(store)
    deadline = time.monotonic() + SWAP_WAIT_S
    while swap_under_way(root) and time.monotonic() < deadline:
        time.sleep(0.02)
    if swap_under_way(root):
        raise StoreError(f"store {root} is missing and an interrupted build left its files beside it: "
                         "run `python -m index build` (or any `index add`) to put it back")
    inode = (root / FACTS_FILE).stat().st_ino if (root / FACTS_FILE).is_file() else 0
    facts = SqliteFactStore(root / FACTS_FILE, create=False)
    try:
        meta = facts.meta()
        if "collection" not in meta:
            raise StoreError(f"store {root} has no reports yet: run `python -m index build`")
        built_url = meta.get("chroma_url", "")
        if built_url != chroma_url:
            raise StoreError(
                f"store {root} keeps its vectors in "
                f"{built_url or 'the embedded Chroma'} but DQA_CHROMA_URL is "
                f"{chroma_url or 'unset'}: set it to match, or rebuild with `python -m index build`"
            )
        generation = facts.generation()
        vectors = ChromaChunkStore.open(
            root, meta["collection"], url=chroma_url, committed=facts.versions, chunk_ids=facts.chunk_ids
        )
        return Stores(
            root=root,
            facts=facts,
            vectors=vectors,
            keywords=load_keywords(root, facts),
            embed_model=meta["embed_model"],
            embed_dim=int(meta["embed_dim"]),
            chroma_url=chroma_url,
            generation=generation,
            inode=inode,
        )
    except BaseException:
        facts.close()
        raise
