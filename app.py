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
import logging
import os
import re
import shutil
import sys
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# importing `index` first sets the offline defaults (GRADIO_ANALYTICS_ENABLED=False, HF offline)
from index.config import Settings
from index.stores import StoreError
from qa import view

log = logging.getLogger("dqa.app")

DEFAULT_PORT = 7860
HOST = "127.0.0.1"
UPLOAD_SUFFIXES = (".txt", ".md", ".pdf", ".docx")
UPLOADS_DIR = "uploads"
REFRESH_EVERY = 5.0  # seconds between checks for reports added by other processes
ANSWER_CONCURRENCY = 4  # asks share a read lock; more workers only queue on the GIL
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


def stage_uploads(paths: Sequence[str | Path], settings: Settings) -> list[Path]:
    """Copy uploaded files into a fresh server-named folder under `<store>/uploads/`.

    Raises UploadError naming every refused file, having copied nothing: like `index add`,
    one bad file stops the whole upload.
    """
    problems: list[str] = []
    accepted: list[tuple[Path, str]] = []
    seen: set[str] = set()
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
        elif name in seen:
            problems.append(f"error: {name}: two files with this name in one upload")
        seen.add(name)
        accepted.append((src, name))
    if problems:
        raise UploadError("\n".join(problems))
    folder = (
        Path(settings.store)
        / UPLOADS_DIR
        / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
    )
    folder.mkdir(parents=True)
    staged = []
    for src, name in accepted:
        dest = folder / name
        shutil.copyfile(src, dest)
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
        else:
            self._set_status(
                f"Building the index from {self.corpus}/: {done}/{total} files ({name})"
            )

    def _set_status(self, text: str) -> None:
        self.status = text
        log.info("%s", text)

    # -- questions

    def ask(self, question: str) -> dict[str, Any]:
        """The chat function and the `/answer` endpoint: question -> answer dict."""
        question = (question or "").strip()
        # a question that arrives while the index loads waits for it (DQA_READY_WAIT seconds),
        # then says "loading" — never not_found, which means "searched and absent"
        if not self.error and not self.ready.wait(self.ready_wait):
            return self._no_answer(question, self.status, "loading")
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
        """One citation's source: the table with the cell highlighted, or the paragraph."""
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

    def report_rows(self) -> list[list[Any]]:
        if not self.ready.is_set():
            return []
        with self._lock.read():
            return view.report_rows(self.answerer.stores.facts.reports())

    def add_reports(
        self, paths: Sequence[str], progress: Callable[[str, int, int, str], None] | None = None
    ) -> str:
        """Uploaded files -> store; returns the per-file result lines (errors included)."""
        from index.build import add_files

        if self.settings.readonly:
            # refused here, not only hidden in the page: the API reaches this too
            return "This app is read-only (DQA_READONLY=1): nothing was added. Add reports with python -m index add."
        if not self.ready.is_set():
            return f"The index is not ready yet: {self.status}"
        if not paths:
            return "Choose one or more .txt .md .pdf .docx files first."
        try:
            staged = stage_uploads(paths, self.settings)
        except UploadError as exc:
            return f"{exc}\nNothing was added."
        try:
            results = add_files(staged, self.settings, progress=progress)
        except (
            Exception
        ) as exc:  # StoreError and parser bugs alike: a short line here, the log has it
            log.exception("adding %s failed", [p.name for p in staged])
            _discard(staged)
            return f"error: {' '.join(str(exc).split())}\nNothing was added."
        _discard(
            [
                p
                for p, r in zip(staged, results, strict=True)
                if r.status not in ("added", "replaced")
            ]
        )
        lines = [r.summary() for r in results]
        if any(r.status == "error" for r in results):
            lines.append(
                "Nothing was added: fix or remove the files marked error and upload again."
            )
        else:
            self._maybe_refresh(force=True)
            with self._lock.read():
                count = len(self.answerer.stores.facts.reports())
            self._set_status(f"Ready — {count} reports in the index.")
        log.info("upload: %s", " | ".join(lines))
        return "\n".join(lines)


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

    def show(answer: dict[str, Any], history: list[dict[str, Any]] | None) -> tuple[Any, ...]:
        history = list(history or [])
        history.append({"role": "user", "content": view.md_escape(answer.get("question", ""))})
        history.append({"role": "assistant", "content": view.answer_markdown(answer)})
        cites = view.source_citations(answer)
        sources = [service.source_html(c) for c in cites]
        choices = [(view.citation_label(i, c), i) for i, c in enumerate(cites)]
        chart = view.comparison_chart(answer["comparison"]) if answer.get("comparison") else ""
        return (
            history,
            gr.Dropdown(choices=choices, value=0 if choices else None, interactive=bool(choices)),
            sources[0] if sources else view.NO_SOURCES,
            gr.HTML(chart, visible=bool(chart)),
            sources,
            "",
        )

    def pick(index: int | None, sources: list[str]) -> str:
        if index is None or not sources or not 0 <= int(index) < len(sources):
            return view.NO_SOURCES
        return sources[int(index)]

    def poll() -> tuple[Any, ...]:
        done = service.ready.is_set() or bool(service.error)
        rows = service.report_rows() if service.ready.is_set() else gr.skip()
        return service.status, gr.Timer(active=not done), rows

    # gr.Progress() as a default is how Gradio injects the progress tracker
    def add(files: list[str] | None, request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        def tick(stage: str, done: int, total: int, name: str) -> None:
            progress((done, max(total, 1)), desc=f"{stage}: {name}")

        who = getattr(request, "username", None) or "anonymous"
        log.info("add by %s: %s", who, ", ".join(Path(f).name for f in files or []))
        message = service.add_reports(files or [], progress=tick)
        log.info("add by %s done: %s", who, " | ".join(message.splitlines()))
        return message, service.report_rows(), None, service.status

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
                    gr.Markdown("### Sources")
                    picker = gr.Dropdown(
                        label="Citation", choices=[], elem_id="pick", interactive=False
                    )
                    source = gr.HTML(view.NO_SOURCES, elem_id="source")
                    with gr.Accordion("Answer JSON (what /answer returns)", open=False):
                        answer_json = gr.JSON(elem_id="answer-json")
            sources_state = gr.State([])
        with gr.Tab("Reports"):
            reports = gr.Dataframe(
                headers=view.REPORT_COLUMNS,
                value=[],
                interactive=False,
                elem_id="reports",
                wrap=True,
            )
            writable = not service.settings.readonly  # DQA_READONLY=1: no upload controls
            files = gr.File(
                label="Add reports (.txt .md .pdf .docx)",
                file_count="multiple",
                file_types=list(UPLOAD_SUFFIXES),
                elem_id="upload",
                visible=writable,
            )
            add_button = gr.Button("Add to the index", variant="primary", elem_id="add", visible=writable)
            result = gr.Textbox(label="Result", lines=4, interactive=False, elem_id="add-result", visible=writable)

        shown = [chatbot, picker, source, chart, sources_state, question]
        gr.on(
            [question.submit, ask.click],
            service.ask,
            inputs=question,
            outputs=answer_json,
            api_name="answer",
            concurrency_limit=ANSWER_CONCURRENCY,
            concurrency_id="answer",
            api_description="Answer one question; returns the answer object (dict) of CONTRACT.md.",
        ).then(show, [answer_json, chatbot], shown, api_visibility="private")
        for button, text in zip(example_buttons, EXAMPLES, strict=True):
            button.click(
                lambda t=text: t, outputs=question, api_visibility="private", queue=False
            ).then(
                service.ask,
                question,
                answer_json,
                api_visibility="private",
                concurrency_limit=ANSWER_CONCURRENCY,
                concurrency_id="answer",
            ).then(show, [answer_json, chatbot], shown, api_visibility="private")
        picker.input(pick, [picker, sources_state], source, api_visibility="private")
        # status polling: no queue (no "pending" timer drawn over the status line every second)
        for trigger in (timer.tick, demo.load):
            trigger(
                poll,
                None,
                [status, timer, reports],
                api_visibility="private",
                show_progress="hidden",
                queue=False,
            )
        add_button.click(
            add,
            files,
            [result, reports, files, status],
            api_visibility="private",
            concurrency_limit=1,
        )
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
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
