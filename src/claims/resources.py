"""Locate and load the data files under `models/` (lexicons, cue words, units).

The data lives outside the code so that adding a company, a chip or a cue word is a
data change. Installed wheels carry it as `claims/models`; a source checkout reads the
top-level `models/` folder; `CLAIMS_MODELS` overrides both.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any


@cache
def models_dir() -> Path:
    """Return the folder holding the pipeline's data files."""
    override = os.environ.get("CLAIMS_MODELS")
    candidates = [Path(override)] if override else []
    here = Path(__file__).resolve().parent
    candidates += [here / "models", here.parents[1] / "models"]
    for candidate in candidates:
        if (candidate / "units.json").is_file():
            return candidate
    searched = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"claims: no models folder with units.json found (looked in {searched})"
    )


@cache
def load_json(name: str) -> Any:
    """Load one JSON data file from the models folder (cached for the process)."""
    with open(models_dir() / name, encoding="utf-8") as handle:
        return json.load(handle)


@cache
def load_jsonl(name: str) -> tuple[dict[str, Any], ...]:
    """Load one JSON Lines data file from the models folder (cached for the process)."""
    rows = []
    with open(models_dir() / name, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{name}:{number}: not JSON: {exc}") from exc
    return tuple(rows)
