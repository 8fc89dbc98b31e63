"""Which characters can make OpenCC's `t2s` change a text: `models/t2s_triggers.json`.

A text holding none of them converts to itself, so `normalize` skips the conversion
for it (most mainland news; OpenCC reads every character otherwise). A character is a
trigger when some entry of the conversion's dictionaries maps a key holding it to
something else, at the position where the two differ: 憑 (憑藉 → 凭借), but also 坏
(OpenCC turns simplified 打坏 into 打坯) or 沈 (深沈 → 深沉). A changing entry can only
match where its key stands, differing character included, so a text without any
trigger matches none. Built from the installed OpenCC's own dictionaries with the
`opencc_dict` tool its wheel carries; rerun after an OpenCC upgrade (a test compares):
`python -m claims.training.opencc_triggers`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from ..resources import models_dir

CONFIG = "t2s"
FILE = "t2s_triggers.json"


def _clib() -> Path:
    """The installed OpenCC wheel's native part: its tools and data."""
    import opencc

    return Path(opencc.__file__).parent / "clib"


def opencc_share() -> Path:
    """The folder of the installed OpenCC's configurations and dictionaries."""
    return _clib() / "share" / "opencc"


def dictionary_tool() -> Path:
    return _clib() / "bin" / "opencc_dict"


def dictionary_files(config: str = CONFIG) -> list[Path]:
    """Every dictionary the configuration reads (normalisation and conversion chain)."""
    data = json.loads((opencc_share() / f"{config}.json").read_text(encoding="utf-8"))
    files: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("file"), str):
                files.append(node["file"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(data)
    return [opencc_share() / name for name in dict.fromkeys(files)]


def entries(dictionary: Path) -> list[tuple[str, str]]:
    """(key, first value) of one binary dictionary, dumped as text by `opencc_dict`."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "dictionary.txt"
        command = [str(dictionary_tool()), "-i", str(dictionary), "-o", str(out)]
        subprocess.run([*command, "-f", "ocd2", "-t", "text"], check=True, capture_output=True)
        rows = []
        for line in out.read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            if key:
                rows.append((key, values.split(" ")[0]))
        return rows


def triggers(rows: list[tuple[str, str]]) -> set[str]:
    """The characters of changing keys where key and value differ (all of a key whose
    value has another length)."""
    found: set[str] = set()
    for key, value in rows:
        if key == value:
            continue
        if len(key) != len(value):
            found.update(key)
        else:
            found.update(k for k, v in zip(key, value, strict=True) if k != v)
    return found


def build(config: str = CONFIG) -> dict[str, object]:
    """The list, stamped with the OpenCC release it holds for (`normalize` compares)."""
    import opencc

    rows = [row for path in dictionary_files(config) for row in entries(path)]
    return {
        "about": "characters that can make OpenCC's conversion change a text "
        "(python -m claims.training.opencc_triggers)",
        "opencc": opencc.__version__,
        "config": config,
        "characters": "".join(sorted(triggers(rows))),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=models_dir() / FILE)
    args = parser.parse_args(argv)
    table = build()
    args.out.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(table['characters'])} characters (OpenCC {table['opencc']})")


if __name__ == "__main__":
    main()
