"""Answer -> wording by an optional LLM (DQA_LLM_URL, an OpenAI-compatible server).

The LLM only words the sentence. The value, unit and citations stay those of the fact store,
and a wording that mentions any number not already in the answer is thrown away: the model
may rephrase, never add a figure.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.request
from typing import Any

log = logging.getLogger(__name__)
NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
SYSTEM = (
    "You rewrite a question-answering system's answer about a government budget report as one "
    "short, natural sentence in the language of the question (Chinese for Chinese or mixed "
    "questions). Use only the figures given; do not add, round or change any number."
)


class LlmPhraser:
    def __init__(self, url: str, model: str = "local", timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"DQA_LLM_URL must be an http(s) URL, got {url!r}")
        self.url = url.rstrip("/") + "/v1/chat/completions"
        self.model = model
        self.timeout = timeout

    def phrase(self, question: str, result: dict[str, Any]) -> str:
        """The LLM's wording of result['answer'], or that answer unchanged if the LLM fails or
        its wording brings in a number the answer does not contain."""
        facts = {
            "question": question,
            "answer": result["answer"],
            "value": result.get("value"),
            "unit": result.get("unit"),
            "sources": [c.get("locator") for c in result.get("citations", [])],
        }
        body = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": json.dumps(facts, ensure_ascii=False)},
            ],
        }
        request = urllib.request.Request(
            self.url, data=json.dumps(body).encode("utf-8"), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                reply = json.loads(response.read().decode("utf-8"))
            text = str(reply["choices"][0]["message"]["content"]).strip()
        except Exception as exc:  # noqa: BLE001 - the LLM is optional: fall back to our sentence
            log.warning("LLM phrasing failed (%s); keeping the template answer", exc)
            return str(result["answer"])
        allowed = set(NUMBER_RE.findall(result["answer"])) | set(NUMBER_RE.findall(question))
        added = [n for n in NUMBER_RE.findall(text) if n not in allowed]
        if not text or added:
            log.warning("LLM wording dropped: it adds numbers %s", added)
            return str(result["answer"])
        return text
