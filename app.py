"""Question -> answer in the browser: a Gradio chat over the one Answerer, with sources,
comparisons and report uploads.

    python app.py [--store DIR] [--port N] [--corpus DIR]

Serves http://127.0.0.1:7860 (env DQA_PORT, or --port). When the store holds no reports it is
built from corpus/ in the background while the page already shows the progress.

The chat function is also the API endpoint `/answer`:
`gradio_client.Client(url).predict(question, api_name="/answer")` returns the answer as a
dict (the CONTRACT.md JSON object, decoded), not a JSON string.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# importing `index` first sets the offline defaults (GRADIO_ANALYTICS_ENABLED=False, HF offline)
from index.config import Settings
from index.formats import SUPPORTED_SUFFIXES
from index.stores import StoreError
from qa import view
from qa.followup import Rewrite, asked_note, rewrite_followup
from qa.page_view import PageCache, cited_page, figure_anchor, file_link, page_html

log = logging.getLogger("dqa.app")
audit = logging.getLogger("dqa.audit")
Progress = Callable[[str, int, int, str], None]

DEFAULT_PORT = 7860
HOST = "127.0.0.1"
UPLOAD_SUFFIXES = SUPPORTED_SUFFIXES  # every type `index add` reads
UPLOADS_DIR = "uploads"
REFRESH_EVERY = 5.0  # seconds between checks for reports added by other processes
PENDING_TTL = 900.0  # seconds a replacement waits for its confirmation
# Answers in flight at once. Answerer.ask serialises parsing and answering under its own lock,
# so on this 2-core machine 1, 4 and 20 measured alike within the noise of other jobs (20 clients
# x 10 questions: p50 0.4-0.9 s, p95 0.6-1.3 s); 20 lets every one of 20 clients in at once, so none waits in Gradio's
# queue (whose "estimation" messages go to every waiting client on each change) and what runs
# outside that lock (the optional DQA_LLM_URL phrasing, a network wait) overlaps.
ANSWER_CONCURRENCY = int(os.environ.get("DQA_ANSWER_CONCURRENCY") or 20)
# Gradio recomputes its monitoring summary (a pandas frame of up to 10,000 past events) after
# every event: 3 ms at 200 events, 14 ms at 10,000, nearly one answer's cost on a long-running
# app. No monitoring page is served, so recompute it rarely.
ANALYTICS_EVERY = "100000"
EXAMPLES = (
    "how many 12345 工单 did Yuelu handle in 2021?",
    "硚口区网格化中心2020年公用经费合计是多少？",
    "Which was larger in 2020, Qiaokou's or Lusong's total expenditure?",
    "硚口 2020 vs 2024 基本支出 compare",
    "硚口区2020年绩效工资是多少？",
    "武昌区城市运行管理中心2024年基本支出是多少？",
)



def cited_line(locator: str) -> int | None:
    """'…, line 283' or '…, p. 12' -> 283 / 12: where in the report the citation points."""
    match = re.search(r"(?:line|p\.)\s*(\d+)\s*$", locator)
    return int(match.group(1)) if match else None

class UploadError(ValueError):
    """An uploaded file refused before it reaches the store (name, type or size)."""


def file_sha256(path: Path) -> str:
    """The upload's identity, as `index add` computes it (one function for both)."""
    from index.build import file_sha256 as index_sha256

    return index_sha256(path)


# ------------------------------------------------------------------ uploads


def safe_upload_name(name: str) -> str:
    """The base name an upload is stored (and named as a report) under.

    Only the last path component is kept (browsers may send `C:\\x\\y.txt` or `../../y.txt`);
    characters other than letters (CJK included), digits, space, `.`, `_` and `-` become `_`,
    and leading dots go so that no name is hidden, `.` or `..`.
    """
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name or ""))[-1]
    base = "".join(ch if ch.isalnum() or ch in " ._-" else "_" for ch in base)
    base = re.sub(r"_{2,}", "_", base).strip().lstrip(".").strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot or f".{suffix.lower()}" not in UPLOAD_SUFFIXES:
        raise UploadError(f"{name!r} is not a {' / '.join(UPLOAD_SUFFIXES)} file; convert it first")
    stem = stem.strip(" ._")[:100] or "report"
    return f"{stem}.{suffix.lower()}"


def free_name(name: str, taken: Collection[str]) -> str:
    """`name`, or when taken the first free `stem-2.suffix`, `stem-3.suffix`, …"""
    if name not in taken:
        return name
    stem, _, suffix = name.rpartition(".")
    n = 2
    while f"{stem}-{n}.{suffix}" in taken:
        n += 1
    return f"{stem}-{n}.{suffix}"


@dataclass(frozen=True)
class PlannedUpload:
    """One uploaded file's fate, decided before anything is copied or written.

    action: "add" (under `name`, a name no stored report has), "replace" (the stored report
    `name`, only when the user asked to and confirmed), "unchanged" (the store already holds
    these exact bytes, as the report `name`: never a second copy).
    """

    upload: str  # the file name as sent, for messages
    source: Path
    name: str
    sha256: str
    action: str
    wanted: str = ""  # the safe name asked for, when the report got a name of its own

    def note(self) -> str:
        """The line saying why the report is not under the name asked for ('' if it is)."""
        if self.action == "unchanged":
            if self.wanted and self.wanted != self.name:
                return f"unchanged {self.name}: {self.wanted} has the same content"
            return f"unchanged {self.name}"
        if self.wanted and self.wanted != self.name:
            return (
                f"note: stored as {self.name}: a report named {self.wanted} is already stored "
                "(tick “Replace a stored report of the same name” to replace it)"
            )
        return ""


