"""The one object app.py and eval/ call: question -> answer dict (CONTRACT.md JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class Answerer:
    """Loads the stores once; `ask` answers one question.

    ask() returns the CONTRACT.md JSON object:
    {"question", "status": answered|not_found|ambiguous, "answer", "value", "unit",
     "citations": [{"report", "locator", "quote"}], "elapsed_ms"}
    plus optional extra keys ("candidates", "searched", "computation", "table").
    """

    def __init__(self, store: Path | str | None = None) -> None:
        self.store = Path(store) if store else None

    def ask(self, question: str) -> dict[str, Any]:
        raise NotImplementedError
