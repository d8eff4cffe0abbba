"""Report files -> stores: `add_files` adds reports to a store, `build_corpus` rebuilds it whole.

Atomicity, and why it holds:

* `add_files` analyses every file and embeds every chunk before it writes anything. If any
  file cannot be read, nothing is written (the other files come back as "skipped").
* Vectors are written first, under ids `<chunk_id>@<version>` where the version is derived
  from report name + file sha256, so they never overwrite the vectors of the committed
  version of the same report.
* Then one SQLite transaction writes every report's rows. SQLite's `reports` table is the
  source of truth: readers (`ChromaChunkStore.query`) only return vectors whose version is
  committed there, so vectors from an add that failed or was killed before its commit are
  invisible; the next add prunes them.
* Last, the keyword index is rebuilt from the tokens SQLite keeps for each chunk and saved
  by rename. It records the SQLite generation it was built from; a reader that finds it
  behind (killed after the commit) rebuilds it in memory.
* `build_corpus` builds a complete store in a fresh sibling directory (`.<store>.build-*`),
  with its own Chroma collection, and only then swaps it in with two renames under the
  writer lock. A kill between the two renames leaves the finished build (marked complete)
  or the old store beside the missing path; `recover_store` puts it back on the next run.

Writers serialise on a lock file beside the store (`.<store>.lock`); readers never wait.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index import analyse
from index.config import Settings
from index.formats import SUPPORTED_SUFFIXES
from index.models import ReportFormatError
from index.ocr import watching_pages
from index.stores import (
    BM25_DIR,
    FACTS_FILE,
    Bm25KeywordIndex,
    ChromaChunkStore,
    SqliteFactStore,
    StoreError,
    VectorMeta,
    build_siblings,
    collection_name,
    report_version,
    tokenize,
)

if TYPE_CHECKING:
    import numpy as np

    from index.analyse import Analysis
    from index.embed import Embedder

logger = logging.getLogger(__name__)

_COMPLETE_MARKER = "BUILD_COMPLETE"
_PID_FILE = "BUILDER_PID"
ORIGINALS_DIR = "originals"  # the files reports were read from (original_path)

# stage ("analyse" | "embed" | "write"), units done, units in this stage, current file name
Progress = Callable[[str, int, int, str], None]


CONTROL_CHARS_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def shown_name(name: str) -> str:
    """A file name as one line shows it: control characters (a newline in the name) escaped,
    so the line cannot split."""
    return CONTROL_CHARS_RE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), name)


@dataclass(frozen=True)
class AddResult:
    """What happened to one file. status: added | replaced | unchanged | error | skipped."""

    name: str
    status: str
    org: str = ""
    year: int | None = None
    kind: str = ""
    scope: str = ""
    level: str = ""
    tables: int = 0
    tables_passed: int = 0
    facts: int = 0
    chunks: int = 0
    elapsed: float = 0.0
    error: str = ""
    path: str = ""
    findings: int = 0  # failed checks of index.checks (errors and warnings)
    finding_errors: int = 0

    @property
    def ok(self) -> bool:
        return self.status in ("added", "replaced", "unchanged")

    def summary(self) -> str:
        """The one line the CLI prints for this file."""
        name = shown_name(self.name)
        if self.status == "error":
            return f"error: {name}: {shown_name(' '.join(self.error.split()))}"
        if self.status == "unchanged":
            return f"unchanged {name}"
        if self.status == "skipped":
            return f"skipped {name}: not written, another file in this run failed"
        what = " ".join(
            part
            for part in (self.org, str(self.year) if self.year else "", self.level,
                         self.scope + self.kind if self.kind else "")
            if part
        )
        # the findings count only when there are some, so a clean report's line is unchanged
        found = f", findings {self.findings} ({self.finding_errors} errors)" if self.findings else ""
        return (
            f"{self.status} {name}: {what or '(no org/year found)'} — tables {self.tables} "
            f"({self.tables_passed} passed checks), facts {self.facts}, chunks {self.chunks}{found}"
        )


@dataclass
class _Job:
    """One file on its way in: checked, then analysed, then embedded."""

    path: Path
    name: str
    sha256: str = ""
    previous_sha: str | None = None
    analysis: Analysis | None = None
    vectors: np.ndarray | None = None
    tokens: list[list[str]] | None = None
    error: str = ""
    identity: dict[str, str] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    @property
    def version(self) -> str:
        return report_version(self.name, self.sha256)

    def result(self, status: str) -> AddResult:
        elapsed = time.perf_counter() - self.started
        if self.analysis is None or status in ("error", "skipped", "unchanged"):
            return AddResult(
                self.name, status, elapsed=elapsed, error=self.error, path=str(self.path)
            )
        a = self.analysis
        return AddResult(
            name=self.name,
            status=status,
            org=a.report.meta.org,
            year=a.report.meta.year,
            kind=a.report.meta.kind,
            scope=a.report.meta.scope,
            level=a.report.meta.level,
            tables=a.tables,
            tables_passed=a.tables_passed,
            facts=len(a.facts),
            chunks=len(a.chunks),
            elapsed=elapsed,
            path=str(self.path),
            findings=len({(c.rule, c.detail) for c in a.checks if not c.holds}),
            finding_errors=len({(c.rule, c.detail) for c in a.checks if not c.holds and _is_error(c.rule, c.detail)}),
        )


# --------------------------------------------------------------------------------------------
# public entry points


def add_files(
    paths: Sequence[Path | str],
    settings: Settings,
    progress: Progress | None = None,
    identity: dict[str, str] | None = None,
) -> list[AddResult]:
    """Add report files to the store; all or nothing (see the module docstring).

    Returns one AddResult per distinct path, in order. Files that cannot be read come back as
    "error" and then nothing is written: the readable ones come back as "skipped".
    Raises StoreError (or ValueError for a bad DQA_EMBED_MODEL) when the store itself is the
    problem; the store is then left as it was.

    `identity` (org, year, kind, scope, level, joined) is set by hand over what the documents
    say, and kept: a later add of the same file without it keeps the earlier values.
    """
    store = Path(settings.store)
    recover_store(store)
    existing = _read_existing(store, settings)
    jobs = _jobs_for(paths)
    for job in jobs:
        job.identity = {k: str(v) for k, v in (identity or {}).items() if v not in (None, "")}
    results: dict[int, AddResult] = {}
    todo: list[_Job] = []
    for i, job in enumerate(jobs):
        if job.error:
            results[i] = job.result("error")
        else:
            with watching_pages(_page_ticker(progress, job.name)):
                _analyse_job(job, settings, existing)
            if job.error:
                results[i] = job.result("error")
            elif job.analysis is None:
                results[i] = job.result("unchanged")
            else:
                todo.append(job)
        _tick(progress, "analyse", i + 1, len(jobs), job.name)
    if any(r.status == "error" for r in results.values()):
        for i, job in enumerate(jobs):
            results.setdefault(i, job.result("skipped"))
        return [results[i] for i in range(len(jobs))]
    if todo:
        _embed_jobs(todo, settings, progress)
        written = _write_jobs(todo, store, settings, progress)
        for job in todo:
            status = "replaced" if job.previous_sha else "added"
            results[jobs.index(job)] = job.result(status if job in written else "unchanged")
    return [results[i] for i in range(len(jobs))]


def remove_reports(names: Sequence[str], settings: Settings) -> list[str]:
    """Remove stored reports by name; all or nothing. Returns the names removed. Raises
    StoreError naming every name the store does not hold (it is then left as it was)."""
    store = Path(settings.store)
    if not (store / FACTS_FILE).exists():
        raise StoreError(f"no store at {store}: nothing to remove")
    wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    if not wanted:
        raise StoreError("name the reports to remove (python -m index stats lists them)")
    with _writing(store) as facts:
        held = facts.versions()
        unknown = [n for n in wanted if n not in held]
        if unknown:
            raise StoreError(
                f"no report named {', '.join(unknown)} in {store}; nothing was removed "
                "(python -m index stats lists the names)"
            )
        with facts.transaction() as conn:
            for name in wanted:
                facts.delete_report(name, conn=conn)
        # After the commit: tidy-ups whose failure cannot make the store wrong.
        collection = facts.meta().get("collection")
        if collection:
            try:
                vectors = ChromaChunkStore.open(store, collection, url=settings.chroma_url,
                                                committed=facts.versions)
                try:
                    _prune_quietly(vectors, facts)
                finally:
                    vectors.close()
            except Exception:
                logger.exception("pruning the removed reports' vectors failed; the next add prunes them")
        prune_originals(store, facts)
        _save_keywords_quietly(facts, store)
        return wanted


def build_corpus(
    corpus_dir: Path | str, settings: Settings, progress: Progress | None = None
) -> list[AddResult]:
    """(Re)build the whole store from the report files in `corpus_dir`.

    The new store is built beside the old one and swapped in only when complete; until then
    (and if any file fails, after) the old store is untouched and stays usable. With
    DQA_CHROMA_URL the new store gets a new collection; the old one is dropped after the swap.
    Readers that had the old store open must reopen it.
    """
    corpus = Path(corpus_dir)
    if not corpus.is_dir():
        raise StoreError(f"corpus folder {corpus} does not exist")
    files = sorted(
        p for p in corpus.iterdir()
        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
    )  # fmt: skip
    if not files:
        raise StoreError(f"no report files ({' '.join(SUPPORTED_SUFFIXES)}) in {corpus}")
    store = Path(settings.store)
    store.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(store):
        recover_store(store, locked=True)
        _remove_stale_siblings(store)
    from index.embed import load_embedder

    _tick(progress, "load model", 0, 1, settings.embed_model)
    embedder = load_embedder(settings.embed_model)
    tmp = _sibling(store, f"build-{uuid.uuid4().hex[:8]}")
    tmp.mkdir()
    (tmp / _PID_FILE).write_text(str(os.getpid()))
    vectors: ChromaChunkStore | None = None
    facts: SqliteFactStore | None = None
    name = ""
    swapped = False
    try:
        facts = SqliteFactStore(tmp / FACTS_FILE)
        name = collection_name(embedder.name, embedder.dim, facts.meta()["store_uid"])
        vectors = ChromaChunkStore.open(tmp, name, url=settings.chroma_url)
        results: list[AddResult] = []
        for i, job in enumerate(_jobs_for(files)):
            with watching_pages(_page_ticker(progress, job.name)):
                _analyse_job(job, settings, {})
            failed = any(r.status == "error" for r in results)
            # After a failure the build cannot be swapped in: only analyse, to name every bad file.
            if not job.error and not failed:
                assert job.analysis is not None
                _embed(embedder, job)
                assert job.vectors is not None
                vectors.add(job.analysis.chunks, job.vectors, _vector_meta(job))
                facts.replace_report(job.analysis, sha256=job.sha256, tokens=job.tokens)
                keep_original(tmp, job.path, job.sha256)
            results.append(job.result("error" if job.error else "added"))
            _tick(progress, "build", i + 1, len(files), job.name)
        if any(r.status == "error" for r in results):
            return [r if r.status == "error" else _as_skipped(r) for r in results]
        with facts.transaction() as conn:
            _set_embed_meta(conn, embedder, name, settings.chroma_url)
        _keyword_index(facts).save(tmp / BM25_DIR)
        facts.close()
        vectors.close()
        facts = vectors = None
        (tmp / _COMPLETE_MARKER).write_text(name)
        old_collection = _server_collection_of(store, settings.chroma_url)
        with writer_lock(store):
            _swap_in(tmp, store)
            swapped = True
        if old_collection and old_collection != name:
            _drop_collection(store, old_collection, settings.chroma_url)
        return results
    finally:
        for closable in (facts, vectors):
            if closable is not None:
                closable.close()
        if not swapped:
            if settings.chroma_url:
                _drop_collection(tmp, name, settings.chroma_url)
            _remove_tree(tmp)


def original_path(store: Path | str, sha256: str, name: str) -> Path:
    """Where the store keeps the bytes a report was read from (named by their hash, so a file
    added twice, or under two names, is kept once): the page view renders its PDF pages and
    the chat links to it."""
    return Path(store) / ORIGINALS_DIR / sha256[:32] / Path(name).name


def keep_original(store: Path, source: Path, sha256: str) -> None:
    """A copy of a written report's file in the store (after the commit: a failure to copy
    loses the page view of that report, never a figure)."""
    target = original_path(store, sha256, source.name)
    if target.exists() or not sha256:
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    except OSError:
        logger.exception("keeping a copy of %s failed; its pages cannot be shown", source)


def prune_originals(store: Path, facts: SqliteFactStore) -> None:
    """Drop the kept files no stored report was read from (removed or replaced ones)."""
    folder = store / ORIGINALS_DIR
    if not folder.is_dir():
        return
    held = {(str(r["sha256"])[:32], str(r["name"])) for r in facts.reports()}
    for path in folder.glob("*/*"):
        if (path.parent.name, path.name) not in held:
            try:
                path.unlink()
            except OSError:
                logger.exception("removing the kept copy %s failed", path)
                continue
            with contextlib.suppress(OSError):  # (only once empty: one file kept under two names)
                path.parent.rmdir()


def store_stats(store: Path | str) -> dict[str, Any]:
    """`python -m index stats`: counts and report names; a missing store counts as empty."""
    path = Path(store) / FACTS_FILE
    if not path.is_file():
        return {"reports": 0, "chunks": 0, "facts": 0, "report_names": [], "tables": 0}
    facts = SqliteFactStore(path, create=False)
    try:
        stats = facts.stats()
        meta = facts.meta()
        stats["embed_model"] = meta.get("embed_model", "")
        return stats
    finally:
        facts.close()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# add: check -> analyse -> embed -> write


def _jobs_for(paths: Sequence[Path | str]) -> list[_Job]:
    jobs: list[_Job] = []
    by_name: dict[str, Path] = {}
    for raw in paths:
        path = Path(raw)
        resolved = path.resolve()
        if by_name.get(path.name) == resolved:
            continue  # the same file twice on the command line is one file
        job = _Job(path=path, name=path.name)
        if path.name in by_name:
            job.error = f"another file with this name is in the same run ({by_name[path.name]})"
        elif not path.exists():
            job.error = "no such file"
        elif not path.is_file():
            job.error = "not a file"
        by_name.setdefault(path.name, resolved)
        jobs.append(job)
    return jobs


def _analyse_job(
    job: _Job, settings: Settings, existing: dict[str, tuple[str, dict[str, str]]]
) -> None:
    """Fill job.analysis (or job.error); leaves analysis None when the file is unchanged."""
    try:
        size = job.path.stat().st_size
        if size > settings.max_bytes:
            job.error = (
                f"{size} bytes is over the {settings.max_bytes}-byte limit; "
                "raise DQA_MAX_BYTES to add it"
            )
            return
        job.sha256 = file_sha256(job.path)
    except OSError as exc:
        job.error = exc.strerror or str(exc)
        return
    previous_sha, kept = existing.get(job.name, (None, {}))
    job.previous_sha = previous_sha
    overrides = {**kept, **job.identity}
    if job.previous_sha == job.sha256 and overrides == kept:
        return
    try:
        analysis = analyse.apply_identity(analyse.analyse_file(job.path, settings.max_bytes), overrides)
    except ReportFormatError as exc:
        job.error = _one_line(str(exc), job.name) or "cannot be read"
        return
    except NotImplementedError:
        raise
    except Exception as exc:  # a parser bug must not take the store down with it
        logger.exception("analysing %s failed", job.path)
        job.error = _one_line(f"{type(exc).__name__}: {exc}", job.name)
        return
    job.error = _inconsistency(analysis, job.name)
    if not job.error:
        job.analysis = analysis


def _is_error(rule: str, detail: str) -> bool:
    """A failed check row of index.checks is stored as "error: …" or "warning: …"."""
    return detail.startswith("error: ")


def _inconsistency(analysis: Analysis, name: str) -> str:
    """What in an analysis would corrupt the store (a parser bug), or ''.

    The report name is the file's base name as added and chunk and fact ids derive from it
    plus a position, so every item must carry that name and positions must be unique.
    """
    names = {analysis.report.name} | {c.report for c in analysis.chunks}
    names |= {f.report for f in analysis.facts}
    if names != {name}:
        return f"analysis names the report {sorted(names - {name})}, expected {name!r}"
    for kind, positions in (
        ("chunks", [c.position for c in analysis.chunks]),
        ("facts", [f.position for f in analysis.facts]),
    ):
        if len(set(positions)) != len(positions):
            return f"analysis gave two {kind} the same position; ids would clash"
    return ""


def _embed(embedder: Embedder, job: _Job) -> None:
    """Vectors and keyword tokens for the job's chunks, computed before any write."""
    assert job.analysis is not None
    texts = [c.text for c in job.analysis.chunks]
    # One call per report: the whole report's chunks form one batch.
    vectors = embedder.embed(texts)
    if vectors.shape[0] != len(texts):
        raise StoreError(
            f"embedder {embedder.name} returned {vectors.shape[0]} vectors for {len(texts)} chunks"
        )
    job.vectors = vectors
    job.tokens = [tokenize(t) for t in texts]