def check_uploads(paths: Sequence[str | Path], settings: Settings) -> list[tuple[Path, str]]:
    """Uploaded files -> (file, safe base name); raises UploadError naming every refused file
    (type, size, unreadable): like `index add`, one bad file stops the whole upload."""
    problems: list[str] = []
    accepted: list[tuple[Path, str]] = []
    for raw in paths:
        src = Path(raw)
        try:
            name = safe_upload_name(src.name)
            size = src.stat().st_size
        except UploadError as exc:
            problems.append(f"error: {exc}")
            continue
        except OSError as exc:
            problems.append(f"error: {src.name}: cannot read the upload ({exc.strerror or exc})")
            continue
        if size > settings.max_bytes:
            problems.append(
                f"error: {name}: {size} bytes is over the {settings.max_bytes}-byte "
                "limit (DQA_MAX_BYTES)"
            )
        accepted.append((src, name))
    if problems:
        raise UploadError("\n".join(problems))
    return accepted


def plan_uploads(
    files: Sequence[tuple[Path, str]], stored: Mapping[str, str], replace: bool = False
) -> list[PlannedUpload]:
    """Decide each upload's report name against `stored` (report name -> sha256).

    An upload never takes a stored report's name unless `replace` is asked for: a name that is
    taken (also by an earlier file of this upload, e.g. `../../etc/x.txt` and `..\\..\\x.txt`
    both collapse to `x.txt`) gets a name of its own (`x-2.txt`). Bytes the store already holds,
    under any name, are "unchanged" (the content hash is the identity, as in `index add`).
    """
    by_sha = {sha: name for name, sha in stored.items()}
    taken = set(stored)
    in_batch: set[str] = set()
    plans: list[PlannedUpload] = []
    for src, wanted in files:
        sha = file_sha256(src)
        if sha in by_sha:
            plan = PlannedUpload(src.name, src, by_sha[sha], sha, "unchanged", wanted)
        elif replace and wanted in stored and wanted not in in_batch:
            plan = PlannedUpload(src.name, src, wanted, sha, "replace", wanted)
        else:
            plan = PlannedUpload(src.name, src, free_name(wanted, taken), sha, "add", wanted)
        taken.add(plan.name)
        in_batch.add(plan.name)
        by_sha.setdefault(sha, plan.name)
        plans.append(plan)
    return plans


def stage_uploads(plans: Sequence[PlannedUpload], settings: Settings) -> list[Path]:
    """Copy the files to add or replace into a fresh server-named folder under
    `<store>/uploads/`, each under its report name; returns the copies in plan order."""
    todo = [p for p in plans if p.action != "unchanged"]
    if not todo:
        return []
    folder = (
        Path(settings.store)
        / UPLOADS_DIR
        / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
    )
    folder.mkdir(parents=True)
    staged = []
    for plan in todo:
        dest = folder / plan.name
        shutil.copyfile(plan.source, dest)
        staged.append(dest)
    return staged


# ------------------------------------------------------------------ the service


