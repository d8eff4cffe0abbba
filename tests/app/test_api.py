"""app.py: the `/answer` API endpoint under concurrent clients, and report uploads.

The slow tests start `python app.py` on an empty store, so they also cover the first-start
build from corpus/.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from index.config import Settings

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 600.0  # first start builds the store from corpus/ (about 15 s here)


def load_app() -> ModuleType:
    """app.py is a script, not a package module: import it from its path."""
    spec = importlib.util.spec_from_file_location("dqa_app", ROOT / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


app = load_app()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AppProcess:
    """`python app.py --store STORE --port N` in a subprocess, its log in a file."""

    def __init__(self, store: Path, log_path: Path) -> None:
        self.store = store
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        env = {**os.environ, "GRADIO_TEMP_DIR": str(store.parent / "gradio-tmp")}
        self._log = log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "app.py", "--store", str(store), "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log()
            if "index ready" in text and "Running on local URL" in text:
                return
            if "Cannot answer questions" in text or self.proc.poll() is not None:
                break
            time.sleep(0.5)
        self.stop()
        pytest.fail(f"app did not become ready; log:\n{self.log()[-4000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    root = tmp_path_factory.mktemp("app-api")
    proc = AppProcess(root / "store", root / "app.log")  # an empty store: the app builds it
    try:
        proc.wait_ready()
        yield proc
    finally:
        proc.stop()


# ------------------------------------------------------------------ /answer


def distinct_answered_cases(store: Path, count: int) -> list[tuple[str, dict[str, Any]]]:
    """The first `count` eval/dev/public.jsonl questions the Answerer answers, with distinct
    values, each with the answer the Answerer gives when called directly."""
    from qa.answerer import Answerer

    answerer = Answerer(store)
    picked: list[tuple[str, dict[str, Any]]] = []
    values: set[str] = set()
    for line in (ROOT / "eval" / "dev" / "public.jsonl").read_text("utf-8").splitlines():
        question = json.loads(line)["question"]
        answer = answerer.ask(question)
        if answer["status"] == "answered" and answer["value"] not in values:
            values.add(answer["value"])
            picked.append((question, answer))
        if len(picked) == count:
            break
    answerer.stores.close()
    return picked


@pytest.mark.slow
def test_answer_endpoint_returns_the_contract_dict(server: AppProcess) -> None:
    from gradio_client import Client

    client = Client(server.url, verbose=False)
    assert list(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == [
        "/answer"
    ]
    result = client.predict("how many 12345 工单 did Yuelu handle in 2021?", api_name="/answer")
    assert isinstance(result, dict)
    assert {"question", "status", "answer", "value", "unit", "citations", "elapsed_ms"} <= set(
        result
    )
    assert (result["status"], result["value"]) == ("answered", "84395")
    assert result["citations"][0]["report"] == "004_abd4107061c8b5b5.txt"
    assert "84395" in result["citations"][0]["quote"]


@pytest.mark.slow
def test_twenty_concurrent_clients_each_get_their_own_answer(server: AppProcess) -> None:
    from gradio_client import Client

    cases = distinct_answered_cases(server.store, 20)
    assert len(cases) == 20
    results: dict[int, Any] = {}
    start = threading.Barrier(len(cases))

    def ask(i: int, question: str) -> None:
        try:
            client = Client(server.url, verbose=False)
            start.wait(timeout=60)  # all 20 questions in flight together
            results[i] = client.predict(question, api_name="/answer")
        except Exception as exc:  # reported below with the question
            results[i] = exc

    threads = [threading.Thread(target=ask, args=(i, q)) for i, (q, _) in enumerate(cases)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    for i, (question, expected) in enumerate(cases):
        got = results.get(i)
        assert isinstance(got, dict), f"{question}: {got!r}"
        assert got["question"] == question
        assert (got["status"], got["value"], got["unit"]) == (
            "answered",
            expected["value"],
            expected["unit"],
        ), question
        assert got["citations"] == expected["citations"], question


@pytest.mark.slow
def test_answerer_ask_is_thread_safe(server: AppProcess) -> None:
    """Answerer.ask documents thread safety; the app relies on it for concurrent asks."""
    from concurrent.futures import ThreadPoolExecutor

    from qa.answerer import Answerer

    cases = distinct_answered_cases(server.store, 20)
    answerer = Answerer(server.store)
    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            got = list(pool.map(answerer.ask, [q for q, _ in cases] * 3))
    finally:
        answerer.stores.close()
    for answer, (question, expected) in zip(got, cases * 3, strict=True):
        assert (answer["question"], answer["value"], answer["citations"]) == (
            question,
            expected["value"],
            expected["citations"],
        )


# ------------------------------------------------------------------ uploads


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.txt", "report.txt"),
        ("硚口区 2020 决算.PDF", "硚口区 2020 决算.pdf"),
        ("../../etc/报告.md", "报告.md"),
        ("C:\\Users\\x\\预算 (1).docx", "预算 _1.docx"),
        ("..hidden.txt", "hidden.txt"),
        ("<script>alert(1)</script>.txt", "script.txt"),  # the "/" ends a directory
        ("<b>预算</b> 2024.md", "b_ 2024.md"),
        ("｀全角．ｔｘｔ", "全角.txt"),  # NFKC: full-width dot and letters fold to ASCII
        ("a\x00b\tc.txt", "a_b_c.txt"),
        ("__.txt", "report.txt"),
    ],
)
def test_safe_upload_name(name: str, expected: str) -> None:
    assert app.safe_upload_name(name) == expected


@pytest.mark.parametrize(
    "name", ["report.exe", "report", "report.txt.sh", "../", "archive.tar.gz", ".txt"]
)
def test_safe_upload_name_refuses_other_types(name: str) -> None:
    with pytest.raises(app.UploadError, match="is not a .txt / .md / .pdf / .docx file"):
        app.safe_upload_name(name)


def test_stage_uploads_refuses_oversized_and_duplicate_files(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "store", max_bytes=10)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    small, big, twin = (
        tmp_path / "a" / "small.txt",
        tmp_path / "a" / "big.txt",
        tmp_path / "b" / "small.txt",
    )
    small.write_text("12345")
    big.write_text("12345678901")
    twin.write_text("x")
    with pytest.raises(app.UploadError) as err:
        app.stage_uploads([small, big, twin], settings)
    assert str(err.value).splitlines() == [
        "error: big.txt: 11 bytes is over the 10-byte limit (DQA_MAX_BYTES)",
        "error: small.txt: two files with this name in one upload",
    ]
    assert not (tmp_path / "store").exists()  # nothing copied
    staged = app.stage_uploads([small], settings)
    assert [p.name for p in staged] == ["small.txt"]
    assert staged[0].parent.parent == tmp_path / "store" / "uploads"
    assert staged[0].read_text() == "12345"


def test_upload_adds_good_reports_and_refuses_bad_ones(tmp_path: Path, fake_pipeline: Any) -> None:
    """The Reports tab's add: bad files change nothing; a good one is added and answerable."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "base.txt").write_text("收入支出决算总表 住房公积金 20.04\n", "utf-8")
    settings = Settings(store=tmp_path / "store", embed_model="keywords")
    service = app.Service(settings, corpus)
    service.start().join(timeout=120)
    assert service.ready.is_set(), service.status
    before = service.report_rows()
    assert [r[0] for r in before] == ["base.txt"]

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    empty = inbox / "empty.txt"
    empty.write_text("")
    message = service.add_reports([str(empty)])
    assert message.splitlines()[0].startswith("error: empty.txt: ")
    assert message.splitlines()[-1].startswith("Nothing was added")
    assert service.report_rows() == before
    assert list((settings.store / "uploads").rglob("*.*")) == []  # the refused copy is gone

    exe = inbox / "tool.exe"
    exe.write_text("MZ")
    assert service.add_reports([str(exe)]) == (
        "error: 'tool.exe' is not a .txt / .md / .pdf / .docx file; convert it first\nNothing was added."
    )

    good = inbox / "新 报告<b>.txt"
    good.write_text("收入支出决算总表 住房公积金 30.50\n", "utf-8")
    message = service.add_reports([str(good)])
    assert message.startswith("added 新 报告_b.txt: "), message
    assert [r[0] for r in service.report_rows()] == ["base.txt", "新 报告_b.txt"]
    assert [p.name for p in (settings.store / "uploads").rglob("*.txt")] == ["新 报告_b.txt"]
    assert "新 报告_b.txt" in service.answerer.info  # the Answerer was refreshed
    # the same bytes again: unchanged, nothing new kept
    assert service.add_reports([str(good)]) == "unchanged 新 报告_b.txt"
    assert len(list((settings.store / "uploads").rglob("*.txt"))) == 1