def _embed_jobs(jobs: list[_Job], settings: Settings, progress: Progress | None) -> None:
    from index.embed import load_embedder

    _tick(progress, "load model", 0, 1, settings.embed_model)  # takes seconds on first use
    embedder = load_embedder(settings.embed_model)
    for i, job in enumerate(jobs):
        _embed(embedder, job)
        _tick(progress, "embed", i + 1, len(jobs), job.name)


def _write_jobs(
    jobs: list[_Job], store: Path, settings: Settings, progress: Progress | None
) -> list[_Job]:
    """Write the analysed jobs; returns those written (another writer may have beaten us)."""
    from index.embed import load_embedder

    embedder = load_embedder(settings.embed_model)
    store.mkdir(parents=True, exist_ok=True)
    with _writing(store) as facts:
        vectors: ChromaChunkStore | None = None
        try:
            meta = facts.meta()
            _check_compatible(meta, store, settings)
            for job in jobs:
                job.previous_sha = facts.report_sha(job.name)
            jobs = [job for job in jobs if job.previous_sha != job.sha256 or job.identity]
            if not jobs:
                return []
            name = meta.get("collection") or collection_name(
                embedder.name, embedder.dim, meta["store_uid"]
            )
            vectors = ChromaChunkStore.open(
                store, name, url=settings.chroma_url, committed=facts.versions
            )
            try:
                for job in jobs:
                    assert job.analysis is not None and job.vectors is not None
                    vectors.add(job.analysis.chunks, job.vectors, _vector_meta(job))
                with facts.transaction() as conn:
                    for job in jobs:
                        assert job.analysis is not None
                        facts.replace_report(
                            job.analysis, sha256=job.sha256, conn=conn, tokens=job.tokens
                        )
                    if "collection" not in meta:
                        _set_embed_meta(conn, embedder, name, settings.chroma_url)
            except Exception as exc:
                _prune_quietly(vectors, facts)
                if isinstance(exc, StoreError):
                    raise
                names = ", ".join(j.name for j in jobs)
                raise StoreError(
                    f"writing {names} failed ({type(exc).__name__}: {exc}); "
                    "the store was left as it was"
                ) from exc
            _tick(progress, "write", 1, 1, jobs[-1].name)
            # After the commit: tidy-ups whose failure cannot make the store wrong.
            for job in jobs:
                keep_original(store, job.path, job.sha256)
            prune_originals(store, facts)
            _prune_quietly(vectors, facts)
            _save_keywords_quietly(facts, store)
            return jobs
        finally:
            if vectors is not None:
                vectors.close()


