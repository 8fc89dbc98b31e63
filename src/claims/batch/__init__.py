"""`claims batch`: the nightly run over news feeds, JSONL dumps and folders.

One job per module: `sources` (the TOML config), `fetch` (HTTP), `feeds` (feeds, JSONL
and folders → `Article`), `html` (HTML → text), `state` (SQLite), `workers` (local
processes or Dask), `consolidate`, `report`, and `run` (the orchestration).
"""