def test_questions_before_the_index_is_ready_get_a_status_message(tmp_path: Path) -> None:
    service = app.Service(Settings(store=tmp_path / "store"), tmp_path / "corpus")
    service.ready_wait = 0.2  # a question waits for the index this long, then says "loading"
    answer = service.ask("硚口区2020年绩效工资是多少？")
    assert answer == {
        "question": "硚口区2020年绩效工资是多少？",
        "status": "loading",
        "answer": "Starting…",
        "error": "Starting…",
        "value": None,
        "unit": "",
        "citations": [],
        "elapsed_ms": 0.0,
    }
    assert service.add_reports(["x.txt"]) == "The index is not ready yet: Starting…"


def test_an_index_that_cannot_load_answers_error_not_not_found(tmp_path: Path) -> None:
    service = app.Service(Settings(store=tmp_path / "store"), tmp_path / "corpus")
    service.error = "the corpus build failed"
    answer = service.ask("硚口区2020年绩效工资是多少？")
    assert (answer["status"], answer["value"]) == ("error", None)
    assert "the corpus build failed" in answer["error"]


def test_a_readonly_app_takes_no_upload(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("DQA_READONLY", "1")
    settings = Settings.from_env(tmp_path / "store")
    assert settings.readonly
    service = app.Service(settings, tmp_path / "corpus")
    service.ready.set()  # refused before the store is touched, ready or not
    inbox = tmp_path / "r.txt"
    inbox.write_text("收入支出决算总表 住房公积金 30.50\n", "utf-8")
    assert service.add_reports([str(inbox)]).startswith("This app is read-only")
    assert not (tmp_path / "store").exists()
    monkeypatch.setenv("DQA_READONLY", "0")
    assert not Settings.from_env(tmp_path / "store").readonly


def test_login_pairs_from_the_environment_or_a_file(tmp_path: Path) -> None:
    assert app.parse_auth("") is None
    assert app.parse_auth("ann:s3cret, bo:pa:ss") == [("ann", "s3cret"), ("bo", "pa:ss")]
    users = tmp_path / "users"
    users.write_text("# office\nann:s3cret\n\ncai:x\n", "utf-8")
    assert app.parse_auth(str(users)) == [("ann", "s3cret"), ("cai", "x")]
    with pytest.raises(ValueError, match="'ann' needs the form user:password"):
        app.parse_auth("ann:,bo:x")