@contextmanager
def _writing(store: Path) -> Iterator[SqliteFactStore]:
    """The store's fact store under the writer lock, after recovering an interrupted write."""
    with writer_lock(store):
        recover_store(store, locked=True)
        facts = SqliteFactStore(store / FACTS_FILE)
        try:
            yield facts
        finally:
            facts.close()


def _save_keywords_quietly(facts: SqliteFactStore, store: Path) -> None:
    """After a commit: the keyword index saved; a failure cannot make the store wrong."""
    try:
        _keyword_index(facts).save(store / BM25_DIR)
    except Exception:
        logger.exception("saving the keyword index failed; readers rebuild it")


def _keyword_index(facts: SqliteFactStore) -> Bm25KeywordIndex:
    return Bm25KeywordIndex().build_from_tokens(*facts.keyword_rows(), facts.generation())


def _read_existing(store: Path, settings: Settings) -> dict[str, tuple[str, dict[str, str]]]:
    """Committed name -> (sha256, identity set by hand), checked against the settings before
    any work is done."""
    path = store / FACTS_FILE
    if not path.is_file():
        return {}
    facts = SqliteFactStore(path, create=False)
    try:
        _check_compatible(facts.meta(), store, settings)
        return {r["name"]: (r["sha256"], json.loads(r["overrides"] or "{}")) for r in facts.reports()}
    finally:
        facts.close()