class ReadWriteLock:
    """Many readers (questions) or one writer (refresh after an add); a waiting writer goes next.

    Answerer.ask is safe from many threads, but Answerer.refresh swaps its catalog and fact
    views one attribute at a time, so an ask running across a refresh could see a new catalog
    with old views; the app therefore never lets the two overlap.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class Service:
    """The app's one Answerer, its start-up (build or load), and report uploads."""

    def __init__(self, settings: Settings, corpus: Path) -> None:
        self.settings = settings
        self.corpus = corpus
        self.answerer: Any = None
        self.status = "Starting…"
        self.error = ""
        self.ready = threading.Event()
        self.ready_wait = float(os.environ.get("DQA_READY_WAIT", "30"))
        self._lock = ReadWriteLock()
        self._last_refresh = time.monotonic()
        self._writing = threading.Lock()  # one change of the store at a time from this app
        self._findings: dict[str, list[dict[str, Any]]] = {}  # report version -> findings
        self._pending: dict[str, _Pending] = {}  # token -> an upload waiting for its confirmation
        self._pending_lock = threading.Lock()
        self._pages = PageCache()  # cited PDF pages, rendered with the figure marked
        self._csv_dir = tempfile.mkdtemp(prefix="dqa-rankings-")  # the rankings' CSV downloads

    # -- start-up

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._prepare, name="dqa-prepare", daemon=True)
        thread.start()
        return thread

    def _prepare(self) -> None:
        from index.build import build_corpus, store_stats

        try:
            if store_stats(self.settings.store)["reports"] == 0:
                self._set_status(f"Building the index from {self.corpus}/ (first start)…")
                results = build_corpus(self.corpus, self.settings, progress=self._build_progress)
                failed = [r.summary() for r in results if r.status == "error"]
                if failed:
                    raise StoreError("the corpus build failed: " + "; ".join(failed))
            self._set_status("Loading the index and the embedding model…")
            from qa.answerer import Answerer

            answerer = Answerer(self.settings.store)
            # the first question would otherwise pay for loading the embedding model
            answerer.ask("warm-up: 2021年12345热线工单")
            with self._lock.write():
                self.answerer = answerer
            count = len(answerer.stores.facts.reports())
            self._set_status(f"Ready — {count} reports in the index.")
            log.info("index ready: %d reports in %s", count, self.settings.store)
            self.ready.set()
        except Exception as exc:  # the page must still say why nothing can be answered
            log.exception("cannot prepare the index")
            self.error = " ".join(str(exc).split()) or type(exc).__name__
            self._set_status(f"Cannot answer questions: {self.error}")

    def _build_progress(self, stage: str, done: int, total: int, name: str) -> None:
        if stage == "load model":
            self._set_status(f"Building the index: loading the embedding model {name}…")
        elif stage == "OCR":
            self._set_status(f"Building the index from {self.corpus}/: OCR of {name} ({done} of {total} pages without a text layer)")
        else:
            self._set_status(
                f"Building the index from {self.corpus}/: {done}/{total} files ({name})"
            )

    def _set_status(self, text: str) -> None:
        self.status = text
        log.info("%s", text)

    # -- questions

    def followup(self, message: str, previous: str = "") -> Rewrite:
        """The chat's message as the question to ask: a follow-up ("那2023年呢？") completed from
        the session's previous full question (qa.followup), anything else as it is. Only the
        chat calls this; `/answer` (`ask`) never rewrites."""
        message = (message or "").strip()
        if self.answerer is None or not self.ready.is_set():
            return Rewrite(message, False, reason="the index is not ready")
        try:
            with self._lock.read():  # one catalog: a refresh swaps it under the write lock
                return rewrite_followup(previous or None, message, self.answerer.catalog, self.answerer.linker)
        except Exception:  # a follow-up the rewriter cannot read is asked as it was typed
            log.exception("reading %r as a follow-up of %r failed", message[:200], (previous or "")[:200])
            return Rewrite(message, False, reason="internal error")

    def ask(self, question: str) -> dict[str, Any]:
        """The chat function and the `/answer` endpoint: question -> answer dict."""
        question = (question or "").strip()
        # a question that arrives while the index loads waits for it (DQA_READY_WAIT seconds),
        # then says "loading" — never not_found, which means "searched and absent"
        if not self.error and not self.ready.wait(self.ready_wait):
            return self._no_answer(
                question,
                f"Not answered yet: the index is still loading ({self.status}). "
                "Ask again when the status line says Ready.",
                "loading",
            )
        if self.error:
            return self._no_answer(question, f"Cannot answer: {self.error}", "error")
        self._maybe_refresh()
        try:
            with self._lock.read():
                return dict(self.answerer.ask(question))
        except Exception:
            log.exception("answering %r failed", question)
            return self._no_answer(question, "Internal error while answering; see the server log.", "error")

    @staticmethod
    def _no_answer(question: str, text: str, status: str) -> dict[str, Any]:
        """A reply that is no answer: status "loading" (the index is not ready yet) or "error"
        (it cannot be answered here), with the reason; CONTRACT.md."""
        return {
            "question": question,
            "status": status,
            "answer": text,
            "error": text,
            "value": None,
            "unit": "",
            "citations": [],
            "elapsed_ms": 0.0,
        }

    def _maybe_refresh(self, force: bool = False) -> None:
        """Pick up reports added by `python -m index add` or a rebuild (a cheap SQLite read)."""
        if not force and time.monotonic() - self._last_refresh < REFRESH_EVERY:
            return
        self._last_refresh = time.monotonic()
        try:
            with self._lock.write():
                self.answerer.refresh()
        except Exception:
            log.exception("refreshing the store failed; answering from what is loaded")

    def source_html(self, citation: dict[str, Any]) -> str:
        """One citation's source: for a PDF, its page rendered with the figure marked; then the
        table with the cell highlighted, or the paragraph."""
        return self.page_html(citation) + self._parsed_source_html(citation)

    def page_html(self, citation: dict[str, Any]) -> str:
        """The cited PDF page, rendered with the figure marked and a link to the file at that
        page; "" for a citation of another kind of file, or whose file the store does not keep."""
        page = cited_page(str(citation.get("locator") or ""))
        name = str(citation.get("report") or "")
        if page is None or not name.lower().endswith(".pdf") or not self.ready.is_set():
            return ""
        row = next((r for r in self._stored() if r["name"] == name), None)
        path = self.source_file(name, str(row["sha256"])) if row else None
        if path is None or path.suffix.lower() != ".pdf":
            return ""
        try:
            rendered = self._pages.get(path, page, str(citation.get("raw") or ""), figure_anchor(citation))
        except Exception:  # noqa: BLE001 - a page that cannot be drawn leaves the parsed view
            log.exception("rendering p. %s of %s failed", page, path)
            return ""
        return page_html(rendered, name, file_link(path))

    def served_folders(self) -> list[str]:
        """The folders whose files the app may serve (the original of a cited page)."""
        from index.build import ORIGINALS_DIR

        store = Path(self.settings.store)
        return [str(p.resolve()) for p in (store / ORIGINALS_DIR, store / UPLOADS_DIR, self.corpus, Path(self._csv_dir))]

    def ranking_file(self, ranking: dict[str, Any], question: str) -> str:
        """A ranking's rows as a CSV file for the download button (one file per question and
        figures: asked again, the same file)."""
        text = view.ranking_csv(ranking)
        digest = hashlib.sha256(f"{question}\n{text}".encode()).hexdigest()[:16]
        path = Path(self._csv_dir) / f"ranking-{digest}.csv"
        if not path.exists():
            path.write_text(text, encoding="utf-8")
        return str(path)

    def _parsed_source_html(self, citation: dict[str, Any]) -> str:
        grid = None
        if (
            citation.get("source") == "table"
            and citation.get("table")
            and self.answerer is not None
        ):
            with self._lock.read():
                grid = self.answerer.stores.facts.table_grid(
                    citation["report"], citation["table"], cited_line(citation.get("locator", ""))
                )
        return view.render_source(citation, grid)

    # -- reports

    def _stored(self) -> list[dict[str, Any]]:
        """The store's report rows, read now (another process may have added some)."""
        with self._lock.read():
            return list(self.answerer.stores.facts.reports())

    def report_rows(self) -> list[list[Any]]:
        if not self.ready.is_set():
            return []
        entries = self.report_findings()
        return view.report_rows([r for r, _ in entries], {r["name"]: f for r, f in entries})

    def report_names(self) -> list[str]:
        return [r["name"] for r in self._stored()] if self.ready.is_set() else []

    def report_findings(self) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """Each stored report's row and its check findings (index.checks, as `python -m index
        check NAME --json` prints them), in name order. Findings are computed from the stored
        facts once per report version (name + sha256) and cached."""
        from index.checks import findings, material_from_store

        if not self.ready.is_set():
            return []
        out = []
        with self._lock.read():
            facts = self.answerer.stores.facts
            for row in facts.reports(read=True):
                # added_at too: a re-read writes the same version (name + sha256) anew
                key = f"{row.get('version') or row['name']}@{row.get('added_at', '')}"
                if key not in self._findings:
                    material = material_from_store(facts, row["name"])
                    found = findings(material) if material is not None else []
                    self._findings[key] = [f.as_dict() for f in found]
                out.append((row, self._findings[key]))
        return out

    def _refuse_change(self) -> str:
        """Why the store may not be changed from the app now, or ''. Checked here, not only by
        hiding the controls: the API and a crafted request reach these methods too."""
        if self.settings.readonly:
            return (
                "This app is read-only (DQA_READONLY=1): the store was not changed. "
                "Add or remove reports with python -m index add / remove."
            )
        if not self.ready.is_set():
            return f"The index is not ready yet: {self.status}"
        return ""

    def add_reports(
        self,
        paths: Sequence[str],
        progress: Progress | None = None,
        *,
        who: str = "anonymous",
    ) -> str:
        """Uploaded files -> store, never replacing a stored report (a taken name gets a name
        of its own); returns the per-file result lines (errors included)."""
        return self.upload(paths, progress=progress, who=who).message

    def upload(
        self,
        paths: Sequence[str],
        *,
        replace: bool = False,
        progress: Progress | None = None,
        who: str = "anonymous",
    ) -> UploadReply:
        """Uploaded files -> store. With `replace`, a file named like a stored report is to
        replace it: nothing is written then, the reply carries what would change and a token
        for `confirm_replace` (or `cancel_replace`)."""
        refused = self._refuse_change()
        if refused:
            return UploadReply(refused)
        if not paths:
            return UploadReply("Choose one or more .txt .md .pdf .docx files first.")
        try:
            files = check_uploads(paths, self.settings)
        except UploadError as exc:
            return UploadReply(f"{exc}\nNothing was added.")
        with self._writing:
            stored = {r["name"]: r for r in self._stored()}
            plans = plan_uploads(files, {n: r["sha256"] for n, r in stored.items()}, replace)
            staged = stage_uploads(plans, self.settings)
            if not any(p.action == "replace" for p in plans):
                return UploadReply(self._add_staged(plans, staged, who, progress))
            try:
                changes = tuple(
                    self._change_of(p, stored[p.name], path)
                    for p, path in zip([p for p in plans if p.action != "unchanged"], staged, strict=True)
                    if p.action == "replace"
                )
            except Exception as exc:  # an unreadable new file: say so, keep nothing
                _discard(staged)
                log.info("replace preview by %s refused: %s", who, exc)
                return UploadReply(f"error: {' '.join(str(exc).split())}\nNothing was added.")
            token = uuid.uuid4().hex
            with self._pending_lock:
                self._expire_pending()
                before = {n: r["sha256"] for n, r in stored.items()}
                self._pending[token] = _Pending(plans, staged, changes, before)
        names = ", ".join(c.name for c in changes)
        message = (
            f"Replacing {names} needs your confirmation: see what would change (stored report vs new file). "
            "Nothing is written until you confirm."
        )
        return UploadReply(message, token=token, changes=changes)

    def _change_of(self, plan: PlannedUpload, stored: Mapping[str, Any], path: Path) -> ReplaceChange:
        """What replacing the stored report with the new file changes: identity, counts, findings."""
        from index import analyse
        from index.checks import Material, findings

        kept = json.loads(stored.get("overrides") or "{}")
        analysis = analyse.apply_identity(analyse.analyse_file(path, self.settings.max_bytes), kept)
        meta = analysis.report.meta
        found = findings(Material.of_analysis(analysis))
        old_findings = next((f for r, f in self.report_findings() if r["name"] == plan.name), [])
        return ReplaceChange(
            name=plan.name,
            stored=_identity_of(stored, old_findings),
            new={
                "org": meta.org, "year": meta.year or "", "kind": meta.kind, "scope": meta.scope,
                "tables": analysis.tables, "facts": len(analysis.facts),
                "findings": _findings_count(f.as_dict() for f in found),
                "sha256": plan.sha256[:12], "added_at": "",
            },  # fmt: skip
        )

    def confirm_replace(self, token: str, progress: Progress | None = None, *, who: str = "anonymous") -> str:
        """Write an upload whose replacements were shown by `upload(replace=True)`; refused if
        the store changed since (another add, remove or replace of those names)."""
        refused = self._refuse_change()
        with self._pending_lock:
            pending = self._pending.pop(token or "", None)
        if pending is None:
            return "Nothing to confirm: the replacement expired or was already done. Upload again."
        if refused:
            _discard(pending.staged)
            return refused
        with self._writing:
            now = {r["name"]: r["sha256"] for r in self._stored()}
            names = {p.name for p in pending.plans}
            if {n: now.get(n) for n in names} != {n: pending.before.get(n) for n in names}:
                _discard(pending.staged)
                return (
                    "The stored reports changed since the preview (another add or remove): "
                    "nothing was replaced. Upload again to see what would change now."
                )
            return self._add_staged(pending.plans, pending.staged, who, progress)

    def cancel_replace(self, token: str) -> str:
        with self._pending_lock:
            pending = self._pending.pop(token or "", None)
        if pending is not None:
            _discard(pending.staged)
        return "Cancelled: nothing was added or replaced."

    def _expire_pending(self) -> None:
        now = time.monotonic()
        for token, pending in list(self._pending.items()):
            if now - pending.created > PENDING_TTL:
                del self._pending[token]
                _discard(pending.staged)

    def _add_staged(
        self, plans: Sequence[PlannedUpload], staged: Sequence[Path], who: str, progress: Progress | None
    ) -> str:
        """Write the staged copies (add_files: all or nothing); the result lines."""
        from index.build import add_files

        lines = [p.note() for p in plans if p.action == "unchanged"]
        if not staged:
            return "\n".join(lines)
        try:
            results = add_files(staged, self.settings, progress=progress)
        except Exception as exc:  # StoreError and parser bugs alike: a short line here, the log has it
            log.exception("adding %s failed", [p.name for p in staged])
            _discard(staged)
            return f"error: {' '.join(str(exc).split())}\nNothing was added."
        _discard([p for p, r in zip(staged, results, strict=True) if r.status not in ("added", "replaced")])
        written = [p for p in plans if p.action != "unchanged"]
        for plan, result in zip(written, results, strict=True):
            lines.append(result.summary())
            if plan.note():
                lines.append(plan.note())
        if any(r.status == "error" for r in results):
            lines.append("Nothing was added: fix or remove the files marked error and upload again.")
        else:
            for plan, result in zip(written, results, strict=True):
                if result.status in ("added", "replaced"):
                    self._audit(who, result.status, result.name, plan.upload, plan.sha256)
            self._after_change()
        return "\n".join(line for line in lines if line)

    def remove_report(self, name: str, *, who: str = "anonymous") -> str:
        """Remove one stored report (index.build.remove_reports); an unknown name changes nothing."""
        from index.build import remove_reports

        refused = self._refuse_change()
        if refused:
            return refused
        with self._writing:
            try:
                removed = remove_reports([name or ""], self.settings)
            except (StoreError, OSError) as exc:
                return f"error: {' '.join(str(exc).split())}"
            for copy in self._upload_copies(name):
                _discard([copy])
            for gone in removed:
                self._audit(who, "removed", gone)
            self._after_change()
        return "\n".join(f"removed {n}" for n in removed)

    def reread_report(self, name: str, progress: Progress | None = None, *, who: str = "anonymous") -> str:
        """Read a stored report again from its source file (the upload copy the store keeps, or
        corpus/NAME), so that parser fixes reach it; one transaction, like `index add`."""
        from index.build import add_files

        refused = self._refuse_change()
        if refused:
            return refused
        with self._writing:
            row = next((r for r in self._stored() if r["name"] == name), None)
            if row is None:
                return f"error: no report named {name!r} in {self.settings.store}; nothing was read"
            source = self.source_file(name, row["sha256"])
            if source is None:
                return (
                    f"{name}: the store keeps no source file for it (none of "
                    f"{Path(self.settings.store) / 'originals'}/, {Path(self.settings.store) / UPLOADS_DIR}/ "
                    f"and {self.corpus}/ holds {name}); "
                    "upload the file again with “Replace a stored report of the same name” ticked "
                    "to re-read it."
                )
            try:
                # the identity key is one no reader knows (apply_identity keeps only the
                # IDENTITY_FIELDS): it makes add_files analyse and write an unchanged file
                # again without setting any identity by hand
                results = add_files([source], self.settings, progress=progress, identity=REREAD)
            except Exception as exc:
                log.exception("re-reading %s failed", name)
                return f"error: {' '.join(str(exc).split())}\n{name} was left as it was."
            result = results[0]
            if result.status == "error":
                return f"{result.summary()}\n{name} was left as it was."
            self._audit(who, "re-read", name, str(source), file_sha256(source))
            self._after_change()
        summary = result.summary()
        if result.status == "replaced":
            summary = "re-read" + summary[len("replaced"):]
        return f"{summary}\n(read from {source})"

    def source_file(self, name: str, sha256: str = "") -> Path | None:
        """The file a stored report can be read again from: the copy the store kept of the bytes
        it read, else the newest upload copy of that name (one with the stored bytes first), else
        corpus/NAME."""
        from index.build import original_path

        copies = self._upload_copies(name)
        same = [c for c in copies if sha256 and file_sha256(c) == sha256]
        kept = [original_path(self.settings.store, sha256, name)] if sha256 else []
        for path in (*kept, *same, *copies, self.corpus / name):
            if path.is_file():
                return path
        return None

    def _upload_copies(self, name: str) -> list[Path]:
        """Upload copies kept for the report `name`, newest first (folders are timestamped)."""
        root = Path(self.settings.store) / UPLOADS_DIR
        if not name or safe_upload_name_or_none(name) != name or not root.is_dir():
            return []
        return sorted((p for p in root.glob(f"*/{name}") if p.is_file()), key=lambda p: p.parent.name, reverse=True)

    def _after_change(self) -> None:
        self._maybe_refresh(force=True)
        with self._lock.read():
            count = len(self.answerer.stores.facts.reports())
        self._set_status(f"Ready — {count} reports in the index.")

    def _audit(self, who: str, action: str, name: str, upload: str = "", sha256: str = "") -> None:
        """Who changed the store and when: the log, and one JSON line per change in
        `.<store>.audit.jsonl` beside the store (a rebuild swaps the store folder, not this)."""
        entry = {
            "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "who": who, "action": action,
            "report": name, "file": upload, "sha256": sha256,
        }  # fmt: skip
        audit.info("%s %s %s by %s", entry["at"], action, name, who)
        try:
            with audit_path(self.settings).open("a", encoding="utf-8") as out:
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError:
            log.exception("cannot write the audit file %s", audit_path(self.settings))


