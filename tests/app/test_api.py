"""app.py: the `/answer` API endpoint under concurrent clients, and report uploads.

The slow tests start `python app.py` on an empty store, so they also cover the first-start
build from corpus/.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
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
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


app = load_app()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AppProcess:
    """`python app.py --store STORE --port N` in a subprocess, its log in a file."""

    def __init__(self, store: Path, log_path: Path, *args: str, **env_vars: str) -> None:
        self.store = store
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        env = {**os.environ, "GRADIO_TEMP_DIR": str(store.parent / "gradio-tmp"), **env_vars}
        self._log = log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "app.py", "--store", str(store), "--port", str(self.port), *args],
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


def test_a_login_guards_the_api(server: AppProcess, tmp_path: Path) -> None:
    """DQA_AUTH (with DQA_READONLY, as a shared deployment runs) driven through gradio_client on
    a second app process over the same store: no login or a wrong password, no answer; with the
    login, the contract dict, and /answer still the only public endpoint."""
    from gradio_client import Client

    guarded = AppProcess(server.store, tmp_path / "guarded.log", DQA_AUTH="ann:s3cret", DQA_READONLY="1")
    try:
        guarded.wait_ready()
        with pytest.raises(Exception):  # noqa: B017 - gradio_client's own error for a refused login
            Client(guarded.url, verbose=False).predict("how many 12345 工单 did Yuelu handle in 2021?",
                                                      api_name="/answer")
        with pytest.raises(Exception):  # noqa: B017
            Client(guarded.url, auth=("ann", "wrong"), verbose=False)
        client = Client(guarded.url, auth=("ann", "s3cret"), verbose=False)
        result = client.predict("how many 12345 工单 did Yuelu handle in 2021?", api_name="/answer")
        assert (result["status"], result["value"]) == ("answered", "84395")
        endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
        assert list(endpoints) == ["/answer"]
    finally:
        guarded.stop()


def test_a_question_over_the_length_limit_is_an_error_through_the_api(server: AppProcess) -> None:
    """Issue 12.1 at the API: a 10,000-character question is refused at once with the limit
    named (it once took 4-6 s of everyone's CPU and came back "ambiguous" with candidates)."""
    from gradio_client import Client

    client = Client(server.url, verbose=False)
    started = time.monotonic()
    result = client.predict("比多少" * 3334, api_name="/answer")
    assert (result["status"], result["value"], result["citations"]) == ("error", None, [])
    assert "over the 500-character limit" in result["error"]
    assert time.monotonic() - started < 3  # a round trip, no parsing


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


# 20 clients x 10 questions (issue 12, item 4). Measured on the 2-core machine with other jobs
# running (load average 4-12): p50 0.39-0.82 s, p95 0.57-1.33 s; the target is p95 <= 1 s. The
# bound has the margin a shared CI machine needs; the numbers go to tests/artifacts/load.json.
LOAD_CLIENTS = 20
LOAD_QUESTIONS = 10
LOAD_TARGET_P95 = 1.0
LOAD_BOUND_P95 = 2.5


@pytest.mark.slow
def test_twenty_clients_asking_ten_questions_each_get_their_own_answers(server: AppProcess) -> None:
    import statistics

    from gradio_client import Client

    cases = distinct_answered_cases(server.store, LOAD_CLIENTS)
    assert len(cases) == LOAD_CLIENTS
    results: dict[int, list[tuple[str, Any, float]]] = {}
    start = threading.Barrier(LOAD_CLIENTS)

    def run(i: int) -> None:
        # ssl_verify=False: with it on, gradio_client loads the CA bundle into a new SSL context
        # for each call (about 55 ms of CPU each, twice a call), even for http://127.0.0.1; 20
        # such clients on this 2-core machine measure the client (p95 3.2-3.9 s), not the app
        client = Client(server.url, verbose=False, ssl_verify=False)
        got: list[tuple[str, Any, float]] = []
        start.wait(timeout=120)
        for k in range(LOAD_QUESTIONS):
            question = cases[(i + k) % len(cases)][0]  # every question in flight at once
            began = time.perf_counter()
            try:
                answer: Any = client.predict(question, api_name="/answer")
            except Exception as exc:  # reported below with the question
                answer = exc
            got.append((question, answer, time.perf_counter() - began))
        results[i] = got

    threads = [threading.Thread(target=run, args=(i,)) for i in range(LOAD_CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    expected = dict(cases)
    latencies = []
    for i in range(LOAD_CLIENTS):
        assert len(results.get(i, [])) == LOAD_QUESTIONS, f"client {i}: {results.get(i)!r}"
        for question, answer, seconds in results[i]:
            assert isinstance(answer, dict), f"client {i}, {question}: {answer!r}"
            want = expected[question]
            assert (answer["question"], answer["status"], answer["value"], answer["unit"]) == (
                question, "answered", want["value"], want["unit"]
            ), f"client {i}"  # fmt: skip
            assert answer["citations"] == want["citations"], question
            latencies.append(seconds)
    cuts = statistics.quantiles(latencies, n=100)
    p50, p95 = cuts[49], cuts[94]
    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    report = {"clients": LOAD_CLIENTS, "questions_each": LOAD_QUESTIONS, "calls": len(latencies),
              "p50_s": round(p50, 3), "p95_s": round(p95, 3), "max_s": round(max(latencies), 3),
              "target_p95_s": LOAD_TARGET_P95, "bound_p95_s": LOAD_BOUND_P95}  # fmt: skip
    (artifacts / "load.json").write_text(json.dumps(report) + "\n", "utf-8")
    assert p95 < LOAD_BOUND_P95, report


# ------------------------------------------------------------------ follow-ups (the chat only)

QIAOKOU_2020 = "硚口区网格化中心2020年公用经费合计是多少？"


@pytest.mark.slow
def test_answer_is_stateless_a_scripts_question_is_never_a_followup(server: AppProcess) -> None:
    """One client, one Gradio session: `/answer` still asks "那2024年呢？" as it is."""
    from gradio_client import Client

    client = Client(server.url, verbose=False, ssl_verify=False)
    first = client.predict(QIAOKOU_2020, api_name="/answer")
    assert (first["question"], first["status"], first["value"]) == (QIAOKOU_2020, "answered", "15.56")
    second = client.predict("那2024年呢？", api_name="/answer")
    assert second["question"] == "那2024年呢？"
    assert second["value"] != "27.38"  # the 2024 公用经费合计, which only the chat's rewrite asks


@pytest.mark.slow
def test_the_chat_reads_a_followup_of_the_sessions_previous_question(server: AppProcess) -> None:
    service = app.Service(Settings(store=server.store), ROOT / "corpus")
    service.ready_wait = 0
    service.start().join(timeout=300)
    assert service.ready.is_set(), service.status
    try:
        asked = service.followup("那2024年呢？", QIAOKOU_2020)
        assert (asked.question, asked.rewritten, asked.changed) == (
            "硚口区网格化中心2024年公用经费合计是多少？", True, ("year",)
        )  # fmt: skip
        assert service.ask(asked.question)["value"] == "27.38"
        assert app.asked_note("那2024年呢？", asked.question) == "（按：硚口区网格化中心2024年公用经费合计是多少？）"
        english = service.followup("and Lusong?", "What was Qiaokou's basic expenditure in 2020?")
        assert english.question == "What was Lusong's basic expenditure in 2020?"
        assert service.ask(english.question)["value"] == "93.72"
        # a full question is asked as typed, a message with no previous question too
        assert service.followup("芦淞区2020年基本支出是多少？", QIAOKOU_2020).rewritten is False
        assert service.followup("那2024年呢？", "").question == "那2024年呢？"
    finally:
        service.answerer.stores.close()


def test_a_followup_before_the_index_is_ready_is_asked_as_typed(tmp_path: Path) -> None:
    service = app.Service(Settings(store=tmp_path / "store"), tmp_path / "corpus")
    asked = service.followup(" 那2024年呢？ ", QIAOKOU_2020)
    assert asked == app.Rewrite("那2024年呢？", False, reason="the index is not ready")


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


@pytest.mark.slow
def test_the_reports_tab_lists_each_reports_findings_with_their_figures(server: AppProcess) -> None:
    """Issue 8: the Wuchang report's 事业运行 372.78 (公开 05 表) vs 367.67 (the text), both cited."""
    service = app.Service(Settings(store=server.store), ROOT / "corpus")
    service.ready_wait = 0
    service.start().join(timeout=300)
    assert service.ready.is_set(), service.status
    try:
        entries = {r["name"]: (r, f) for r, f in service.report_findings()}
        report, found = entries["003_37777d28b5322ccf.txt"]
        assert app.view.identity_text(report) == "武汉市武昌区城市运行管理中心 · 2024 · 决算 · 部门"
        wuchang = next(f for f in found if f["rule"] == "text_item_matches_table")
        assert wuchang["severity"] == "error"
        assert [(g["value"], g["locator"]) for g in wuchang["figures"]] == [
            ("367.67", "（三）一般公共预算财政拨款支出决算具体情况, line 428"),
            ("372.78", "公开 05 表, row “2010350 事业运行”, column “本年支出 / 小计”, line 243"),
        ]
        # the same as `python -m index check NAME --json` prints
        done = subprocess.run(
            [sys.executable, "-m", "index", "check", "003_37777d28b5322ccf.txt", "--json",
             "--store", str(server.store)],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert json.loads(done.stdout) == {"report": "003_37777d28b5322ccf.txt", "findings": found}
        rows = {r[0]: r for r in service.report_rows()}
        assert rows["003_37777d28b5322ccf.txt"][-1] == app.view.findings_summary(found)
    finally:
        service.answerer.stores.close()


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
    with pytest.raises(app.UploadError, match=r"is not a \.txt / \.md / \.pdf / \.docx / \.html / .* / \.csv file"):
        app.safe_upload_name(name)


@pytest.mark.parametrize("name", ["预算.xlsx", "决算.xls", "tables.csv", "report.HTML", "page.htm"])
def test_uploads_take_every_type_index_add_reads(name: str) -> None:
    # the upload control and `index add` read one list of types (index/formats.py)
    assert app.safe_upload_name(name).lower().endswith(name.rsplit(".", 1)[1].lower())


def test_check_uploads_refuses_oversized_files_and_copies_nothing(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "store", max_bytes=10)
    (tmp_path / "a").mkdir()
    small, big = tmp_path / "a" / "small.txt", tmp_path / "a" / "big.txt"
    small.write_text("12345")
    big.write_text("12345678901")
    with pytest.raises(app.UploadError) as err:
        app.check_uploads([small, big, tmp_path / "a" / "gone.txt"], settings)
    assert str(err.value).splitlines() == [
        "error: big.txt: 11 bytes is over the 10-byte limit (DQA_MAX_BYTES)",
        "error: gone.txt: cannot read the upload (No such file or directory)",
    ]
    assert not (tmp_path / "store").exists()  # nothing copied
    files = app.check_uploads([small], settings)
    assert files == [(small, "small.txt")]
    plans = app.plan_uploads(files, {})
    staged = app.stage_uploads(plans, settings)
    assert [p.name for p in staged] == ["small.txt"]
    assert staged[0].parent.parent == tmp_path / "store" / "uploads"
    assert staged[0].read_text() == "12345"


def sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize(
    ("uploads", "stored", "replace", "expected"),
    [
        # a free name is kept
        ([("x.txt", "new")], {}, False, [("x.txt", "add", "x.txt")]),
        # issue 12: a file named like a stored report never replaces it silently
        ([("004_abd4107061c8b5b5.txt", "new")], {"004_abd4107061c8b5b5.txt": sha("old")}, False,
         [("004_abd4107061c8b5b5-2.txt", "add", "004_abd4107061c8b5b5.txt")]),
        # -2 taken too: -3
        ([("x.txt", "new")], {"x.txt": sha("a"), "x-2.txt": sha("b")}, False, [("x-3.txt", "add", "x.txt")]),
        # asked for: replace (the app then shows what changes and asks for a confirmation)
        ([("x.txt", "new")], {"x.txt": sha("old")}, True, [("x.txt", "replace", "x.txt")]),
        # the same bytes are unchanged, under whatever name they are stored
        ([("x.txt", "old")], {"x.txt": sha("old")}, True, [("x.txt", "unchanged", "x.txt")]),
        ([("copy.txt", "old")], {"x.txt": sha("old")}, False, [("x.txt", "unchanged", "copy.txt")]),
        # two files of one upload that collapse to one name (../../etc/x.txt, ..\\..\\x.txt)
        ([("x.txt", "one"), ("x.txt", "two")], {}, False,
         [("x.txt", "add", "x.txt"), ("x-2.txt", "add", "x.txt")]),
        ([("x.txt", "one"), ("x.txt", "two")], {"x.txt": sha("old")}, True,
         [("x.txt", "replace", "x.txt"), ("x-2.txt", "add", "x.txt")]),
        ([("x.txt", "one"), ("y.txt", "one")], {}, False,
         [("x.txt", "add", "x.txt"), ("x.txt", "unchanged", "y.txt")]),
    ],
)  # fmt: skip
def test_plan_uploads_never_takes_a_stored_name_unasked(
    tmp_path: Path,
    uploads: list[tuple[str, str]],
    stored: dict[str, str],
    replace: bool,
    expected: list[tuple[str, str, str]],
) -> None:
    files = []
    for i, (name, text) in enumerate(uploads):
        (tmp_path / str(i)).mkdir()
        (tmp_path / str(i) / name).write_text(text)
        files.append((tmp_path / str(i) / name, name))
    plans = app.plan_uploads(files, stored, replace)
    assert [(p.name, p.action, p.wanted) for p in plans] == expected


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
        "error: 'tool.exe' is not a .txt / .md / .pdf / .docx / .html / .htm / .xlsx / .xlsm / .xls / .csv file; "
        "convert it first\nNothing was added."
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


def ready_service(tmp_path: Path, **settings: Any) -> Any:
    """A Service over a store built from one small corpus report, base.txt (fake pipeline)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "base.txt").write_text("收入支出决算总表 住房公积金 20.04\n", "utf-8")
    service = app.Service(Settings(store=tmp_path / "store", embed_model="keywords", **settings), corpus)
    service.start().join(timeout=120)
    assert service.ready.is_set(), service.status
    return service


def stored(service: Any) -> dict[str, tuple[int, str]]:
    """Report name -> (facts, sha256 prefix), read from the store."""
    return {r["name"]: (r["facts"], r["sha256"][:12]) for r in service._stored()}


def upload_file(tmp_path: Path, relative: str, text: str) -> str:
    """A file as a browser hands it over: its name may carry a path (kept in `relative`)."""
    path = tmp_path / "inbox" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return str(path)


def audit_lines(service: Any) -> list[tuple[str, str, str]]:
    path = app.audit_path(service.settings)
    entries = [json.loads(line) for line in path.read_text("utf-8").splitlines()] if path.exists() else []
    for entry in entries:
        assert time.strptime(entry["at"][:19], "%Y-%m-%dT%H:%M:%S")  # when
    return [(e["who"], e["action"], e["report"]) for e in entries]


def test_an_upload_named_like_a_stored_report_gets_a_name_of_its_own(tmp_path: Path, fake_pipeline: Any) -> None:
    """Issue 12.3: uploading `base.txt` (stored from the corpus) silently replaced it."""
    service = ready_service(tmp_path)
    before = stored(service)
    message = service.add_reports([upload_file(tmp_path, "a/base.txt", "住房公积金 99.99\n")], who="ann")
    assert message.splitlines()[0].startswith("added base-2.txt: "), message
    assert message.splitlines()[1] == (
        "note: stored as base-2.txt: a report named base.txt is already stored "
        "(tick “Replace a stored report of the same name” to replace it)"
    )
    after = stored(service)
    assert after["base.txt"] == before["base.txt"]  # the stored report kept its figures
    assert after["base-2.txt"][0] == 1
    # the 20.04 of base.txt is still what the store answers from
    assert [f.raw for f in service.answerer.stores.facts.facts(["base.txt"])] == ["20.04"]
    assert audit_lines(service) == [("ann", "added", "base-2.txt")]


def test_names_that_collapse_to_one_base_name_do_not_replace_each_other(
    tmp_path: Path, fake_pipeline: Any
) -> None:
    service = ready_service(tmp_path)
    first = upload_file(tmp_path, "u1/../../etc/x.txt", "住房公积金 1.11\n")
    second = upload_file(tmp_path, "u2/..\\..\\x.txt", "住房公积金 2.22\n")
    assert Path(second).name == "..\\..\\x.txt"
    assert service.add_reports([first]).startswith("added x.txt: ")
    assert service.add_reports([second]).startswith("added x-2.txt: ")
    # in one upload too
    third = upload_file(tmp_path, "u3/x.txt", "住房公积金 3.33\n")
    fourth = upload_file(tmp_path, "u4/../x.txt", "住房公积金 4.44\n")
    lines = service.add_reports([third, fourth]).splitlines()
    assert [line.split(":")[0] for line in lines if not line.startswith("note")] == ["added x-3.txt", "added x-4.txt"]
    facts = {n: [f.raw for f in service.answerer.stores.facts.facts([n])] for n in stored(service)}
    assert facts == {"base.txt": ["20.04"], "x.txt": ["1.11"], "x-2.txt": ["2.22"],
                     "x-3.txt": ["3.33"], "x-4.txt": ["4.44"]}  # fmt: skip
    # the same bytes again, under any name: unchanged, never a copy
    again = upload_file(tmp_path, "u5/other.txt", "住房公积金 2.22\n")
    assert service.add_reports([again]) == "unchanged x-2.txt: other.txt has the same content"
    assert service.upload([again], replace=True).message == "unchanged x-2.txt: other.txt has the same content"
    assert len(stored(service)) == 5
    assert sorted(p.name for p in (tmp_path / "store" / "uploads").rglob("*.txt")) == [
        "x-2.txt", "x-3.txt", "x-4.txt", "x.txt"
    ]


def test_replacing_shows_what_changes_and_waits_for_the_confirmation(tmp_path: Path, fake_pipeline: Any) -> None:
    service = ready_service(tmp_path)
    before = stored(service)
    new = upload_file(tmp_path, "r/base.txt", "收入支出决算总表 住房公积金 30.50 住房公积金 1.50\n")
    reply = service.upload([new], replace=True, who="ann")
    assert reply.token and reply.message.startswith("Replacing base.txt needs your confirmation")
    (change,) = reply.changes
    assert change.name == "base.txt"
    assert (change.stored["facts"], change.new["facts"]) == (1, 2)
    assert (change.stored["org"], change.new["org"]) == ("长沙市岳麓区网格化综合服务中心",) * 2
    assert change.stored["sha256"] == before["base.txt"][1] != change.new["sha256"]
    assert stored(service) == before  # nothing written before the confirmation
    html_ = app.view.replace_preview_html(reply.changes)
    assert 'class="dqa-changed"' in html_ and "Replace base.txt?" in html_

    # cancelled: nothing written, the staged copy gone; the token is spent
    assert service.cancel_replace(reply.token) == "Cancelled: nothing was added or replaced."
    assert stored(service) == before
    assert list((tmp_path / "store" / "uploads").rglob("*.txt")) == []
    assert service.confirm_replace(reply.token).startswith("Nothing to confirm")

    reply = service.upload([new], replace=True, who="ann")
    message = service.confirm_replace(reply.token, who="bo")
    assert message.startswith("replaced base.txt: "), message
    assert stored(service)["base.txt"][0] == 2
    assert [f.raw for f in service.answerer.stores.facts.facts(["base.txt"])] == ["30.50", "1.50"]
    assert audit_lines(service) == [("bo", "replaced", "base.txt")]


def test_a_confirmation_after_the_store_changed_replaces_nothing(tmp_path: Path, fake_pipeline: Any) -> None:
    service = ready_service(tmp_path)
    reply = service.upload([upload_file(tmp_path, "r/base.txt", "住房公积金 7.77\n")], replace=True)
    # meanwhile someone else replaces base.txt
    other = service.upload([upload_file(tmp_path, "s/base.txt", "住房公积金 8.88\n")], replace=True)
    assert service.confirm_replace(other.token).startswith("replaced base.txt")
    assert service.confirm_replace(reply.token).startswith("The stored reports changed since the preview")
    assert [f.raw for f in service.answerer.stores.facts.facts(["base.txt"])] == ["8.88"]


def test_remove_a_report_and_refuse_a_bad_name(tmp_path: Path, fake_pipeline: Any) -> None:
    service = ready_service(tmp_path)
    service.add_reports([upload_file(tmp_path, "a/new.txt", "住房公积金 5.55\n")], who="ann")
    before = stored(service)
    for bad in ("nope.txt", "", "../base.txt"):
        assert service.remove_report(bad, who="ann").startswith("error: "), bad
        assert stored(service) == before
    assert service.remove_report("new.txt", who="bo") == "removed new.txt"
    assert list(stored(service)) == ["base.txt"]
    assert "new.txt" not in service.answerer.info  # the Answerer no longer answers from it
    assert list((tmp_path / "store" / "uploads").rglob("*.txt")) == []  # nor is its copy kept
    assert audit_lines(service) == [("ann", "added", "new.txt"), ("bo", "removed", "new.txt")]


def test_reread_reads_a_report_again_from_its_source_file(
    tmp_path: Path, fake_pipeline: Any, monkeypatch: Any
) -> None:
    import index.analyse

    service = ready_service(tmp_path)
    service.add_reports([upload_file(tmp_path, "a/new.txt", "住房公积金 5.55\n")])
    reads: list[str] = []
    analyse = index.analyse.analyse_file

    def counting(path: Path, max_bytes: int) -> Any:
        reads.append(str(path))
        return analyse(path, max_bytes)

    monkeypatch.setattr(index.analyse, "analyse_file", counting)
    # a report is re-read from the bytes the store kept when it was read (store/originals/),
    # else from its upload copy, else from corpus/
    message = service.reread_report("new.txt", who="ann")
    assert message.startswith("re-read new.txt: "), message
    assert reads and Path(reads[-1]).parent.parent == tmp_path / "store" / "originals"
    shutil.rmtree(tmp_path / "store" / "originals")
    assert service.reread_report("new.txt").startswith("re-read new.txt: ")
    assert Path(reads[-1]).parent.parent == tmp_path / "store" / "uploads"
    assert service.reread_report("base.txt").startswith("re-read base.txt: ")
    assert reads[-1] == str(tmp_path / "corpus" / "base.txt")
    assert stored(service)["base.txt"][0] == 1
    # no source file kept: say so, change nothing
    shutil.rmtree(tmp_path / "store" / "originals", ignore_errors=True)
    (tmp_path / "corpus" / "base.txt").unlink()
    before = stored(service)
    assert "the store keeps no source file for it" in service.reread_report("base.txt")
    assert service.reread_report("nope.txt").startswith("error: no report named 'nope.txt'")
    assert stored(service) == before
    assert [a for _, a, _ in audit_lines(service)] == ["added", "re-read", "re-read", "re-read"]


def test_a_readonly_app_changes_nothing(tmp_path: Path, fake_pipeline: Any) -> None:
    service = ready_service(tmp_path)
    before = stored(service)
    pending = service.upload([upload_file(tmp_path, "r/base.txt", "住房公积金 7.77\n")], replace=True)
    service.settings = Settings(store=service.settings.store, embed_model="keywords", readonly=True)
    new = upload_file(tmp_path, "a/new.txt", "住房公积金 5.55\n")
    for attempt in (
        lambda: service.add_reports([new]),
        lambda: service.upload([new], replace=True).message,
        lambda: service.confirm_replace(pending.token),
        lambda: service.remove_report("base.txt"),
        lambda: service.reread_report("base.txt"),
    ):
        assert attempt().startswith("This app is read-only (DQA_READONLY=1)")
    assert stored(service) == before
    assert audit_lines(service) == []


def test_questions_before_the_index_is_ready_get_a_status_message(tmp_path: Path) -> None:
    service = app.Service(Settings(store=tmp_path / "store"), tmp_path / "corpus")
    service.ready_wait = 0.2  # a question waits for the index this long, then says "loading"
    answer = service.ask("硚口区2020年绩效工资是多少？")
    assert answer == {
        "question": "硚口区2020年绩效工资是多少？",
        "status": "loading",
        "answer": "Not answered yet: the index is still loading (Starting…). Ask again when the status line says Ready.",
        "error": "Not answered yet: the index is still loading (Starting…). Ask again when the status line says Ready.",
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


def test_a_failing_answer_is_status_error_not_not_found(tmp_path: Path) -> None:
    class Broken:
        def ask(self, question: str) -> dict[str, Any]:
            raise RuntimeError("boom")

    service = app.Service(Settings(store=tmp_path / "store"), tmp_path / "corpus")
    service.answerer = Broken()
    service.ready.set()
    service._last_refresh = time.monotonic()  # no refresh of the stand-in
    answer = service.ask("硚口区2020年绩效工资是多少？")
    assert (answer["status"], answer["value"], answer["citations"]) == ("error", None, [])
    assert answer["error"] == "Internal error while answering; see the server log."


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
