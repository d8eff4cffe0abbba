"""Read side of disclosure QA: question -> Query -> facts + chunks -> Answer."""

from __future__ import annotations

import index  # noqa: F401  (sets the offline environment defaults before any model import)