# add_files identity that forces a re-read; see Service.reread_report
REREAD = {"reread": "1"}


def audit_path(settings: Settings) -> Path:
    store = Path(settings.store)
    return store.parent / f".{store.name.lstrip('.')}.audit.jsonl"


def safe_upload_name_or_none(name: str) -> str | None:
    try:
        return safe_upload_name(name)
    except UploadError:
        return None


def _identity_of(row: Mapping[str, Any], found: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "org": row.get("org", ""), "year": row.get("year") or "", "kind": row.get("kind", ""),
        "scope": row.get("scope", ""), "tables": row.get("tables", 0), "facts": row.get("facts", 0),
        "findings": _findings_count(found), "sha256": str(row.get("sha256", ""))[:12],
        "added_at": row.get("added_at", ""),
    }  # fmt: skip


def _findings_count(found: Any) -> str:
    return view.findings_summary(list(found))


@dataclass(frozen=True)
class ReplaceChange:
    """One stored report an upload would replace: its identity and counts, stored vs new."""

    name: str
    stored: dict[str, Any]
    new: dict[str, Any]


@dataclass(frozen=True)
class UploadReply:
    message: str
    token: str = ""  # set when a replacement waits for confirm_replace(token)
    changes: tuple[ReplaceChange, ...] = ()