def _check_compatible(meta: dict[str, str], store: Path, settings: Settings) -> None:
    built_with = meta.get("embed_model")
    if built_with is not None and built_with != settings.embed_model:
        raise StoreError(
            f"store {store} was built with embedder {built_with!r} but DQA_EMBED_MODEL is "
            f"{settings.embed_model!r}; vectors of two models cannot be mixed: run "
            "`python -m index build` to rebuild the store with the new model"
        )
    built_url = meta.get("chroma_url")
    if built_url is not None and built_url != settings.chroma_url:
        raise StoreError(
            f"store {store} keeps its vectors in {built_url or 'the embedded Chroma'} but "
            f"DQA_CHROMA_URL is {settings.chroma_url or 'unset'}; set it to match or run "
            "`python -m index build`"
        )


def _set_embed_meta(conn: Any, embedder: Embedder, collection: str, chroma_url: str) -> None:
    SqliteFactStore.set_meta(conn, "embed_model", embedder.name)
    SqliteFactStore.set_meta(conn, "embed_dim", str(embedder.dim))
    SqliteFactStore.set_meta(conn, "collection", collection)
    SqliteFactStore.set_meta(conn, "chroma_url", chroma_url)


def _vector_meta(job: _Job) -> VectorMeta:
    assert job.analysis is not None
    meta = job.analysis.report.meta
    return VectorMeta(version=job.version, org=meta.org, year=meta.year, kind=meta.kind)


