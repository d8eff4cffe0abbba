"""Optional LLM wording against a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from qa.phrase import LlmPhraser

ANSWER = {
    "answer": "长沙市岳麓区网格化综合服务中心2021年全区全年共签收12345热线工单为 84395 件。",
    "value": "84395",
    "unit": "件",
    "citations": [{"locator": "2021年度部门整体支出绩效自评表, line 141"}],
}


class _Fake(BaseHTTPRequestHandler):
    reply = ""
    seen: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Fake.seen.append(body)
        payload = json.dumps({"choices": [{"message": {"content": _Fake.reply}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[str]:
    httpd = HTTPServer(("127.0.0.1", 0), _Fake)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_wording_is_used_when_it_keeps_the_figures(server: str) -> None:
    _Fake.reply = "2021年岳麓区共签收12345热线工单84395件。"
    text = LlmPhraser(server).phrase("岳麓区2021年12345工单多少件？", ANSWER)
    assert text == "2021年岳麓区共签收12345热线工单84395件。"
    sent = _Fake.seen[-1]
    assert sent["temperature"] == 0 and "84395" in sent["messages"][1]["content"]


def test_wording_that_adds_a_number_is_dropped(server: str) -> None:
    _Fake.reply = "岳麓区共签收工单约84400件。"  # rounded: a number the answer does not contain
    assert LlmPhraser(server).phrase("岳麓区2021年12345工单多少件？", ANSWER) == ANSWER["answer"]


def test_unreachable_server_falls_back() -> None:
    phraser = LlmPhraser("http://127.0.0.1:9", timeout=0.5)
    assert phraser.phrase("q", ANSWER) == ANSWER["answer"]


def test_bad_url_is_rejected() -> None:
    with pytest.raises(ValueError, match="DQA_LLM_URL must be an http"):
        LlmPhraser("ftp://x")