@dataclass
class _Pending:
    plans: list[PlannedUpload]
    staged: list[Path]
    changes: tuple[ReplaceChange, ...]
    before: dict[str, str]  # stored report name -> sha256 when the preview was made
    created: float = field(default_factory=time.monotonic)


def _discard(paths: Sequence[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
    for folder in {p.parent for p in paths}:
        try:
            folder.rmdir()  # only when empty: kept uploads stay
        except OSError:
            pass


# ------------------------------------------------------------------ the page

CSS = """
#source .dqa-source { font-size: 14px; }
#status { min-height: 1.5em; }
"""


def build_ui(service: Service) -> Any:
    import gradio as gr

    # Gradio fills a handler's `request: gr.Request` parameter only when it can resolve the
    # annotation, and it resolves it (a string here, under `from __future__ import
    # annotations`) in this module's globals: with `gr` only local, no handler got the
    # request and every add, replace and remove was logged as "anonymous".
    globals()["gr"] = gr

    def read(message: str, previous: str) -> tuple[str, str, str]:
        """(the question to ask, the session's next previous question, the message as typed)."""
        asked = service.followup(message, previous)
        if asked.rewritten:
            log.info("follow-up %r asked as %r (%s)", (message or "").strip()[:200], asked.question, ", ".join(asked.changed))
        return asked.question, asked.question if asked.full else previous, (message or "").strip()

    def show(answer: dict[str, Any], history: list[dict[str, Any]] | None, typed: str = "") -> tuple[Any, ...]:
        history = list(history or [])
        asked = answer.get("question", "")
        typed = typed or asked
        note = asked_note(typed, asked)
        reply = view.answer_markdown(answer)
        history.append({"role": "user", "content": view.md_escape(typed)})
        history.append({"role": "assistant", "content": f"{view.md_escape(note)}\n\n{reply}" if note else reply})
        # the first citation's source drawn now, the others when picked (a PDF page is rendered)
        cites = view.source_citations(answer)
        choices = [(view.citation_label(i, c), i) for i, c in enumerate(cites)]
        ranking = answer.get("ranking")
        chart = (view.ranking_chart(ranking) if ranking and ranking.get("rows")
                 else view.comparison_chart(answer["comparison"]) if answer.get("comparison") else "")
        table = service.ranking_file(ranking, asked) if ranking and ranking.get("rows") else None
        return (
            history,
            gr.Dropdown(choices=choices, value=0 if choices else None, interactive=bool(choices)),
            service.source_html(cites[0]) if cites else view.NO_SOURCES,
            gr.HTML(chart, visible=bool(chart)),
            cites,
            "",
            gr.DownloadButton(value=table, visible=table is not None),
        )

    def pick(index: int | None, cites: list[dict[str, Any]]) -> str:
        if index is None or not cites or not 0 <= int(index) < len(cites):
            return view.NO_SOURCES
        return service.source_html(cites[int(index)])

    writable = not service.settings.readonly  # DQA_READONLY=1: no upload / remove controls

    def who_of(request: gr.Request | None) -> str:
        return getattr(request, "username", None) or "anonymous"

    def tracker(progress: gr.Progress) -> Progress:
        def tick(stage: str, done: int, total: int, name: str) -> None:
            progress((done, max(total, 1)), desc=f"{stage}: {name}")

        return tick

    def reports_view() -> tuple[Any, ...]:
        """The Reports tab's table, findings panel and (when writable) the report picker."""
        if not service.ready.is_set():
            return (gr.skip(),) * (3 if writable else 2)
        entries = service.report_findings()
        rows = view.report_rows([r for r, _ in entries], {r["name"]: f for r, f in entries})
        out: tuple[Any, ...] = (rows, view.findings_html(entries))
        if writable:
            names = [r["name"] for r, _ in entries]
            out += (gr.Dropdown(choices=names, value=None),)
        return out

    def poll() -> tuple[Any, ...]:
        done = service.ready.is_set() or bool(service.error)
        return (service.status, gr.Timer(active=not done), *reports_view())

    def hidden() -> Any:  # a fresh update each time: Gradio may consume the dict it is given
        return gr.update(visible=False)


    # gr.Progress() as a default is how Gradio injects the progress tracker
    def add(files: list[str] | None, replace: bool, request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        who = who_of(request)
        log.info("add by %s: %s", who, ", ".join(Path(f).name for f in files or []))
        reply = service.upload(files or [], replace=bool(replace), progress=tracker(progress), who=who)
        log.info("add by %s done: %s", who, " | ".join(reply.message.splitlines()))
        confirm = gr.update(visible=bool(reply.token))
        preview = view.replace_preview_html(reply.changes) if reply.token else ""
        return (reply.message, None, service.status, reply.token, confirm, preview, *reports_view())

    def confirm_replace(token: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        who = who_of(request)
        message = service.confirm_replace(token, progress=tracker(progress), who=who)
        log.info("replace by %s: %s", who, " | ".join(message.splitlines()))
        return (message, service.status, "", hidden(), "", False, *reports_view())

    def cancel_replace(token: str) -> tuple[Any, ...]:
        return (service.cancel_replace(token), service.status, "", hidden(), "", False, *reports_view())

    def ask_remove(name: str | None) -> tuple[Any, ...]:
        entry = next(((r, f) for r, f in service.report_findings() if r["name"] == name), None)
        if entry is None:
            return "Choose a report first.", hidden(), ""
        report, _ = entry
        text = (
            f"Remove **{view.md_escape(report['name'])}** ({view.md_escape(view.identity_text(report))}; "
            f"{report.get('facts', 0)} facts)? Its figures are no longer answered. "
            "The upload copy the store keeps is deleted with it."
        )
        return "", gr.update(visible=True), text

    def remove(name: str | None, request: gr.Request) -> tuple[Any, ...]:
        message = service.remove_report(name or "", who=who_of(request))
        return (message, hidden(), "", service.status, *reports_view())

    def reread(name: str | None, request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        if not name:
            return ("Choose a report first.", service.status, *reports_view())
        message = service.reread_report(name, progress=tracker(progress), who=who_of(request))
        return (message, service.status, *reports_view())

    with gr.Blocks(title="Disclosure QA", fill_width=True) as demo:
        gr.Markdown("## Disclosure QA — exact figures from budget disclosures, with their sources")
        status = gr.Markdown(service.status, elem_id="status")
        timer = gr.Timer(1.0)
        with gr.Tab("Ask"):
            with gr.Row():
                with gr.Column(scale=4):
                    chatbot = gr.Chatbot(
                        label="Answers",
                        elem_id="chat",
                        height=460,
                        latex_delimiters=[],
                        feedback_options=None,
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            show_label=False,
                            elem_id="question",
                            scale=5,
                            placeholder="Ask about a figure, e.g. 硚口区2020年绩效工资是多少？",
                        )
                        ask = gr.Button("Ask", variant="primary", elem_id="ask", scale=1)
                    gr.Markdown("Examples (one click asks):")
                    with gr.Row():
                        example_buttons = [gr.Button(q, size="sm") for q in EXAMPLES]
                with gr.Column(scale=5):
                    chart = gr.HTML(visible=False, elem_id="chart")
                    download = gr.DownloadButton(
                        "Download the table (CSV)", visible=False, elem_id="ranking-csv", size="sm"
                    )
                    gr.Markdown("### Sources")
                    picker = gr.Dropdown(
                        label="Citation", choices=[], elem_id="pick", interactive=False
                    )
                    source = gr.HTML(view.NO_SOURCES, elem_id="source")
                    with gr.Accordion("Answer JSON (what /answer returns)", open=False):
                        answer_json = gr.JSON(elem_id="answer-json")
            sources_state = gr.State([])
            # this session's last full question, the base of a follow-up ("那2023年呢？"); the
            # question actually asked and the message as typed, for the chat line
            previous = gr.State("")
            typed = gr.State("")
            asked = gr.Textbox(visible=False, elem_id="asked")
        with gr.Tab("Reports"):
            reports = gr.Dataframe(
                headers=view.REPORT_COLUMNS,
                value=[],
                interactive=False,
                elem_id="reports",
                wrap=True,
            )
            gr.Markdown("### Each report: identity and check findings (with the figures compared)")
            findings = gr.HTML(view.findings_html([]), elem_id="report-findings")
            listing = [reports, findings]
            if writable:
                gr.Markdown("### Manage a report")
                with gr.Row():
                    chosen = gr.Dropdown(label="Report", choices=[], elem_id="manage-report", scale=4)
                    remove_button = gr.Button("Remove…", variant="stop", elem_id="remove", scale=1)
                    reread_button = gr.Button("Re-read from its source file", elem_id="reread", scale=1)
                with gr.Group(visible=False, elem_id="remove-confirm") as remove_confirm:
                    remove_text = gr.Markdown(elem_id="remove-text")
                    with gr.Row():
                        remove_yes = gr.Button("Yes, remove it", variant="stop", elem_id="remove-yes")
                        remove_no = gr.Button("Cancel", elem_id="remove-no")
                manage_result = gr.Textbox(label="Result", lines=2, interactive=False, elem_id="manage-result")
                listing.append(chosen)
                gr.Markdown("### Add reports")
                files = gr.File(
                    label="Add reports (.txt .md .pdf .docx)",
                    file_count="multiple",
                    file_types=list(UPLOAD_SUFFIXES),
                    elem_id="upload",
                )
                replace = gr.Checkbox(
                    label="Replace a stored report of the same name (shows what would change and asks first)",
                    value=False,
                    elem_id="replace",
                )
                add_button = gr.Button("Add to the index", variant="primary", elem_id="add")
                with gr.Group(visible=False, elem_id="replace-confirm") as replace_confirm:
                    replace_preview = gr.HTML(elem_id="replace-preview")
                    with gr.Row():
                        replace_yes = gr.Button("Replace", variant="stop", elem_id="replace-yes")
                        replace_no = gr.Button("Cancel", elem_id="replace-no")
                result = gr.Textbox(label="Result", lines=4, interactive=False, elem_id="add-result")
                pending = gr.State("")

        shown = [chatbot, picker, source, chart, sources_state, question, download]
        # A chat message is first read as a possible follow-up of this session's previous full
        # question (private, unqueued: a parse, milliseconds), then asked through the `/answer`
        # step, whose one input is the question to ask: a script calling `/answer` is never
        # rewritten, whatever it asked before.
        reading: dict[str, Any] = {"api_visibility": "private", "queue": False, "show_progress": "hidden"}
        gr.on(
            [question.submit, ask.click], read, [question, previous], [asked, previous, typed], **reading
        ).then(
            service.ask,
            inputs=asked,
            outputs=answer_json,
            api_name="answer",
            concurrency_limit=ANSWER_CONCURRENCY,
            concurrency_id="answer",
            api_description="Answer one question; returns the answer object (dict) of CONTRACT.md.",
        ).then(show, [answer_json, chatbot, typed], shown, api_visibility="private")
        for button, text in zip(example_buttons, EXAMPLES, strict=True):
            button.click(
                lambda t=text: t, outputs=question, api_visibility="private", queue=False
            ).then(read, [question, previous], [asked, previous, typed], **reading).then(
                service.ask,
                asked,
                answer_json,
                api_visibility="private",
                concurrency_limit=ANSWER_CONCURRENCY,
                concurrency_id="answer",
            ).then(show, [answer_json, chatbot, typed], shown, api_visibility="private")
        picker.input(pick, [picker, sources_state], source, api_visibility="private")
        # status polling: no queue (no "pending" timer drawn over the status line every second)
        for trigger in (timer.tick, demo.load):
            trigger(
                poll,
                None,
                [status, timer, *listing],
                api_visibility="private",
                show_progress="hidden",
                queue=False,
            )
        if writable:
            # every change of the store goes through one worker (concurrency_id "store")
            writes: dict[str, Any] = {"api_visibility": "private", "concurrency_limit": 1, "concurrency_id": "store"}
            add_button.click(
                add,
                [files, replace],
                [result, files, status, pending, replace_confirm, replace_preview, *listing],
                **writes,
            )
            replace_yes.click(
                confirm_replace,
                pending,
                [result, status, pending, replace_confirm, replace_preview, replace, *listing],
                **writes,
            )
            replace_no.click(
                cancel_replace,
                pending,
                [result, status, pending, replace_confirm, replace_preview, replace, *listing],
                **writes,
            )
            remove_button.click(
                ask_remove, chosen, [manage_result, remove_confirm, remove_text], api_visibility="private"
            )
            remove_no.click(
                lambda: ("Cancelled: nothing was removed.", hidden()),
                None,
                [manage_result, remove_confirm],
                api_visibility="private",
            )
            remove_yes.click(
                remove, chosen, [manage_result, remove_confirm, remove_text, status, *listing], **writes
            )
            reread_button.click(reread, chosen, [manage_result, status, *listing], **writes)
    return demo


# ------------------------------------------------------------------ entry point


def parse_auth(value: str) -> list[tuple[str, str]] | None:
    """DQA_AUTH: "user:password" pairs separated by commas, or the path of a file of such lines
    (# comments allowed). Empty: no login. A malformed entry is a ValueError naming it."""
    value = value.strip()
    if not value:
        return None
    path = Path(value)
    entries = (path.read_text(encoding="utf-8").splitlines() if ":" not in value or path.is_file()
               else value.split(","))
    pairs = []
    for entry in (e.strip() for e in entries):
        if not entry or entry.startswith("#"):
            continue
        user, sep, password = entry.partition(":")
        if not sep or not user.strip() or not password:
            raise ValueError(f"DQA_AUTH: {entry.split(':')[0]!r} needs the form user:password")
        pairs.append((user.strip(), password))
    if not pairs:
        raise ValueError("DQA_AUTH names no user:password pair")
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python app.py", description="The disclosure QA chat (Gradio)."
    )
    parser.add_argument("--store", help="store directory (default: $DQA_STORE or .store/)")
    parser.add_argument("--port", type=int, help=f"port (default: $DQA_PORT or {DEFAULT_PORT})")
    parser.add_argument(
        "--corpus", default="corpus", help="reports to build from when the store is empty"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("httpx", "chromadb", "jieba"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        port = args.port or int(os.environ.get("DQA_PORT") or DEFAULT_PORT)
        settings = Settings.from_env(args.store)
        auth = parse_auth(os.environ.get("DQA_AUTH", ""))
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    import gradio as gr

    service = Service(settings, Path(args.corpus))
    service.start()
    demo = build_ui(service)
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", ANALYTICS_EVERY)  # read by demo.queue()
    demo.queue(default_concurrency_limit=2)
    log.info("serving http://%s:%d (store %s)", HOST, port, settings.store)
    demo.launch(
        server_name=HOST,
        server_port=port,
        share=False,
        inbrowser=False,
        ssr_mode=False,
        mcp_server=False,
        max_file_size=settings.max_bytes,
        auth=auth,
        show_error=False,
        theme=gr.themes.Default(),
        css=CSS,
        allowed_paths=service.served_folders(),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