def _prune_quietly(vectors: ChromaChunkStore, facts: SqliteFactStore) -> None:
    try:
        removed = vectors.prune(facts.versions().values())
        if removed:
            logger.info("pruned %d vectors of uncommitted or replaced report versions", removed)
    except Exception:
        logger.exception("pruning stale vectors failed; queries ignore them anyway")


def _as_skipped(result: AddResult) -> AddResult:
    return AddResult(result.name, "skipped", elapsed=result.elapsed, path=result.path)


def _one_line(message: str, name: str) -> str:
    """The reason alone, on one line: loaders prefix their messages with the file name."""
    text = " ".join(message.split())
    for prefix in (f"{name}:", f"{name} :"):
        if text.startswith(prefix):
            text = text[len(prefix) :].strip()
    return text


def _page_ticker(progress: Progress | None, name: str) -> Callable[[int, int, int], None] | None:
    """Each OCR'd page of `name` as a progress tick ("OCR", done, total, "name p. N")."""
    if progress is None:
        return None
    return lambda done, total, page: _tick(progress, "OCR", done, total, f"{name} p. {page}")


def _tick(progress: Progress | None, stage: str, done: int, total: int, name: str) -> None:
    if progress is not None:
        progress(stage, done, total, name)


# --------------------------------------------------------------------------------------------
# the store directory: lock, swap, recovery


