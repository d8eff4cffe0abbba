"""app.py in a real browser: headless chromium, driven over the DevTools protocol, asks a
question, sees the figure and its source, and saves screenshots.

Screenshots go to tests/artifacts/; with DQA_UPDATE_SCREENSHOT=1 the README's
docs/screenshot.png is rewritten too.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from index.build import build_corpus
from index.config import Settings

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
YUELU = "how many 12345 工单 did Yuelu handle in 2021?"
TABLE_QUESTION = "硚口区2020年绩效工资是多少？"
CJK_FONT = "fonts-wqy-microhei"  # 4 MB; fonts-noto-cjk would do too, at 60 MB
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1500,1100",
]


def apt_install(*packages: str) -> str:
    """`apt-get install -y PACKAGES` (root only); returns '' or why it failed."""
    if os.geteuid() != 0:
        return "not root"
    try:
        done = subprocess.run(
            ["apt-get", "install", "-y", *packages],
            capture_output=True,
            text=True,
            timeout=1800,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    return "" if done.returncode == 0 else " ".join((done.stderr or done.stdout).split()[-30:])


def find_chromium() -> str:
    """Debian's chromium, installed with apt when missing and we are root, else a skip.

    A CJK font is installed alongside when there is none: the tests read the DOM, which does
    not need it, but a screenshot without it shows boxes for every Chinese character.
    """
    binary = next(
        (c for c in (shutil.which("chromium"), "/usr/bin/chromium") if c and Path(c).exists()), ""
    )
    if not binary:
        why = apt_install("chromium", CJK_FONT)
        if why or not Path("/usr/bin/chromium").exists():
            pytest.skip(
                f"chromium is not installed and `apt-get install -y chromium` failed ({why}); "
                "install it to run the browser test"
            )
        binary = "/usr/bin/chromium"
    if (
        shutil.which("fc-list")
        and not subprocess.run(
            ["fc-list", ":lang=zh"], capture_output=True, text=True
        ).stdout.strip()
    ):
        why = apt_install(CJK_FONT)
        if why:
            warnings.warn(
                f"no CJK font ({CJK_FONT}: {why}): screenshots will show boxes", stacklevel=1
            )
    return binary


class DevTools:
    """A tiny DevTools-protocol client over one page target (websocket-client, synchronous)."""

    def __init__(self, ws_url: str) -> None:
        import websocket

        # No Origin header: chromium refuses DevTools websockets from unlisted origins.
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self._id = 0

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))

    def evaluate(self, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60.0, what: str = "") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.25)
        page = self.evaluate("document.body ? document.body.innerText : ''") or ""
        raise AssertionError(
            f"timed out waiting for {what or expression}; page text:\n{page[-3000:]}"
        )

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        self.ws.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    binary = find_chromium()
    profile = Path(tempfile.mkdtemp(prefix="dqa-chromium-"))
    proc = subprocess.Popen(
        [
            binary,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while (
            not (port_file.exists() and port_file.read_text().strip())
            and time.monotonic() < deadline
        ):
            if proc.poll() is not None:
                pytest.fail(f"chromium exited with {proc.returncode} before opening DevTools")
            time.sleep(0.2)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
            targets = json.load(resp)
        page = next(t for t in targets if t.get("type") == "page")
        tools = DevTools(page["webSocketDebuggerUrl"])
        tools.send("Page.enable")
        tools.send(
            "Emulation.setDeviceMetricsOverride",
            width=1500,
            height=1100,
            deviceScaleFactor=1,
            mobile=False,
        )
        yield tools
        tools.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("app-browser")
    results = build_corpus(ROOT / "corpus", Settings(store=root / "store"))
    assert all(r.status == "added" for r in results), [r.summary() for r in results]
    proc = api_tests().AppProcess(root / "store", root / "app.log")
    try:
        proc.wait_ready()
        yield proc
    finally:
        proc.stop()


def api_tests() -> ModuleType:
    """test_api.py's AppProcess, loaded by path (whatever pytest's import mode)."""
    spec = importlib.util.spec_from_file_location(
        "dqa_test_api", Path(__file__).with_name("test_api.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ask(tools: DevTools, question: str) -> None:
    """Type into the Gradio textbox (its Svelte store listens to `input`) and click Ask."""
    tools.evaluate(
        "(() => {"
        "const box = document.querySelector('#question textarea');"
        "const set = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set;"
        f"set.call(box, {json.dumps(question)});"
        "box.dispatchEvent(new Event('input', {bubbles: true}));"
        "document.querySelector('#ask').click(); return true; })()"
    )


def open_app(tools: DevTools, url: str) -> None:
    """Open the app and wait until its index is loaded."""
    tools.send("Page.navigate", url=url)
    tools.wait_for(f"{text_of('#status')}.includes('Ready')", what="the ready status")


def text_of(selector: str) -> str:
    return f"(document.querySelector({json.dumps(selector)}) || {{innerText: ''}}).innerText"


def test_ask_in_the_browser_shows_the_figure_and_its_source(browser: DevTools, server: Any) -> None:
    browser.send("Page.navigate", url=server.url)
    browser.wait_for("!!document.querySelector('#question textarea')", what="the question box")
    browser.wait_for(f"{text_of('#status')}.includes('Ready')", what="the ready status")

    ask(browser, YUELU)
    browser.wait_for(f"{text_of('#chat')}.includes('84395')", what="84395 in the chat")
    browser.wait_for(
        f"{text_of('#source')}.includes('004_abd4107061c8b5b5.txt')", what="the citation's source"
    )
    chat = browser.evaluate(text_of("#chat"))
    assert "84395" in chat and "004_abd4107061c8b5b5.txt" in chat
    marked = browser.evaluate(
        "[...document.querySelectorAll('#source mark')].map(m => m.innerText)"
    )
    assert marked == ["84395"]
    browser.screenshot(ARTIFACTS / "browser_yuelu.png")

    # a table answer: the cited cell is highlighted in the rendered table
    ask(browser, TABLE_QUESTION)
    browser.wait_for(f"{text_of('#chat')}.includes('93.44')", what="93.44 in the chat")
    hit = browser.wait_for(
        "(document.querySelector('#source td.dqa-hit') || {innerText: ''}).innerText",
        what="the highlighted cell",
    )
    assert hit == "93.44"
    # report markup (<b>, <input>) is never turned into elements
    assert (
        browser.evaluate(
            "document.querySelectorAll('#source input, #chat input[type=checkbox]').length"
        )
        == 0
    )
    browser.screenshot(ARTIFACTS / "browser_table.png")
    if os.environ.get("DQA_UPDATE_SCREENSHOT") == "1":
        browser.screenshot(ROOT / "docs" / "screenshot.png")


def test_comparison_renders_a_table_and_a_bar_chart(browser: DevTools, server: Any) -> None:
    open_app(browser, server.url)
    # one click on the example button asks it
    browser.evaluate(
        "[...document.querySelectorAll('button')].find(b => b.innerText.trim() === "
        "'硚口 2020 vs 2024 基本支出 compare').click()"
    )
    browser.wait_for(f"{text_of('#chat')}.includes('455.15')", what="455.15 in the chat")
    assert (
        browser.evaluate("document.querySelectorAll('#chat table tr').length") == 3
    )  # header + 2 sides
    widths = browser.wait_for(
        "[...document.querySelectorAll('#chart .dqa-bar')].map(b => b.style.width)", what="the bars"
    )
    assert widths == ["52.3%", "100%"]  # 238.15 / 455.15
    browser.screenshot(ARTIFACTS / "browser_compare.png")


def upload(tools: DevTools, path: Path) -> None:
    """Choose a file in the gr.File control (what a user's file dialog does) and wait for it."""
    root = tools.send("DOM.getDocument")["root"]["nodeId"]
    node = tools.send("DOM.querySelector", nodeId=root, selector="#upload input[type=file]")[
        "nodeId"
    ]
    assert node, "no file input in #upload"
    tools.send("DOM.setFileInputFiles", nodeId=node, files=[str(path)])
    tools.wait_for(
        f"{text_of('#upload')}.includes({json.dumps(path.name)})", what=f"{path.name} uploaded"
    )


def add_result(tools: DevTools, previous: str = "") -> str:
    tools.evaluate("document.querySelector('#add').click()")
    expr = "(document.querySelector('#add-result textarea') || {value: ''}).value"
    return str(
        tools.wait_for(
            f"(() => {{ const v = {expr}; return v && v !== {json.dumps(previous)} ? v : ''; }})()",
            timeout=180,
            what="the add result",
        )
    )


def open_reports_tab(tools: DevTools, url: str) -> None:
    tools.send("Page.navigate", url=url)
    tools.wait_for(f"{text_of('#status')}.includes('Ready')", what="the ready status")
    tools.evaluate(
        "[...document.querySelectorAll('button[role=tab]')].find(b => b.innerText.includes('Reports')).click()"
    )
    tools.wait_for(
        f"{text_of('#report-findings')}.includes('004_abd4107061c8b5b5.txt')", what="the reports panel"
    )


def shown(selector: str) -> str:
    """Whether an element is on the page and displayed (Gradio hides invisible groups)."""
    return (
        f"(() => {{ const e = document.querySelector({json.dumps(selector)}); "
        "return !!e && e.offsetParent !== null && getComputedStyle(e).visibility !== 'hidden'; })()"
    )


def test_reports_tab_shows_each_reports_identity_and_findings(browser: DevTools, server: Any) -> None:
    """Issue 8/10: each report's identity and check findings, each finding with its figures."""
    open_reports_tab(browser, server.url)
    wuchang = "[data-report='003_37777d28b5322ccf.txt']"
    text = browser.wait_for(f"{text_of(wuchang)}.includes('372.78') && {text_of(wuchang)}", what="Wuchang's findings")
    assert "武汉市武昌区城市运行管理中心 · 2024 · 决算 · 部门" in text
    assert "text_item_matches_table" in text
    assert "事业运行（项）支出决算: the text says 367.67 万元, 公开 05 表 prints 372.78 万元" in text
    assert "公开 05 表, row “2010350 事业运行”, column “本年支出 / 小计”, line 243" in text
    assert "（三）一般公共预算财政拨款支出决算具体情况, line 428" in text
    # each cited figure is marked in the line it is printed in
    marks = browser.evaluate(f"[...document.querySelectorAll(\"{wuchang} .dqa-finding[data-rule=text_item_matches_table] mark\")].map(m => m.innerText)")
    assert marks == ["367.67", "372.78"]
    qiaokou = browser.evaluate(text_of("[data-report='000_31904a6d4c850464.txt'] summary"))
    assert "武汉市硚口区社会管理网格化服务中心 · 2020 · 决算 · 单位" in qiaokou
    assert browser.evaluate(shown("#remove")) and browser.evaluate(shown("#reread"))
    # issue 14: how each report was read, a column of the reports table (the seeds are text files)
    table = browser.evaluate(text_of("#reports"))
    assert "read as" in table and table.count("plain text") == 5, table
    browser.evaluate(f"document.querySelector(\"{wuchang}\").scrollIntoView()")
    time.sleep(0.3)
    browser.screenshot(ARTIFACTS / "browser_reports_findings.png")


def changed_copy(tmp_path: Path, name: str, extra: str) -> Path:
    """The corpus report `name` with one line added (new bytes, same figures otherwise)."""
    path = tmp_path / name
    original = (ROOT / "corpus" / "004_abd4107061c8b5b5.txt").read_text("utf-8")
    path.write_text(original + "\n" + extra + "\n", "utf-8")
    return path


def test_reports_tab_lists_reports_and_adds_uploads(
    browser: DevTools, server: Any, tmp_path: Path
) -> None:
    """Adds a report to the server's store (tests after it see one more)."""
    open_reports_tab(browser, server.url)
    panel = browser.evaluate(text_of("#report-findings"))
    for name in (
        "000_31904a6d4c850464.txt",
        "001_4adb7e06924f3751.txt",
        "003_37777d28b5322ccf.txt",
    ):
        assert name in panel
    assert "武汉市硚口区社会管理网格化服务中心" in panel

    empty = tmp_path / "empty.txt"
    empty.write_text("")
    upload(browser, empty)
    message = add_result(browser)
    assert message.startswith("error: empty.txt: ") and message.rstrip().endswith(
        "upload again."
    ), message
    assert "empty.txt" not in browser.evaluate(text_of("#report-findings"))

    good = changed_copy(tmp_path, "岳麓 2021 (copy).txt", "（副本）")  # "(" ")" become "_"
    upload(browser, good)
    message = add_result(browser, message)
    assert message.startswith(
        "added 岳麓 2021 _copy.txt: 长沙市岳麓区网格化综合服务中心 2021 区级 绩效自评"
    ), message
    browser.wait_for(
        f"{text_of('#report-findings')}.includes('岳麓 2021 _copy.txt')", what="the new report in the list"
    )
    browser.screenshot(ARTIFACTS / "browser_reports.png")


def test_an_upload_named_like_a_stored_report_needs_a_confirmed_replace(
    browser: DevTools, server: Any, tmp_path: Path
) -> None:
    """Issue 12.3: the same name gets a name of its own; replacing shows what changes first."""
    open_reports_tab(browser, server.url)
    name = "004_abd4107061c8b5b5.txt"
    (tmp_path / "a").mkdir()
    twin = changed_copy(tmp_path / "a", name, "补充说明：本表数据未经审计。")
    upload(browser, twin)
    message = add_result(browser)
    assert message.startswith("added 004_abd4107061c8b5b5-2.txt: "), message
    assert "a report named 004_abd4107061c8b5b5.txt is already stored" in message

    (tmp_path / "b").mkdir()
    other = changed_copy(tmp_path / "b", name, "补充说明：第二版。")
    upload(browser, other)
    browser.evaluate("document.querySelector('#replace input[type=checkbox]').click()")
    browser.wait_for("document.querySelector('#replace input[type=checkbox]').checked", what="the replace box ticked")
    message = add_result(browser, message)
    assert message.startswith(f"Replacing {name} needs your confirmation"), message
    browser.wait_for(shown("#replace-yes"), what="the confirmation buttons")
    preview = browser.wait_for(f"{text_of('#replace-preview')}.includes('stored report') && {text_of('#replace-preview')}", what="the preview")
    assert f"Replace {name}?" in preview and "new file" in preview
    assert "长沙市岳麓区网格化综合服务中心" in preview
    changed = browser.evaluate("[...document.querySelectorAll('#replace-preview tr.dqa-changed th')].map(t => t.innerText)")
    assert "sha256" in changed
    browser.evaluate("document.querySelector('#replace-preview').scrollIntoView()")
    time.sleep(0.3)
    browser.screenshot(ARTIFACTS / "browser_replace_confirm.png")

    # cancel: nothing replaced, the buttons go
    browser.evaluate("document.querySelector('#replace-no').click()")
    expr = "(document.querySelector('#add-result textarea') || {value: ''}).value"
    browser.wait_for(f"{expr}.startsWith('Cancelled')", what="the cancel message")
    browser.wait_for(f"!{shown('#replace-yes')}", what="the confirmation hidden")

    # again (the add took the file and the box was reset), and confirm
    assert browser.evaluate("document.querySelector('#replace input[type=checkbox]').checked") is False
    upload(browser, other)
    browser.evaluate("document.querySelector('#replace input[type=checkbox]').click()")
    message = add_result(browser, browser.evaluate(expr))
    assert message.startswith(f"Replacing {name} needs your confirmation"), message
    browser.wait_for(shown("#replace-yes"), what="the confirmation buttons")
    browser.evaluate("document.querySelector('#replace-yes').click()")
    done = browser.wait_for(f"(() => {{ const v = {expr}; return v.startsWith('replaced') ? v : ''; }})()", timeout=180, what="the replace result")
    assert done.startswith(f"replaced {name}: 长沙市岳麓区网格化综合服务中心 2021"), done
    browser.wait_for(f"!{shown('#replace-yes')}", what="the confirmation hidden")
    log = server.log()
    assert f"replaced {name} by anonymous" in log and "added 004_abd4107061c8b5b5-2.txt by anonymous" in log


def test_a_readonly_app_shows_no_upload_or_remove_controls(
    browser: DevTools, server: Any, tmp_path: Path
) -> None:
    readonly = api_tests().AppProcess(server.store, tmp_path / "readonly.log", DQA_READONLY="1")
    try:
        readonly.wait_ready()
        open_reports_tab(browser, readonly.url)
        for selector in ("#upload", "#add", "#replace", "#remove", "#reread", "#manage-report"):
            assert browser.evaluate(f"!!document.querySelector({json.dumps(selector)})") is False, selector
        assert "372.78" in browser.evaluate(text_of("#report-findings"))  # findings still shown
        browser.screenshot(ARTIFACTS / "browser_reports_readonly.png")
    finally:
        readonly.stop()


def test_a_followup_is_asked_as_the_previous_question_changed(browser: DevTools, server: Any) -> None:
    """Issue 10: "那2024年呢？" keeps the previous question's organisation and metric; the chat
    shows the question it actually asked."""
    open_app(browser, server.url)
    ask(browser, "硚口区网格化中心2020年公用经费合计是多少？")
    browser.wait_for(f"{text_of('#chat')}.includes('15.56')", what="15.56 in the chat")
    ask(browser, "那2024年呢？")
    browser.wait_for(f"{text_of('#chat')}.includes('27.38')", what="27.38 (2024) in the chat")
    ask(browser, "那基本支出呢")
    browser.wait_for(f"{text_of('#chat')}.includes('455.15')", what="455.15 (2024 基本支出) in the chat")
    chat = browser.evaluate(text_of("#chat"))
    for line in ("那2024年呢？", "（按：硚口区网格化中心2024年公用经费合计是多少？）",
                 "那基本支出呢", "（按：硚口区网格化中心2024年基本支出是多少？）"):  # fmt: skip
        assert line in chat, chat
    browser.screenshot(ARTIFACTS / "browser_followup.png")


def test_a_login_comes_before_the_app_and_adds_are_logged_with_who(
    browser: DevTools, server: Any, tmp_path: Path
) -> None:
    """Issue 12.3 in the browser: with DQA_AUTH the page is Gradio's login; a wrong password is
    refused and shows no question box; the right one opens the app, answers, and a report added
    from the Reports tab lands in the audit file under the user who logged in."""
    store = tmp_path / "store"
    shutil.copytree(server.store, store)
    guarded = api_tests().AppProcess(store, tmp_path / "guarded.log", DQA_AUTH="ann:s3cret")
    try:
        guarded.wait_ready()
        browser.send("Network.enable")
        browser.send("Network.clearBrowserCookies")
        browser.send("Page.navigate", url=guarded.url)
        browser.wait_for("!!document.querySelector('input[type=password]')", what="the login form")
        assert browser.evaluate("!!document.querySelector('#question')") is False

        def log_in(password: str) -> None:
            browser.evaluate(
                "(() => {"
                "const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;"
                "const fill = (box, v) => { set.call(box, v); box.dispatchEvent(new Event('input', {bubbles: true})); };"
                "fill(document.querySelector('input[type=text], input:not([type])'), 'ann');"
                f"fill(document.querySelector('input[type=password]'), {json.dumps(password)});"
                "[...document.querySelectorAll('button')].find(b => /login/i.test(b.innerText)).click();"
                "return true; })()"
            )

        log_in("wrong")
        browser.wait_for(
            "/incorrect|invalid|wrong/i.test(document.body.innerText)", what="the refused login"
        )
        assert browser.evaluate("!!document.querySelector('#question')") is False
        log_in("s3cret")
        browser.wait_for(f"{text_of('#status')}.includes('Ready')", timeout=90, what="the app after login")
        ask(browser, YUELU)
        browser.wait_for(f"{text_of('#chat')}.includes('84395')", what="84395 in the chat")

        browser.evaluate(
            "[...document.querySelectorAll('button[role=tab]')].find(b => b.innerText.includes('Reports')).click()"
        )
        browser.wait_for(shown("#upload"), what="the upload control")
        new = changed_copy(tmp_path, "ann's copy.txt", "（登录用户的副本）")
        upload(browser, new)
        message = add_result(browser)
        assert message.startswith("added ann_s copy.txt: "), message
        audit_file = api_tests().app.audit_path(Settings(store=store))
        audit = [json.loads(line) for line in audit_file.read_text("utf-8").splitlines()]
        assert [(a["who"], a["action"], a["report"]) for a in audit] == [("ann", "added", "ann_s copy.txt")]
    finally:
        guarded.stop()


@pytest.fixture(scope="module")
def pdf_server(corpus_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The app on the seeds and the shared real PDFs (read-only: these tests only ask)."""
    if not list((ROOT.parent / "shared" / "real-reports").glob("*.pdf")):
        pytest.skip("../shared/real-reports holds no PDF")
    root = tmp_path_factory.mktemp("app-pdf")
    proc = api_tests().AppProcess(corpus_store, root / "app.log", DQA_READONLY="1")
    try:
        proc.wait_ready()
        yield proc
    finally:
        proc.stop()


def test_a_pdf_citation_shows_its_page_with_the_figure_marked(browser: DevTools, pdf_server: Any) -> None:
    """Issue 10: the cited PDF page rendered with the figure's box marked, and a link that opens
    the original file at that page."""
    open_app(browser, pdf_server.url)
    # 上海市普陀区财政局2024年度部门决算.pdf p. 21: 本年支出合计2940.05万元，其中：基本支出2336.91万元
    ask(browser, "普陀区财政局2024年决算的基本支出是多少？")
    browser.wait_for(f"{text_of('#chat')}.includes('2336.91')", what="2336.91 in the chat")
    caption = browser.wait_for(text_of("#source figure.dqa-page figcaption"), what="the rendered page")
    assert "p. 21" in caption and "the cited figure is marked" in caption
    size = browser.wait_for(
        "(() => { const i = document.querySelector('#source figure.dqa-page img');"
        " return i && i.complete && i.naturalWidth ? [i.naturalWidth, i.naturalHeight] : null; })()",
        what="the page image loaded",
    )
    assert size[0] > 700 and 0 < size[1] < size[0]  # the band of the A4 page around the figure, drawn
    href = browser.evaluate("document.querySelector('#source a.dqa-open-original').href")
    assert href.endswith("#page=21")
    with urllib.request.urlopen(href.split("#")[0], timeout=30) as response:
        assert response.read(5) == b"%PDF-"  # the original file, served
    browser.screenshot(ARTIFACTS / "browser_pdf_page.png")


def test_a_ranking_across_reports_shows_a_table_a_chart_and_a_csv(browser: DevTools, pdf_server: Any) -> None:
    """Issue 10: "which department had the largest …" over every organisation of one year and
    kind: a table sorted as asked, a bar chart, and the rows as CSV, each row cited."""
    open_app(browser, pdf_server.url)
    ask(browser, "2024年决算里哪个单位的项目支出最多？")
    # 规划资源局 p. 20 4381.74 > 财政局 p. 21 603.14 > 武昌 003 line 385 367.67 > 社会工作部 p. 17 202.24
    browser.wait_for(f"{text_of('#chat')}.includes('最高的是上海市普陀区规划和自然资源局')", what="the top of the ranking")
    rows = browser.evaluate(
        "[...document.querySelectorAll('#chat table tr')].slice(1).map(r => r.innerText.split('\\t')[1])"
    )
    assert rows == ["上海市普陀区规划和自然资源局", "上海市普陀区财政局", "武汉市武昌区城市运行管理中心",
                    "中共上海市普陀区委社会工作部"]
    widths = browser.wait_for(
        "[...document.querySelectorAll('#chart .dqa-bar')].map(b => b.style.width)", what="the bars"
    )
    assert widths[0] == "100%" and widths[3] == "4.6%"  # 202.24 / 4381.74
    # the first citation's page is drawn beside it, the figure marked
    caption = browser.wait_for(text_of("#source figure.dqa-page figcaption"), what="the rendered page")
    assert "p. 20" in caption and "the cited figure is marked" in caption
    # the download button, clicked as a user would: the file lands in the browser's download folder
    downloads = Path(tempfile.mkdtemp(prefix="dqa-downloads-"))
    browser.send("Page.setDownloadBehavior", behavior="allow", downloadPath=str(downloads))
    browser.wait_for(shown("#ranking-csv"), what="the CSV download button")
    browser.evaluate("document.querySelector('#ranking-csv').click()")
    deadline = time.monotonic() + 30
    while not list(downloads.glob("*.csv")) and time.monotonic() < deadline:
        time.sleep(0.25)
    files = list(downloads.glob("*.csv"))
    assert files, f"no CSV downloaded into {downloads}"
    text = files[0].read_text(encoding="utf-8-sig")
    shutil.rmtree(downloads, ignore_errors=True)
    lines = text.splitlines()
    assert lines[0].startswith("rank,organisation,year,kind,figure")
    assert lines[1].startswith("1,上海市普陀区规划和自然资源局,2024,决算,4381.74,万元")
    assert len(lines) == 5  # the header and one line per organisation
    browser.screenshot(ARTIFACTS / "browser_ranking.png")
    if os.environ.get("DQA_UPDATE_SCREENSHOT") == "1":
        browser.screenshot(ROOT / "docs" / "screenshot.png")


def test_a_question_asked_while_the_index_loads_says_so_and_is_answered_once_ready(
    browser: DevTools, tmp_path: Path
) -> None:
    """Issue 10, readiness: the page is up before the index (an empty store, built from a corpus
    of the seeds and two real PDFs at start-up); a question asked then is told the index is
    still loading — never "not found" — and the same question is answered once it is ready."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in sorted((ROOT / "corpus").glob("*.txt")):
        shutil.copy(seed, corpus / seed.name)
    pdfs = sorted((ROOT.parent / "shared" / "real-reports").glob("*.pdf"), key=lambda p: p.stat().st_size)
    for pdf in pdfs[:2]:  # a slower first start: the page is surely up before the index
        shutil.copy(pdf, corpus / pdf.name)
    starting = api_tests().AppProcess(tmp_path / "store", tmp_path / "app.log", "--corpus", str(corpus),
                                      DQA_READY_WAIT="1")
    try:
        deadline = time.monotonic() + 120
        while "Running on local URL" not in starting.log() and time.monotonic() < deadline:
            assert starting.proc.poll() is None, starting.log()
            time.sleep(0.2)
        browser.send("Page.navigate", url=starting.url)
        browser.wait_for("!!document.querySelector('#question textarea')", what="the question box")
        status = browser.wait_for(text_of("#status"), what="the status line")
        assert "Ready" not in status and ("Building the index" in status or "Loading the index" in status), status
        ask(browser, YUELU)
        browser.wait_for(
            f"{text_of('#chat')}.includes('Not answered yet: the index is still loading')", what="the loading reply"
        )
        chat = browser.evaluate(text_of("#chat"))
        assert "84395" not in chat and "not found" not in chat.lower() and "没有找到" not in chat
        browser.screenshot(ARTIFACTS / "browser_loading.png")
        browser.wait_for(f"{text_of('#status')}.includes('Ready')", timeout=300, what="the ready status")
        assert f"Ready — {5 + len(pdfs[:2])} reports in the index." in browser.evaluate(text_of("#status"))
        ask(browser, YUELU)
        browser.wait_for(f"{text_of('#chat')}.includes('84395')", what="84395 once ready")
    finally:
        starting.stop()


def test_an_english_question_gets_an_english_sentence_with_the_printed_unit(
    browser: DevTools, pdf_server: Any
) -> None:
    """Issue 10: an English question is answered in an English sentence, figures, names and
    units as printed; a figure of a 元 table is given beside its 万元 (an exact shift)."""
    open_app(browser, pdf_server.url)
    ask(browser, "What is the performance pay of Qiaokou grid center in 2020?")
    sentence = ("In the 2020 final accounts of 武汉市硚口区社会管理网格化服务中心, "
                "绩效工资（人员经费 / 决算数） is 93.44 万元.")
    browser.wait_for(f"{text_of('#chat')}.includes({json.dumps(sentence)})", what="the English sentence")
    # 上海市普陀区社会福利院2024年单位预算 p. 14, a table in 元: 302 09 物业管理费 1,206,000
    ask(browser, "What is the 2024 property management fee budget of the Putuo welfare home?")
    browser.wait_for(f"{text_of('#chat')}.includes('is 1206000 元 (= 120.6 万元).')", what="元 beside 万元")
    caption = browser.wait_for(text_of("#source figure.dqa-page figcaption"), what="the rendered page")
    assert "p. 14" in caption
    chat = browser.evaluate(text_of("#chat"))
    assert "合计·" not in chat and "达为" not in chat  # no internal labels in the sentences
    browser.screenshot(ARTIFACTS / "browser_english.png")


def click_at(tools: DevTools, expression: str) -> None:
    """A real mouse click (pressed and released) at the middle of the element `expression`
    evaluates to: Gradio's dropdown opens on the mouse, not on a scripted click()."""
    tools.evaluate(f"({expression}).scrollIntoView({{block: 'center'}})")
    x, y = tools.evaluate(
        f"(() => {{ const r = ({expression}).getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
    )
    for kind in ("mousePressed", "mouseReleased"):
        tools.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)


def choose(tools: DevTools, selector: str, value: str) -> None:
    """Pick `value` in a Gradio dropdown as a user does: open its list and click the option."""
    box = f"document.querySelector({json.dumps(selector + ' input')})"
    click_at(tools, box)
    option = f"[...document.querySelectorAll('ul.option-list li')].find(li => li.innerText.trim() === {json.dumps(value)})"
    tools.wait_for(f"!!{option}", what=f"the option {value}")
    click_at(tools, option)
    tools.wait_for(f"{box}.value === {json.dumps(value)}", what=f"{value} chosen")


def test_a_report_is_re_read_and_removed_from_the_reports_tab(
    browser: DevTools, server: Any, tmp_path: Path
) -> None:
    """Issue 10, managing reports: choose a report, re-read it from its source file, remove it
    after the confirmation; its figures are then no longer answered (a copy of the store)."""
    store = tmp_path / "store"
    shutil.copytree(server.store, store)
    managed = api_tests().AppProcess(store, tmp_path / "managed.log")
    try:
        managed.wait_ready()
        open_reports_tab(browser, managed.url)
        name = "002_fb18b6fab971e0e9.txt"  # no other test adds a copy of it
        choose(browser, "#manage-report", name)
        browser.evaluate("document.querySelector('#reread').click()")
        expr = "(document.querySelector('#manage-result textarea') || {value: ''}).value"
        message = browser.wait_for(f"{expr}.startsWith('re-read') && {expr}", timeout=180, what="the re-read result")
        assert message.startswith(f"re-read {name}: 株洲市芦淞区网格化管理服务中心 2020"), message
        choose(browser, "#manage-report", name)
        browser.evaluate("document.querySelector('#remove').click()")
        browser.wait_for(shown("#remove-yes"), what="the remove confirmation")
        confirm = browser.evaluate(text_of("#remove-text"))
        assert f"Remove {name}" in confirm and "株洲市芦淞区网格化管理服务中心" in confirm, confirm
        browser.screenshot(ARTIFACTS / "browser_remove_confirm.png")
        browser.evaluate("document.querySelector('#remove-yes').click()")
        browser.wait_for(f"{expr} === {json.dumps('removed ' + name)}", what="the remove result")
        browser.wait_for(f"!{text_of('#report-findings')}.includes({json.dumps(name)})", what="the report gone")
        browser.evaluate("[...document.querySelectorAll('button[role=tab]')].find(b => b.innerText.includes('Ask')).click()")
        ask(browser, "芦淞区网格化中心2020年人员经费是多少？")  # 002: 人员经费78.37万元
        browser.wait_for(f"/没有|未找到/.test({text_of('#chat')})", what="the removed report's figure not found")
        assert "78.37" not in browser.evaluate(text_of("#chat"))
    finally:
        managed.stop()