def _sibling(store: Path, tag: str) -> Path:
    return store.parent / f".{store.name.lstrip('.')}.{tag}"


@contextmanager
def writer_lock(store: Path) -> Iterator[None]:
    """Serialise writers on `.<store>.lock` beside the store (the store itself gets swapped)."""
    lock_path = _sibling(store, "lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def recover_store(store: Path, *, locked: bool = False) -> None:
    """Finish a swap that a killed build left half done: the store path must never stay empty."""
    if store.exists() or not _restore_candidates(store):
        return
    if not locked:
        with writer_lock(store):
            recover_store(store, locked=True)
        return
    candidate = _restore_candidates(store)[0]
    logger.warning("restoring %s from %s (left by an interrupted build)", store, candidate)
    candidate.rename(store)
    (store / _COMPLETE_MARKER).unlink(missing_ok=True)
    (store / _PID_FILE).unlink(missing_ok=True)


def _restore_candidates(store: Path) -> list[Path]:
    """A finished build first (its swap had begun), else the store it was replacing."""
    siblings = build_siblings(store)
    complete = [p for p in siblings if "build-" in p.name and (p / _COMPLETE_MARKER).exists()]
    olds = [p for p in siblings if "old-" in p.name]
    newest_first = sorted(complete, key=_mtime, reverse=True)
    return newest_first + sorted(olds, key=_mtime, reverse=True)


def _swap_in(new: Path, store: Path) -> None:
    old = _sibling(store, f"old-{uuid.uuid4().hex[:8]}")
    if store.exists():
        store.rename(old)
    new.rename(store)  # a kill before this line: recover_store renames `new` into place
    (store / _COMPLETE_MARKER).unlink(missing_ok=True)
    (store / _PID_FILE).unlink(missing_ok=True)
    _remove_tree(old)


def _remove_stale_siblings(store: Path) -> None:
    """Build folders of dead builders and old stores left by a kill (call under the lock)."""
    if not store.exists():
        return
    prefix = f".{store.name.lstrip('.')}."
    for path in store.parent.iterdir():
        if not (path.name.startswith(prefix) and path.is_dir()):
            continue
        if "old-" in path.name:
            _remove_tree(path)
        elif "build-" in path.name:
            try:
                pid = int((path / _PID_FILE).read_text())
            except (OSError, ValueError):
                pid = 0
            if not _pid_alive(pid):
                _remove_tree(path)


def _server_collection_of(store: Path, url: str) -> str | None:
    """The collection the current store keeps on the Chroma server at `url`, if any."""
    path = store / FACTS_FILE
    if not url or not path.is_file():
        return None
    try:
        facts = SqliteFactStore(path, create=False)
    except StoreError:
        return None  # an unreadable old store: nothing of ours to drop
    try:
        meta = facts.meta()
    finally:
        facts.close()
    return meta.get("collection") if meta.get("chroma_url") == url else None


def _drop_collection(store: Path, name: str, url: str) -> None:
    if not name:
        return
    try:
        from index.stores import chroma_client

        client = chroma_client(store, url)
        client.delete_collection(name)
    except Exception as exc:  # best effort: an orphan collection only costs disk space
        logger.warning("could not drop Chroma collection %s: %s", name, exc)


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    if path.exists():
        logger.warning("could not remove %s", path)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
